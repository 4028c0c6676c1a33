package io.sequent.client;

import org.agrona.ExpandableArrayBuffer;

import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.InitProducerIdResponseEncoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataResponseEncoder;
import io.sequent.codec.client.ProduceResponseEncoder;

/**
 * Encodes broker responses for deterministic tests that feed them to requests directly.
 */
final class Responses {
    private Responses() {
    }

    static int produce(final ExpandableArrayBuffer buffer, final long baseOffset, final ErrorCode code) {
        return produce(buffer, baseOffset, code, 1);
    }

    static int produce(
        final ExpandableArrayBuffer buffer, final long baseOffset, final ErrorCode code, final int leaderId) {
        final ProduceResponseEncoder encoder = new ProduceResponseEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1)
            .baseOffset(baseOffset)
            .logAppendTime(-1)
            .partition(0)
            .leaderId(leaderId)
            .errorCode(code)
            .logStartOffset(0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    static int initProducerId(final ExpandableArrayBuffer buffer, final long id, final short epoch) {
        final InitProducerIdResponseEncoder encoder = new InitProducerIdResponseEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1)
            .producerId(id)
            .producerEpoch(epoch)
            .errorCode(ErrorCode.NONE);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    static int metadata(final ExpandableArrayBuffer buffer, final String topic, final int partitions) {
        final MetadataResponseEncoder encoder = new MetadataResponseEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1)
            .leaderId(1)
            .leaderEpoch(1)
            .errorCode(ErrorCode.NONE)
            .brokersCount(1).next().brokerId(1).ingressChannel("aeron:udp?endpoint=127.0.0.1:9090");
        final MetadataResponseEncoder.TopicsEncoder topics = encoder.topicsCount(1).next()
            .partitionCount(partitions)
            .errorCode(partitions > 0 ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
            .internalTopic(BooleanType.FALSE);
        final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder p =
            topics.partitionsCount(Math.max(0, partitions));
        for (int i = 0; i < partitions; i++) {
            p.next().partition(i).leaderId(1).leaderEpoch(1).errorCode(ErrorCode.NONE);
        }
        topics.name(topic);
        encoder.clusterId("test");
        encoder.message("");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }
}

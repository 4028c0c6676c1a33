package io.sequent.client;

import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.CreateTopicsRequestEncoder;
import io.sequent.codec.client.CreateTopicsResponseDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;

/**
 * CreateTopics for one topic; completes normally when created, or with the broker's error.
 */
final class CreateTopicsCall extends Call<Void> {
    private final String name;
    private final int partitions;
    private final Map<String, String> configs;

    CreateTopicsCall(final String name, final int partitions, final Map<String, String> configs, final long timeoutNs) {
        this.name = name;
        this.partitions = partitions;
        this.configs = configs;
        this.timeoutNs = timeoutNs;
    }

    @Override
    int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
        final CreateTopicsRequestEncoder encoder = new CreateTopicsRequestEncoder();
        final CreateTopicsRequestEncoder.TopicsEncoder topic = encoder
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(sessionId)
            .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutNs / 1_000_000))
            .validateOnly(BooleanType.FALSE)
            .topicsCount(1)
            .next()
            .partitions(partitions)
            .replicationFactor((short) -1);
        final CreateTopicsRequestEncoder.TopicsEncoder.ConfigsEncoder group = topic.configsCount(configs.size());
        for (final Map.Entry<String, String> entry : configs.entrySet()) {
            group.next().key(entry.getKey()).value(entry.getValue());
        }
        topic.name(name);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    @Override
    int responseTemplateId() {
        return CreateTopicsResponseDecoder.TEMPLATE_ID;
    }

    @Override
    Void decode(final DirectBuffer buffer, final int offset, final int length) {
        final CreateTopicsResponseDecoder decoder = new CreateTopicsResponseDecoder();
        decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
        decoder.correlationId();
        ErrorCode result = ErrorCode.UNKNOWN_SERVER_ERROR;
        String message = "no answer for topic " + name;
        for (final CreateTopicsResponseDecoder.TopicsDecoder topic : decoder.topics()) {
            topic.partitions();
            final ErrorCode code = topic.errorCode();
            final String topicName = topic.name();
            final String text = topic.message();
            if (topicName.equals(name)) {
                result = code;
                message = text;
            }
        }
        if (result != ErrorCode.NONE) {
            throw SequentException.of(result, "cannot create topic " + name + ": "
                + (message.isEmpty() ? result.name() : message));
        }
        return null;
    }
}

package io.sequent.client;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.IsolationLevel;
import io.sequent.codec.client.ListOffsetsRequestEncoder;
import io.sequent.codec.client.ListOffsetsResponseDecoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.OffsetSpec;

/**
 * ListOffsets for some partitions of one topic: earliest, latest (high watermark) or the first
 * offset at or after a timestamp, per partition. Used by the consumer (positions, seeks, lookups)
 * and the admin client.
 */
final class ListOffsetsCall extends Call<List<ListOffsetsCall.Result>> {
    /**
     * One partition's answer.
     *
     * @param partition the partition.
     * @param offset    the offset found, -1 when none matches.
     * @param timestamp that record's timestamp, -1 when unknown.
     * @param errorCode NONE or the partition's error.
     */
    record Result(int partition, long offset, long timestamp, ErrorCode errorCode) {
    }

    /** Target meaning the log start offset (Kafka's convention). */
    static final long EARLIEST = -2;
    /** Target meaning the high watermark (Kafka's convention). */
    static final long LATEST = -1;

    final String topic;
    final int[] partitions;
    final long[] targets;
    final long[] epochs;
    private final IsolationLevel isolation;

    /**
     * @param topic      the topic.
     * @param partitions the partitions.
     * @param targets    per partition: {@link #EARLIEST}, {@link #LATEST}, or a timestamp (epoch ms) to
     *                   find the first offset at or after.
     * @param isolation  the isolation level.
     * @param epochs     per partition, a value the caller recognises the answer by (the consumer's
     *                   partition epochs), or null.
     * @param timeoutNs  how long to wait for the answer.
     */
    ListOffsetsCall(
        final String topic,
        final int[] partitions,
        final long[] targets,
        final IsolationLevel isolation,
        final long[] epochs,
        final long timeoutNs) {
        this.topic = topic;
        this.partitions = partitions;
        this.targets = targets;
        this.isolation = isolation;
        this.epochs = epochs;
        this.timeoutNs = timeoutNs;
    }

    @Override
    int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
        final ListOffsetsRequestEncoder encoder = new ListOffsetsRequestEncoder();
        final ListOffsetsRequestEncoder.PartitionsEncoder group = encoder
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(sessionId)
            .isolation(isolation)
            .partitionsCount(partitions.length);
        for (int i = 0; i < partitions.length; i++) {
            final long target = targets[i];
            group.next()
                .timestamp(target < 0 ? -1 : target)
                .partition(partitions[i])
                .spec(target == EARLIEST ? OffsetSpec.EARLIEST
                    : target == LATEST ? OffsetSpec.LATEST : OffsetSpec.BY_TIMESTAMP);
        }
        encoder.topic(topic);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    @Override
    int responseTemplateId() {
        return ListOffsetsResponseDecoder.TEMPLATE_ID;
    }

    @Override
    List<Result> decode(final DirectBuffer buffer, final int offset, final int length) {
        final ListOffsetsResponseDecoder decoder = new ListOffsetsResponseDecoder();
        decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
        decoder.correlationId();
        final List<Result> results = new ArrayList<>();
        for (final ListOffsetsResponseDecoder.PartitionsDecoder p : decoder.partitions()) {
            final long found = p.offset();
            final long timestamp = p.timestamp();
            final int partition = p.partition();
            results.add(new Result(partition, found, timestamp, p.errorCode()));
        }
        return results;
    }

    /**
     * The answer for one partition.
     *
     * @param results   the call's results.
     * @param partition the partition.
     * @return its result, or null when the broker left it out.
     */
    static Result find(final List<Result> results, final int partition) {
        for (final Result result : results) {
            if (result.partition() == partition) {
                return result;
            }
        }
        return null;
    }
}

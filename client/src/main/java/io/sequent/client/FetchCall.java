package io.sequent.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.client.FetchRequestEncoder;
import io.sequent.codec.client.FetchResponseDecoder;
import io.sequent.codec.client.IsolationLevel;
import io.sequent.codec.client.MessageHeaderEncoder;

/**
 * One FetchRequest (one topic, some of its partitions) and, once answered, a copy of its
 * FetchResponse for the consumer's thread to decode. Pooled by the consumer: filled by the consumer
 * thread, sent and answered on the I/O thread, handed back through the completion queue; the
 * queue's ordering makes each hand-over safe. Reuse allocates nothing once the buffers have grown.
 */
final class FetchCall extends PendingRequest {
    private static final byte[] NO_BYTES = new byte[0];

    private final ManyToOneConcurrentArrayQueue<FetchCall> completions;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final FetchRequestEncoder encoder = new FetchRequestEncoder();
    final UnsafeBuffer response = new UnsafeBuffer(NO_BYTES);

    String topic;
    byte[] topicBytes = NO_BYTES;
    byte[] rackBytes = NO_BYTES;
    int count;
    int[] partitions = new int[8];
    long[] offsets = new long[8];
    int[] maxBytes = new int[8];
    long[] epochs = new long[8];
    int maxWaitMs;
    int minBytes;
    int totalMaxBytes;
    IsolationLevel isolation = IsolationLevel.READ_UNCOMMITTED;
    volatile Thread waiter;

    int responseLength;
    SequentException failure;
    int references;

    FetchCall(final ManyToOneConcurrentArrayQueue<FetchCall> completions) {
        this.completions = completions;
    }

    void reset(final String topic, final String rack) {
        if (!topic.equals(this.topic)) {
            this.topic = topic;
            topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        }
        if (rackBytes.length != rack.length()) {
            rackBytes = rack.getBytes(StandardCharsets.UTF_8);
        }
        count = 0;
        failure = null;
        responseLength = 0;
        references = 0;
        correlationId = -1;
    }

    void add(final int partition, final long offset, final int partitionMaxBytes, final long epoch) {
        if (count == partitions.length) {
            final int size = count * 2;
            partitions = Arrays.copyOf(partitions, size);
            offsets = Arrays.copyOf(offsets, size);
            maxBytes = Arrays.copyOf(maxBytes, size);
            epochs = Arrays.copyOf(epochs, size);
        }
        partitions[count] = partition;
        offsets[count] = offset;
        maxBytes[count] = partitionMaxBytes;
        epochs[count] = epoch;
        count++;
    }

    /**
     * The epoch a partition had when this fetch was sent.
     *
     * @param partition the partition.
     * @return its epoch, or -1 when the partition was not in this fetch.
     */
    long epochOf(final int partition) {
        for (int i = 0; i < count; i++) {
            if (partitions[i] == partition) {
                return epochs[i];
            }
        }
        return -1;
    }

    /**
     * The offset a partition's fetch started at.
     *
     * @param partition the partition.
     * @return its fetch offset, or -1 when the partition was not in this fetch.
     */
    long offsetOf(final int partition) {
        for (int i = 0; i < count; i++) {
            if (partitions[i] == partition) {
                return offsets[i];
            }
        }
        return -1;
    }

    @Override
    int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
        final FetchRequestEncoder.PartitionsEncoder group = encoder
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .maxWaitMs(maxWaitMs)
            .minBytes(minBytes)
            .maxBytes(totalMaxBytes)
            .isolation(isolation)
            .partitionsCount(count);
        for (int i = 0; i < count; i++) {
            group.next().fetchOffset(offsets[i]).partition(partitions[i]).partitionMaxBytes(maxBytes[i]);
        }
        encoder.putTopic(topicBytes, 0, topicBytes.length);
        encoder.putRackId(rackBytes, 0, rackBytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    @Override
    boolean anyMember() {
        return true;
    }

    @Override
    boolean longPoll() {
        return maxWaitMs > 0;
    }

    @Override
    int responseTemplateId() {
        return FetchResponseDecoder.TEMPLATE_ID;
    }

    @Override
    void onResponse(final DirectBuffer buffer, final int offset, final int length, final long nowNs) {
        byte[] array = response.byteArray();
        if (array.length < length) {
            array = new byte[Math.max(length, array.length * 2)];
            response.wrap(array);
        }
        response.putBytes(0, buffer, offset, length);
        responseLength = length;
        complete();
    }

    @Override
    void onFailure(final SequentException failure, final long nowNs) {
        this.failure = failure;
        complete();
    }

    private void complete() {
        while (!completions.offer(this)) {
            Thread.yield();
        }
        final Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}

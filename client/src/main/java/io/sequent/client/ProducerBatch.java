package io.sequent.client;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.Batches;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.ProduceRequestEncoder;
import io.sequent.codec.client.ProduceResponseDecoder;

/**
 * One record batch of one partition, built in place inside the ProduceRequest that carries it, so
 * that sending (and every resend) offers the buffer as it is, after writing the correlation and
 * session ids:
 *
 * <pre>
 *   0  SBE header (ProduceRequest)     8  correlationId   16 sessionId   24 partition
 *  28  timeoutMs   32 acks   33 topic length (uint32)   37 topic bytes
 *   .. batch length (uint32) = {@link #frameOffset} - 4
 *   {@link #frameOffset}  the record batch frame (batch-schema.xml), {@link #frameLength} bytes
 * </pre>
 *
 * Idempotent producers stamp the producer id, epoch and base sequence into the frame, and recompute
 * its CRC, when the batch is first sent (and again only after an epoch bump); a retry resends the
 * very same bytes. Pooled and reused; single writer: the I/O thread.
 */
final class ProducerBatch extends PendingRequest {
    static final int OPEN = 0;
    static final int READY = 1;
    static final int IN_FLIGHT = 2;
    static final int DONE = 3;

    static final int CORRELATION_ID_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.correlationIdEncodingOffset();
    static final int SESSION_ID_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.sessionIdEncodingOffset();
    /** Bytes of the request before the topic name and after it, up to the frame. */
    static final int REQUEST_OVERHEAD = MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.BLOCK_LENGTH
        + ProduceRequestEncoder.topicHeaderLength() + ProduceRequestEncoder.batchHeaderLength();

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final BatchHandler handler;
    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    PartitionQueue queue;
    boolean pooledBuffer;
    boolean acksNone;
    int frameOffset;
    int frameLength;
    int requestLength;
    RecordFuture[] futures = new RecordFuture[16];
    int count;
    long bytes;
    long id;
    long createdNs;
    int attempts;
    int state;
    int stampGeneration = -1;
    int baseSequence = Batches.NO_SEQUENCE;
    SequentException lastError;

    ProducerBatch(final BatchHandler handler) {
        this.handler = handler;
    }

    void add(final RecordFuture future) {
        if (count == futures.length) {
            final RecordFuture[] grown = new RecordFuture[futures.length * 2];
            System.arraycopy(futures, 0, grown, 0, count);
            futures = grown;
        }
        futures[count++] = future;
        bytes += future.encodedSize;
    }

    /**
     * Writes the idempotence fields into the frame and recomputes its CRC.
     *
     * @param producerId    the producer id.
     * @param producerEpoch the producer epoch.
     * @param sequence      the first record's sequence.
     * @param generation    the producer identity generation this stamp belongs to.
     */
    void stamp(final long producerId, final short producerEpoch, final int sequence, final int generation) {
        final int o = frameOffset;
        buffer.putLong(o + Batches.PRODUCER_ID_OFFSET, producerId, ORDER);
        buffer.putShort(o + Batches.PRODUCER_EPOCH_OFFSET, producerEpoch, ORDER);
        buffer.putInt(o + Batches.BASE_SEQUENCE_OFFSET, sequence, ORDER);
        buffer.putInt(o + Batches.CRC_OFFSET, Batches.computeCrc(buffer, o, frameLength), ORDER);
        baseSequence = sequence;
        stampGeneration = generation;
    }

    void reset() {
        queue = null;
        for (int i = 0; i < count; i++) {
            futures[i] = null;
        }
        count = 0;
        bytes = 0;
        attempts = 0;
        state = OPEN;
        stampGeneration = -1;
        baseSequence = Batches.NO_SEQUENCE;
        lastError = null;
        correlationId = -1;
        frameLength = 0;
        requestLength = 0;
    }

    @Override
    int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId, ORDER);
        buffer.putLong(SESSION_ID_OFFSET, sessionId, ORDER);
        return requestLength;
    }

    @Override
    DirectBuffer encodedBuffer(final MutableDirectBuffer scratch) {
        return buffer;
    }

    @Override
    int responseTemplateId() {
        return ProduceResponseDecoder.TEMPLATE_ID;
    }

    @Override
    boolean expectsResponse() {
        return !acksNone;
    }

    @Override
    void onSent(final long nowNs) {
        if (acksNone) {
            handler.onBatchSent(this, nowNs);
        }
    }

    @Override
    void onResponse(final DirectBuffer responseBuffer, final int offset, final int length, final long nowNs) {
        handler.onBatchResponse(this, responseBuffer, offset, nowNs);
    }

    @Override
    void onFailure(final SequentException failure, final long nowNs) {
        handler.onBatchFailure(this, failure, nowNs);
    }

    @Override
    public String toString() {
        return "ProducerBatch[" + queue + ", id=" + id + ", records=" + count + ", state=" + state
            + ", attempts=" + attempts + ", sequence=" + baseSequence + "]";
    }
}

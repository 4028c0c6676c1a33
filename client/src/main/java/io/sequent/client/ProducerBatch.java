package io.sequent.client;

import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.BatchCompressor;
import io.sequent.codec.Batches;
import io.sequent.codec.Compression;
import io.sequent.codec.RecordHeaders;
import io.sequent.codec.client.Acks;
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
 * <p>Life: sending threads append records (encoded straight into the frame by the batch's own
 * {@link BatchBuilder}, their callbacks and timestamps into pooled arrays) while the batch is its
 * partition's open batch, under the partition's lock. Once it is closed and the I/O thread has taken
 * it, only the I/O thread touches it: it finishes the frame ({@link #seal}: header, compression),
 * stamps the idempotence fields and computes the CRC once when the batch is first sent (again only
 * after an epoch bump; a retry resends the very same bytes), and completes it with one call that
 * fans out to the records' callbacks, offset = base offset + index. Pooled and reused with its
 * buffer and arrays, so that steady-state sending allocates nothing.
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
    private static final int INITIAL_RECORDS = 64;

    private final BatchHandler handler;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ProduceRequestEncoder requestEncoder = new ProduceRequestEncoder();
    final BatchBuilder builder;
    final UnsafeBuffer buffer;
    /** Whether the batch returns to the pool when done (false for a record larger than a batch). */
    final boolean pooled;
    /** Frame capacity: the most bytes this batch's frame may take. */
    int capacity;
    PartitionQueue queue;
    boolean acksNone;
    int frameOffset;
    int frameLength;
    int requestLength;
    Callback[] callbacks = new Callback[INITIAL_RECORDS];
    long[] timestamps = new long[INITIAL_RECORDS];
    int count;
    /** Bytes of {@code buffer.memory} the batch holds until it is done. */
    long bytes;
    long id;
    long createdNs;
    int attempts;
    int state;
    boolean sealed;
    int stampGeneration = -1;
    int baseSequence = Batches.NO_SEQUENCE;
    /**
     * An attempt with the current stamp ended without a definite answer (no response, lost session, or an
     * answer that does not say the batch was not written): a copy of it may be in the log under this stamp.
     */
    boolean maybeWritten;
    SequentException lastError;

    /**
     * @param handler       receives the outcome of every send.
     * @param bufferLength  bytes of the request buffer: request overhead, topic and frame.
     * @param maxFrameBytes the largest frame the batch will hold.
     * @param pooled        whether it returns to the pool.
     */
    ProducerBatch(final BatchHandler handler, final int bufferLength, final int maxFrameBytes, final boolean pooled) {
        this.handler = handler;
        this.buffer = new UnsafeBuffer(new byte[bufferLength]);
        this.builder = new BatchBuilder(Math.max(maxFrameBytes, RecordAccumulator.MIN_BATCH_CAPACITY));
        this.pooled = pooled;
    }

    /**
     * Starts the batch for a partition: writes the request fields and begins the frame. Under the
     * partition's lock.
     */
    void begin(
        final PartitionQueue queue,
        final int frameCapacity,
        final long id,
        final long nowNs,
        final int timeoutMs,
        final Acks acks,
        final long timeoutNs) {
        final byte[] topic = queue.topic.nameBytes;
        requestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(0)
            .sessionId(0)
            .partition(queue.partition)
            .timeoutMs(timeoutMs)
            .acks(acks)
            .putTopic(topic, 0, topic.length);
        frameOffset = requestEncoder.limit() + ProduceRequestEncoder.batchHeaderLength();
        capacity = frameCapacity;
        builder.begin(buffer, frameOffset, frameCapacity,
            Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH, Batches.NO_SEQUENCE);
        this.queue = queue;
        this.id = id;
        this.createdNs = nowNs;
        this.state = OPEN;
        this.acksNone = acks == Acks.NONE;
        this.timeoutNs = timeoutNs;
    }

    /**
     * Appends a record if it fits. Under the partition's lock.
     *
     * @return false, leaving the batch as it was, when the record does not fit.
     */
    boolean tryAppend(
        final long timestamp, final byte[] key, final byte[] value, final RecordHeaders headers,
        final Callback callback) {
        if (!builder.tryAppend(timestamp, key, value, headers)) {
            return false;
        }
        if (count == callbacks.length) {
            callbacks = Arrays.copyOf(callbacks, count * 2);
            timestamps = Arrays.copyOf(timestamps, count * 2);
        }
        callbacks[count] = callback;
        timestamps[count] = timestamp;
        count++;
        return true;
    }

    /**
     * Whether even the smallest record would no longer fit. Under the partition's lock.
     */
    boolean isFull() {
        return builder.uncompressedLength() + RecordAccumulator.MIN_RECORD_LENGTH > capacity;
    }

    /**
     * Finishes the frame (header without CRC), compresses it when configured, and writes the
     * request's batch length. I/O thread, once the batch is off the append side.
     *
     * @param compressor the I/O thread's compressor, or null for none.
     * @param codec      the codec.
     */
    void seal(final BatchCompressor compressor, final Compression codec) {
        int length = builder.finish(false);
        if (compressor != null && codec != Compression.NONE) {
            length = compressor.compress(buffer, frameOffset, codec);
        }
        frameLength = length;
        buffer.putInt(frameOffset - ProduceRequestEncoder.batchHeaderLength(), length, ORDER);
        requestLength = frameOffset + length;
        sealed = false;
        state = READY;
    }

    /**
     * Computes the CRC if it was not computed since the frame last changed. I/O thread.
     */
    void checksum() {
        if (!sealed) {
            Batches.seal(buffer, frameOffset);
            sealed = true;
        }
    }

    /**
     * Writes the idempotence fields into the frame and computes its CRC.
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
        Batches.seal(buffer, o);
        sealed = true;
        baseSequence = sequence;
        stampGeneration = generation;
        maybeWritten = false;
    }

    /**
     * Completes every record of the batch: one call per record to its callback. I/O thread.
     *
     * @param baseOffset    the first record's offset, or -1 (acks=0, failure).
     * @param logAppendTime the broker's log append time, or -1 when records keep their timestamp.
     * @param failure       null on success.
     */
    void complete(final long baseOffset, final long logAppendTime, final SequentException failure) {
        final String topic = queue.topic.name;
        final int partition = queue.partition;
        final Callback[] callbacks = this.callbacks;
        final long[] timestamps = this.timestamps;
        for (int i = 0, n = count; i < n; i++) {
            RecordFuture.complete(callbacks[i], topic, partition,
                failure != null || baseOffset < 0 ? -1 : baseOffset + i,
                failure == null && logAppendTime >= 0 ? logAppendTime : timestamps[i], failure);
        }
    }

    void reset() {
        queue = null;
        Arrays.fill(callbacks, 0, count, null);
        count = 0;
        bytes = 0;
        attempts = 0;
        state = OPEN;
        sealed = false;
        stampGeneration = -1;
        baseSequence = Batches.NO_SEQUENCE;
        maybeWritten = false;
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

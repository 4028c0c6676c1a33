package io.sequent.broker;

import io.aeron.DirectBufferVector;
import io.aeron.Publication;
import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.FetchRequestDecoder;
import io.sequent.codec.client.FetchResponseEncoder;
import io.sequent.codec.client.ListOffsetsRequestDecoder;
import io.sequent.codec.client.ListOffsetsResponseEncoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.log.FrameDescriptor;
import io.sequent.log.LogReader;
import io.sequent.log.LogResult;
import io.sequent.log.PartitionLog;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Serves FetchRequests and ListOffsetsRequests, which the ingress forwards through a ring buffer.
 *
 * <p>A fetch reads each partition from its log through the partition's {@link LogReader}, never above the
 * high watermark, and sends the stored batch frames without copying them first: the response is offered
 * as a vector of the response's own fields (encoded into this thread's buffer) interleaved with the slices
 * of the mapped segments. Limits: {@code fetch.max.bytes} (and the request's maxBytes and
 * partitionMaxBytes) on record bytes, except that the first batch is returned whole so a consumer always
 * progresses, and the response publication's message limit. A fetch offset outside
 * {@code [logStartOffset, highWatermark]} is OFFSET_OUT_OF_RANGE for its partition.
 *
 * <p>A fetch with fewer than minBytes ready is parked (a long poll) in a pre-allocated pool and checked on
 * every duty cycle: it is answered as soon as a partition's high watermark moves past its fetch offset
 * (and minBytes are ready), or when maxWaitMs expires, or when its topic is deleted.
 *
 * <p>Single thread; owns the partitions' fetch readers. Allocates nothing in steady state (pool entries grow
 * their partition arrays once, to the largest request seen).
 */
final class FetchAgent implements Agent, MessageHandler {
    /** Most partitions in one fetch or list-offsets request. */
    static final int MAX_PARTITIONS = 256;
    /** Most fetches parked at once; beyond it a fetch is answered at once with what is there. */
    static final int MAX_PARKED = 256;
    /** Longest long poll honoured. */
    static final long MAX_WAIT_MS = 300_000;

    private static final int READ_LIMIT = 32;
    private static final int RESPONSE_OVERHEAD = 256;
    private static final byte[] UNDECODABLE = ResponseSender.bytes("the request could not be decoded");
    private static final byte[] TOO_MANY_PARTITIONS = ResponseSender.bytes(
        "too many partitions in one request; the limit is " + MAX_PARTITIONS);

    private final RingBuffer requests;
    private final ManyToOneConcurrentArrayQueue<Runnable> control;
    private final TopicRegistry topics;
    private final SessionTable sessions;
    private final BrokerCounters counters;
    private final int brokerId;
    private final int fetchMaxBytes;
    private final ResponseSender sender;
    private final MutableDirectBuffer buffer;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final FetchRequestDecoder fetchDecoder = new FetchRequestDecoder();
    private final FetchResponseEncoder fetchEncoder = new FetchResponseEncoder();
    private final ListOffsetsRequestDecoder listDecoder = new ListOffsetsRequestDecoder();
    private final ListOffsetsResponseEncoder listEncoder = new ListOffsetsResponseEncoder();
    private final UnsafeBuffer topicView = new UnsafeBuffer(0, 0);
    private final BatchReader batchReader = new BatchReader();

    private final FetchState[] free = new FetchState[MAX_PARKED];
    private final FetchState[] parked = new FetchState[MAX_PARKED];
    private int freeCount;
    private int parkedCount;
    private FetchState current = new FetchState();

    // Per-response scratch.
    private final ErrorCode[] errors = new ErrorCode[MAX_PARTITIONS];
    private final long[] highWatermarks = new long[MAX_PARTITIONS];
    private final long[] startOffsets = new long[MAX_PARTITIONS];
    private final int[] lengths = new int[MAX_PARTITIONS];
    private final int[] lengthPositions = new int[MAX_PARTITIONS];
    private final LogReader[] readers = new LogReader[MAX_PARTITIONS];
    private final long[] listTimestamps = new long[MAX_PARTITIONS];
    private final int[] listPartitions = new int[MAX_PARTITIONS];
    private final short[] listSpecs = new short[MAX_PARTITIONS];
    private final DirectBufferVector[][] vectorsByCount = new DirectBufferVector[2 * MAX_PARTITIONS + 2][];
    private long responseMark;
    private long foundTimestamp;
    private final NanoClock clock;
    private long nowNs;

    FetchAgent(
        final RingBuffer requests,
        final ManyToOneConcurrentArrayQueue<Runnable> control,
        final TopicRegistry topics,
        final SessionTable sessions,
        final BrokerCounters counters,
        final int brokerId,
        final int fetchMaxBytes,
        final NanoClock clock) {
        this.requests = requests;
        this.clock = clock;
        this.control = control;
        this.topics = topics;
        this.sessions = sessions;
        this.counters = counters;
        this.brokerId = brokerId;
        this.fetchMaxBytes = fetchMaxBytes;
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        this.sender = new ResponseSender(buffer, counters);
        for (int i = 0; i < MAX_PARKED; i++) {
            free[freeCount++] = new FetchState();
        }
    }

    @Override
    public String roleName() {
        return "sequent-fetch";
    }

    @Override
    public int doWork() {
        return doWork(clock.nanoTime());
    }

    /**
     * One duty cycle at {@code nowNs} (of the broker's {@link NanoClock}): long polls expire by it.
     *
     * @param nowNs the time of this cycle.
     * @return the work done.
     */
    int doWork(final long nowNs) {
        this.nowNs = nowNs;
        int work = 0;
        Runnable command;
        while (null != (command = control.poll())) {
            command.run();
            work++;
        }
        work += requests.read(this, READ_LIMIT);
        if (parkedCount > 0) {
            work += checkParked();
        }
        return work;
    }

    @Override
    public void onClose() {
        for (int i = 0; i < parkedCount; i++) {
            parked[i] = null;
        }
        parkedCount = 0;
        for (final Topic topic : topics.table().topics()) {
            for (final TopicPartition partition : topic.partitions()) {
                partition.closeReader();
            }
        }
    }

    /**
     * Drops the fetch thread's hold on a deleted topic: answers its parked fetches (UNKNOWN_TOPIC_OR_PARTITION)
     * and closes its readers. Fetch thread (a control command queued by the admin thread).
     */
    void onTopicDeleted(final Topic topic) {
        for (int i = parkedCount - 1; i >= 0; i--) {
            final FetchState state = parked[i];
            if (state.topic == topic) {
                serve(state, true);
                unpark(i);
            }
        }
        for (final TopicPartition partition : topic.partitions()) {
            partition.closeReader();
        }
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer frame, final int index, final int length) {
        try {
            if (msgTypeId == FetchRequestDecoder.TEMPLATE_ID) {
                onFetch(frame, index, length);
            } else if (msgTypeId == ListOffsetsRequestDecoder.TEMPLATE_ID) {
                onListOffsets(frame, index, length);
            }
        } catch (final RuntimeException ex) {
            counters.errors.increment();
            final long sessionId = frame.getLong(
                index + ProtocolFrames.HEADER_LENGTH + ProtocolFrames.SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
            sender.sendError(sessions.get(sessionId), ProtocolFrames.correlationId(frame, index, length), msgTypeId,
                ErrorCode.INVALID_REQUEST, UNDECODABLE);
        }
    }

    private void onFetch(final DirectBuffer frame, final int index, final int length) {
        counters.fetchRequests.incrementRelease();
        final FetchRequestDecoder decoder = fetchDecoder.wrapAndApplyHeader(frame, index, headerDecoder);
        final FetchState state = current;
        state.correlationId = decoder.correlationId();
        state.sessionId = decoder.sessionId();
        final int maxWaitMs = decoder.maxWaitMs();
        state.minBytes = decoder.minBytes();
        state.maxBytes = decoder.maxBytes();
        decoder.isolationRaw();
        final FetchRequestDecoder.PartitionsDecoder partitions = decoder.partitions();
        final int count = partitions.count();
        if (count > MAX_PARTITIONS) {
            sender.sendError(sessions.get(state.sessionId), state.correlationId, FetchRequestDecoder.TEMPLATE_ID,
                ErrorCode.INVALID_REQUEST, TOO_MANY_PARTITIONS);
            return;
        }
        state.ensureCapacity(count);
        state.count = count;
        for (int i = 0; i < count; i++) {
            partitions.next();
            state.fetchOffsets[i] = partitions.fetchOffset();
            state.partitionIds[i] = partitions.partition();
            state.partitionMaxBytes[i] = partitions.partitionMaxBytes();
            state.seenHighWatermarks[i] = Long.MIN_VALUE;
        }
        decoder.wrapTopic(topicView);
        state.setTopicName(topicView);
        state.topic = topics.table().lookup(topicView, 0, topicView.capacity());
        final long waitMs = Math.min(Math.max(0, maxWaitMs), MAX_WAIT_MS);
        state.deadlineNs = nowNs + waitMs * 1_000_000L;

        final boolean answerNow = waitMs == 0 || freeCount == 0;
        if (!serve(state, answerNow)) {
            counters.fetchParked.incrementRelease();
            parked[parkedCount++] = state;
            current = free[--freeCount];
            free[freeCount] = null;
        }
    }

    private int checkParked() {
        int work = 0;
        for (int i = parkedCount - 1; i >= 0; i--) {
            final FetchState state = parked[i];
            if (null == sessions.get(state.sessionId)) {
                unpark(i);
                work++;
                continue;
            }
            final boolean expired = nowNs - state.deadlineNs >= 0;
            if ((expired || state.topicGone() || state.highWatermarkMoved()) && serve(state, expired)) {
                unpark(i);
                work++;
            }
        }
        return work;
    }

    private void unpark(final int i) {
        final FetchState state = parked[i];
        parked[i] = parked[--parkedCount];
        parked[parkedCount] = null;
        state.topic = null;
        free[freeCount++] = state;
    }

    /**
     * Reads what the fetch asks for and answers it, or leaves it parked.
     *
     * @param force answer even with fewer than minBytes (maxWait expired, no room to park).
     * @return true when the fetch is done (answered, or its session is gone).
     */
    private boolean serve(final FetchState state, final boolean force) {
        final Session session = sessions.get(state.sessionId);
        final Publication publication = null == session ? null : session.publication();
        if (null == publication) {
            return true;
        }
        state.protocolVersion = session.protocolVersion();
        final Topic topic = state.topic;
        final boolean topicGone = null == topic || topic.isDeleted();
        final int count = state.count;
        final int budget = state.maxBytes > 0 ? Math.min(state.maxBytes, fetchMaxBytes) : fetchMaxBytes;
        final int messageRoom = publication.maxMessageLength() - RESPONSE_OVERHEAD - count * 32 -
            state.topicNameLength;
        final long mark = ++responseMark;
        boolean anyError = false;
        int total = 0;
        for (int i = 0; i < count; i++) {
            errors[i] = ErrorCode.NONE;
            highWatermarks[i] = -1;
            startOffsets[i] = -1;
            lengths[i] = 0;
            readers[i] = null;
            final TopicPartition partition = topicGone ? null : topic.partition(state.partitionIds[i]);
            if (null == partition) {
                errors[i] = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
                anyError = true;
                continue;
            }
            final long highWatermark = partition.highWatermark();
            final PartitionLog log = partition.log();
            final long startOffset = log.startOffset();
            highWatermarks[i] = highWatermark;
            startOffsets[i] = startOffset;
            state.seenHighWatermarks[i] = highWatermark;
            final long fetchOffset = state.fetchOffsets[i];
            if (fetchOffset < startOffset || fetchOffset > highWatermark) {
                errors[i] = ErrorCode.OFFSET_OUT_OF_RANGE;
                anyError = true;
                continue;
            }
            if (partition.fetchMark == mark) {
                errors[i] = ErrorCode.INVALID_REQUEST;
                anyError = true;
                continue;
            }
            partition.fetchMark = mark;
            final int room = budget - total;
            if (fetchOffset == highWatermark || (room <= 0 && total > 0)) {
                continue;
            }
            final int partitionMax = state.partitionMaxBytes[i];
            final int maxBytes = Math.max(1, partitionMax > 0 ? Math.min(partitionMax, room) : room);
            final LogReader reader = partition.reader();
            final int read = reader.read(fetchOffset, maxBytes, highWatermark);
            if (read > 0) {
                if (total + read > messageRoom) {
                    reader.release();
                    continue;
                }
                readers[i] = reader;
                lengths[i] = read;
                total += read;
            } else if (read == LogResult.OFFSET_OUT_OF_RANGE) {
                errors[i] = ErrorCode.OFFSET_OUT_OF_RANGE;
                anyError = true;
            } else if (read == LogResult.CLOSED) {
                errors[i] = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
                anyError = true;
            }
        }
        final boolean enough = state.minBytes <= 0 || (total > 0 && total >= state.minBytes);
        if (!(force || anyError || enough || topicGone)) {
            releaseReaders(count);
            return false;
        }
        sendFetchResponse(publication, state, topicGone, total);
        releaseReaders(count);
        return true;
    }

    private void releaseReaders(final int count) {
        for (int i = 0; i < count; i++) {
            final LogReader reader = readers[i];
            if (null != reader) {
                readers[i] = null;
                reader.release();
            }
        }
    }

    private void sendFetchResponse(
        final Publication publication, final FetchState state, final boolean topicGone, final int total) {
        final int count = state.count;
        final FetchResponseEncoder encoder = fetchEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(state.correlationId)
            .leaderId(brokerId)
            .errorCode(topicGone ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE);
        final FetchResponseEncoder.PartitionsEncoder partitions = encoder.partitionsCount(count);
        long records = 0;
        for (int i = 0; i < count; i++) {
            if (errors[i] != ErrorCode.NONE) {
                sender.countError(errors[i]);
            }
            if (lengths[i] > 0) {
                records += wholeBatchRecords(readers[i].buffer(), readers[i].bufferOffset(), lengths[i]);
            }
            partitions.next()
                .highWatermark(highWatermarks[i])
                .logStartOffset(startOffsets[i])
                .partition(state.partitionIds[i])
                .errorCode(errors[i]);
            lengthPositions[i] = encoder.limit();
            partitions.putRecords(buffer, 0, 0);
        }
        encoder.putTopic(state.topicName, 0, state.topicNameLength);
        if (total > 0) {
            counters.bytesOut.getAndAddRelease(total);
            counters.recordsOut.getAndAddRelease(records);
        }
        final int end = ResponseSender.forVersion(
            buffer, state.protocolVersion, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        if (0 == total) {
            sender.offer(publication, buffer, 0, end);
            return;
        }
        final DirectBufferVector[] vectors = vectors(2 * count + 1);
        int start = 0;
        for (int i = 0; i < count; i++) {
            final int recordsStart = lengthPositions[i] + FetchResponseEncoder.PartitionsEncoder.recordsHeaderLength();
            buffer.putInt(lengthPositions[i], lengths[i], ByteOrder.LITTLE_ENDIAN);
            vectors[2 * i].reset(buffer, start, recordsStart - start);
            if (lengths[i] > 0) {
                vectors[2 * i + 1].reset(readers[i].buffer(), readers[i].bufferOffset(), lengths[i]);
            } else {
                vectors[2 * i + 1].reset(buffer, 0, 0);
            }
            start = recordsStart;
        }
        vectors[2 * count].reset(buffer, start, end - start);
        sender.offer(publication, vectors);
    }

    /** Records in the whole batches of {@code [offset, offset + length)}: a cut trailing frame is not counted. */
    private static long wholeBatchRecords(final DirectBuffer data, final int offset, final int length) {
        long records = 0;
        int position = offset;
        final int limit = offset + length;
        while (position + FrameDescriptor.MIN_FRAME_LENGTH <= limit) {
            final int frameLength = FrameDescriptor.frameLength(data, position);
            if (frameLength <= 0 || position + frameLength > limit) {
                break;
            }
            records += FrameDescriptor.lastOffset(data, position) - Batches.baseOffset(data, position) + 1;
            position += FrameDescriptor.alignedLength(frameLength);
        }
        return records;
    }

    private DirectBufferVector[] vectors(final int count) {
        DirectBufferVector[] vectors = vectorsByCount[count];
        if (null == vectors) {
            vectors = new DirectBufferVector[count];
            for (int i = 0; i < count; i++) {
                vectors[i] = new DirectBufferVector();
            }
            vectorsByCount[count] = vectors;
        }
        return vectors;
    }

    private void onListOffsets(final DirectBuffer frame, final int index, final int length) {
        final ListOffsetsRequestDecoder decoder = listDecoder.wrapAndApplyHeader(frame, index, headerDecoder);
        final long correlationId = decoder.correlationId();
        final Session session = sessions.get(decoder.sessionId());
        decoder.isolationRaw();
        final ListOffsetsRequestDecoder.PartitionsDecoder partitions = decoder.partitions();
        final int count = partitions.count();
        if (count > MAX_PARTITIONS) {
            sender.sendError(session, correlationId, ListOffsetsRequestDecoder.TEMPLATE_ID,
                ErrorCode.INVALID_REQUEST, TOO_MANY_PARTITIONS);
            return;
        }
        for (int i = 0; i < count; i++) {
            partitions.next();
            listTimestamps[i] = partitions.timestamp();
            listPartitions[i] = partitions.partition();
            listSpecs[i] = partitions.specRaw();
        }
        decoder.wrapTopic(topicView);
        if (null == session) {
            return;
        }
        final Topic topic = topics.table().lookup(topicView, 0, topicView.capacity());
        final boolean topicGone = null == topic || topic.isDeleted();

        final ListOffsetsResponseEncoder encoder = listEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId);
        final ListOffsetsResponseEncoder.PartitionsEncoder out = encoder.partitionsCount(count);
        for (int i = 0; i < count; i++) {
            final TopicPartition partition = topicGone ? null : topic.partition(listPartitions[i]);
            long offset = -1;
            long timestamp = -1;
            ErrorCode code = ErrorCode.NONE;
            if (null == partition) {
                code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            } else {
                switch (listSpecs[i]) {
                    case 0:
                        offset = partition.log().startOffset();
                        break;
                    case 1:
                        offset = partition.highWatermark();
                        break;
                    case 2:
                        offset = offsetForTimestamp(partition, listTimestamps[i]);
                        timestamp = offset >= 0 ? foundTimestamp : -1;
                        break;
                    default:
                        code = ErrorCode.INVALID_REQUEST;
                        break;
                }
            }
            out.next().offset(offset).timestamp(timestamp).partition(listPartitions[i]).errorCode(code);
        }
        encoder.putTopic(topicView, 0, topicView.capacity());
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * The first committed offset whose record timestamp is at or after {@code timestampMs}: the log finds the
     * first batch whose largest timestamp reaches it, then the batch's records are searched.
     *
     * @return the offset (its timestamp in {@link #foundTimestamp}), or -1 when there is none.
     */
    private long offsetForTimestamp(final TopicPartition partition, final long timestampMs) {
        final long highWatermark = partition.highWatermark();
        final long base = partition.log().offsetForTimestamp(timestampMs);
        if (base < 0 || base >= highWatermark) {
            return -1;
        }
        final LogReader reader = partition.reader();
        try {
            final int read = reader.read(base, 1, highWatermark);
            if (read <= 0) {
                return -1;
            }
            final DirectBuffer slice = reader.buffer();
            final int start = reader.bufferOffset();
            final int frameLength = Batches.frameLength(slice, start);
            if (batchReader.wrap(slice, start, Math.min(frameLength, read)) == BatchError.NONE) {
                while (batchReader.next()) {
                    if (batchReader.timestamp() >= timestampMs) {
                        foundTimestamp = batchReader.timestamp();
                        final long offset = batchReader.offset();
                        return offset < highWatermark ? offset : -1;
                    }
                }
            }
            foundTimestamp = Batches.maxTimestamp(slice, start);
            return base;
        } finally {
            reader.release();
        }
    }

    /** One fetch request: decoded once, then answered at once or parked. */
    static final class FetchState {
        long sessionId;
        int protocolVersion;
        long correlationId;
        long deadlineNs;
        int minBytes;
        int maxBytes;
        Topic topic;
        final UnsafeBuffer topicName = new UnsafeBuffer(new byte[256]);
        int topicNameLength;
        int count;
        long[] fetchOffsets = new long[4];
        int[] partitionIds = new int[4];
        int[] partitionMaxBytes = new int[4];
        long[] seenHighWatermarks = new long[4];

        void ensureCapacity(final int count) {
            if (fetchOffsets.length < count) {
                int capacity = fetchOffsets.length;
                while (capacity < count) {
                    capacity <<= 1;
                }
                fetchOffsets = new long[capacity];
                partitionIds = new int[capacity];
                partitionMaxBytes = new int[capacity];
                seenHighWatermarks = new long[capacity];
            }
        }

        void setTopicName(final DirectBuffer name) {
            topicNameLength = Math.min(name.capacity(), topicName.capacity());
            topicName.putBytes(0, name, 0, topicNameLength);
        }

        boolean topicGone() {
            return null == topic || topic.isDeleted();
        }

        /** True when a partition's high watermark changed since it was last read and is past the fetch offset. */
        boolean highWatermarkMoved() {
            final Topic t = topic;
            for (int i = 0; i < count; i++) {
                final TopicPartition partition = t.partition(partitionIds[i]);
                if (null != partition) {
                    final long highWatermark = partition.highWatermark();
                    if (highWatermark != seenHighWatermarks[i] && highWatermark > fetchOffsets[i]) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}

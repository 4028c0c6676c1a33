package io.sequent.client;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.BatchError;
import io.sequent.codec.BatchIterator;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.FetchResponseDecoder;
import io.sequent.codec.client.IsolationLevel;
import io.sequent.codec.client.MessageHeaderDecoder;

/**
 * The consumer's fetching, on the consumer's own thread: sends one FetchRequest per topic for the
 * partitions that have a position and nothing in flight, routes the answers to their partitions, and
 * decodes records from the fetched frames with {@link BatchIterator} and {@link BatchReader}.
 *
 * <p>Fetching ahead: a partition whose fetched data is still being returned is fetched again at once, from
 * the offset after the data's last whole batch, so the next answer travels while the application takes
 * the records of this one (at most one answer waits per partition, see {@link PartitionState}). An ahead
 * answer is used only if the position reaches its start offset; its errors are left to the fetch from the
 * position that follows (an out-of-range answer there, for instance, is not taken as the position's).
 *
 * <p>Decoding skips records below the position inside a batch (a fetch starts at the batch holding
 * the position), skips control batches, ignores a partial trailing frame (a fetch cut at its byte
 * limit) and, when a partition's answer holds only a partial frame, raises that partition's fetch
 * limit to the frame's size so that the next fetch gets it whole. No allocation per record beyond
 * the records returned.
 */
final class Fetcher {
    private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);
    /** At most this many fetches in flight, so the completion queue never fills. */
    static final int MAX_OUTSTANDING = 1024;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final ClientIo io;
    private final Assignment assignment;
    private final ManyToOneConcurrentArrayQueue<FetchCall> completions =
        new ManyToOneConcurrentArrayQueue<>(MAX_OUTSTANDING * 2);
    private final ArrayDeque<FetchCall> pool = new ArrayDeque<>();
    private final BatchIterator iterator = new BatchIterator();
    private final BatchReader reader = new BatchReader();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final FetchResponseDecoder decoder = new FetchResponseDecoder();
    private final int maxWaitMs;
    private final int minBytes;
    private final int fetchMaxBytes;
    private final String rack;
    private final IsolationLevel isolation;
    private final long fetchTimeoutNs;
    private final long retryBackoffNs;
    private final long aheadLimitNs;
    private final int resetPolicy;
    private final boolean[] subscribed;
    private int outstanding;
    private int start;
    private boolean metadataStale;
    private SequentException pending;

    /**
     * @param io          the consumer's I/O.
     * @param assignment  the consumer's partitions.
     * @param config      the consumer's settings.
     * @param resetPolicy {@link PartitionState#RESET_EARLIEST}, {@link PartitionState#RESET_LATEST} or
     *                    {@link PartitionState#RESET_NONE} for {@code auto.offset.reset=none}.
     * @param subscribed  one element, true while the consumer is in subscribe mode.
     */
    Fetcher(
        final ClientIo io,
        final Assignment assignment,
        final ConsumerConfig config,
        final int resetPolicy,
        final boolean[] subscribed) {
        this.io = io;
        this.assignment = assignment;
        this.resetPolicy = resetPolicy;
        this.subscribed = subscribed;
        maxWaitMs = config.fetchMaxWaitMs();
        minBytes = config.fetchMinBytes();
        fetchMaxBytes = config.fetchMaxBytes();
        rack = config.clientRack();
        isolation = "read_committed".equals(config.isolationLevel())
            ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
        fetchTimeoutNs = config.client().requestTimeout().toNanos() + maxWaitMs * 1_000_000L;
        retryBackoffNs = config.retryBackoffMs() * 1_000_000L;
        aheadLimitNs = config.client().requestTimeout().toNanos();
    }

    /**
     * @return true once when a fetch answer said a subscribed topic's partitions are unknown.
     */
    boolean takeMetadataStale() {
        final boolean stale = metadataStale;
        metadataStale = false;
        return stale;
    }

    /**
     * Sends a fetch per topic for every partition ready to fetch.
     *
     * @param nowNs  the clock.
     * @param waiter the thread to wake when an answer arrives.
     * @return fetches sent.
     */
    int sendFetches(final long nowNs, final Thread waiter) {
        int sent = 0;
        final ArrayList<String> topics = assignment.topics;
        for (int t = 0; t < topics.size() && outstanding < MAX_OUTSTANDING; t++) {
            final String topic = topics.get(t);
            final PartitionState[] states = assignment.topicStates(topic);
            FetchCall call = null;
            int largest = 0;
            for (final PartitionState state : states) {
                if (state == null || state.paused || state.position < 0 || state.reset != PartitionState.RESET_NONE
                    || state.fetchInFlight || nowNs - state.retryAtNs < 0) {
                    continue;
                }
                final long offset = fetchOffset(state);
                if (offset < 0) {
                    continue;
                }
                if (call == null) {
                    call = acquire(topic);
                }
                call.add(state.partition, offset, state.partitionMaxBytes, state.epoch);
                largest = Math.max(largest, state.partitionMaxBytes);
                state.fetchInFlight = true;
            }
            if (call != null) {
                call.totalMaxBytes = Math.max(fetchMaxBytes, largest);
                call.waiter = waiter;
                outstanding++;
                io.submit(call);
                sent++;
            }
        }
        return sent;
    }

    /**
     * Where a partition's next fetch starts: its position when nothing is buffered, the offset after the
     * buffered data's last whole batch while that data is returned (fetch ahead), or -1 for no fetch now (an
     * ahead answer already waits, or the data holds no whole batch).
     */
    private static long fetchOffset(final PartitionState state) {
        if (state.data == null) {
            return state.position;
        }
        return state.ahead == null ? state.dataNextOffset : -1;
    }

    /**
     * Takes the fetch answers that arrived and gives each partition its data or its error.
     *
     * @param nowNs the clock.
     * @throws SequentException a non-retriable fetch error (for example
     *     {@link OffsetOutOfRangeException} with {@code auto.offset.reset=none}).
     */
    void processCompletions(final long nowNs) {
        FetchCall call;
        while ((call = completions.poll()) != null) {
            outstanding--;
            if (call.failure != null) {
                onFailure(call, nowNs);
            } else {
                onResponse(call, nowNs);
            }
            if (call.references == 0) {
                pool.addLast(call);
            }
        }
        final SequentException failure = pending;
        if (failure != null) {
            pending = null;
            throw failure;
        }
    }

    /**
     * Decodes up to {@code maxRecords} records from the partitions' fetched data, starting with a
     * different partition each time for fairness.
     *
     * @param maxRecords the most to return.
     * @return the records by partition, or null when there are none.
     */
    LinkedHashMap<TopicPartition, List<ConsumerRecord>> collect(final int maxRecords) {
        final ArrayList<PartitionState> states = assignment.list;
        final int n = states.size();
        if (n == 0) {
            return null;
        }
        LinkedHashMap<TopicPartition, List<ConsumerRecord>> out = null;
        int count = 0;
        final int first = start % n;
        start = first + 1;
        for (int k = 0; k < n && count < maxRecords; k++) {
            final PartitionState state = states.get((first + k) % n);
            if (state.data == null || state.paused) {
                continue;
            }
            if (out == null) {
                out = new LinkedHashMap<>();
            }
            int added;
            do {
                // the ahead answer takes over when the data before it is returned: go on into it
                added = drain(state, maxRecords - count, count, out);
                count += added;
            } while (added > 0 && count < maxRecords && state.data != null);
        }
        return out == null || out.isEmpty() ? null : out;
    }

    /**
     * Drops a partition's fetched data, and the ahead answer waiting behind it (seek, reset, unassignment).
     *
     * @param state the partition.
     */
    void releaseData(final PartitionState state) {
        dropCurrent(state);
        dropAhead(state);
    }

    private void dropCurrent(final PartitionState state) {
        final FetchCall call = state.data;
        if (call != null) {
            state.data = null;
            state.dataNextOffset = -1;
            unreference(call);
        }
    }

    private void dropAhead(final PartitionState state) {
        final FetchCall call = state.ahead;
        if (call != null) {
            state.ahead = null;
            state.aheadOffset = -1;
            unreference(call);
        }
    }

    private void unreference(final FetchCall call) {
        if (--call.references == 0) {
            pool.addLast(call);
        }
    }

    /** The data is all returned: the ahead answer becomes the data if it starts where the position now is. */
    private void finishData(final PartitionState state) {
        dropCurrent(state);
        final FetchCall ahead = state.ahead;
        if (ahead == null) {
            return;
        }
        if (state.aheadOffset != state.position) {
            dropAhead(state);
            return;
        }
        state.ahead = null;
        state.aheadOffset = -1;
        setData(state, ahead, state.aheadPosition, state.aheadEnd);
        ahead.references--; // moved from the ahead slot to the data slot
    }

    private void setData(final PartitionState state, final FetchCall call, final int position, final int end) {
        state.data = call;
        state.dataPosition = position;
        state.dataEnd = end;
        state.dataConsumedAny = false;
        state.dataNextOffset = nextOffset(call.response, position, end);
        call.references++;
    }

    /** The offset after the last whole batch in {@code [position, end)}, or -1 when it holds none. */
    private long nextOffset(final UnsafeBuffer buffer, final int position, final int end) {
        iterator.reset(buffer, position, end - position);
        long next = -1;
        while (iterator.next()) {
            next = Batches.lastOffset(buffer, iterator.frameOffset()) + 1;
        }
        return next;
    }

    void close() {
        reader.close();
    }

    private FetchCall acquire(final String topic) {
        FetchCall call = pool.pollFirst();
        if (call == null) {
            call = new FetchCall(completions);
        }
        call.reset(topic, rack);
        call.maxWaitMs = maxWaitMs;
        call.minBytes = minBytes;
        call.isolation = isolation;
        call.timeoutNs = fetchTimeoutNs;
        return call;
    }

    private void onFailure(final FetchCall call, final long nowNs) {
        for (int i = 0; i < call.count; i++) {
            final PartitionState state = assignment.get(call.topic, call.partitions[i]);
            if (state != null && state.epoch == call.epochs[i]) {
                state.fetchInFlight = false;
                state.retryAtNs = nowNs + retryBackoffNs;
            }
        }
        if (!call.failure.isRetriable() && pending == null) {
            pending = call.failure;
        }
    }

    private void onResponse(final FetchCall call, final long nowNs) {
        for (int i = 0; i < call.count; i++) {
            final PartitionState state = assignment.get(call.topic, call.partitions[i]);
            if (state != null && state.epoch == call.epochs[i]) {
                state.fetchInFlight = false;
            }
        }
        final UnsafeBuffer buffer = call.response;
        decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        decoder.correlationId();
        final int leaderHint = decoder.leaderId();
        final ErrorCode topLevel = decoder.errorCode();
        final FetchResponseDecoder.PartitionsDecoder partitions = decoder.partitions();
        int answered = 0;
        while (partitions.hasNext()) {
            partitions.next();
            final long highWatermark = partitions.highWatermark();
            final long logStartOffset = partitions.logStartOffset();
            final int partition = partitions.partition();
            ErrorCode code = partitions.errorCode();
            final int length = partitions.recordsLength();
            final int dataOffset = decoder.limit() + FetchResponseDecoder.PartitionsDecoder.recordsHeaderLength();
            partitions.skipRecords();
            answered++;
            final PartitionState state = assignment.get(call.topic, partition);
            if (state == null || state.epoch != call.epochOf(partition)) {
                continue;
            }
            if (code == ErrorCode.NONE && topLevel != ErrorCode.NONE) {
                code = topLevel;
            }
            state.highWatermark = highWatermark;
            state.logStartOffset = logStartOffset;
            final long fetchOffset = call.offsetOf(partition);
            final boolean atPosition = state.data == null && fetchOffset == state.position;
            if (code == ErrorCode.NONE) {
                state.aheadSinceNs = -1;
                if (length > 0) {
                    if (atPosition) {
                        setData(state, call, dataOffset, dataOffset + length);
                    } else if (state.data != null && state.ahead == null && fetchOffset == state.dataNextOffset) {
                        state.ahead = call;
                        state.aheadPosition = dataOffset;
                        state.aheadEnd = dataOffset + length;
                        state.aheadOffset = fetchOffset;
                        call.references++;
                    }
                }
            } else if (atPosition) {
                onPartitionError(state, code, leaderHint, nowNs);
            } else {
                // an ahead fetch's error: the fetch from the position after the data meets it again
                state.retryAtNs = nowNs + retryBackoffNs;
            }
        }
        if (answered == 0 && topLevel != ErrorCode.NONE) {
            for (int i = 0; i < call.count; i++) {
                final PartitionState state = assignment.get(call.topic, call.partitions[i]);
                if (state == null || state.epoch != call.epochs[i]) {
                    continue;
                }
                if (state.data == null && call.offsets[i] == state.position) {
                    onPartitionError(state, topLevel, leaderHint, nowNs);
                } else {
                    state.retryAtNs = nowNs + retryBackoffNs;
                }
            }
        }
    }

    private void onPartitionError(
        final PartitionState state, final ErrorCode code, final int leaderHint, final long nowNs) {
        state.retryAtNs = nowNs + retryBackoffNs;
        switch (code) {
            case OFFSET_OUT_OF_RANGE:
                if (aheadOfMember(state, nowNs)) {
                    break;
                }
                if (resetPolicy == PartitionState.RESET_NONE) {
                    pendingFailure(new OffsetOutOfRangeException("fetch position " + state.position + " of "
                        + state.tp + " is out of range [" + state.logStartOffset + ", " + state.highWatermark + "]"));
                } else {
                    LOG.info("fetch position {} of {} is out of range [{}, {}]; resetting to the {} offset "
                        + "(auto.offset.reset)", state.position, state.tp, state.logStartOffset, state.highWatermark,
                        resetPolicy == PartitionState.RESET_EARLIEST ? "earliest" : "latest");
                    state.position = -1;
                    state.reset = resetPolicy;
                    state.epoch = assignment.newEpoch();
                    state.retryAtNs = nowNs;
                }
                break;
            case NOT_LEADER:
                io.execute(() -> io.connectionFor(true).onNotLeader(leaderHint, System.nanoTime()));
                break;
            case UNKNOWN_TOPIC_OR_PARTITION:
                if (subscribed[0]) {
                    metadataStale = true;
                } else {
                    pendingFailure(new UnknownTopicException("partition " + state.tp + " does not exist"));
                }
                break;
            default:
                if (!SequentException.isRetriable(code)) {
                    pendingFailure(SequentException.of(code, "fetch of " + state.tp + " failed: " + code));
                }
                break;
        }
    }

    /**
     * In a replica group, a position above the serving member's high watermark is not out of range
     * yet: the member (a follower, or a leader new in its epoch) has not learned the commit the
     * consumer read up to elsewhere. Such a partition is fetched again after the backoff, for up to
     * {@code request.timeout.ms}, before {@code auto.offset.reset} applies; so a failover neither
     * skips nor re-delivers records. A group of one resets at once, as before.
     */
    private boolean aheadOfMember(final PartitionState state, final long nowNs) {
        if (!io.replicated() || state.highWatermark < 0 || state.position <= state.highWatermark
            || state.position < state.logStartOffset) {
            state.aheadSinceNs = -1;
            return false;
        }
        if (state.aheadSinceNs < 0) {
            state.aheadSinceNs = nowNs;
            LOG.info("fetch position {} of {} is above the serving member's high watermark {}; waiting for it to "
                + "catch up (up to {} ms) before auto.offset.reset applies", state.position, state.tp,
                state.highWatermark, aheadLimitNs / 1_000_000);
            return true;
        }
        if (nowNs - state.aheadSinceNs < aheadLimitNs) {
            return true;
        }
        state.aheadSinceNs = -1;
        return false;
    }

    private void pendingFailure(final SequentException failure) {
        if (pending == null) {
            pending = failure;
        }
    }

    /**
     * Decodes records of one partition's data into {@code out}.
     *
     * @return records added.
     */
    private int drain(
        final PartitionState state,
        final int room,
        final int collectedSoFar,
        final LinkedHashMap<TopicPartition, List<ConsumerRecord>> out) {
        final UnsafeBuffer buffer = state.data.response;
        iterator.reset(buffer, state.dataPosition, state.dataEnd - state.dataPosition);
        List<ConsumerRecord> records = null;
        int added = 0;
        boolean exhausted = true;
        while (iterator.next()) {
            final int frameOffset = iterator.frameOffset();
            final int frameLength = iterator.frameLength();
            final long lastOffset = Batches.lastOffset(buffer, frameOffset);
            if (lastOffset < state.position) {
                state.dataPosition = iterator.position();
                state.dataConsumedAny = true;
                continue;
            }
            final int status = reader.wrap(buffer, frameOffset, frameLength);
            if (status != BatchError.NONE) {
                if (collectedSoFar + added > 0) {
                    exhausted = false;
                    break;
                }
                final long baseOffset = Batches.baseOffset(buffer, frameOffset);
                releaseData(state);
                throw new SequentException(ErrorCode.CORRUPT_MESSAGE, "record batch at offset " + baseOffset
                    + " of " + state.tp + " is corrupt (" + BatchError.name(status) + "); seek past it to go on");
            }
            if (reader.isControl()) {
                state.position = lastOffset + 1;
                state.dataPosition = iterator.position();
                state.dataConsumedAny = true;
                continue;
            }
            boolean full = false;
            while (reader.next()) {
                final long offset = reader.offset();
                if (offset < state.position) {
                    continue;
                }
                if (added == room) {
                    full = true;
                    break;
                }
                if (records == null) {
                    records = out.get(state.tp);
                    if (records == null) {
                        records = new ArrayList<>(Math.min(room, 64));
                        out.put(state.tp, records);
                    }
                }
                records.add(new ConsumerRecord(state.topic, state.partition, offset, reader.timestamp(),
                    reader.keyBytes(), reader.valueBytes(), headers()));
                added++;
                state.position = offset + 1;
            }
            if (full) {
                exhausted = false;
                break;
            }
            state.position = Math.max(state.position, lastOffset + 1);
            state.dataPosition = iterator.position();
            state.dataConsumedAny = true;
            if (added == room) {
                exhausted = state.dataPosition >= state.dataEnd;
                break;
            }
        }
        if (exhausted) {
            if (iterator.isMalformed() && collectedSoFar + added == 0) {
                releaseData(state);
                throw new SequentException(ErrorCode.CORRUPT_MESSAGE, "fetched data of " + state.tp
                    + " holds an impossible frame length at offset " + state.position);
            }
            if (iterator.isTruncated() && !state.dataConsumedAny) {
                growFetchLimit(state, buffer.getInt(state.dataPosition, ORDER));
            }
            finishData(state);
        }
        return added;
    }

    private void growFetchLimit(final PartitionState state, final int frameLength) {
        final int needed = Batches.alignedLength(frameLength);
        if (needed > ConsumerConfig.FETCH_MAX_BYTES_LIMIT) {
            throw new RecordTooLargeException("the batch at offset " + state.position + " of " + state.tp + " is "
                + frameLength + " bytes, more than a fetch can carry (" + ConsumerConfig.FETCH_MAX_BYTES_LIMIT + ")");
        }
        state.partitionMaxBytes = Math.max(state.partitionMaxBytes, needed);
    }

    private List<Header> headers() {
        final int count = reader.headerCount();
        if (count == 0) {
            return List.of();
        }
        final Header[] headers = new Header[count];
        for (int i = 0; i < count; i++) {
            headers[i] = new Header(reader.headerKey(i), reader.headerValueBytes(i));
        }
        return List.of(headers);
    }
}

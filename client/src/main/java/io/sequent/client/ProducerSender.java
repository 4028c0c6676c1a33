package io.sequent.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.InitProducerIdRequestEncoder;
import io.sequent.codec.client.InitProducerIdResponseDecoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataResponseDecoder;
import io.sequent.codec.client.ProduceResponseDecoder;

/**
 * The producer's work on its I/O thread: takes the batches sending threads filled in the
 * {@link RecordAccumulator} and closes lingering ones, seals them, sends ready batches (at most
 * {@code max.in.flight.requests.per.partition} per partition) and settles their outcome, one event
 * per batch that completes every record's callback. Records of a topic whose metadata is not known
 * yet come through a hand-off queue; this thread asks for the metadata, then appends them itself.
 *
 * <p>Retries: a retriable error (back-pressure, timeout, leader change, storage error, lost
 * connection) puts the batch back in its partition's queue, in creation order, for a resend after
 * {@code retry.backoff.ms}; a resend waits until the partition has nothing in flight, so that order
 * is kept. A batch fails for good after {@code retries} resends or {@code delivery.timeout.ms} from
 * its creation.
 *
 * <p>Idempotence: an InitProducerId first; each batch is stamped with the producer id, epoch and the
 * partition's next sequence when first sent, and every resend carries the same stamp, so the broker
 * writes it once (DUPLICATE_SEQUENCE, or NONE with the original offset, answers a resend that was
 * already written: success). OUT_OF_ORDER_SEQUENCE behind an earlier batch still being retried is
 * retried in turn; a sequence hole (a stamped batch that failed for good, an unknown producer, a
 * fenced epoch) bumps the epoch: sending pauses until nothing is in flight, InitProducerId with the
 * current id returns a new epoch, and every queued batch is stamped again from sequence 0, except
 * those an attempt of which may have been written (no answer, a lost session, NOT_LEADER, a timeout
 * or storage error answered by the broker: {@link ProducerBatch#maybeWritten}). A resend of those under the
 * new epoch could not be told from the stored copy and would be stored twice, so they fail instead,
 * with OUT_OF_ORDER_SEQUENCE and a message saying their outcome is unknown.
 *
 * <p>Single writer of the send side of all producer state (see {@link PartitionQueue}): the I/O
 * thread. Steady state allocates nothing (a callback that takes the completion as fields, see
 * {@link Callback}, is given no {@link RecordMetadata} object).
 */
final class ProducerSender implements IoWork, BatchHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerSender.class);
    private static final int RECORD_DRAIN_LIMIT = 256;
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private final RequestSender connection;
    private final ManyToOneConcurrentArrayQueue<WaitingRecord> records;
    private final MemoryLimiter memory;
    private final RecordAccumulator accumulator;
    private final ArrayList<TopicState> topicList = new ArrayList<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ProduceResponseDecoder responseDecoder = new ProduceResponseDecoder();
    private final Consumer<WaitingRecord> route = this::route;
    private final ArrayList<ProducerBatch> scratchBatches = new ArrayList<>();
    private final ArrayList<Flush> flushes = new ArrayList<>();

    private final boolean idempotent;
    private final int maxInFlight;
    private final int retries;
    private final long deliveryTimeoutNs;
    private final long retryBackoffNs;
    private final long maxBlockNs;
    private final long metadataMaxAgeNs;
    private final long requestTimeoutNs;

    private long producerId = -1;
    private short producerEpoch = -1;
    private int generation;
    private boolean initInFlight;
    private boolean bumpPending;
    private SequentException bumpCause;
    private long initRetryAtNs;
    private boolean initBackoff;
    private int inFlightTotal;
    private boolean closed;
    private long lastHousekeepingNs;
    private boolean housekept;
    private long nowNs;
    private volatile SequentException fatal;

    /**
     * @param config     the producer's settings (already checked).
     * @param connection where batches go.
     * @param records    records handed over by {@link Producer#send} before their topic's metadata was known.
     * @param memory     the producer's buffer memory.
     */
    ProducerSender(
        final ProducerConfig config,
        final RequestSender connection,
        final ManyToOneConcurrentArrayQueue<WaitingRecord> records,
        final MemoryLimiter memory) {
        this(config, connection, records, memory, SystemNanoClock.INSTANCE);
    }

    /**
     * @param config     the producer's settings (already checked).
     * @param connection where batches go.
     * @param records    records handed over by {@link Producer#send} before their topic's metadata was known.
     * @param memory     the producer's buffer memory.
     * @param clock      the clock sending threads time new batches by (the I/O thread's is given to
     *                   {@link #doWork}); a scripted one in tests.
     */
    ProducerSender(
        final ProducerConfig config,
        final RequestSender connection,
        final ManyToOneConcurrentArrayQueue<WaitingRecord> records,
        final MemoryLimiter memory,
        final NanoClock clock) {
        this.connection = connection;
        this.records = records;
        this.memory = memory;
        idempotent = config.effectiveIdempotence();
        maxInFlight = config.maxInFlightRequestsPerPartition();
        retries = config.retries();
        deliveryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.effectiveDeliveryTimeoutMs());
        retryBackoffNs = TimeUnit.MILLISECONDS.toNanos(config.retryBackoffMs());
        maxBlockNs = TimeUnit.MILLISECONDS.toNanos(config.maxBlockMs());
        metadataMaxAgeNs = config.client().metadataMaxAge().toNanos();
        requestTimeoutNs = config.client().requestTimeout().toNanos();
        final Acks acks = "0".equals(config.acks()) ? Acks.NONE : "1".equals(config.acks()) ? Acks.LEADER : Acks.ALL;
        accumulator = new RecordAccumulator(this, clock, memory, config.batchSize(), config.maxRequestSize(),
            TimeUnit.MILLISECONDS.toNanos(config.lingerMs()), maxBlockNs, maxInFlight, config.compressionCodec(), acks,
            requestTimeoutNs);
        accumulator.topics(topicList);
    }

    /**
     * @return a failure that ends the producer (the broker refused a producer id), or null.
     */
    SequentException fatalError() {
        return fatal;
    }

    boolean isIdempotent() {
        return idempotent;
    }

    long producerId() {
        return producerId;
    }

    short producerEpoch() {
        return producerEpoch;
    }

    int inFlightCount() {
        return inFlightTotal;
    }

    RecordAccumulator accumulator() {
        return accumulator;
    }

    @Override
    public int doWork(final long now) {
        nowNs = now;
        int work = records.drain(route, RECORD_DRAIN_LIMIT);
        work += accumulator.drainAppended();
        work += accumulator.closeLingering(now, memory.hasWaiters() || !flushes.isEmpty());
        work += maintainProducerId(now);
        work += sendReady(now);
        if (!housekept || now - lastHousekeepingNs >= HOUSEKEEPING_INTERVAL_NS) {
            housekept = true;
            lastHousekeepingNs = now;
            work += housekeeping(now);
        }
        if (!flushes.isEmpty()) {
            completeFlushes();
        }
        return work;
    }

    /**
     * Makes every record handed over so far sendable at once and completes {@code done} when all of
     * them have completed, successfully or not. I/O thread.
     *
     * <p>Batches are numbered in creation order across partitions: once every open batch is closed,
     * the records sent before the flush are in batches numbered below the next number, or still wait
     * for their topic's metadata. The flush is over when no batch below that number is outstanding
     * and the records that waited have completed (their batches are closed at once while a flush is
     * pending).
     *
     * @param done completed when the flush is over.
     */
    void flush(final CompletableFuture<Void> done) {
        records.drain(route);
        accumulator.drainAppended();
        accumulator.closeLingering(nowNs, true);
        final Flush flush = new Flush(accumulator.nextBatchId(), done);
        for (final TopicState topic : topicList) {
            flush.waiting.addAll(topic.waiting);
        }
        flushes.add(flush);
        completeFlushes();
    }

    private void completeFlushes() {
        long lowest = Long.MAX_VALUE;
        for (final TopicState topic : topicList) {
            for (final PartitionQueue queue : topic.queues) {
                if (!queue.inFlight.isEmpty()) {
                    lowest = Math.min(lowest, lowestId(queue.inFlight));
                }
                if (!queue.ready.isEmpty()) {
                    lowest = Math.min(lowest, lowestId(queue.ready));
                }
            }
        }
        for (int i = flushes.size() - 1; i >= 0; i--) {
            final Flush flush = flushes.get(i);
            if (lowest >= Math.max(flush.batchId, flush.waitingBatchId) && flush.waitingDone()) {
                flushes.remove(i);
                flush.done.complete(null);
            }
        }
    }

    private static long lowestId(final Iterable<ProducerBatch> batches) {
        long lowest = Long.MAX_VALUE;
        for (final ProducerBatch batch : batches) {
            lowest = Math.min(lowest, batch.id);
        }
        return lowest;
    }

    /**
     * Fails every record not yet completed (close without waiting). I/O thread.
     *
     * @param failure the failure to report.
     */
    void abortAll(final SequentException failure) {
        records.drain(route);
        for (final TopicState topic : topicList) {
            while (!topic.waiting.isEmpty()) {
                failRecord(topic.waiting.pollFirst(), failure);
            }
        }
        scratchBatches.clear();
        for (final TopicState topic : topicList) {
            for (final PartitionQueue queue : topic.queues) {
                accumulator.shut(queue, failure, scratchBatches);
                for (final ProducerBatch batch : queue.ready) {
                    scratchBatches.add(batch);
                }
                queue.ready.clear();
                accumulator.readyDrained(queue);
            }
        }
        for (final ProducerBatch batch : scratchBatches) {
            failBatch(batch, failure);
        }
        scratchBatches.clear();
        for (int i = flushes.size() - 1; i >= 0; i--) {
            if (flushes.get(i).waitingDone() && !hasInFlight()) {
                flushes.remove(i).done.complete(null);
            }
        }
    }

    private boolean hasInFlight() {
        return inFlightTotal > 0;
    }

    @Override
    public void onClose(final long now) {
        abortAll(new SequentException(ErrorCode.NULL_VAL, "producer closed before the record was acknowledged"));
        closed = true;
        accumulator.close();
    }

    @Override
    public void onBatchSent(final ProducerBatch batch, final long now) {
        removeInFlight(batch);
        complete(batch, -1, -1);
    }

    @Override
    public void onBatchResponse(
        final ProducerBatch batch, final DirectBuffer buffer, final int offset, final long now) {
        responseDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        responseDecoder.correlationId();
        final long baseOffset = responseDecoder.baseOffset();
        final long logAppendTime = responseDecoder.logAppendTime();
        responseDecoder.partition();
        final int leaderHint = responseDecoder.leaderId();
        final ErrorCode code = responseDecoder.errorCode();
        removeInFlight(batch);
        if (code == ErrorCode.NONE || idempotent && code == ErrorCode.DUPLICATE_SEQUENCE) {
            if (batch.queue.storageErrorLogged) {
                batch.queue.storageErrorLogged = false;
                LOG.info("produce to {}: the broker stores batches again", batch.queue);
            }
            complete(batch, baseOffset, logAppendTime);
            return;
        }
        final SequentException failure = SequentException.of(code, "produce to " + batch.queue + " failed: " + code);
        if (code == ErrorCode.STORAGE_ERROR && !batch.queue.storageErrorLogged) {
            batch.queue.storageErrorLogged = true;
            LOG.warn("produce to {}: the broker could not store the batch (STORAGE_ERROR: its disk may be full); " +
                "retrying until delivery.timeout.ms ({} ms)", batch.queue,
                TimeUnit.NANOSECONDS.toMillis(deliveryTimeoutNs));
        }
        if (failure.isRetriable() && code != ErrorCode.BACK_PRESSURED) {
            // NOT_LEADER also answers a batch a leader stored and then gave up waiting for (NOT_COMMITTED), a
            // timeout one the broker may still commit, a storage error one a follower may hold: not a refusal
            batch.maybeWritten = true;
        }
        if (code == ErrorCode.NOT_LEADER) {
            connection.onNotLeader(leaderHint, now);
            retryOrFail(batch, failure, now);
        } else if (idempotent && code == ErrorCode.OUT_OF_ORDER_SEQUENCE) {
            if (!hasEarlierUnresolved(batch)) {
                requestBump(failure);
            }
            retryOrFail(batch, failure, now);
        } else if (idempotent && (code == ErrorCode.UNKNOWN_PRODUCER_ID || code == ErrorCode.INVALID_PRODUCER_EPOCH)) {
            requestBump(failure);
            retryOrFail(batch, failure, now);
        } else if (failure.isRetriable()) {
            retryOrFail(batch, failure, now);
        } else {
            failStamped(batch, failure);
        }
    }

    @Override
    public void onBatchFailure(final ProducerBatch batch, final SequentException failure, final long now) {
        removeInFlight(batch);
        if (closed) {
            failBatch(batch, failure);
        } else if (failure.isRetriable()) {
            batch.maybeWritten = true; // no answer: the request may have reached the broker
            retryOrFail(batch, failure, now);
        } else {
            failStamped(batch, failure);
        }
    }

    private void route(final WaitingRecord record) {
        final TopicState topic = record.topic;
        if (!topic.registered) {
            topic.registered = true;
            topicList.add(topic);
        }
        final SequentException failure = fatal;
        if (failure != null || closed) {
            failRecord(record, failure != null ? failure
                : new SequentException(ErrorCode.NULL_VAL, "producer closed before the record was sent"));
            return;
        }
        if (topic.partitionCount < 0 || !topic.waiting.isEmpty()) {
            topic.waiting.addLast(record);
            requestMetadata(topic, nowNs);
            return;
        }
        appendRecord(topic, record);
    }

    /** Appends a record that waited for its topic's metadata, as a sender would have. */
    private void appendRecord(final TopicState topic, final WaitingRecord waiting) {
        final ProducerRecord r = waiting.record;
        final int count = topic.partitionCount;
        final int partition = RecordAppender.partition(topic, r, count);
        if (partition >= count) {
            failRecord(waiting, RecordAppender.noSuchPartition(topic, partition, count));
            return;
        }
        final PartitionQueue queue = topic.queue(partition);
        final int result =
            accumulator.append(queue, waiting.timestamp, r, waiting.encodedSize, waiting.callback, false);
        memory.release(waiting.encodedSize);
        topic.unrouted.decrementAndGet();
        if (result == RecordAccumulator.TOO_LARGE) {
            RecordFuture.complete(waiting.callback, topic.name, partition, -1, waiting.timestamp,
                new RecordTooLargeException("record of " + waiting.encodedSize
                    + " bytes does not fit a batch of max.request.size"));
        } else if (result == RecordAccumulator.DEAD) {
            RecordFuture.complete(waiting.callback, topic.name, partition, -1, waiting.timestamp, queue.deadFailure());
        } else {
            // a pending flush waits for the batch; doWork closes every open batch while one is pending
            for (final Flush flush : flushes) {
                flush.appended(waiting, accumulator.nextBatchId());
            }
        }
    }

    private int maintainProducerId(final long now) {
        if (!idempotent || initInFlight || fatal != null || !connection.isConnected()
            || initBackoff && now - initRetryAtNs < 0) {
            return 0;
        }
        initBackoff = false;
        if (producerId < 0 || bumpPending && inFlightTotal == 0) {
            initInFlight = true;
            connection.enqueue(new InitProducerIdRequest(producerId, producerEpoch), now);
            return 1;
        }
        return 0;
    }

    private void onProducerId(final long id, final short epoch, final SequentException failure, final long now) {
        initInFlight = false;
        if (failure == null) {
            final boolean bump = producerId >= 0;
            producerId = id;
            producerEpoch = epoch;
            generation++;
            bumpPending = false;
            for (final TopicState topic : topicList) {
                for (final PartitionQueue queue : topic.queues) {
                    if (queue != null) {
                        queue.nextSequence = 0;
                    }
                }
            }
            if (bump) {
                final int unresolved = failMaybeWritten(generation - 1);
                LOG.info("producer id {} now at epoch {}; sequences restart at 0{}", id, epoch, unresolved == 0 ? ""
                    : "; " + unresolved + " batch(es) whose earlier attempt may have been written failed instead");
            }
            bumpCause = null;
        } else if (closed) {
            return;
        } else if (failure.isRetriable()) {
            initRetryAtNs = now + retryBackoffNs;
            initBackoff = true;
        } else {
            LOG.error("no producer id: {}; the producer fails every record", failure.getMessage());
            fatal = failure;
            abortAll(failure);
        }
    }

    private int sendReady(final long now) {
        final ArrayList<PartitionQueue> readyQueues = accumulator.readyQueues;
        if (readyQueues.isEmpty() || !connection.isConnected()) {
            return 0;
        }
        if (idempotent && (producerId < 0 || bumpPending)) {
            return 0;
        }
        int work = 0;
        for (int i = readyQueues.size() - 1; i >= 0; i--) {
            if (i >= readyQueues.size()) {
                continue;
            }
            final PartitionQueue queue = readyQueues.get(i);
            while (!queue.ready.isEmpty()) {
                if (queue.inFlight.size() >= maxInFlight) {
                    break;
                }
                if (queue.backingOff) {
                    if (now - queue.backoffUntilNs < 0) {
                        break;
                    }
                    queue.backingOff = false;
                }
                final ProducerBatch batch = queue.ready.peekFirst();
                if (batch.attempts > 0 && !queue.inFlight.isEmpty()) {
                    break;
                }
                if (idempotent && batch.stampGeneration != generation) {
                    batch.stamp(producerId, producerEpoch, queue.nextSequence, generation);
                    queue.nextSequence = PartitionQueue.nextSequence(queue.nextSequence, batch.count);
                } else {
                    batch.checksum();
                }
                queue.ready.pollFirst();
                batch.state = ProducerBatch.IN_FLIGHT;
                queue.inFlight.addLast(batch);
                inFlightTotal++;
                batch.attempts++;
                if (!connection.trySend(batch, now)) {
                    if (queue.inFlight.removeLastOccurrence(batch)) {
                        inFlightTotal--;
                    }
                    batch.attempts--;
                    accumulator.requeue(batch);
                    return work;
                }
                work++;
            }
            accumulator.readyDrained(queue);
        }
        return work;
    }

    private int housekeeping(final long now) {
        int work = 0;
        for (int t = topicList.size() - 1; t >= 0; t--) {
            final TopicState topic = topicList.get(t);
            while (!topic.waiting.isEmpty() && now - topic.waiting.peekFirst().createdNs >= maxBlockNs) {
                failRecord(topic.waiting.pollFirst(), new RequestTimeoutException("topic " + topic.name
                    + " not present in metadata after " + TimeUnit.NANOSECONDS.toMillis(maxBlockNs) + " ms"));
                work++;
            }
            if (!topic.metadataInFlight && (topic.partitionCount < 0 && !topic.waiting.isEmpty()
                || topic.partitionCount >= 0 && now - topic.metadataUpdatedNs >= metadataMaxAgeNs)) {
                requestMetadata(topic, now);
            }
        }
        work += expireBatches(now);
        return work;
    }

    private int expireBatches(final long now) {
        int expired = 0;
        final ArrayList<PartitionQueue> open = accumulator.openQueues;
        for (int i = open.size() - 1; i >= 0; i--) {
            final PartitionQueue queue = open.get(i);
            if (now - queue.openSinceNs >= deliveryTimeoutNs) {
                accumulator.close(queue, deliveryTimeoutNs, now);
            }
        }
        final ArrayList<PartitionQueue> ready = accumulator.readyQueues;
        for (int i = ready.size() - 1; i >= 0; i--) {
            if (i >= ready.size()) {
                continue;
            }
            final PartitionQueue queue = ready.get(i);
            while (!queue.ready.isEmpty() && now - queue.ready.peekFirst().createdNs >= deliveryTimeoutNs) {
                final ProducerBatch batch = queue.ready.pollFirst();
                failStamped(batch, expiry(batch, now));
                expired++;
            }
            accumulator.readyDrained(queue);
        }
        return expired;
    }

    private RequestTimeoutException expiry(final ProducerBatch batch, final long now) {
        final SequentException last = batch.lastError;
        final String noLeader = connection.noLeaderReason();
        return new RequestTimeoutException("expiring " + batch.count + " record(s) for " + batch.queue + ": "
            + TimeUnit.NANOSECONDS.toMillis(now - batch.createdNs) + " ms has passed since batch creation"
            + (last == null ? "" : "; last error: " + last.getMessage())
            + (noLeader.isEmpty() ? "" : "; " + noLeader), last);
    }

    private void retryOrFail(final ProducerBatch batch, final SequentException failure, final long now) {
        batch.lastError = failure;
        if (now - batch.createdNs >= deliveryTimeoutNs) {
            failStamped(batch, expiry(batch, now));
        } else if (batch.attempts > retries) {
            failStamped(batch, failure);
        } else {
            accumulator.requeue(batch);
            batch.queue.backoffUntilNs = now + retryBackoffNs;
            batch.queue.backingOff = true;
        }
    }

    /** A sequence hole or a broker that no longer knows the producer: bump the epoch once nothing is in flight. */
    private void requestBump(final SequentException cause) {
        if (!bumpPending) {
            bumpCause = cause;
        }
        bumpPending = true;
    }

    /**
     * After an epoch bump: fails, rather than stamping again, every queued batch of the old stamp an attempt of
     * which may have been written. Under the new epoch its sequences would start again at 0 and no broker could
     * tell the resend from its stored copy, so it would be stored twice (Kafka, too, bumps the epoch only past
     * batches known to have failed). The others (never answered but refused, or never sent) are stamped again.
     *
     * @param oldGeneration the stamp generation before the bump.
     * @return how many batches failed.
     */
    private int failMaybeWritten(final int oldGeneration) {
        int failed = 0;
        for (final TopicState topic : topicList) {
            for (final PartitionQueue queue : topic.queues) {
                if (queue == null || queue.ready.isEmpty()) {
                    continue;
                }
                for (final Iterator<ProducerBatch> it = queue.ready.iterator(); it.hasNext();) {
                    final ProducerBatch batch = it.next();
                    if (batch.maybeWritten && batch.stampGeneration == oldGeneration) {
                        it.remove();
                        scratchBatches.add(batch);
                    }
                }
                accumulator.readyDrained(queue);
            }
        }
        for (final ProducerBatch batch : scratchBatches) {
            final SequentException cause = bumpCause != null ? bumpCause : batch.lastError;
            failBatch(batch, new SequentException(ErrorCode.OUT_OF_ORDER_SEQUENCE, "produce to " + batch.queue +
                ": outcome unknown, an earlier attempt of the batch may have been written; the producer epoch was" +
                " bumped" + (cause == null ? "" : " (" + cause.getMessage() + ")") + ", so it is not sent again," +
                " which could store it twice", cause));
            failed++;
        }
        scratchBatches.clear();
        return failed;
    }

    private boolean hasEarlierUnresolved(final ProducerBatch batch) {
        final PartitionQueue queue = batch.queue;
        for (final ProducerBatch other : queue.inFlight) {
            if (other.id < batch.id) {
                return true;
            }
        }
        return !queue.ready.isEmpty() && queue.ready.peekFirst().id < batch.id;
    }

    private void removeInFlight(final ProducerBatch batch) {
        if (batch.queue.inFlight.removeFirstOccurrence(batch)) {
            inFlightTotal--;
        }
    }

    private void complete(final ProducerBatch batch, final long baseOffset, final long logAppendTime) {
        batch.complete(baseOffset, logAppendTime, null);
        memory.release(batch.bytes);
        accumulator.release(batch);
    }

    /**
     * Fails a batch for good; when it carried a sequence of the current epoch, the partition's
     * sequence now has a hole, which only an epoch bump closes.
     */
    private void failStamped(final ProducerBatch batch, final SequentException failure) {
        if (idempotent && batch.stampGeneration == generation && !closed) {
            requestBump(failure);
        }
        failBatch(batch, failure);
    }

    private void failBatch(final ProducerBatch batch, final SequentException failure) {
        batch.complete(-1, -1, failure);
        memory.release(batch.bytes);
        accumulator.release(batch);
    }

    private void failRecord(final WaitingRecord record, final SequentException failure) {
        memory.release(record.encodedSize);
        record.topic.unrouted.decrementAndGet();
        record.fail(failure);
        for (final Flush flush : flushes) {
            flush.failed(record);
        }
    }

    private void requestMetadata(final TopicState topic, final long now) {
        if (topic.metadataInFlight) {
            return;
        }
        topic.metadataInFlight = true;
        connection.enqueue(new TopicMetadataRequest(topic, requestTimeoutNs), now);
    }

    private void onTopicMetadata(final TopicState topic, final ClusterMetadata.Topic metadata, final long now) {
        topic.metadataInFlight = false;
        topic.metadataUpdatedNs = now;
        final ErrorCode code = metadata == null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : metadata.errorCode();
        if (code == ErrorCode.NONE && metadata.partitionCount() > 0) {
            topic.partitionCount(metadata.partitionCount());
            while (!topic.waiting.isEmpty()) {
                appendRecord(topic, topic.waiting.pollFirst());
            }
        } else if (code == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || code == ErrorCode.NONE) {
            final UnknownTopicException failure = new UnknownTopicException("topic " + topic.name + " does not exist");
            while (!topic.waiting.isEmpty()) {
                failRecord(topic.waiting.pollFirst(), failure);
            }
        } else if (!SequentException.isRetriable(code)) {
            final SequentException failure = SequentException.of(code, "metadata of topic " + topic.name + ": " + code);
            while (!topic.waiting.isEmpty()) {
                failRecord(topic.waiting.pollFirst(), failure);
            }
        }
    }

    /** MetadataRequest for one topic, answered on the I/O thread. */
    private final class TopicMetadataRequest extends PendingRequest {
        private final TopicState topic;

        TopicMetadataRequest(final TopicState topic, final long timeoutNs) {
            this.topic = topic;
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            return ClusterMetadata.encodeRequest(scratch, correlationId, sessionId, List.of(topic.name));
        }

        @Override
        int responseTemplateId() {
            return MetadataResponseDecoder.TEMPLATE_ID;
        }

        @Override
        void onResponse(final DirectBuffer buffer, final int offset, final int length, final long now) {
            final ClusterMetadata metadata = ClusterMetadata.decode(buffer, offset);
            if (metadata.errorCode() != ErrorCode.NONE) {
                onFailure(SequentException.of(metadata.errorCode(), "metadata: " + metadata.errorCode()), now);
                return;
            }
            onTopicMetadata(topic, metadata.topics().get(topic.name), now);
        }

        @Override
        void onFailure(final SequentException failure, final long now) {
            topic.metadataInFlight = false;
            if (!failure.isRetriable()) {
                while (!topic.waiting.isEmpty()) {
                    failRecord(topic.waiting.pollFirst(), failure);
                }
            }
        }
    }

    /**
     * A pending {@link #flush}: done when no batch numbered below {@link #batchId} is outstanding and
     * every record that waited for metadata at the time has completed.
     */
    private static final class Flush {
        final long batchId;
        final CompletableFuture<Void> done;
        final ArrayList<WaitingRecord> waiting = new ArrayList<>();
        /** Batches the waiting records went into, each outstanding until no batch below it is. */
        long waitingBatchId = -1;

        Flush(final long batchId, final CompletableFuture<Void> done) {
            this.batchId = batchId;
            this.done = done;
        }

        void appended(final WaitingRecord record, final long nextBatchId) {
            if (waiting.remove(record)) {
                waitingBatchId = Math.max(waitingBatchId, nextBatchId);
            }
        }

        void failed(final WaitingRecord record) {
            waiting.remove(record);
        }

        boolean waitingDone() {
            return waiting.isEmpty();
        }
    }

    /** InitProducerIdRequest: a new identity (id -1) or an epoch bump of the current one. */
    private final class InitProducerIdRequest extends PendingRequest {
        private final long currentId;
        private final short currentEpoch;

        InitProducerIdRequest(final long currentId, final short currentEpoch) {
            this.currentId = currentId;
            this.currentEpoch = currentEpoch;
            this.timeoutNs = requestTimeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final InitProducerIdRequestEncoder encoder = new InitProducerIdRequestEncoder();
            encoder.wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .producerId(currentId)
                .producerEpoch(currentEpoch);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return InitProducerIdResponseDecoder.TEMPLATE_ID;
        }

        @Override
        void onResponse(final DirectBuffer buffer, final int offset, final int length, final long now) {
            final InitProducerIdResponseDecoder decoder = new InitProducerIdResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final long id = decoder.producerId();
            final short epoch = decoder.producerEpoch();
            final ErrorCode code = decoder.errorCode();
            if (code == ErrorCode.NONE) {
                onProducerId(id, epoch, null, now);
            } else {
                if (code == ErrorCode.NOT_LEADER) {
                    connection.onNotLeader(-1, now);
                }
                onProducerId(-1, (short) -1, SequentException.of(code, "InitProducerId failed: " + code), now);
            }
        }

        @Override
        void onFailure(final SequentException failure, final long now) {
            onProducerId(-1, (short) -1, failure, now);
        }
    }
}

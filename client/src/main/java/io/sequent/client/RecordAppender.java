package io.sequent.client;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import io.sequent.codec.Batches;

/**
 * The sending threads' side of a {@link Producer}: everything {@code send} does on the caller's
 * thread. It checks the record's size, finds the topic (by identity of the last one, else in a
 * concurrent map), chooses the partition (the record's own, Kafka's murmur2 of its key, or the
 * topic's sticky partition) and appends the record to the partition's open batch through the
 * {@link RecordAccumulator}. A record of a topic whose metadata is not known yet, or sent while
 * earlier records of its topic still wait for the I/O thread, is handed over as a
 * {@link WaitingRecord} instead (the one allocation, off the steady state). Thread-safe.
 */
final class RecordAppender {
    private final ProducerConfig config;
    private final ProducerSender sender;
    private final ManyToOneConcurrentArrayQueue<WaitingRecord> records;
    private final MemoryLimiter memory;
    private final RecordAccumulator accumulator;
    private final ConcurrentHashMap<String, TopicState> topics = new ConcurrentHashMap<>();
    private final long maxBlockNs;
    private final int maxRecordSize;
    /** The topic of the last record sent, by identity: producers mostly send to one topic, from one string. */
    private TopicState lastTopic;
    private volatile boolean closed;

    /**
     * @param config  the producer's settings (already checked).
     * @param sender  the I/O side.
     * @param records the hand-off to the I/O side for records of topics without metadata.
     * @param memory  the producer's {@code buffer.memory}.
     */
    RecordAppender(
        final ProducerConfig config,
        final ProducerSender sender,
        final ManyToOneConcurrentArrayQueue<WaitingRecord> records,
        final MemoryLimiter memory) {
        this.config = config;
        this.sender = sender;
        this.records = records;
        this.memory = memory;
        this.accumulator = sender.accumulator();
        maxBlockNs = TimeUnit.MILLISECONDS.toNanos(config.maxBlockMs());
        maxRecordSize = config.maxRequestSize() - Batches.RECORDS_OFFSET;
    }

    /**
     * Stops waiting for room in the hand-off queue (the producer is closing).
     */
    void close() {
        closed = true;
    }

    /**
     * Sends a record; see {@link Producer#send(ProducerRecord, Callback)}.
     *
     * @param record   the record.
     * @param callback called once on completion, or null.
     */
    void send(final ProducerRecord record, final Callback callback) {
        Objects.requireNonNull(record, "record");
        final Long givenTimestamp = record.timestamp();
        final long timestamp = givenTimestamp != null ? givenTimestamp : System.currentTimeMillis();
        final Integer givenPartition = record.partition();
        final int size = RecordFuture.encodedSize(record);
        if (size > maxRecordSize) {
            fail(callback, record, timestamp, new RecordTooLargeException("the record is "
                + (size + Batches.RECORDS_OFFSET) + " bytes in a batch, which is larger than "
                + ProducerConfig.MAX_REQUEST_SIZE + " (" + config.maxRequestSize() + ")"));
            return;
        }
        if (size > memory.limit()) {
            fail(callback, record, timestamp, new RecordTooLargeException("the record is " + size
                + " bytes, which is larger than " + ProducerConfig.BUFFER_MEMORY + " (" + memory.limit() + ")"));
            return;
        }
        final SequentException fatal = sender.fatalError();
        if (fatal != null) {
            fail(callback, record, timestamp, fatal);
            return;
        }
        final TopicState topic = topic(record.topic());
        final int count = topic.partitionCount;
        if (count < 0 || topic.unrouted.get() > 0) {
            handOver(topic, record, callback, timestamp, size);
            return;
        }
        final int partition = partition(topic, record, count);
        if (partition >= count) {
            fail(callback, record, timestamp, noSuchPartition(topic, partition, count));
            return;
        }
        final PartitionQueue queue = topic.queue(partition);
        final int result = accumulator.append(queue, timestamp, record, size, callback, true);
        if (result != RecordAccumulator.APPENDED) {
            final SequentException failure;
            if (result == RecordAccumulator.NO_MEMORY) {
                failure = new BufferExhaustedException("no room for a batch of " + accumulator.batchCapacity()
                    + " bytes in " + ProducerConfig.BUFFER_MEMORY + " (" + memory.limit() + ") within "
                    + ProducerConfig.MAX_BLOCK_MS + " (" + config.maxBlockMs() + ")");
            } else if (result == RecordAccumulator.DEAD) {
                failure = queue.deadFailure();
            } else {
                failure = new RecordTooLargeException("record of " + size
                    + " bytes does not fit a batch of max.request.size");
            }
            RecordFuture.complete(callback, topic.name, partition, -1, timestamp, failure);
        }
    }

    /**
     * The partition of a record: the one it names, Kafka's murmur2 of its key, or the topic's
     * sticky partition.
     *
     * @param topic  the record's topic.
     * @param record the record.
     * @param count  the topic's partition count.
     * @return the partition; at least {@code count} when the record names one that does not exist.
     */
    static int partition(final TopicState topic, final ProducerRecord record, final int count) {
        final Integer partition = record.partition();
        if (partition != null) {
            return partition;
        }
        final byte[] key = record.key();
        return key != null ? Murmur2.partition(key, count) : topic.stickyPartition(count);
    }

    static UnknownTopicException noSuchPartition(final TopicState topic, final int partition, final int count) {
        return new UnknownTopicException("partition " + partition + " of topic " + topic.name
            + " does not exist: the topic has " + count + " partitions");
    }

    private TopicState topic(final String name) {
        final TopicState last = lastTopic;
        if (last != null && (last.name == name || last.name.equals(name))) {
            return last;
        }
        TopicState topic = topics.get(name);
        if (topic == null) {
            topic = topics.computeIfAbsent(name, TopicState::new);
        }
        lastTopic = topic;
        return topic;
    }

    /** The slow path: the topic's metadata is not known yet, or records handed over earlier still wait. */
    private void handOver(
        final TopicState topic, final ProducerRecord record, final Callback callback, final long timestamp,
        final int size) {
        final long now = accumulator.clock().nanoTime();
        if (!memory.acquire(size, maxBlockNs)) {
            fail(callback, record, timestamp, new BufferExhaustedException("no room for " + size + " bytes in "
                + ProducerConfig.BUFFER_MEMORY + " (" + memory.limit() + ") within " + ProducerConfig.MAX_BLOCK_MS
                + " (" + config.maxBlockMs() + ")"));
            return;
        }
        final WaitingRecord waiting = new WaitingRecord(topic, record, callback, timestamp, now, size);
        topic.unrouted.incrementAndGet();
        if (!records.offer(waiting) && !offerBlocking(waiting, now)) {
            topic.unrouted.decrementAndGet();
            memory.release(size);
            fail(callback, record, timestamp, new BufferExhaustedException("the producer's queue stayed full for "
                + ProducerConfig.MAX_BLOCK_MS + " (" + config.maxBlockMs() + ")"));
        }
    }

    private static void fail(
        final Callback callback, final ProducerRecord record, final long timestamp, final SequentException failure) {
        final Integer partition = record.partition();
        RecordFuture.complete(callback, record.topic(), partition == null ? -1 : partition, -1, timestamp, failure);
    }

    private boolean offerBlocking(final WaitingRecord future, final long startNs) {
        final long deadline = startNs + maxBlockNs;
        while (!records.offer(future)) {
            if (System.nanoTime() - deadline >= 0 || closed) {
                return false;
            }
            if (memory.stepWhileWaiting() == 0) {
                LockSupport.parkNanos(10_000);
            }
        }
        return true;
    }
}

package io.sequent.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.BatchCompressor;
import io.sequent.codec.Batches;
import io.sequent.codec.Compression;
import io.sequent.codec.RecordHeaders;
import io.sequent.codec.client.Acks;

/**
 * Batches records per partition, Kafka style, with the work split so that the I/O thread does
 * almost nothing per record.
 *
 * <p>Sending threads ({@link #append}): the record is encoded straight into its partition's open
 * batch, inside the ProduceRequest buffer that will carry it, under the partition's lock (one
 * uncontended monitor per record for a single sender; no object per record). When the open batch is
 * full the sender closes it (moves it to the partition's closed list) and opens another, taking the
 * new batch's {@code batch.size} from {@code buffer.memory} first, blocking up to
 * {@code max.block.ms} without the lock held. A record larger than a batch travels alone in a batch
 * of its own size (up to {@code max.request.size}), after the open batch. Batches and their buffers
 * come from a lock-free pool. The first time a partition gets a closed or an open batch the sender
 * queues the partition (once) for the I/O thread.
 *
 * <p>The I/O thread ({@link #drainAppended}, {@link #closeLingering}): takes the closed batches of
 * queued partitions and closes open batches that have lingered {@code linger.ms} while the
 * partition could send; it seals each batch once (header, compression with the codec configured),
 * then queues it, ready to be sent. A partition with {@code max.in.flight.requests.per.partition}
 * requests in flight, or a ready batch still waiting, keeps its open batch open past the linger, so
 * the records that arrive meanwhile share one request instead of queueing one request each (as
 * Kafka's producer does).
 *
 * <p>Threads: {@link #append} from any thread; everything else on the I/O thread, which alone writes
 * {@link #openQueues}, {@link #readyQueues} and the partitions' send side.
 */
final class RecordAccumulator {
    /** Smallest frame capacity of a batch; {@code batch.size} below this means one record per batch. */
    static final int MIN_BATCH_CAPACITY = Batches.MIN_FRAME_LENGTH + 32;
    static final int MIN_RECORD_LENGTH = (int) BatchBuilder.encodedRecordLength(-1, -1, null);

    /** {@link #append}: the record is in a batch. */
    static final int APPENDED = 0;
    /** {@link #append}: no room in {@code buffer.memory} within {@code max.block.ms}. */
    static final int NO_MEMORY = -1;
    /** {@link #append}: the partition no longer takes records (the producer closed or failed). */
    static final int DEAD = -2;
    /** {@link #append}: the record does not fit even a batch of {@code max.request.size}. */
    static final int TOO_LARGE = -3;

    private static final int POOLED_TOPIC_BYTES = 255;
    private static final int MAX_POOLED = 4096;
    private static final int NOTIFY_CAPACITY = 1 << 16;
    private static final byte[] EMPTY = new byte[0];

    private final BatchHandler handler;
    private final NanoClock clock;
    private final MemoryLimiter memory;
    private final int batchCapacity;
    private final int maxRequestSize;
    private final long lingerNs;
    private final long maxBlockNs;
    private final int maxInFlight;
    private final Compression compression;
    private final Acks acks;
    private final int requestTimeoutMs;
    private final long requestTimeoutNs;
    private final int pooledBufferSize;
    private final AtomicLong nextBatchId = new AtomicLong();
    private final ManyToManyConcurrentArrayQueue<ProducerBatch> pool;
    private final ManyToOneConcurrentArrayQueue<PartitionQueue> notified =
        new ManyToOneConcurrentArrayQueue<>(NOTIFY_CAPACITY);
    /** Set when {@link #notified} was full: the I/O thread then looks at every partition. */
    private volatile boolean rescan;

    // I/O thread only
    private final Consumer<PartitionQueue> takeAppended = this::takeAppended;
    private final ArrayList<ProducerBatch> taken = new ArrayList<>();
    private BatchCompressor compressor;
    private long nextLingerNs = Long.MAX_VALUE;
    private Iterable<TopicState> topics = List.of();

    /** Partitions with an open batch, as far as the I/O thread knows. */
    final ArrayList<PartitionQueue> openQueues = new ArrayList<>();
    /** Partitions with batches ready to send. */
    final ArrayList<PartitionQueue> readyQueues = new ArrayList<>();

    /**
     * @param handler          receives the outcome of every batch.
     * @param clock            the clock batches are timed by (their creation, for the linger).
     * @param memory           the producer's {@code buffer.memory}.
     * @param batchSize        target frame size ({@code batch.size}).
     * @param maxRequestSize   largest frame ({@code max.request.size}).
     * @param lingerNs         batching delay.
     * @param maxBlockNs       how long a sender waits for room in {@code buffer.memory}.
     * @param maxInFlight      requests a partition may have in flight; while it has that many, or a
     *                         ready batch waiting, its open batch stays open past its linger and
     *                         keeps taking records (as Kafka's producer does).
     * @param compression      codec of sealed batches.
     * @param acks             acks written in every request.
     * @param requestTimeoutNs how long a request may wait for its answer.
     */
    RecordAccumulator(
        final BatchHandler handler,
        final NanoClock clock,
        final MemoryLimiter memory,
        final int batchSize,
        final int maxRequestSize,
        final long lingerNs,
        final long maxBlockNs,
        final int maxInFlight,
        final Compression compression,
        final Acks acks,
        final long requestTimeoutNs) {
        this.handler = handler;
        this.clock = clock;
        this.memory = memory;
        this.maxRequestSize = maxRequestSize;
        final long capacity =
            Math.min(Math.min(Math.max(batchSize, MIN_BATCH_CAPACITY), maxRequestSize), memory.limit());
        this.batchCapacity = (int) Math.max(capacity, MIN_BATCH_CAPACITY);
        this.lingerNs = lingerNs;
        this.maxBlockNs = maxBlockNs;
        this.maxInFlight = maxInFlight;
        this.compression = compression;
        this.acks = acks;
        this.requestTimeoutNs = requestTimeoutNs;
        this.requestTimeoutMs = (int) Math.min(Integer.MAX_VALUE, requestTimeoutNs / 1_000_000);
        this.pooledBufferSize = ProducerBatch.REQUEST_OVERHEAD + POOLED_TOPIC_BYTES + batchCapacity;
        final long batchesInMemory = memory.limit() / batchCapacity + 2;
        pool = new ManyToManyConcurrentArrayQueue<>((int) Math.min(MAX_POOLED, Math.max(16, batchesInMemory)));
    }

    int batchCapacity() {
        return batchCapacity;
    }

    /**
     * @return the clock batches (and records waiting for metadata) are timed by.
     */
    NanoClock clock() {
        return clock;
    }

    /**
     * @return the number the next batch will get; every batch opened so far has a lower one.
     */
    long nextBatchId() {
        return nextBatchId.get();
    }

    /**
     * The producer's topics, which {@link #drainAppended} visits when a partition could not be queued.
     *
     * @param topics the topics the I/O thread knows.
     */
    void topics(final Iterable<TopicState> topics) {
        this.topics = topics;
    }

    /**
     * Appends a record to its partition's open batch, closing that batch and opening another when
     * it does not fit. Any thread.
     *
     * @param queue       the record's partition.
     * @param timestamp   the record's timestamp.
     * @param record      the record.
     * @param encodedSize {@link RecordFuture#encodedSize} of the record.
     * @param callback    called on completion, or null.
     * @param mayBlock    whether to wait (up to {@code max.block.ms}) for room in {@code buffer.memory};
     *                    the I/O thread, which frees that room, never waits and takes the room it needs.
     * @return {@link #APPENDED}, {@link #NO_MEMORY}, {@link #DEAD} or {@link #TOO_LARGE}.
     */
    int append(
        final PartitionQueue queue,
        final long timestamp,
        final ProducerRecord record,
        final int encodedSize,
        final Callback callback,
        final boolean mayBlock) {
        final long frameNeeded = Batches.RECORDS_OFFSET + (long) encodedSize;
        if (frameNeeded <= batchCapacity) {
            synchronized (queue) {
                if (queue.dead != null) {
                    return DEAD;
                }
                final ProducerBatch open = queue.open;
                if (open != null && open.tryAppend(timestamp, record.key(), record.value(), headers(queue, record),
                    callback)) {
                    if (open.isFull()) {
                        closeOpen(queue);
                    }
                    return APPENDED;
                }
            }
        } else if (frameNeeded > maxRequestSize) {
            return TOO_LARGE;
        }
        return appendToNewBatch(queue, timestamp, record, frameNeeded, callback, mayBlock);
    }

    private int appendToNewBatch(
        final PartitionQueue queue,
        final long timestamp,
        final ProducerRecord record,
        final long frameNeeded,
        final Callback callback,
        final boolean mayBlock) {
        final boolean oversize = frameNeeded > batchCapacity;
        final int frameCapacity = oversize ? (int) frameNeeded : batchCapacity;
        if (mayBlock) {
            if (!memory.acquire(frameCapacity, maxBlockNs)) {
                return NO_MEMORY;
            }
        } else {
            memory.take(frameCapacity);
        }
        final ProducerBatch fresh = oversize ? oversizeBatch(frameCapacity, queue) : pooledBatch();
        final long nowNs = clock.nanoTime();
        synchronized (queue) {
            if (queue.dead != null) {
                giveBack(fresh, frameCapacity);
                return DEAD;
            }
            final RecordHeaders headers = headers(queue, record);
            final ProducerBatch open = queue.open;
            if (!oversize && open != null) {
                if (open.tryAppend(timestamp, record.key(), record.value(), headers, callback)) {
                    giveBack(fresh, frameCapacity);
                    if (open.isFull()) {
                        closeOpen(queue);
                    }
                    return APPENDED;
                }
            }
            if (open != null) {
                closeOpen(queue);
            }
            fresh.begin(queue, frameCapacity, nextBatchId.getAndIncrement(), nowNs, requestTimeoutMs, acks,
                requestTimeoutNs);
            fresh.bytes = frameCapacity;
            if (!fresh.tryAppend(timestamp, record.key(), record.value(), headers, callback)) {
                fresh.builder.finish(false);
                giveBack(fresh, frameCapacity);
                return TOO_LARGE;
            }
            if (oversize || fresh.isFull()) {
                queue.closed.addLast(fresh);
                queue.topic.onBatchClosed(queue.partition);
            } else {
                queue.open = fresh;
            }
            notify(queue);
        }
        return APPENDED;
    }

    /**
     * Takes the batches senders closed and learns of the partitions' new open batches. I/O thread.
     *
     * @return partitions looked at.
     */
    int drainAppended() {
        int work = notified.drain(takeAppended);
        if (rescan) {
            rescan = false;
            for (final TopicState topic : topics) {
                for (final PartitionQueue queue : topic.queues) {
                    takeAppended(queue);
                    work++;
                }
            }
        }
        return work;
    }

    private void takeAppended(final PartitionQueue queue) {
        final ProducerBatch open;
        synchronized (queue) {
            queue.notified = false;
            takeClosed(queue);
            open = queue.open;
            if (open != null) {
                queue.openSinceNs = open.createdNs;
            }
        }
        sealTaken(queue);
        if (open != null && queue.openIndex < 0) {
            addTo(openQueues, queue, true);
            final long deadline = queue.openSinceNs + lingerNs;
            if (nextLingerNs == Long.MAX_VALUE || deadline - nextLingerNs < 0) {
                nextLingerNs = deadline;
            }
        }
    }

    /**
     * Closes open batches that have lingered long enough, or all of them.
     *
     * @param nowNs the I/O thread's clock.
     * @param all   close every open batch (flush, close, memory pressure).
     * @return batches closed.
     */
    int closeLingering(final long nowNs, final boolean all) {
        if (openQueues.isEmpty() || !all && nowNs - nextLingerNs < 0) {
            return 0;
        }
        int closed = 0;
        long next = Long.MAX_VALUE;
        for (int i = openQueues.size() - 1; i >= 0; i--) {
            final PartitionQueue queue = openQueues.get(i);
            final boolean canSend = queue.ready.isEmpty() && queue.inFlight.size() < maxInFlight;
            if (all || canSend && nowNs - (queue.openSinceNs + lingerNs) >= 0) {
                if (close(queue, all ? Long.MAX_VALUE : lingerNs, nowNs)) {
                    closed++;
                }
            }
            if (queue.openIndex >= 0) {
                final long deadline = queue.openSinceNs + lingerNs;
                if (next == Long.MAX_VALUE || deadline - next < 0) {
                    next = deadline;
                }
            }
        }
        nextLingerNs = next;
        return closed;
    }

    /**
     * Closes a partition's open batch when it is at least {@code minAgeNs} old and queues it, with
     * the closed batches before it, ready to send. I/O thread.
     *
     * @param queue    a partition in {@link #openQueues}.
     * @param minAgeNs how old the open batch must be; {@link Long#MAX_VALUE} closes it whatever its age.
     * @param nowNs    the I/O thread's clock.
     * @return whether a batch was closed.
     */
    boolean close(final PartitionQueue queue, final long minAgeNs, final long nowNs) {
        boolean closedOpen = false;
        synchronized (queue) {
            takeClosed(queue);
            final ProducerBatch open = queue.open;
            if (open != null && (minAgeNs == Long.MAX_VALUE || nowNs - open.createdNs - minAgeNs >= 0)) {
                queue.open = null;
                taken.add(open);
                queue.topic.onBatchClosed(queue.partition);
                closedOpen = true;
            } else if (open != null) {
                queue.openSinceNs = open.createdNs;
            }
            if (queue.open == null) {
                removeFrom(openQueues, queue, true);
            }
        }
        sealTaken(queue);
        return closedOpen;
    }

    /**
     * Takes every batch of a partition off the append side, open ones included, and stops the
     * partition taking records: the producer is closing or failed. I/O thread.
     *
     * @param queue   the partition.
     * @param failure what senders that append to it from now on are told.
     * @param into    receives the batches, in order.
     */
    void shut(final PartitionQueue queue, final SequentException failure, final List<ProducerBatch> into) {
        synchronized (queue) {
            queue.dead = failure;
            into.addAll(queue.closed);
            queue.closed.clear();
            if (queue.open != null) {
                queue.open.builder.finish(false);
                into.add(queue.open);
                queue.open = null;
            }
        }
        removeFrom(openQueues, queue, true);
    }

    /**
     * Puts a batch back among the ready ones, in creation order, for a resend.
     *
     * @param batch a batch that was in flight.
     */
    void requeue(final ProducerBatch batch) {
        final PartitionQueue queue = batch.queue;
        batch.state = ProducerBatch.READY;
        final ArrayDeque<ProducerBatch> ready = queue.ready;
        if (ready.isEmpty() || ready.peekFirst().id > batch.id) {
            ready.addFirst(batch);
        } else {
            final int size = ready.size();
            boolean inserted = false;
            for (int i = 0; i < size; i++) {
                final ProducerBatch b = ready.pollFirst();
                if (!inserted && b.id > batch.id) {
                    ready.addLast(batch);
                    inserted = true;
                }
                ready.addLast(b);
            }
            if (!inserted) {
                ready.addLast(batch);
            }
        }
        addTo(readyQueues, queue, false);
    }

    /**
     * Removes a partition from the ready list once it has nothing left to send.
     *
     * @param queue the partition.
     */
    void readyDrained(final PartitionQueue queue) {
        if (queue.ready.isEmpty()) {
            removeFrom(readyQueues, queue, false);
        }
    }

    /**
     * Returns a completed batch to the pool. I/O thread.
     *
     * @param batch a batch no one refers to any more.
     */
    void release(final ProducerBatch batch) {
        batch.reset();
        batch.state = ProducerBatch.DONE;
        if (batch.pooled) {
            pool.offer(batch);
        }
    }

    /**
     * Frees native resources (the compression context).
     */
    void close() {
        if (compressor != null) {
            compressor.close();
            compressor = null;
        }
    }

    /**
     * Visits every batch the I/O thread holds: ready and in flight (open and closed batches on the
     * append side are taken first by {@link #closeLingering}).
     *
     * @param topics  the producer's topics.
     * @param visitor called per batch.
     */
    static void forEachBatch(final Iterable<TopicState> topics, final Consumer<ProducerBatch> visitor) {
        for (final TopicState topic : topics) {
            for (final PartitionQueue queue : topic.queues) {
                for (final Iterator<ProducerBatch> it = queue.ready.iterator(); it.hasNext();) {
                    visitor.accept(it.next());
                }
                for (final Iterator<ProducerBatch> it = queue.inFlight.iterator(); it.hasNext();) {
                    visitor.accept(it.next());
                }
            }
        }
    }

    /** Under the partition's lock: moves its closed batches to {@link #taken}. */
    private void takeClosed(final PartitionQueue queue) {
        final ArrayDeque<ProducerBatch> closed = queue.closed;
        ProducerBatch batch;
        while ((batch = closed.pollFirst()) != null) {
            taken.add(batch);
        }
    }

    /** Outside the lock: seals the taken batches and queues them, ready to send. */
    private void sealTaken(final PartitionQueue queue) {
        final ArrayList<ProducerBatch> batches = taken;
        final int n = batches.size();
        if (n == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            final ProducerBatch batch = batches.get(i);
            batch.seal(compressor(), compression);
            queue.ready.addLast(batch);
        }
        batches.clear();
        addTo(readyQueues, queue, false);
    }

    private BatchCompressor compressor() {
        if (compression == Compression.NONE) {
            return null;
        }
        if (compressor == null) {
            compressor = new BatchCompressor(maxRequestSize, BatchBuilder.DEFAULT_ZSTD_LEVEL);
        }
        return compressor;
    }

    /** Under the partition's lock: the open batch joins the closed ones. */
    private void closeOpen(final PartitionQueue queue) {
        queue.closed.addLast(queue.open);
        queue.open = null;
        queue.topic.onBatchClosed(queue.partition);
        notify(queue);
    }

    /** Under the partition's lock: queues the partition for the I/O thread, once. */
    private void notify(final PartitionQueue queue) {
        if (!queue.notified) {
            queue.notified = true;
            if (!notified.offer(queue)) {
                rescan = true;
            }
        }
    }

    private ProducerBatch pooledBatch() {
        final ProducerBatch batch = pool.poll();
        return batch != null ? batch : new ProducerBatch(handler, pooledBufferSize, batchCapacity, true);
    }

    private ProducerBatch oversizeBatch(final int frameCapacity, final PartitionQueue queue) {
        return new ProducerBatch(handler, ProducerBatch.REQUEST_OVERHEAD + queue.topic.nameBytes.length + frameCapacity,
            frameCapacity, false);
    }

    private void giveBack(final ProducerBatch batch, final int reserved) {
        memory.release(reserved);
        batch.reset();
        if (batch.pooled) {
            pool.offer(batch);
        }
    }

    /** Under the partition's lock: the record's headers in the partition's scratch, or null for none. */
    private static RecordHeaders headers(final PartitionQueue queue, final ProducerRecord record) {
        final List<Header> list = record.headers();
        final int n = list.size();
        if (n == 0) {
            return null;
        }
        if (queue.headers == null) {
            queue.headers = new RecordHeaders();
            queue.headerKeyScratch = new ExpandableArrayBuffer(64);
            queue.headerValue = new UnsafeBuffer(EMPTY);
        }
        final RecordHeaders headers = queue.headers;
        headers.clear();
        for (int i = 0; i < n; i++) {
            final Header header = list.get(i);
            final int keyLength = Utf8.encode(header.key(), queue.headerKeyScratch, 0);
            final byte[] value = header.value() == null ? EMPTY : header.value();
            if (queue.headerValue.byteArray() != value) {
                queue.headerValue.wrap(value);
            }
            headers.add(queue.headerKeyScratch, 0, keyLength, queue.headerValue, 0, value.length);
        }
        return headers;
    }

    private static void addTo(final ArrayList<PartitionQueue> list, final PartitionQueue queue, final boolean open) {
        if ((open ? queue.openIndex : queue.readyIndex) >= 0) {
            return;
        }
        if (open) {
            queue.openIndex = list.size();
        } else {
            queue.readyIndex = list.size();
        }
        list.add(queue);
    }

    private static void removeFrom(
        final ArrayList<PartitionQueue> list, final PartitionQueue queue, final boolean open) {
        final int index = open ? queue.openIndex : queue.readyIndex;
        if (index < 0) {
            return;
        }
        final int last = list.size() - 1;
        final PartitionQueue moved = list.get(last);
        list.set(index, moved);
        if (open) {
            moved.openIndex = index;
            queue.openIndex = -1;
        } else {
            moved.readyIndex = index;
            queue.readyIndex = -1;
        }
        list.remove(last);
    }
}

package io.sequent.client;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.function.Consumer;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.Batches;
import io.sequent.codec.Compression;
import io.sequent.codec.RecordHeaders;
import io.sequent.codec.client.Acks;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.ProduceRequestEncoder;

/**
 * Batches records per partition, Kafka style: records go into the partition's open batch until it
 * is full ({@code batch.size}), or has lingered {@code linger.ms} and the partition can take another
 * request; then the batch is closed (its frame finished, compressed when configured) and queued,
 * ready to be sent. A partition with {@code max.in.flight.requests.per.partition} requests in flight,
 * or a closed batch still waiting, keeps its open batch open past the linger, so the records that
 * arrive meanwhile share one request instead of queueing one request each (as Kafka's producer
 * does). A record larger than a batch travels alone in a batch of its own size (up to
 * {@code max.request.size}).
 *
 * <p>Batches are built with the codec's {@link BatchBuilder} (one per partition, so that several
 * partitions can have open batches at once) directly inside pooled request buffers; batch objects
 * are pooled too, so steady-state batching allocates nothing.
 *
 * <p>Single writer: the I/O thread.
 */
final class RecordAccumulator {
    /** Smallest frame capacity of a batch; {@code batch.size} below this means one record per batch. */
    static final int MIN_BATCH_CAPACITY = Batches.MIN_FRAME_LENGTH + 32;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int POOLED_TOPIC_BYTES = 255;
    private static final int MAX_POOLED = 1024;
    private static final int MIN_RECORD_LENGTH = (int) BatchBuilder.encodedRecordLength(-1, -1, null);

    private final BatchHandler handler;
    private final int batchCapacity;
    private final int maxRequestSize;
    private final long lingerNs;
    private final int maxInFlight;
    private final Compression compression;
    private final Acks acks;
    private final int requestTimeoutMs;
    private final long requestTimeoutNs;
    private final int pooledBufferSize;
    private final ArrayDeque<byte[]> bufferPool = new ArrayDeque<>();
    private final ArrayDeque<ProducerBatch> batchPool = new ArrayDeque<>();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ProduceRequestEncoder requestEncoder = new ProduceRequestEncoder();
    private final ArrayList<BatchBuilder> builders = new ArrayList<>();
    private BatchBuilder oversizeBuilder;
    private long nextBatchId;
    private long nextLingerNs = Long.MAX_VALUE;

    /** Partitions with an open batch. */
    final ArrayList<PartitionQueue> openQueues = new ArrayList<>();
    /** Partitions with batches ready to send. */
    final ArrayList<PartitionQueue> readyQueues = new ArrayList<>();

    /**
     * @param handler        receives the outcome of every batch.
     * @param batchSize      target frame size ({@code batch.size}).
     * @param maxRequestSize largest frame ({@code max.request.size}).
     * @param lingerNs       batching delay.
     * @param maxInFlight    requests a partition may have in flight; while it has that many, or a
     *                       closed batch waiting, its open batch stays open past its linger and
     *                       keeps taking records (as Kafka's producer does).
     * @param compression    codec of finished batches.
     * @param acks           acks written in every request.
     * @param requestTimeoutNs how long a request may wait for its answer.
     */
    RecordAccumulator(
        final BatchHandler handler,
        final int batchSize,
        final int maxRequestSize,
        final long lingerNs,
        final int maxInFlight,
        final Compression compression,
        final Acks acks,
        final long requestTimeoutNs) {
        this.handler = handler;
        this.maxRequestSize = maxRequestSize;
        this.batchCapacity = Math.min(Math.max(batchSize, MIN_BATCH_CAPACITY), maxRequestSize);
        this.lingerNs = lingerNs;
        this.maxInFlight = maxInFlight;
        this.compression = compression;
        this.acks = acks;
        this.requestTimeoutNs = requestTimeoutNs;
        this.requestTimeoutMs = (int) Math.min(Integer.MAX_VALUE, requestTimeoutNs / 1_000_000);
        this.pooledBufferSize = ProducerBatch.REQUEST_OVERHEAD + POOLED_TOPIC_BYTES + batchCapacity;
    }

    int batchCapacity() {
        return batchCapacity;
    }

    /**
     * Appends a record to its partition's open batch, closing that batch and opening another when
     * it does not fit; a record larger than a batch gets a batch of its own, closed at once.
     *
     * @param queue   the record's partition.
     * @param record  the record.
     * @param headers the record's headers, or null.
     * @param nowNs   the I/O thread's clock.
     * @return false when the record does not fit even a batch of {@code max.request.size}.
     */
    boolean append(
        final PartitionQueue queue, final RecordFuture record, final RecordHeaders headers, final long nowNs) {
        final ProducerBatch open = queue.open;
        if (open != null) {
            if (queue.builder.tryAppend(record.timestamp, record.record.key(), record.record.value(), headers)) {
                added(queue, open, record);
                return true;
            }
            close(queue);
        }
        if (Batches.RECORDS_OFFSET + (long) record.encodedSize <= batchCapacity) {
            final ProducerBatch batch = newBatch(queue, nowNs, batchCapacity, builder(queue));
            if (queue.builder.tryAppend(record.timestamp, record.record.key(), record.record.value(), headers)) {
                queue.open = batch;
                addTo(openQueues, queue, true);
                final long lingerDeadline = nowNs + lingerNs;
                if (lingerDeadline - nextLingerNs < 0 || nextLingerNs == Long.MAX_VALUE) {
                    nextLingerNs = lingerDeadline;
                }
                added(queue, batch, record);
                return true;
            }
            release(batch);
        }
        final long frameCapacity = Batches.RECORDS_OFFSET + (long) record.encodedSize;
        if (frameCapacity > maxRequestSize) {
            return false;
        }
        final BatchBuilder builder = oversizeBuilder();
        final ProducerBatch batch = newBatch(queue, nowNs, (int) frameCapacity, builder);
        if (!builder.tryAppend(record.timestamp, record.record.key(), record.record.value(), headers)) {
            builder.finish();
            release(batch);
            return false;
        }
        batch.add(record);
        finish(queue, batch, builder);
        return true;
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
            final long deadline = queue.open.createdNs + lingerNs;
            if (all || nowNs - deadline >= 0 && queue.ready.isEmpty() && queue.inFlight.size() < maxInFlight) {
                close(queue);
                closed++;
            } else if (next == Long.MAX_VALUE || deadline - next < 0) {
                next = deadline;
            }
        }
        nextLingerNs = next;
        return closed;
    }

    /**
     * Closes a partition's open batch: finishes its frame and queues it, ready to send.
     *
     * @param queue a partition with an open batch.
     */
    void close(final PartitionQueue queue) {
        final ProducerBatch batch = queue.open;
        queue.open = null;
        removeFrom(openQueues, queue, true);
        finish(queue, batch, queue.builder);
    }

    /**
     * Takes a partition's open batch away without sending it (the producer is closing or failed).
     *
     * @param queue a partition with an open batch.
     */
    void discardOpen(final PartitionQueue queue) {
        queue.open = null;
        removeFrom(openQueues, queue, true);
        queue.builder.finish();
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
     * Returns a completed batch and its buffer to the pools.
     *
     * @param batch a batch no one refers to any more.
     */
    void release(final ProducerBatch batch) {
        if (batch.pooledBuffer && bufferPool.size() < MAX_POOLED) {
            bufferPool.addLast(batch.buffer.byteArray());
        }
        batch.pooledBuffer = false;
        batch.reset();
        batch.state = ProducerBatch.DONE;
        if (batchPool.size() < MAX_POOLED) {
            batchPool.addLast(batch);
        }
    }

    /**
     * Frees native resources (compression contexts).
     */
    void close() {
        for (final BatchBuilder builder : builders) {
            builder.close();
        }
        builders.clear();
        if (oversizeBuilder != null) {
            oversizeBuilder.close();
        }
    }

    /**
     * Visits every batch not yet completed: open, ready and in flight.
     *
     * @param topics the producer's topics.
     * @param visitor called per batch.
     */
    static void forEachBatch(final Iterable<TopicState> topics, final Consumer<ProducerBatch> visitor) {
        for (final TopicState topic : topics) {
            for (final PartitionQueue queue : topic.queues) {
                if (queue == null) {
                    continue;
                }
                if (queue.open != null) {
                    visitor.accept(queue.open);
                }
                for (final Iterator<ProducerBatch> it = queue.ready.iterator(); it.hasNext();) {
                    visitor.accept(it.next());
                }
                for (final Iterator<ProducerBatch> it = queue.inFlight.iterator(); it.hasNext();) {
                    visitor.accept(it.next());
                }
            }
        }
    }

    private void added(final PartitionQueue queue, final ProducerBatch batch, final RecordFuture record) {
        batch.add(record);
        if (queue.builder.uncompressedLength() + MIN_RECORD_LENGTH > batchCapacity) {
            close(queue);
        }
    }

    private BatchBuilder builder(final PartitionQueue queue) {
        if (queue.builder == null) {
            queue.builder = new BatchBuilder(Math.max(batchCapacity, MIN_BATCH_CAPACITY)).compression(compression);
            builders.add(queue.builder);
        }
        return queue.builder;
    }

    private BatchBuilder oversizeBuilder() {
        if (oversizeBuilder == null) {
            oversizeBuilder = new BatchBuilder(maxRequestSize).compression(compression);
        }
        return oversizeBuilder;
    }

    private ProducerBatch newBatch(
        final PartitionQueue queue, final long nowNs, final int frameCapacity, final BatchBuilder builder) {
        ProducerBatch batch = batchPool.pollFirst();
        if (batch == null) {
            batch = new ProducerBatch(handler);
        }
        final byte[] topic = queue.topic.nameBytes;
        final int needed = ProducerBatch.REQUEST_OVERHEAD + topic.length + frameCapacity;
        if (needed <= pooledBufferSize) {
            final byte[] array = bufferPool.pollFirst();
            batch.buffer.wrap(array != null ? array : new byte[pooledBufferSize]);
            batch.pooledBuffer = true;
        } else {
            batch.buffer.wrap(new byte[needed]);
            batch.pooledBuffer = false;
        }
        requestEncoder.wrapAndApplyHeader(batch.buffer, 0, headerEncoder)
            .correlationId(0)
            .sessionId(0)
            .partition(queue.partition)
            .timeoutMs(requestTimeoutMs)
            .acks(acks)
            .putTopic(topic, 0, topic.length);
        batch.frameOffset = requestEncoder.limit() + ProduceRequestEncoder.batchHeaderLength();
        builder.begin(batch.buffer, batch.frameOffset, frameCapacity,
            Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH, Batches.NO_SEQUENCE);
        batch.queue = queue;
        batch.id = nextBatchId++;
        batch.createdNs = nowNs;
        batch.state = ProducerBatch.OPEN;
        batch.acksNone = acks == Acks.NONE;
        batch.timeoutNs = requestTimeoutNs;
        return batch;
    }

    private void finish(final PartitionQueue queue, final ProducerBatch batch, final BatchBuilder builder) {
        final int frameLength = builder.finish();
        batch.frameLength = frameLength;
        batch.buffer.putInt(batch.frameOffset - ProduceRequestEncoder.batchHeaderLength(), frameLength, ORDER);
        batch.requestLength = batch.frameOffset + frameLength;
        batch.state = ProducerBatch.READY;
        queue.ready.addLast(batch);
        addTo(readyQueues, queue, false);
        queue.topic.onBatchClosed(queue.partition);
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

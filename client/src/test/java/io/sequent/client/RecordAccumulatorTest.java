package io.sequent.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import io.sequent.codec.Compression;
import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;

class RecordAccumulatorTest {
    private static final long LINGER_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final BatchHandler NO_HANDLER = new BatchHandler() {
        @Override
        public void onBatchSent(final ProducerBatch batch, final long nowNs) {
        }

        @Override
        public void onBatchResponse(final ProducerBatch batch, final DirectBuffer buffer, final int offset,
            final long nowNs) {
        }

        @Override
        public void onBatchFailure(final ProducerBatch batch, final SequentException failure, final long nowNs) {
        }
    };

    private final BatchReader reader = new BatchReader();
    private RecordAccumulator accumulator;
    private long clockNs;

    @AfterEach
    void close() {
        reader.close();
        if (accumulator != null) {
            accumulator.close();
        }
    }

    private static ProducerRecord record(final String value, final long timestamp) {
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord("t", null, timestamp, null, bytes, null);
    }

    private RecordAccumulator accumulator(
        final int batchSize, final int maxRequestSize, final long lingerNs, final int maxInFlight,
        final Compression codec) {
        return new RecordAccumulator(NO_HANDLER, () -> clockNs, new MemoryLimiter(1 << 24), batchSize, maxRequestSize,
            lingerNs, 0, maxInFlight, codec, Acks.ALL, 1_000_000_000L);
    }

    /** Appends as a sender does, then lets the I/O side take what the sender closed. */
    private boolean append(final PartitionQueue queue, final ProducerRecord record) {
        return append(queue, record, null);
    }

    private boolean append(final PartitionQueue queue, final ProducerRecord record, final Callback callback) {
        final int result = accumulator.append(queue, record.timestamp(), record, RecordFuture.encodedSize(record),
            callback, true);
        accumulator.drainAppended();
        return result == RecordAccumulator.APPENDED;
    }

    private static PartitionQueue queue(final int partition) {
        final TopicState topic = new TopicState("t");
        topic.partitionCount(4);
        return topic.queue(partition);
    }

    private List<String> decode(final ProducerBatch batch) {
        batch.checksum();
        assertEquals(BatchError.NONE, Batches.validate(batch.buffer, batch.frameOffset, batch.frameLength));
        assertEquals(BatchError.NONE, reader.wrap(batch.buffer, batch.frameOffset, batch.frameLength));
        final List<String> values = new ArrayList<>();
        while (reader.next()) {
            values.add(new String(reader.valueBytes(), StandardCharsets.UTF_8));
        }
        return values;
    }

    @Test
    void closesABatchWhenTheNextRecordDoesNotFit() {
        accumulator = accumulator(300, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(0);
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 41; i++) {
            final String value = "value-" + i + "-xxxxxxxxxxxxxxxxxxxxxxxxxx";
            sent.add(value);
            assertTrue(append(queue, record(value, 1000 + i)));
        }
        assertTrue(queue.ready.size() >= 4, "40 records of ~60 bytes make several 300-byte batches");
        final List<String> decoded = new ArrayList<>();
        for (final ProducerBatch batch : queue.ready) {
            assertTrue(batch.frameLength <= 300, "frame " + batch.frameLength + " exceeds batch.size");
            assertEquals(batch.requestLength, batch.frameOffset + batch.frameLength);
            assertEquals(batch.count, Batches.recordCount(batch.buffer, batch.frameOffset));
            decoded.addAll(decode(batch));
        }
        if (queue.open != null) {
            accumulator.closeLingering(0, true);
            decoded.addAll(decode(queue.ready.peekLast()));
        }
        assertEquals(sent, decoded);
        assertTrue(accumulator.openQueues.isEmpty());
        assertEquals(List.of(queue), accumulator.readyQueues);
    }

    @Test
    void closesABatchAfterLinger() {
        accumulator = accumulator(16384, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue a = queue(0);
        final PartitionQueue b = queue(1);
        final long t0 = 1_000_000;
        clockNs = t0;
        append(a, record("a", 1));
        clockNs = t0 + LINGER_NS / 2;
        append(b, record("b", 1));
        assertEquals(0, accumulator.closeLingering(t0 + LINGER_NS - 1, false));
        assertTrue(a.ready.isEmpty());
        assertEquals(1, accumulator.closeLingering(t0 + LINGER_NS, false));
        assertEquals(1, a.ready.size());
        assertNull(a.open);
        assertNotNull(b.open);
        assertEquals(0, accumulator.closeLingering(t0 + LINGER_NS, false));
        assertEquals(1, accumulator.closeLingering(t0 + LINGER_NS + LINGER_NS / 2, false));
        assertEquals(List.of("b"), decode(b.ready.peekFirst()));
    }

    @Test
    void aPartitionThatCannotSendKeepsFillingItsOpenBatchPastTheLinger() {
        accumulator = accumulator(16384, 1 << 20, 0, 2, Compression.NONE);
        final PartitionQueue queue = queue(0);
        append(queue, record("r0", 1));
        assertEquals(1, accumulator.closeLingering(0, false), "linger 0, nothing waiting: closed at once");
        clockNs = 1;
        append(queue, record("r1", 1));
        assertEquals(0, accumulator.closeLingering(1, false), "a closed batch is still waiting to be sent");
        clockNs = 2;
        append(queue, record("r2", 1));
        // The first batch goes out, and a second request is in flight: the limit (2) is reached.
        queue.inFlight.addLast(queue.ready.pollFirst());
        queue.inFlight.addLast(new ProducerBatch(NO_HANDLER, 1024, 512, false));
        assertEquals(0, accumulator.closeLingering(3, false), "two requests in flight: keep filling");
        append(queue, record("r3", 1));
        queue.inFlight.pollLast();
        assertEquals(1, accumulator.closeLingering(5, false), "a request slot is free: close and send");
        assertEquals(List.of("r1", "r2", "r3"), decode(queue.ready.peekFirst()));
        queue.inFlight.clear();
    }

    @Test
    void aRecordLargerThanABatchTravelsAloneAfterTheOpenBatch() {
        accumulator = accumulator(200, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(2);
        append(queue, record("small", 1));
        final String big = "x".repeat(5000);
        assertTrue(append(queue, record(big, 2)));
        assertEquals(2, queue.ready.size());
        assertEquals(List.of("small"), decode(queue.ready.pollFirst()));
        final ProducerBatch alone = queue.ready.pollFirst();
        assertEquals(List.of(big), decode(alone));
        assertNull(queue.open);
    }

    @Test
    void refusesARecordLargerThanMaxRequestSize() {
        accumulator = accumulator(200, 1000, LINGER_NS, 5, Compression.NONE);
        assertFalse(append(queue(0), record("y".repeat(2000), 1)));
    }

    @Test
    void compressedBatchesDecodeToTheSameRecords() {
        for (final Compression codec : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            accumulator = accumulator(4096, 1 << 20, LINGER_NS, 5, codec);
            final PartitionQueue queue = queue(0);
            final List<String> values = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                values.add("repetitive value " + (i % 3));
                append(queue, record(values.get(i), 5));
            }
            accumulator.closeLingering(0, true);
            final ProducerBatch batch = queue.ready.peekFirst();
            assertEquals(codec, Batches.compression(batch.buffer, batch.frameOffset));
            assertEquals(values, decode(batch));
            accumulator.close();
        }
        accumulator = null;
    }

    @Test
    void closingTheStickyPartitionsBatchMovesTheStickyPartition() {
        accumulator = accumulator(16384, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(3);
        queue.topic.stickyPartition = 3;
        append(queue, record("r", 1));
        assertEquals(3, queue.topic.stickyPartition);
        accumulator.closeLingering(LINGER_NS, false);
        assertEquals(-1, queue.topic.stickyPartition);
    }

    @Test
    void reusesReleasedBatchesAndBuffers() {
        accumulator = accumulator(1024, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(0);
        append(queue, record("one", 1));
        accumulator.closeLingering(0, true);
        final ProducerBatch first = queue.ready.pollFirst();
        final byte[] array = first.buffer.byteArray();
        accumulator.readyDrained(queue);
        accumulator.release(first);
        append(queue, record("two", 1));
        assertSame(first, queue.open);
        assertSame(array, queue.open.buffer.byteArray());
        accumulator.closeLingering(0, true);
        assertEquals(List.of("two"), decode(queue.ready.peekFirst()));
    }

    @Test
    void requeuedBatchesGoBackInCreationOrder() {
        accumulator = accumulator(16384, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(0);
        final List<ProducerBatch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            append(queue, record("r" + i, 1));
            accumulator.closeLingering(0, true);
            batches.add(queue.ready.peekLast());
        }
        queue.ready.clear();
        accumulator.requeue(batches.get(2));
        accumulator.requeue(batches.get(0));
        accumulator.requeue(batches.get(3));
        accumulator.requeue(batches.get(1));
        assertArrayEquals(batches.toArray(), queue.ready.toArray());
    }

    @Test
    void sendersOnManyThreadsEachKeepTheirOrderAndEveryRecordLandsOnce() throws Exception {
        accumulator = accumulator(1024, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(0);
        final int threads = 4;
        final int perThread = 5_000;
        final AtomicInteger refused = new AtomicInteger();
        final List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            senders.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    final ProducerRecord record = record(thread + ":" + i, 7);
                    if (accumulator.append(queue, 7, record, RecordFuture.encodedSize(record), null, true)
                        != RecordAccumulator.APPENDED) {
                        refused.incrementAndGet();
                    }
                }
            }));
        }
        senders.forEach(Thread::start);
        final List<String> decoded = new ArrayList<>();
        boolean running = true;
        while (running) {
            running = senders.stream().anyMatch(Thread::isAlive);
            accumulator.drainAppended();
            if (!running) {
                accumulator.closeLingering(0, true);
            }
            ProducerBatch batch;
            while ((batch = queue.ready.pollFirst()) != null) {
                assertEquals(batch.count, Batches.recordCount(batch.buffer, batch.frameOffset));
                decoded.addAll(decode(batch));
                accumulator.release(batch);
            }
            accumulator.readyDrained(queue);
        }
        for (final Thread sender : senders) {
            sender.join();
        }
        assertEquals(0, refused.get());
        assertEquals(threads * perThread, decoded.size(), "every record once");
        final int[] next = new int[threads];
        for (final String value : decoded) {
            final int thread = Integer.parseInt(value.substring(0, value.indexOf(':')));
            assertEquals(next[thread]++, Integer.parseInt(value.substring(value.indexOf(':') + 1)),
                "thread " + thread + "'s records in the order it sent them");
        }
    }

    @Test
    void oneCompletionPerBatchFansOutToEveryCallbackWithItsOffset() {
        accumulator = accumulator(16384, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(1);
        final List<String> seen = new ArrayList<>();
        final Callback callback = new Callback() {
            @Override
            public void onCompletion(final RecordMetadata metadata, final Exception exception) {
                throw new AssertionError("the five-argument form is called");
            }

            @Override
            public void onCompletion(final String topic, final int partition, final long offset, final long timestamp,
                final Exception exception) {
                seen.add(topic + "-" + partition + "@" + offset + "/" + timestamp + (exception == null ? "" : "!"));
            }
        };
        for (int i = 0; i < 3; i++) {
            append(queue, record("v" + i, 10 + i), callback);
        }
        accumulator.closeLingering(0, true);
        final ProducerBatch batch = queue.ready.pollFirst();
        batch.complete(500, -1, null);
        assertEquals(List.of("t-1@500/10", "t-1@501/11", "t-1@502/12"), seen);
        seen.clear();
        batch.complete(500, 99, null);
        assertEquals(List.of("t-1@500/99", "t-1@501/99", "t-1@502/99"), seen, "log append time");
        seen.clear();
        batch.complete(-1, -1, new RequestTimeoutException("lost"));
        assertEquals(List.of("t-1@-1/10!", "t-1@-1/11!", "t-1@-1/12!"), seen);
    }

    @Test
    void eachBatchHoldsItsCapacityOfBufferMemoryUntilReleased() {
        final MemoryLimiter memory = new MemoryLimiter(3_000);
        accumulator = new RecordAccumulator(NO_HANDLER, () -> clockNs, memory, 1_000, 1 << 20, LINGER_NS, 0, 5,
            Compression.NONE, Acks.ALL, 1L);
        final PartitionQueue a = queue(0);
        final PartitionQueue b = a.topic.queue(1);
        assertTrue(append(a, record("a", 1)));
        assertEquals(1_000, memory.used(), "one batch, not one record");
        assertTrue(append(a, record("a2", 1)));
        assertEquals(1_000, memory.used());
        assertTrue(append(b, record("b", 1)));
        assertTrue(append(queue(2), record("c", 1)));
        assertEquals(3_000, memory.used());
        final ProducerRecord refused = record("d", 1);
        assertEquals(RecordAccumulator.NO_MEMORY,
            accumulator.append(a.topic.queue(3), 1, refused, RecordFuture.encodedSize(refused), null, true),
            "no room for a fourth batch within max.block.ms (0)");
        assertEquals(3_000, memory.used(), "a refused record takes nothing");
        accumulator.closeLingering(0, true);
        final ProducerBatch first = a.ready.pollFirst();
        memory.release(first.bytes);
        accumulator.release(first);
        assertEquals(2_000, memory.used());
        assertTrue(append(a.topic.queue(3), record("d", 1)));
    }

    @Test
    void aShutPartitionRefusesRecordsAndGivesUpItsBatches() {
        accumulator = accumulator(16384, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(0);
        append(queue, record("kept", 1));
        final List<ProducerBatch> taken = new ArrayList<>();
        final SequentException closed = new SequentException(ErrorCode.NULL_VAL, "closed");
        accumulator.shut(queue, closed, taken);
        assertEquals(1, taken.size());
        assertEquals(1, taken.get(0).count);
        assertNull(queue.open);
        assertTrue(accumulator.openQueues.isEmpty());
        final ProducerRecord late = record("late", 1);
        assertEquals(RecordAccumulator.DEAD,
            accumulator.append(queue, 1, late, RecordFuture.encodedSize(late), null, true));
        assertSame(closed, queue.deadFailure());
    }

    @Test
    void recordHeadersAreEncodedIntoTheBatch() {
        accumulator = accumulator(16384, 1 << 20, LINGER_NS, 5, Compression.NONE);
        final PartitionQueue queue = queue(0);
        final ProducerRecord record = new ProducerRecord("t", null, 5L, "k".getBytes(StandardCharsets.UTF_8),
            "v".getBytes(StandardCharsets.UTF_8),
            List.of(new Header("h\u00e9", new byte[] {1, 2}), new Header("n", null)));
        append(queue, record);
        accumulator.closeLingering(0, true);
        final ProducerBatch batch = queue.ready.pollFirst();
        batch.checksum();
        assertEquals(BatchError.NONE, reader.wrap(batch.buffer, batch.frameOffset, batch.frameLength));
        assertTrue(reader.next());
        assertEquals(2, reader.headerCount());
        assertEquals("h\u00e9", reader.headerKey(0));
        assertArrayEquals(new byte[] {1, 2}, reader.headerValueBytes(0));
        assertEquals("n", reader.headerKey(1));
        assertEquals(RecordFuture.encodedSize(record) + Batches.RECORDS_OFFSET, batch.frameLength,
            "encodedSize is the record's exact size in the batch");
    }
}

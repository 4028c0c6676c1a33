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

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import io.sequent.codec.Compression;
import io.sequent.codec.client.Acks;

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

    @AfterEach
    void close() {
        reader.close();
        if (accumulator != null) {
            accumulator.close();
        }
    }

    private static RecordFuture record(final String value, final long timestamp) {
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return new RecordFuture(new ProducerRecord("t", null, timestamp, null, bytes, null), null, timestamp, 0);
    }

    private static PartitionQueue queue(final int partition) {
        final TopicState topic = new TopicState("t");
        topic.partitionCount(4);
        return topic.queue(partition);
    }

    private List<String> decode(final ProducerBatch batch) {
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
        accumulator =
            new RecordAccumulator(NO_HANDLER, 300, 1 << 20, LINGER_NS, 5, Compression.NONE, Acks.ALL, 1_000_000_000L);
        final PartitionQueue queue = queue(0);
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 41; i++) {
            final String value = "value-" + i + "-xxxxxxxxxxxxxxxxxxxxxxxxxx";
            sent.add(value);
            assertTrue(accumulator.append(queue, record(value, 1000 + i), null, 0));
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
        accumulator = new RecordAccumulator(NO_HANDLER, 16384, 1 << 20, LINGER_NS, 5, Compression.NONE, Acks.ALL, 1L);
        final PartitionQueue a = queue(0);
        final PartitionQueue b = queue(1);
        final long t0 = 1_000_000;
        accumulator.append(a, record("a", 1), null, t0);
        accumulator.append(b, record("b", 1), null, t0 + LINGER_NS / 2);
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
        accumulator = new RecordAccumulator(NO_HANDLER, 16384, 1 << 20, 0, 2, Compression.NONE, Acks.ALL, 1L);
        final PartitionQueue queue = queue(0);
        accumulator.append(queue, record("r0", 1), null, 0);
        assertEquals(1, accumulator.closeLingering(0, false), "linger 0, nothing waiting: closed at once");
        accumulator.append(queue, record("r1", 1), null, 1);
        assertEquals(0, accumulator.closeLingering(1, false), "a closed batch is still waiting to be sent");
        accumulator.append(queue, record("r2", 1), null, 2);
        // The first batch goes out, and a second request is in flight: the limit (2) is reached.
        queue.inFlight.addLast(queue.ready.pollFirst());
        queue.inFlight.addLast(new ProducerBatch(NO_HANDLER));
        assertEquals(0, accumulator.closeLingering(3, false), "two requests in flight: keep filling");
        accumulator.append(queue, record("r3", 1), null, 4);
        queue.inFlight.pollLast();
        assertEquals(1, accumulator.closeLingering(5, false), "a request slot is free: close and send");
        assertEquals(List.of("r1", "r2", "r3"), decode(queue.ready.peekFirst()));
        queue.inFlight.clear();
    }

    @Test
    void aRecordLargerThanABatchTravelsAloneAfterTheOpenBatch() {
        accumulator = new RecordAccumulator(NO_HANDLER, 200, 1 << 20, LINGER_NS, 5, Compression.NONE, Acks.ALL, 1L);
        final PartitionQueue queue = queue(2);
        accumulator.append(queue, record("small", 1), null, 0);
        final String big = "x".repeat(5000);
        assertTrue(accumulator.append(queue, record(big, 2), null, 0));
        assertEquals(2, queue.ready.size());
        assertEquals(List.of("small"), decode(queue.ready.pollFirst()));
        final ProducerBatch alone = queue.ready.pollFirst();
        assertEquals(List.of(big), decode(alone));
        assertNull(queue.open);
    }

    @Test
    void refusesARecordLargerThanMaxRequestSize() {
        accumulator = new RecordAccumulator(NO_HANDLER, 200, 1000, LINGER_NS, 5, Compression.NONE, Acks.ALL, 1L);
        assertFalse(accumulator.append(queue(0), record("y".repeat(2000), 1), null, 0));
    }

    @Test
    void compressedBatchesDecodeToTheSameRecords() {
        for (final Compression codec : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            accumulator = new RecordAccumulator(NO_HANDLER, 4096, 1 << 20, LINGER_NS, 5, codec, Acks.ALL, 1L);
            final PartitionQueue queue = queue(0);
            final List<String> values = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                values.add("repetitive value " + (i % 3));
                accumulator.append(queue, record(values.get(i), 5), null, 0);
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
        accumulator = new RecordAccumulator(NO_HANDLER, 16384, 1 << 20, LINGER_NS, 5, Compression.NONE, Acks.ALL, 1L);
        final PartitionQueue queue = queue(3);
        queue.topic.stickyPartition = 3;
        accumulator.append(queue, record("r", 1), null, 0);
        assertEquals(3, queue.topic.stickyPartition);
        accumulator.closeLingering(LINGER_NS, false);
        assertEquals(-1, queue.topic.stickyPartition);
    }

    @Test
    void reusesReleasedBatchesAndBuffers() {
        accumulator = new RecordAccumulator(NO_HANDLER, 1024, 1 << 20, LINGER_NS, 5, Compression.NONE, Acks.ALL, 1L);
        final PartitionQueue queue = queue(0);
        accumulator.append(queue, record("one", 1), null, 0);
        accumulator.closeLingering(0, true);
        final ProducerBatch first = queue.ready.pollFirst();
        final byte[] array = first.buffer.byteArray();
        accumulator.readyDrained(queue);
        accumulator.release(first);
        accumulator.append(queue, record("two", 1), null, 0);
        assertSame(first, queue.open);
        assertSame(array, queue.open.buffer.byteArray());
        accumulator.closeLingering(0, true);
        assertEquals(List.of("two"), decode(queue.ready.peekFirst()));
    }

    @Test
    void requeuedBatchesGoBackInCreationOrder() {
        accumulator = new RecordAccumulator(NO_HANDLER, 16384, 1 << 20, LINGER_NS, 5, Compression.NONE, Acks.ALL, 1L);
        final PartitionQueue queue = queue(0);
        final List<ProducerBatch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            accumulator.append(queue, record("r" + i, 1), null, 0);
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
}

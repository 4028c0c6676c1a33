package io.sequent.sequencer;

import io.sequent.log.FlushPolicy;
import io.sequent.log.LogConfig;
import io.sequent.sequencer.RecordingReleaseHandler.Release;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline stepped deterministically in INVOKER mode. */
class SequencerTest {
    @TempDir
    Path dir;

    private final RecordingReleaseHandler released = new RecordingReleaseHandler();
    private Sequencer sequencer;

    @AfterEach
    void close() {
        if (null != sequencer) {
            sequencer.close();
        }
    }

    private Sequencer launch(final SequencerContext context) {
        sequencer = Sequencer.launch(context.threadingMode(ThreadingMode.INVOKER).releaseHandler(released));
        return sequencer;
    }

    private Sequencer launch() {
        return launch(new SequencerContext());
    }

    static LogConfig logConfig(final FlushPolicy policy) {
        return new LogConfig().segmentBytes(1 << 20).flushPolicy(policy);
    }

    private Partition open(final String topic, final int partition) {
        return sequencer.openPartition(
            topic, partition, dir.resolve(topic + "-" + partition), logConfig(FlushPolicy.BATCH), false);
    }

    private long offer(final Partition partition, final UnsafeBuffer batch, final byte acks, final long correlationId) {
        return sequencer.offer(partition, batch, 0, batch.capacity(), acks, 1, correlationId);
    }

    private void drain() {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!sequencer.isIdle()) {
            sequencer.invoker().invoke();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pipeline did not drain");
            }
        }
    }

    @Test
    void assignsDenseOffsetsPerPartitionAndOneGroupSequenceAcrossThem() {
        launch();
        final Partition a = open("a", 0);
        final Partition b = open("b", 0);
        assertTrue(offer(a, TestBatches.batch("a0", "a1"), Acks.LEADER, 1) >= 0);
        assertTrue(offer(b, TestBatches.batch("b0"), Acks.ALL, 2) >= 0);
        assertTrue(offer(a, TestBatches.batch("a2"), Acks.ALL, 3) >= 0);
        assertTrue(offer(b, TestBatches.batch("b1", "b2", "b3"), Acks.NONE, 4) >= 0);
        drain();

        final List<Release> releases = released.snapshot();
        assertEquals(3, releases.size(), "acks=0 gets no release: " + releases);
        assertEquals(new Release(1, SequencerResult.OK, 0, 0, "a-0"), released.byCorrelation(1));
        assertEquals(new Release(2, SequencerResult.OK, 0, 1, "b-0"), released.byCorrelation(2));
        assertEquals(new Release(3, SequencerResult.OK, 2, 2, "a-0"), released.byCorrelation(3));
        assertNull(released.byCorrelation(4));

        assertEquals(List.of("0:a0", "1:a1", "2:a2"), TestBatches.readAll(a.log()));
        assertEquals(List.of("0:b0", "1:b1", "2:b2", "3:b3"), TestBatches.readAll(b.log()));
        assertEquals(3, a.highWatermark());
        assertEquals(4, b.highWatermark());
        assertEquals(4, sequencer.nextGroupSeq());
        assertEquals(4, sequencer.counters().batchesAppended.get());
        assertEquals(7, sequencer.counters().recordsAppended.get());
    }

    @Test
    void logAppendTimePartitionsGetTheBrokersClockStampedAndAValidCrc() {
        final org.agrona.concurrent.CachedEpochClock clock = new org.agrona.concurrent.CachedEpochClock();
        clock.update(1_800_000_000_000L);
        launch(new SequencerContext().epochClock(clock));
        final Partition p = sequencer.openPartition(
            "t", 0, dir.resolve("t-0"), logConfig(FlushPolicy.BATCH), true);
        offer(p, TestBatches.batch("x", "y"), Acks.ALL, 1);
        drain();
        try (io.sequent.log.LogReader reader = p.log().newReader()) {
            final int bytes = reader.read(0, 1 << 20, Long.MAX_VALUE);
            assertTrue(bytes > 0);
            final int length = io.sequent.codec.Batches.frameLength(reader.buffer(), reader.bufferOffset());
            assertEquals(0, io.sequent.codec.Batches.validate(reader.buffer(), reader.bufferOffset(), length));
            assertEquals(1_800_000_000_000L, io.sequent.codec.Batches.maxTimestamp(reader.buffer(), 0));
            final io.sequent.codec.BatchReader records = new io.sequent.codec.BatchReader();
            assertEquals(0, records.wrap(reader.buffer(), reader.bufferOffset(), length));
            while (records.next()) {
                assertEquals(1_800_000_000_000L, records.timestamp(), "record timestamps follow the batch");
            }
        }
    }

    @Test
    void fullRingIsBackPressureNotBlocking() {
        launch(new SequencerContext().ringSize(4));
        final Partition p = open("t", 0);
        final UnsafeBuffer batch = TestBatches.batch("v");
        for (int i = 0; i < 4; i++) {
            assertTrue(offer(p, batch, Acks.LEADER, i) >= 0);
        }
        assertEquals(SequencerResult.BACK_PRESSURED, offer(p, batch, Acks.LEADER, 99));
        assertEquals(1, sequencer.counters().backPressured.get());
        drain();
        assertTrue(offer(p, batch, Acks.LEADER, 5) >= 0);
        drain();
        assertEquals(5, p.log().nextOffset());
    }

    @Test
    void fullDataBufferIsBackPressure() {
        launch(new SequencerContext().dataBufferBytes(4096).maxBatchBytes(2048));
        final Partition p = open("t", 0);
        final UnsafeBuffer batch = TestBatches.batch("x".repeat(900));
        int accepted = 0;
        while (offer(p, batch, Acks.LEADER, accepted) >= 0) {
            accepted++;
        }
        assertTrue(accepted >= 2 && accepted <= 4, "accepted " + accepted);
        drain();
        assertEquals(accepted, released.snapshot().size());
        assertTrue(offer(p, batch, Acks.LEADER, 100) >= 0);
        drain();
        assertEquals(accepted + 1, p.log().nextOffset());
    }

    @Test
    void oversizeBatchIsRefusedAtTheDoor() {
        launch(new SequencerContext().maxBatchBytes(1024));
        final Partition p = open("t", 0);
        assertEquals(SequencerResult.TOO_LARGE, offer(p, TestBatches.batch("y".repeat(2000)), Acks.ALL, 1));
        assertTrue(sequencer.isIdle());
        assertEquals(0, p.log().nextOffset());
    }

    @Test
    void corruptBatchIsRejectedWithoutConsumingOffsets() {
        launch();
        final Partition p = open("t", 0);
        final UnsafeBuffer good = TestBatches.batch("ok");
        final UnsafeBuffer bad = TestBatches.batch("bad");
        bad.putByte(bad.capacity() - 1, (byte) (bad.getByte(bad.capacity() - 1) ^ 0x10));
        offer(p, good, Acks.ALL, 1);
        offer(p, bad, Acks.ALL, 2);
        offer(p, TestBatches.batch("ok2"), Acks.ALL, 3);
        drain();
        assertEquals(SequencerResult.CORRUPT, released.byCorrelation(2).result());
        assertEquals(-1, released.byCorrelation(2).baseOffset());
        assertEquals(1, released.byCorrelation(3).baseOffset());
        assertEquals(List.of("0:ok", "1:ok2"), TestBatches.readAll(p.log()));
        assertEquals(1, sequencer.counters().rejected.get());
    }

    @Test
    void acksAllWaitsForTheCommitPositionAndSoDoesTheHighWatermark() {
        final AtomicLong commit = new AtomicLong(-1);
        launch(new SequencerContext().commitPosition(commit::get));
        final Partition p = open("t", 0);
        offer(p, TestBatches.batch("one"), Acks.ALL, 1);
        offer(p, TestBatches.batch("two"), Acks.LEADER, 2);
        for (int i = 0; i < 20; i++) {
            sequencer.invoker().invoke();
        }
        assertNull(released.byCorrelation(1), "acks=all before commit");
        assertEquals(SequencerResult.OK, released.byCorrelation(2).result(), "acks=1 once journaled");
        assertEquals(0, p.highWatermark());
        assertEquals(2, p.log().nextOffset());

        commit.set(0);
        sequencer.invoker().invoke();
        assertEquals(0, released.byCorrelation(1).baseOffset());
        assertEquals(1, p.highWatermark());
        commit.set(1);
        drain();
        assertEquals(2, p.highWatermark());
    }

    @Test
    void replicationSinkGetsEveryAcceptedBatchInGroupSequenceOrderAndMayPushBack() {
        final AtomicLong pushBacks = new AtomicLong(3);
        final java.util.List<Long> seen = new java.util.ArrayList<>();
        final AtomicLong replicated = new AtomicLong(-1);
        launch(new SequencerContext()
            .replicationSink((buffer, offset, length, topicId, partitionId, epoch, groupSeq) -> {
                if (pushBacks.getAndDecrement() > 0) {
                    return false;
                }
                seen.add(groupSeq);
                replicated.set(groupSeq);
                return true;
            })
            .commitPosition(replicated::get));
        final Partition p = open("t", 0);
        final UnsafeBuffer bad = TestBatches.batch("bad");
        bad.putInt(4, bad.getInt(4) + 1);
        offer(p, TestBatches.batch("a"), Acks.ALL, 1);
        offer(p, bad, Acks.ALL, 2);
        offer(p, TestBatches.batch("b"), Acks.ALL, 3);
        drain();
        assertEquals(List.of(0L, 1L), seen);
        assertEquals(3, sequencer.counters().replicationBackPressure.get());
        assertEquals(1, released.byCorrelation(3).baseOffset());
    }

    @Test
    void storageFailureVoidsLaterStampedOffsetsAndTheWriterResumesCleanly() {
        launch();
        // A segment too small for the big batch: the log refuses it, the pipeline must not leave a gap.
        final Partition p = sequencer.openPartition(
            "t", 0, dir.resolve("t-0"), new LogConfig().segmentBytes(4096).flushPolicy(FlushPolicy.NONE), false);
        offer(p, TestBatches.batch("first"), Acks.LEADER, 1);
        offer(p, TestBatches.batch("z".repeat(6000)), Acks.LEADER, 2);
        offer(p, TestBatches.batch("stamped-after-failure"), Acks.LEADER, 3);
        drain();
        offer(p, TestBatches.batch("after-resync"), Acks.LEADER, 4);
        drain();
        assertEquals(SequencerResult.OK, released.byCorrelation(1).result());
        assertEquals(SequencerResult.STORAGE_ERROR, released.byCorrelation(2).result());
        assertEquals(SequencerResult.STORAGE_ERROR, released.byCorrelation(3).result());
        assertEquals(SequencerResult.OK, released.byCorrelation(4).result());
        assertEquals(1, released.byCorrelation(4).baseOffset());
        assertEquals(List.of("0:first", "1:after-resync"), TestBatches.readAll(p.log()));
        assertEquals(2, p.highWatermark());
    }
}

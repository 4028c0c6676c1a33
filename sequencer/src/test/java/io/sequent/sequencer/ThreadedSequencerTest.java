package io.sequent.sequencer;

import io.sequent.log.FlushPolicy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline on real threads: every batch released once, offsets dense, in both threaded modes. */
class ThreadedSequencerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = {"SHARED", "DEDICATED"})
    void everyOfferIsReleasedOnceWithDenseOffsets(final ThreadingMode mode) throws Exception {
        final int partitions = 3;
        final int batches = 20_000;
        final AtomicLong releasedCount = new AtomicLong();
        final long[] nextExpected = new long[partitions];
        final AtomicLong errors = new AtomicLong();
        final SequencerContext context = new SequencerContext()
            .threadingMode(mode)
            .idleStrategy("yielding")
            .ringSize(256)
            .releaseHandler(event -> {
                final int p = event.partition().partitionId();
                if (event.result() != SequencerResult.OK || event.baseOffset() != nextExpected[p]) {
                    errors.incrementAndGet();
                }
                nextExpected[p] = event.baseOffset() + event.recordCount();
                releasedCount.incrementAndGet();
            });
        try (Sequencer sequencer = Sequencer.launch(context)) {
            final Partition[] open = new Partition[partitions];
            for (int p = 0; p < partitions; p++) {
                open[p] = sequencer.openPartition(
                    "t", p, dir.resolve("t-" + p), SequencerTest.logConfig(FlushPolicy.NONE), false);
            }
            final UnsafeBuffer batch = TestBatches.batch("a", "b", "c", "d", "e");
            final long deadline = System.nanoTime() + 60_000_000_000L;
            for (int i = 0; i < batches; i++) {
                while (sequencer.offer(open[i % partitions], batch, 0, batch.capacity(), Acks.LEADER, 1, i) < 0) {
                    Thread.yield();
                    assertTrue(System.nanoTime() < deadline, "stuck at batch " + i);
                }
            }
            while (releasedCount.get() < batches) {
                Thread.yield();
                assertTrue(System.nanoTime() < deadline, "released only " + releasedCount.get());
            }
            assertEquals(0, errors.get());
            long total = 0;
            for (final Partition partition : open) {
                total += partition.log().nextOffset();
                assertEquals(partition.log().nextOffset(), partition.highWatermark());
            }
            assertEquals(batches * 5L, total);
        }
    }
}

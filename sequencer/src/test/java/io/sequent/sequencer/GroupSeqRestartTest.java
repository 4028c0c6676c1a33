package io.sequent.sequencer;

import io.sequent.codec.Batches;
import io.sequent.log.FlushPolicy;
import io.sequent.log.FrameDescriptor;
import io.sequent.log.LogReader;
import io.sequent.log.PartitionLog;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restart must resume the group sequence above the highest sequence held by any partition, whichever partition
 * is written first; and under flush {@code batch} no batch may be acknowledged before its partition has forced it.
 */
class GroupSeqRestartTest {
    @TempDir
    Path dir;

    /** Records each release and whether the batch was forced to disk when it was released. */
    private static final class ForcedCheck implements ReleaseHandler {
        final List<String> early = new ArrayList<>();
        final List<Long> seqs = new ArrayList<>();

        @Override
        public synchronized void onRelease(final BatchEvent event) {
            seqs.add(event.groupSeq());
            final long end = event.baseOffset() + event.recordCount();
            final long forced = event.partition().log().durableNextOffset();
            if (forced < end) {
                early.add(event.partition() + " offset " + event.baseOffset() + " seq " + event.groupSeq() +
                    " acknowledged with only [0, " + forced + ") forced");
            }
        }
    }

    private Sequencer launch(final ReleaseHandler handler) {
        return Sequencer.launch(new SequencerContext().threadingMode(ThreadingMode.INVOKER).releaseHandler(handler));
    }

    private Partition open(final Sequencer sequencer, final String topic) {
        return sequencer.openPartition(
            topic, 0, dir.resolve(topic + "-0"), SequencerTest.logConfig(FlushPolicy.BATCH), false);
    }

    private static void drain(final Sequencer sequencer) {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!sequencer.isIdle()) {
            sequencer.invoker().invoke();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pipeline did not drain");
            }
        }
    }

    private static void offer(final Sequencer sequencer, final Partition partition, final byte acks, final long id) {
        final org.agrona.concurrent.UnsafeBuffer batch = TestBatches.batch("v" + id);
        assertTrue(sequencer.offer(partition, batch, 0, batch.capacity(), acks, 1, id) >= 0);
    }

    static List<Long> groupSeqs(final PartitionLog log) {
        final List<Long> seqs = new ArrayList<>();
        try (LogReader reader = log.newReader()) {
            long offset = log.startOffset();
            while (offset < log.highestOffsetVisible()) {
                final int bytes = reader.read(offset, 1 << 20, Long.MAX_VALUE);
                final DirectBuffer buffer = reader.buffer();
                int position = reader.bufferOffset();
                final int limit = position + bytes;
                while (position < limit) {
                    final int length = FrameDescriptor.frameLength(buffer, position);
                    seqs.add(Batches.groupSeq(buffer, position));
                    offset = FrameDescriptor.lastOffset(buffer, position) + 1;
                    position += FrameDescriptor.alignedLength(length);
                }
                reader.release();
            }
        }
        return seqs;
    }

    @Test
    void writingFirstToThePartitionWithTheLowerSeqAfterARestartNeverReusesASeqNorAcksBeforeTheForce() {
        try (Sequencer sequencer = launch(ReleaseHandler.NONE)) {
            final Partition a = open(sequencer, "a");
            final Partition b = open(sequencer, "b");
            for (int i = 0; i < 5; i++) {
                offer(sequencer, a, Acks.ALL, i);
            }
            offer(sequencer, b, Acks.ALL, 5);
            drain(sequencer);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), groupSeqs(a.log()));
            assertEquals(List.of(5L), groupSeqs(b.log()));
        }

        final ForcedCheck check = new ForcedCheck();
        final List<Long> all = new ArrayList<>();
        try (Sequencer sequencer = launch(check)) {
            final Partition a = open(sequencer, "a");
            final Partition b = open(sequencer, "b");
            sequencer.invoker().invoke();
            assertEquals(5, sequencer.journaledSeq(), "the journal stage (its only writer) reports what was recovered");
            for (int i = 0; i < 3; i++) {
                offer(sequencer, a, i % 2 == 0 ? Acks.LEADER : Acks.ALL, 10 + i);
            }
            offer(sequencer, b, Acks.ALL, 20);
            drain(sequencer);
            all.addAll(groupSeqs(a.log()));
            all.addAll(groupSeqs(b.log()));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 6L, 7L, 8L), groupSeqs(a.log()),
                "the first batch after the restart goes above b's seq 5, though it is written to a (last seq 4)");
            assertEquals(List.of(5L, 9L), groupSeqs(b.log()));
        }
        assertEquals(all.size(), new TreeSet<>(all).size(), "every group seq is unique: " + all);
        assertEquals(List.of(6L, 7L, 8L, 9L), new ArrayList<>(new TreeSet<>(check.seqs)), "each acknowledged once");
        assertEquals(4, check.seqs.size());
        assertEquals(List.of(), check.early, "no acknowledgement before its fsync");
    }
}

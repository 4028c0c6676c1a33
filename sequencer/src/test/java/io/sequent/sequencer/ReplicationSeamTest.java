package io.sequent.sequencer;

import io.sequent.codec.Batches;
import io.sequent.log.FlushPolicy;
import io.sequent.log.LogConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication seam (what the leader ships, and when), the follower append mode that takes the shipped batches
 * through the same journal, and the settable leader epoch. Stepped deterministically in INVOKER mode.
 */
class ReplicationSeamTest {
    @TempDir
    Path dir;

    private final List<Sequencer> sequencers = new ArrayList<>();

    @AfterEach
    void close() {
        for (final Sequencer sequencer : sequencers) {
            sequencer.close();
        }
    }

    /** A batch as the sink received it, with what the journal had done to it at that moment. */
    record Shipped(
        int topicId, int partitionId, int epoch, long seq, long baseOffset, byte[] bytes, boolean appended,
        boolean forced) {
    }

    /** Copies every shipped batch and notes the end-of-batch signals. */
    static final class RecordingSink implements ReplicationSink {
        final List<Shipped> shipped = new ArrayList<>();
        final List<Long> batchEnds = new ArrayList<>();
        final List<Partition> partitions = new ArrayList<>();

        @Override
        public boolean offer(
            final DirectBuffer buffer, final int offset, final int length, final int topicId, final int partitionId,
            final int epoch, final long groupSeq) {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            final long baseOffset = Batches.baseOffset(buffer, offset);
            final long end = baseOffset + Batches.recordCount(buffer, offset);
            boolean appended = false;
            boolean forced = false;
            for (final Partition p : partitions) {
                if (p.topicId() == topicId && p.partitionId() == partitionId) {
                    appended = p.log().highestOffsetVisible() >= end;
                    forced = p.log().durableNextOffset() >= end;
                }
            }
            shipped.add(new Shipped(topicId, partitionId, epoch, groupSeq, baseOffset, bytes, appended, forced));
            return true;
        }

        @Override
        public void onBatchEnd(final long lastGroupSeq) {
            batchEnds.add(lastGroupSeq);
        }
    }

    /** Records the journal listener's calls. */
    static final class RecordingListener implements JournalListener {
        final List<Long> appended = new ArrayList<>();
        final List<Long> durable = new ArrayList<>();

        @Override
        public void onAppended(final long groupSeq) {
            appended.add(groupSeq);
        }

        @Override
        public void onDurable(final long groupSeq) {
            durable.add(groupSeq);
        }
    }

    private Sequencer launch(final String name, final SequencerContext context) {
        final Sequencer sequencer = Sequencer.launch(context.threadingMode(ThreadingMode.INVOKER)
            .groupJournalDir(dir.resolve(name).resolve("journal")).groupJournalEntriesPerFile(64));
        sequencers.add(sequencer);
        return sequencer;
    }

    static Partition open(
        final Sequencer sequencer, final Path root, final String topic, final int partition, final FlushPolicy policy) {
        return sequencer.openPartition(topic, partition, root.resolve(topic + "-" + partition),
            new LogConfig().segmentBytes(4096).flushPolicy(policy), false);
    }

    static void drain(final Sequencer sequencer) {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!sequencer.isIdle()) {
            sequencer.invoker().invoke();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pipeline did not drain");
            }
        }
    }

    static void offer(final Sequencer sequencer, final Partition partition, final String value, final long id) {
        final UnsafeBuffer batch = TestBatches.batch(value);
        assertTrue(sequencer.offer(partition, batch, 0, batch.capacity(), Acks.LEADER, 1, id) >= 0);
    }

    @Test
    void shipsEachAppendedBatchWithItsTopicPartitionEpochAndSeqBeforeTheForceAndNeverAVoidedOne() {
        final RecordingSink sink = new RecordingSink();
        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        final Sequencer leader = launch("leader", new SequencerContext().replicationSink(sink)
            .releaseHandler(released).leaderEpoch(2));
        final Partition a = open(leader, dir.resolve("leader"), "a", 0, FlushPolicy.BATCH);
        final Partition b = open(leader, dir.resolve("leader"), "b", 1, FlushPolicy.BATCH);
        sink.partitions.add(a);
        sink.partitions.add(b);
        offer(leader, a, "a0", 1);
        offer(leader, b, "b0", 2);
        // larger than a 4 KiB segment: the append fails, and the next batch of a, stamped already, is voided
        offer(leader, a, "z".repeat(6000), 3);
        offer(leader, a, "voided", 4);
        offer(leader, b, "b1", 5);
        drain(leader);

        assertEquals(SequencerResult.STORAGE_ERROR, released.byCorrelation(3).result());
        assertEquals(SequencerResult.STORAGE_ERROR, released.byCorrelation(4).result());
        final List<Long> seqs = new ArrayList<>();
        for (final Shipped s : sink.shipped) {
            seqs.add(s.seq());
            assertEquals(2, s.epoch());
            assertTrue(s.appended(), "shipped only once appended: " + s);
            assertTrue(!s.forced(), "shipped before the leader's force (INVOKER runs the force after): " + s);
        }
        assertEquals(List.of(0L, 1L, 4L), seqs, "seqs 2 and 3 were voided and are never shipped");
        assertEquals(Partition.provisionalTopicId("a"), sink.shipped.get(0).topicId());
        assertEquals(0, sink.shipped.get(0).partitionId());
        assertEquals(Partition.provisionalTopicId("b"), sink.shipped.get(2).topicId());
        assertEquals(1, sink.shipped.get(2).partitionId());
        assertEquals(1, sink.shipped.get(2).baseOffset());
        assertEquals(4L, sink.batchEnds.get(sink.batchEnds.size() - 1), "end of batch names the last seq shipped");
        assertEquals(4, leader.lastSeq());
        assertEquals(2, leader.lastEpoch());
    }

    @Test
    void batchesGivenUpByTheCommitPositionAreAnsweredNotCommittedWithoutMovingTheHighWatermark() {
        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        final long[] commit = {-1};
        final long[] abandoned = {-1};
        final CommitPosition position = new CommitPosition() {
            public long commitSeq() {
                return commit[0];
            }

            public long abandonedThrough() {
                return abandoned[0];
            }
        };
        final Sequencer leader = launch("leader", new SequencerContext().releaseHandler(released)
            .commitPosition(position));
        final Partition a = open(leader, dir.resolve("leader"), "a", 0, FlushPolicy.BATCH);
        for (int i = 0; i < 3; i++) {
            final UnsafeBuffer batch = TestBatches.batch("v" + i);
            assertTrue(leader.offer(a, batch, 0, batch.capacity(), Acks.ALL, 1, i) >= 0);
        }
        for (int i = 0; i < 50; i++) {
            leader.invoker().invoke();
        }
        commit[0] = 0;
        for (int i = 0; i < 50; i++) {
            leader.invoker().invoke();
        }
        assertEquals(SequencerResult.OK, released.byCorrelation(0).result());
        assertEquals(1, a.highWatermark());
        assertTrue(!leader.isIdle(), "batches 1 and 2 wait for a commit");
        abandoned[0] = leader.lastOfferedSequence();
        drain(leader);
        assertEquals(SequencerResult.NOT_COMMITTED, released.byCorrelation(1).result());
        assertEquals(SequencerResult.NOT_COMMITTED, released.byCorrelation(2).result());
        assertEquals(1, a.highWatermark(), "the high watermark stays at the last committed batch");
        commit[0] = 1;
        leader.invoker().invoke();
        assertEquals(2, a.highWatermark(), "a given-up batch the commit covers after all is exposed then");
        assertEquals(0, leader.truncateTo(1), "the idle pipeline can truncate the given-up tail");
        assertEquals(1, leader.lastSeq());
        commit[0] = 5;
        leader.invoker().invoke();
        assertEquals(2, a.highWatermark(), "a truncated batch never is");
    }

    @Test
    void aFollowerAppendsTheLeadersStampedBatchesThroughItsJournalAndHoldsTheSameLog() {
        final RecordingSink sink = new RecordingSink();
        final Sequencer leader = launch("leader", new SequencerContext().replicationSink(sink).leaderEpoch(1));
        final Path leaderRoot = dir.resolve("leader");
        final Partition la = open(leader, leaderRoot, "a", 0, FlushPolicy.BATCH);
        final Partition lb = open(leader, leaderRoot, "b", 0, FlushPolicy.BATCH);
        final UnsafeBuffer idempotent = TestBatches.batch(42, (short) 0, 0, "p0", "p1");
        leader.offer(la, idempotent, 0, idempotent.capacity(), Acks.ALL, 1, 1);
        offer(leader, lb, "b0", 2);
        offer(leader, la, "a2", 3);
        drain(leader);
        assertEquals(3, sink.shipped.size());

        final RecordingListener listener = new RecordingListener();
        final RecordingSink followerSink = new RecordingSink();
        final Sequencer follower = launch("follower", new SequencerContext().journalListener(listener)
            .replicationSink(followerSink));
        final Path followerRoot = dir.resolve("follower");
        final Partition fa = open(follower, followerRoot, "a", 0, FlushPolicy.BATCH);
        final Partition fb = open(follower, followerRoot, "b", 0, FlushPolicy.BATCH);
        for (final Shipped s : sink.shipped) {
            final Partition target = s.topicId() == fa.topicId() ? fa : fb;
            final UnsafeBuffer frame = new UnsafeBuffer(s.bytes());
            assertTrue(follower.offerStamped(target, frame, 0, frame.capacity()) >= 0);
        }
        drain(follower);

        assertEquals(TestBatches.readAll(la.log()), TestBatches.readAll(fa.log()));
        assertEquals(TestBatches.readAll(lb.log()), TestBatches.readAll(fb.log()));
        assertEquals(List.of(0L, 2L), GroupSeqRestartTest.groupSeqs(fa.log()));
        assertEquals(List.of(1L), GroupSeqRestartTest.groupSeqs(fb.log()));
        assertEquals(List.of(0L, 1L, 2L), listener.appended);
        assertEquals(2L, listener.durable.get(listener.durable.size() - 1));
        assertEquals(2, follower.journaledSeq());
        assertEquals(2, follower.lastSeq());
        assertEquals(1, follower.lastEpoch());
        assertEquals(List.of(), followerSink.shipped, "a follower's appends are not shipped on");

        // the follower keeps the leader's producer window: a retry is a duplicate once it becomes leader
        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        follower.close();
        sequencers.remove(follower);
        final Sequencer promoted = launch("follower", new SequencerContext().releaseHandler(released));
        final Partition pa = open(promoted, followerRoot, "a", 0, FlushPolicy.BATCH);
        promoted.leaderEpoch(2);
        promoted.offer(pa, idempotent, 0, idempotent.capacity(), Acks.ALL, 1, 9);
        offer(promoted, pa, "new", 10);
        drain(promoted);
        assertEquals(SequencerResult.DUPLICATE, released.byCorrelation(9).result());
        assertEquals(0, released.byCorrelation(9).baseOffset());
        assertEquals(3, released.byCorrelation(10).baseOffset());
        assertEquals(3, released.byCorrelation(10).groupSeq(), "the group sequence goes on from the leader's");
        assertEquals(2, promoted.lastEpoch());
    }

    /**
     * A failover without a restart: a follower holds an idempotent batch only in its uncommitted tail when it becomes
     * leader; the producer's resend (same id, epoch and sequence) is a duplicate answered with the original offset
     * once that batch commits, and is not written again. After a truncation that cut the batch, the resend is written.
     */
    @Test
    void aNewLeaderKnowsTheProducerBatchesOfItsUncommittedTailAndForgetsThoseATruncationCuts() {
        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        final long[] commit = {-1};
        final CommitPosition position = new CommitPosition() {
            public long commitSeq() {
                return commit[0];
            }

            public long abandonedThrough() {
                return -1;
            }
        };
        final Sequencer member = launch("member", new SequencerContext().releaseHandler(released)
            .commitPosition(position));
        final Partition a = open(member, dir.resolve("member"), "a", 0, FlushPolicy.BATCH);
        final UnsafeBuffer first = TestBatches.batch(42, (short) 0, 0, "p0", "p1");
        final UnsafeBuffer second = TestBatches.batch(42, (short) 0, 2, "p2");
        final UnsafeBuffer stampedFirst = TestBatches.batch(42, (short) 0, 0, "p0", "p1");
        Batches.stamp(stampedFirst, 0, 0, 0, 1);
        final UnsafeBuffer stampedSecond = TestBatches.batch(42, (short) 0, 2, "p2");
        Batches.stamp(stampedSecond, 0, 2, 1, 1);
        assertTrue(offerStamped(member, a, stampedFirst) >= 0);
        assertTrue(offerStamped(member, a, stampedSecond) >= 0);
        for (int i = 0; i < 50; i++) {
            member.invoker().invoke();
        }
        assertEquals(3, a.log().nextOffset(), "both in the follower's log, neither committed");

        member.leaderEpoch(2);
        assertTrue(member.offer(a, second, 0, second.capacity(), Acks.ALL, 1, 1) >= 0);
        for (int i = 0; i < 50; i++) {
            member.invoker().invoke();
        }
        assertEquals(null, released.byCorrelation(1), "the answer waits for the original's commit");
        commit[0] = 1;
        drain(member);
        assertEquals(SequencerResult.DUPLICATE, released.byCorrelation(1).result());
        assertEquals(2, released.byCorrelation(1).baseOffset(), "the original offset");
        assertEquals(3, a.log().nextOffset(), "not written again");

        assertEquals(0, member.truncateTo(0), "a later leader kept only the first batch");
        assertTrue(member.offer(a, second, 0, second.capacity(), Acks.ALL, 1, 2) >= 0);
        commit[0] = 5;
        drain(member);
        assertEquals(SequencerResult.OK, released.byCorrelation(2).result(), "the cut copy is forgotten");
        assertEquals(2, released.byCorrelation(2).baseOffset());
        assertEquals(List.of("0:p0", "1:p1", "2:p2"), TestBatches.readAll(a.log()));
    }

    @Test
    void aStampedBatchThatDoesNotFollowTheLogOrTheGroupSequenceIsRefused() {
        final RecordingSink sink = new RecordingSink();
        final Sequencer leader = launch("leader", new SequencerContext().replicationSink(sink).leaderEpoch(3));
        final Partition la = open(leader, dir.resolve("leader"), "a", 0, FlushPolicy.NONE);
        for (int i = 0; i < 3; i++) {
            offer(leader, la, "v" + i, i);
        }
        drain(leader);

        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        final Sequencer follower = launch("follower", new SequencerContext().releaseHandler(released));
        final Partition fa = open(follower, dir.resolve("follower"), "a", 0, FlushPolicy.NONE);
        final UnsafeBuffer first = new UnsafeBuffer(sink.shipped.get(0).bytes());
        final UnsafeBuffer second = new UnsafeBuffer(sink.shipped.get(1).bytes());
        final UnsafeBuffer third = new UnsafeBuffer(sink.shipped.get(2).bytes());
        follower.offerStamped(fa, second, 0, second.capacity());
        follower.offerStamped(fa, first, 0, first.capacity());
        follower.offerStamped(fa, first, 0, first.capacity());
        follower.offerStamped(fa, second, 0, second.capacity());
        final UnsafeBuffer corrupt = new UnsafeBuffer(third.byteArray().clone());
        corrupt.putByte(corrupt.capacity() - 1, (byte) (corrupt.getByte(corrupt.capacity() - 1) ^ 1));
        follower.offerStamped(fa, corrupt, 0, corrupt.capacity());
        follower.offerStamped(fa, third, 0, third.capacity());
        drain(follower);
        assertEquals(List.of("0:v0", "1:v1", "2:v2"), TestBatches.readAll(fa.log()));
        assertEquals(2, follower.lastSeq());
        assertEquals(3, follower.lastEpoch());
        assertEquals(3, follower.counters().rejected.get(), "offset gap, seq repeated, corrupt");
        assertEquals(List.of(), released.snapshot(), "stamped batches answer no client");
    }

    @Test
    void theLeaderEpochIsSettableAtRunTimeAndNeverGoesBack() {
        final RecordingSink sink = new RecordingSink();
        final Sequencer leader = launch("leader", new SequencerContext().replicationSink(sink));
        final Partition a = open(leader, dir.resolve("leader"), "a", 0, FlushPolicy.BATCH);
        offer(leader, a, "e0", 1);
        drain(leader);
        leader.leaderEpoch(5);
        offer(leader, a, "e5", 2);
        drain(leader);
        assertThrows(IllegalArgumentException.class, () -> leader.leaderEpoch(4));
        assertEquals(5, leader.leaderEpoch());
        assertEquals(0, sink.shipped.get(0).epoch());
        assertEquals(5, sink.shipped.get(1).epoch());
        assertEquals(5, Batches.leaderEpoch(new UnsafeBuffer(sink.shipped.get(1).bytes()), 0));
        assertEquals(5, leader.lastEpoch());
    }

    @Test
    void twoTopicsWithTheSameIdCannotBothBeOpen() {
        final Sequencer sequencer = launch("s", new SequencerContext());
        sequencer.openPartition("x", 7, 0, dir.resolve("x-0"), new LogConfig().segmentBytes(4096), false);
        final SequencerException ex = assertThrows(SequencerException.class, () ->
            sequencer.openPartition("y", 7, 0, dir.resolve("y-0"), new LogConfig().segmentBytes(4096), false));
        assertTrue(ex.getMessage().contains("already open"), ex.getMessage());
        assertEquals(Partition.provisionalTopicId("x"), Partition.provisionalTopicId("x"));
        assertArrayEquals(new int[]{1}, new int[]{sequencer.partitions().size()});
    }

    /** A batch as the leader stamped it: base offset, seq and epoch 1. */
    private static UnsafeBuffer stamped(final String value, final long baseOffset, final long groupSeq) {
        final UnsafeBuffer batch = TestBatches.batch(value);
        Batches.stamp(batch, 0, baseOffset, groupSeq, 1);
        return batch;
    }

    private static long offerStamped(final Sequencer sequencer, final Partition partition, final UnsafeBuffer batch) {
        return sequencer.offerStamped(partition, batch, 0, batch.capacity());
    }

    @Test
    void aFollowersFailedAppendLeavesNoHoleAndItsSeqIsTakenAgainOnceStorageAllows() {
        final RecordingListener listener = new RecordingListener();
        final Sequencer follower = launch("follower", new SequencerContext().journalListener(listener));
        final Path root = dir.resolve("follower");
        // a-0's segments are too small for the big batch: its append fails as on a full disk
        final Partition a = follower.openPartition("a", 0, root.resolve("a-0"),
            new LogConfig().segmentBytes(4096).flushPolicy(FlushPolicy.BATCH), false);
        final Partition b = open(follower, root, "b", 0, FlushPolicy.BATCH);
        follower.reconcileJournal(true);
        assertTrue(offerStamped(follower, a, stamped("a0", 0, 0)) >= 0);
        assertTrue(offerStamped(follower, a, stamped("z".repeat(6000), 1, 1)) >= 0);
        assertTrue(offerStamped(follower, b, stamped("b0", 0, 2)) >= 0);
        assertTrue(offerStamped(follower, b, stamped("b1", 1, 3)) >= 0);
        drain(follower);
        assertEquals(0, follower.lastSeq(), "nothing after the failed seq 1 is in the log");
        assertEquals(List.of(), TestBatches.readAll(b.log()));
        assertEquals(0L, listener.durable.get(listener.durable.size() - 1), "nor acknowledged");

        // the live stream goes on past the failure: refused, the follower must take seq 1 first
        assertTrue(offerStamped(follower, b, stamped("b2", 2, 4)) >= 0);
        assertTrue(offerStamped(follower, b, stamped("b0", 0, 2)) >= 0);
        drain(follower);
        assertEquals(0, follower.lastSeq());
        assertEquals(List.of(), TestBatches.readAll(b.log()));

        // storage allows again (here: a batch that fits) and the replay from seq 1 is taken in order
        assertTrue(offerStamped(follower, a, stamped("a1", 1, 1)) >= 0);
        assertTrue(offerStamped(follower, b, stamped("b0", 0, 2)) >= 0);
        assertTrue(offerStamped(follower, b, stamped("b1", 1, 3)) >= 0);
        assertTrue(offerStamped(follower, b, stamped("b2", 2, 4)) >= 0);
        drain(follower);
        assertEquals(4, follower.lastSeq());
        assertEquals(List.of("0:a0", "1:a1"), TestBatches.readAll(a.log()));
        assertEquals(List.of("0:b0", "1:b1", "2:b2"), TestBatches.readAll(b.log()));
        assertEquals(4L, listener.durable.get(listener.durable.size() - 1));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), listener.appended);
    }
}

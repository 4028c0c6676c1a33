package io.sequent.perf.jmh;

import io.sequent.codec.replication.StepDownReason;
import io.sequent.replica.MemberProxy;
import io.sequent.replica.QuorumStateStore;
import io.sequent.replica.ReplicaContext;
import io.sequent.replica.ReplicaLog;
import io.sequent.replica.ReplicaNode;
import io.sequent.replica.Role;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The replication protocol's cost on the leader ({@link ReplicaNode}), for groups of 3 and 5 members, without
 * transport or disk: the proxies only count calls and the log keeps only epochs.
 *
 * <ul>
 *   <li>{@code leaderBatch}: one batch end to end on the leader: {@code offer} (stamp, append, hand the batch to
 *       every follower's proxy), the journal's {@code onAppended}/{@code onDurable}, then one acknowledgement per
 *       follower, the commit advancing over the batch.</li>
 *   <li>{@code commitAdvance}: one follower acknowledgement ({@code onAppendPosition}) and the commit rule it
 *       triggers (majority-th highest durable seq, current-epoch check); the followers take turns, so the commit
 *       moves every {@code majority - 1} acknowledgements.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReplicationProtocolBenchmark {
    /** Members of the replica group, leader included. */
    @Param({"3", "5"})
    public int memberCount;

    private final UnsafeBuffer batch = new UnsafeBuffer(new byte[256]);
    private EpochLog log;
    private ReplicaNode leader;
    private long[] acked;
    private int nextFollower;

    /** Builds a leader of epoch 1 by handing it the votes. */
    @Setup(Level.Trial)
    public void setUp() {
        log = new EpochLog();
        final MemberProxy[] proxies = new MemberProxy[memberCount];
        for (int i = 1; i < memberCount; i++) {
            proxies[i] = new CountingProxy();
        }
        leader = new ReplicaNode(new ReplicaContext().memberId(0).memberCount(memberCount)
            .random(new SplittableRandom(1)).log(log).quorumStateStore(new MemoryStore()).members(proxies));
        leader.doWork(0);
        leader.doWork(TimeUnit.SECONDS.toNanos(2));
        for (int i = 1; i < memberCount; i++) {
            leader.onVote(0, 1, 0, i, true, true);
        }
        for (int i = 1; i < memberCount; i++) {
            leader.onVote(1, 1, 0, i, false, true);
        }
        if (Role.LEADER != leader.role()) {
            throw new IllegalStateException("not leader");
        }
        acked = new long[memberCount];
    }

    /**
     * One batch through the leader, acknowledged by every follower.
     *
     * @return the commit seq.
     */
    @Benchmark
    public long leaderBatch() {
        final long seq = leader.offer(1, 0, batch, 0, batch.capacity());
        leader.onAppended(seq);
        leader.onDurable(seq);
        for (int i = 1; i < memberCount; i++) {
            leader.onAppendPosition(1, i, seq);
        }
        return leader.commitSeq();
    }

    /**
     * One follower acknowledgement and the commit advance it may cause.
     *
     * @return the commit seq.
     */
    @Benchmark
    public long commitAdvance() {
        if (acked[0] == 0) {
            log.lastSeq = Long.MAX_VALUE >> 1;
            leader.onDurable(log.lastSeq);
            acked[0] = 1;
        }
        final int follower = 1 + nextFollower;
        nextFollower = nextFollower + 1 == memberCount - 1 ? 0 : nextFollower + 1;
        leader.onAppendPosition(1, follower, ++acked[follower]);
        return leader.commitSeq();
    }

    /** Keeps the epoch of each seq in a ring; forgets the bytes. */
    private static final class EpochLog implements ReplicaLog {
        private final int[] epochs = new int[1 << 16];
        long lastSeq;

        public long lastSeq() {
            return lastSeq;
        }

        public int epochOf(final long seq) {
            return seq == 0 ? 0 : epochs[(int) (seq & 0xFFFF)];
        }

        public boolean append(
            final int epoch, final long seq, final int topicId, final int partition, final DirectBuffer buffer,
            final int offset, final int length) {
            epochs[(int) (seq & 0xFFFF)] = epoch;
            lastSeq = seq;
            return true;
        }

        public void truncateTo(final long seq) {
            lastSeq = seq;
        }

        public boolean read(final long seq, final BatchHandler handler) {
            return false;
        }
    }

    /** (epoch, votedFor) in memory. */
    private static final class MemoryStore implements QuorumStateStore {
        private int epoch;
        private int votedFor = -1;

        public int epoch() {
            return epoch;
        }

        public int votedFor() {
            return votedFor;
        }

        public void store(final int epoch, final int votedFor) {
            this.epoch = epoch;
            this.votedFor = votedFor;
        }
    }

    /** Counts the messages it is asked to send. */
    private static final class CountingProxy implements MemberProxy {
        long messages;

        public boolean requestVote(final int e, final int c, final int le, final long ls, final boolean p) {
            return ++messages > 0;
        }

        public boolean vote(final int e, final int ce, final int c, final int v, final boolean p, final boolean g) {
            return ++messages > 0;
        }

        public boolean replicatedBatch(
            final int e, final int l, final long c, final int be, final long s, final int t, final int p,
            final DirectBuffer b, final int o, final int len) {
            return ++messages > 0;
        }

        public boolean heartbeat(final int e, final int l, final long c, final long s) {
            return ++messages > 0;
        }

        public boolean appendPosition(final int e, final int m, final long s) {
            return ++messages > 0;
        }

        public boolean followerJoin(final int e, final int m, final int le, final long ls) {
            return ++messages > 0;
        }

        public boolean followerJoinResponse(
            final int e, final int l, final int m, final long t, final int te, final long ll, final long c) {
            return ++messages > 0;
        }

        public boolean replayRequest(final int e, final int m, final long f, final long t) {
            return ++messages > 0;
        }

        public boolean newLeader(final int e, final int l, final long s, final long c) {
            return ++messages > 0;
        }

        public boolean stepDown(final int e, final int l, final StepDownReason r) {
            return ++messages > 0;
        }

        public boolean transferLeadership(final int e, final int l, final int t) {
            return ++messages > 0;
        }
    }
}

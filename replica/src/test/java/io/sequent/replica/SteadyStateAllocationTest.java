package io.sequent.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sequent.codec.replication.StepDownReason;

/**
 * The leader's steady state allocates nothing: offering batches, follower acknowledgements, heartbeats and the
 * commit advance, measured with {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes} around a warmed
 * loop. The followers' side (append, ack) runs through the same node against an allocation-free log.
 */
class SteadyStateAllocationTest {
    private static final long MS = 1_000_000L;

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void leaderAndFollowerSteadyStateAllocateNothing(final int members) {
        final RingLog leaderLog = new RingLog();
        final RingLog followerLog = new RingLog();
        final NullProxy proxy = new NullProxy();
        final MemberProxy[] proxies = new MemberProxy[members];
        for (int i = 1; i < members; i++) {
            proxies[i] = proxy;
        }
        final ReplicaNode leader = node(0, members, leaderLog, proxies);
        long now = 0;
        leader.doWork(now);
        now += 10 * ScriptedGroup.ELECTION_TIMEOUT_NS;
        leader.doWork(now);
        for (int i = 1; i < members; i++) {
            leader.onVote(0, 1, 0, i, true, true);
        }
        for (int i = 1; i < members; i++) {
            leader.onVote(1, 1, 0, i, false, true);
        }
        assertEquals(Role.LEADER, leader.role());

        final MemberProxy[] followerProxies = new MemberProxy[members];
        for (int i = 0; i < members; i++) {
            followerProxies[i] = i == 1 ? null : proxy;
        }
        final ReplicaNode follower = node(1, members, followerLog, followerProxies);
        follower.doWork(now);
        follower.onHeartbeat(1, 0, 0, 1);
        follower.onFollowerJoinResponse(1, 0, 1, 0, 0, 0, 0);

        final UnsafeBuffer batch = new UnsafeBuffer(new byte[64]);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        long allocated = 0;
        for (int round = 0; round < 3; round++) {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 200_000; i++) {
                now += 10_000L;
                final long seq = leader.offer(1, i & 3, batch, 0, 64);
                leader.onAppended(seq);
                leader.onDurable(seq);
                for (int m = 1; m < members; m++) {
                    leader.onAppendPosition(1, m, seq);
                }
                leader.doWork(now);
                follower.onReplicatedBatch(1, 0, seq - 1, 1, followerLog.lastSeq() + 1, 1, i & 3, batch, 0, 64);
                follower.onAppended(followerLog.lastSeq());
                follower.onDurable(followerLog.lastSeq());
                if ((i & 1023) == 0) {
                    follower.onHeartbeat(1, 0, seq, seq);
                    follower.doWork(now);
                }
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
        }
        assertEquals(Role.LEADER, leader.role());
        assertEquals(leaderLog.lastSeq(), leader.commitSeq(), "commit advanced every batch");
        assertEquals(0, allocated, "bytes allocated by 200,000 steady-state rounds");
    }

    private static ReplicaNode node(final int id, final int members, final ReplicaLog log, final MemberProxy[] p) {
        return new ReplicaNode(new ReplicaContext().memberId(id).memberCount(members)
            .electionTimeoutNs(ScriptedGroup.ELECTION_TIMEOUT_NS).heartbeatIntervalNs(ScriptedGroup.HEARTBEAT_NS)
            .random(new SplittableRandom(id)).log(log).quorumStateStore(new SimMember.Store()).members(p));
    }

    /** A log that keeps only the epochs (in a ring) and forgets the bytes: allocation-free. */
    private static final class RingLog implements ReplicaLog {
        private final int[] epochs = new int[1 << 16];
        private long lastSeq;

        public long lastSeq() {
            return lastSeq;
        }

        public int epochOf(final long seq) {
            return seq == 0 ? 0 : epochs[(int) (seq & 0xFFFF)];
        }

        public boolean append(final int epoch, final long seq, final int topicId, final int partition,
            final DirectBuffer buffer, final int offset, final int length) {
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

    /** Counts what it is asked to send. */
    private static final class NullProxy implements MemberProxy {
        long messages;

        public boolean requestVote(final int e, final int c, final int le, final long ls, final boolean p) {
            messages++;
            return true;
        }

        public boolean vote(final int e, final int ce, final int c, final int v, final boolean p, final boolean g) {
            messages++;
            return true;
        }

        public boolean replicatedBatch(final int e, final int l, final long c, final int be, final long s,
            final int t, final int p, final DirectBuffer b, final int o, final int len) {
            messages++;
            return true;
        }

        public boolean heartbeat(final int e, final int l, final long c, final long s) {
            messages++;
            return true;
        }

        public boolean appendPosition(final int e, final int m, final long s) {
            messages++;
            return true;
        }

        public boolean followerJoin(final int e, final int m, final int le, final long ls) {
            messages++;
            return true;
        }

        public boolean followerJoinResponse(final int e, final int l, final int m, final long t, final int te,
            final long ll, final long c) {
            messages++;
            return true;
        }

        public boolean replayRequest(final int e, final int m, final long f, final long t) {
            messages++;
            return true;
        }

        public boolean newLeader(final int e, final int l, final long s, final long c) {
            messages++;
            return true;
        }

        public boolean stepDown(final int e, final int l, final StepDownReason r) {
            messages++;
            return true;
        }

        public boolean transferLeadership(final int e, final int l, final int t) {
            messages++;
            return true;
        }
    }
}

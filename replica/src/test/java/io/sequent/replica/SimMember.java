package io.sequent.replica;

import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One member of the simulated group: its {@link ReplicaNode} (replaced on every restart), its {@link SimLog} and
 * quorum state (which survive restarts as a disk would), an SBE {@link ReplicationAdapter} for incoming frames and
 * one {@link ReplicationPublisher} per destination whose frames go into the simulated network. Its disk flushes
 * after a latency that the simulation can make slow.
 */
final class SimMember {
    /** The quorum state file: what is stored is durable at once (the store's contract). */
    static final class Store implements QuorumStateStore {
        int epoch;
        int votedFor = -1;
        long writes;

        public int epoch() {
            return epoch;
        }

        public int votedFor() {
            return votedFor;
        }

        public void store(final int epoch, final int votedFor) {
            this.epoch = epoch;
            this.votedFor = votedFor;
            writes++;
        }
    }

    final int id;
    final SimLog log;
    final Store store = new Store();
    private final Simulation sim;
    private final FaultInjection faults;
    private final MemberProxy[] proxies;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[0]);
    ReplicaNode node;
    ReplicationAdapter adapter;
    boolean up;
    int incarnation;
    long pausedUntilNs;
    long diskLatencyMinNs;
    long diskLatencyMaxNs;
    long slowDiskUntilNs;
    private long reportedAppended;
    private long flushTargetSeq = -1;
    private int flushGeneration;
    private int seenGeneration;

    SimMember(final Simulation sim, final int id, final FaultInjection faults, final SimLog.Listener listener) {
        this.sim = sim;
        this.id = id;
        this.faults = faults;
        this.log = new SimLog(id, listener);
        proxies = new MemberProxy[sim.memberCount];
        for (int to = 0; to < sim.memberCount; to++) {
            if (to != id) {
                final int destination = to;
                proxies[to] = new ReplicationPublisher(
                    (buffer, offset, length) -> sim.send(this.id, destination, buffer, offset, length), 256);
            }
        }
    }

    void start(final long nowNs, final SplittableRandom random) {
        node = new ReplicaNode(new ReplicaContext()
            .memberId(id)
            .memberCount(sim.memberCount)
            .electionTimeoutNs(sim.electionTimeoutNs)
            .heartbeatIntervalNs(sim.heartbeatIntervalNs)
            .replayBatchLimit(16)
            .random(random)
            .log(log)
            .quorumStateStore(store)
            .members(proxies), faults);
        adapter = new ReplicationAdapter(node);
        up = true;
        incarnation++;
        reportedAppended = log.lastSeq();
        flushTargetSeq = -1;
        seenGeneration = log.generation();
        pausedUntilNs = 0;
        node.doWork(nowNs);
        afterInput(nowNs);
    }

    /** Power loss: the node is gone, the log keeps what was durable (and maybe some of the rest). */
    long crash(final SplittableRandom random, final boolean torn) {
        up = false;
        node = null;
        adapter = null;
        return log.crash(random, torn);
    }

    boolean isRunning(final long nowNs) {
        return up && nowNs >= pausedUntilNs;
    }

    void deliver(final long nowNs, final byte[] bytes) {
        node.doWork(nowNs);
        frame.wrap(bytes);
        final int result = adapter.onFrame(frame, 0, bytes.length);
        if (result != 0) {
            throw new IllegalStateException("member " + id + " dropped a frame: " + result);
        }
        afterInput(nowNs);
    }

    void tick(final long nowNs) {
        node.doWork(nowNs);
        afterInput(nowNs);
    }

    /** A flush the disk finished. */
    void flushed(final long nowNs, final long seq, final int generation) {
        if (generation != flushGeneration) {
            return;
        }
        flushTargetSeq = -1;
        final long durable = log.flush(seq, generation);
        node.doWork(nowNs);
        node.onDurable(durable);
        afterInput(nowNs);
    }

    /** The journal's progress after any input: appended at once, a flush scheduled if none is running. */
    void afterInput(final long nowNs) {
        if (!up) {
            return;
        }
        if (log.generation() != seenGeneration) {
            seenGeneration = log.generation();
            reportedAppended = Math.min(reportedAppended, log.lastSeq());
            flushTargetSeq = -1;
        }
        if (log.lastSeq() > reportedAppended) {
            reportedAppended = log.lastSeq();
            node.onAppended(reportedAppended);
        }
        if (flushTargetSeq < 0 && log.lastSeq() > log.durableSeq()) {
            flushTargetSeq = log.lastSeq();
            flushGeneration = log.generation();
            final boolean slow = nowNs < slowDiskUntilNs;
            final long latency = sim.between(slow ? diskLatencyMaxNs : diskLatencyMinNs,
                slow ? diskLatencyMaxNs * 10 : diskLatencyMaxNs);
            sim.scheduleFlush(this, nowNs + latency, flushTargetSeq, flushGeneration);
        }
    }
}

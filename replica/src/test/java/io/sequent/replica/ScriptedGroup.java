package io.sequent.replica;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A replica group for rule tests, stepped by hand: a scripted clock ({@link #advance}), an in-order network that
 * delivers only when {@link #pump()} is called (links can be cut), and disks that flush at once after every input
 * unless {@link #autoFlush} is off. Every frame sent is recorded as {@code "from->to Type"}.
 */
final class ScriptedGroup {
    private static final String[] NAMES = {
        "?", "RequestVote", "Vote", "ReplicatedBatch", "Heartbeat", "AppendPosition", "FollowerJoin",
        "FollowerJoinResponse", "ReplayRequest", "EpochStart", "NewLeader", "StepDown", "TransferLeadership"};
    static final long ELECTION_TIMEOUT_NS = 100_000_000L;
    static final long HEARTBEAT_NS = 10_000_000L;

    final int size;
    final SimLog[] logs;
    final SimMember.Store[] stores;
    final ReplicaNode[] nodes;
    final boolean[][] blocked;
    final List<String> sent = new ArrayList<>();
    final List<Long> truncations = new ArrayList<>();
    boolean autoFlush = true;
    /** Members built from now on append and ship their writes as the broker does ({@link #write}). */
    boolean externalAppends;
    long nowNs;
    private final ReplicationAdapter[] adapters;
    private final MemberProxy[][] proxies;
    private final ArrayDeque<Object[]> network = new ArrayDeque<>();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);

    ScriptedGroup(final int size) {
        this.size = size;
        logs = new SimLog[size];
        stores = new SimMember.Store[size];
        nodes = new ReplicaNode[size];
        adapters = new ReplicationAdapter[size];
        proxies = new MemberProxy[size][size];
        blocked = new boolean[size][size];
        final SimLog.Listener listener = new SimLog.Listener() {
            public void onAppend(final SimLog log, final long seq) {
            }

            public void onTruncate(final SimLog log, final long keepSeq) {
                truncations.add(keepSeq);
            }
        };
        for (int i = 0; i < size; i++) {
            logs[i] = new SimLog(i, listener);
            stores[i] = new SimMember.Store();
            for (int to = 0; to < size; to++) {
                if (to != i) {
                    final int from = i;
                    final int destination = to;
                    proxies[i][to] = new ReplicationPublisher((buffer, offset, length) -> {
                        final byte[] bytes = new byte[length];
                        buffer.getBytes(offset, bytes);
                        final int template = (bytes[2] & 0xFF) | (bytes[3] & 0xFF) << 8;
                        String line = from + "->" + destination + " " + NAMES[template];
                        if (2 == template) {
                            line += (bytes[24] == 1 ? " pre" : "") + (bytes[25] == 1 ? " granted" : " refused") +
                                " stored " + stores[from].epoch + "/" + stores[from].votedFor;
                        } else if (1 == template) {
                            line += (bytes[8 + 20] == 1 ? " pre" : "") + " stored " + stores[from].epoch + "/" +
                                stores[from].votedFor;
                        }
                        sent.add(line);
                        network.add(new Object[] {from, destination, bytes});
                        return true;
                    }, 256);
                }
            }
        }
    }

    /** Starts (or restarts) every member with its log and quorum state as they are. */
    ScriptedGroup start() {
        for (int i = 0; i < size; i++) {
            start(i, new FaultInjection());
        }
        return this;
    }

    void start(final int i, final FaultInjection faults) {
        start(i, faults, new SplittableRandom(i));
    }

    /** Starts member {@code i} with its own source of election timeouts ({@link #fixedTimeout}). */
    void start(final int i, final FaultInjection faults, final RandomGenerator random) {
        nodes[i] = new ReplicaNode(new ReplicaContext()
            .memberId(i)
            .memberCount(size)
            .electionTimeoutNs(ELECTION_TIMEOUT_NS)
            .heartbeatIntervalNs(HEARTBEAT_NS)
            .random(random)
            .log(logs[i])
            .quorumStateStore(stores[i])
            .members(proxies[i])
            .externalAppends(externalAppends), faults);
        adapters[i] = new ReplicationAdapter(nodes[i]);
        nodes[i].doWork(nowNs);
    }

    /**
     * A random source whose every election timeout is {@code ELECTION_TIMEOUT_NS + extraNs}: the test decides which
     * member times out first.
     */
    static RandomGenerator fixedTimeout(final long extraNs) {
        return new RandomGenerator() {
            public long nextLong() {
                return extraNs;
            }

            public long nextLong(final long bound) {
                return Math.min(extraNs, bound - 1);
            }
        };
    }

    /** Appends a data batch with write id {@code id} to member {@code i}'s log, as if replicated earlier. */
    void seed(final int i, final int epoch, final long id) {
        payload.putLong(0, id);
        logs[i].append(epoch, logs[i].lastSeq() + 1, 1, 0, payload, 0, 8);
        logs[i].flush(logs[i].lastSeq(), logs[i].generation());
    }

    /** Moves the clock and runs every member's duty cycle once. */
    void advance(final long ns) {
        nowNs += ns;
        for (int i = 0; i < size; i++) {
            if (null != nodes[i]) {
                nodes[i].doWork(nowNs);
                flush(i);
            }
        }
    }

    /** Delivers every frame in flight (and every frame those produce) in order; cut links drop theirs. */
    int pump() {
        int delivered = 0;
        while (!network.isEmpty()) {
            final Object[] m = network.poll();
            final int from = (Integer) m[0];
            final int to = (Integer) m[1];
            if (blocked[from][to] || null == nodes[to]) {
                continue;
            }
            final byte[] bytes = (byte[]) m[2];
            frame.wrap(bytes);
            if (0 != adapters[to].onFrame(frame, 0, bytes.length)) {
                throw new IllegalStateException("bad frame");
            }
            flush(to);
            delivered++;
        }
        return delivered;
    }

    /** Advances in steps of {@code stepNs} for {@code ns}, pumping after each. */
    void runFor(final long ns, final long stepNs) {
        for (long t = 0; t < ns; t += stepNs) {
            advance(stepNs);
            pump();
        }
    }

    void flush(final int i) {
        if (null != nodes[i]) {
            nodes[i].onAppended(logs[i].lastSeq());
            if (autoFlush && logs[i].durableSeq() < logs[i].lastSeq()) {
                nodes[i].onDurable(logs[i].flush(logs[i].lastSeq(), logs[i].generation()));
            }
        }
    }

    /** Flushes member {@code i}'s log up to {@code seq} and reports it, whatever {@link #autoFlush} says. */
    void flushTo(final int i, final long seq) {
        nodes[i].onDurable(logs[i].flush(seq, logs[i].generation()));
    }

    void isolate(final int member) {
        for (int b = 0; b < size; b++) {
            if (b != member) {
                blocked[member][b] = true;
                blocked[b][member] = true;
            }
        }
    }

    void heal() {
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                blocked[a][b] = false;
            }
        }
    }

    int leader() {
        int leader = -1;
        for (int i = 0; i < size; i++) {
            if (null != nodes[i] && Role.LEADER == nodes[i].role() &&
                (leader < 0 || nodes[i].epoch() > nodes[leader].epoch())) {
                leader = i;
            }
        }
        return leader;
    }

    long write(final int leader, final long id) {
        payload.putLong(0, id);
        if (externalAppends) {
            // as the broker: the sequencer stamps and appends, the replication sink broadcasts the batch
            final ReplicaNode node = nodes[leader];
            if (!node.isWritable()) {
                return ReplicaNode.NOT_LEADER;
            }
            final long seq = logs[leader].lastSeq() + 1;
            logs[leader].append(node.epoch(), seq, 1, 0, payload, 0, 8);
            for (int to = 0; to < size; to++) {
                if (to != leader) {
                    proxies[leader][to].replicatedBatch(
                        node.epoch(), leader, node.commitSeq(), node.epoch(), seq, 1, 0, payload, 0, 8);
                }
            }
            flush(leader);
            return seq;
        }
        final long seq = nodes[leader].offer(1, 0, payload, 0, 8);
        flush(leader);
        return seq;
    }

    long count(final String message) {
        return sent.stream().filter(message::equals).count();
    }
}

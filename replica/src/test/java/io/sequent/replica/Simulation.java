package io.sequent.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A seeded, single-threaded, deterministic simulation of a replica group of {@link ReplicaNode}s in one JVM: a
 * simulated clock and event queue, a simulated network carrying the real SBE frames, simulated disks, a client
 * writing to whoever leads, and faults. Everything random comes from the seed, so a seed replays exactly.
 *
 * <p>Fault model: message loss, delay (and so reordering), duplication, symmetric partitions (a random split or
 * the leader isolated), one-way partitions, member crashes that lose every unflushed batch (a random prefix of the
 * unflushed tail survives; a torn last write is cut by recovery), restarts, slow disks and clock pauses (a member
 * that stops running for a while, as in a long GC pause, and then sees time jump). A run has a fault phase, then
 * a heal phase (network healed, every member restarted) in which the group must converge: one leader, every log
 * identical and committed. {@link SimChecker} checks the invariants after every step and the acknowledged-write
 * history at the end.
 */
final class Simulation {
    static final int PARTITIONS = 4;
    private static final int DELIVER = 0;
    private static final int TICK = 1;
    private static final int FLUSH = 2;
    private static final int CLIENT = 3;
    private static final int FAULT = 4;
    private static final int RESTART = 5;
    private static final int HEAL = 6;
    private static final int CONVERGED = 7;
    private static final int CRASH = 8;
    private static final String[] MESSAGES = {
        "?", "RequestVote", "Vote", "ReplicatedBatch", "Heartbeat", "AppendPosition", "FollowerJoin",
        "FollowerJoinResponse", "ReplayRequest", "EpochStart", "NewLeader", "StepDown", "TransferLeadership"};

    /** The outcome of one seed. */
    static final class Result {
        final long seed;
        final int memberCount;
        final String violation;
        final long elections;
        final long leaders;
        final long faults;
        final long writes;
        final long acked;
        final long ackedChecked;
        final long events;
        final String trace;

        Result(final Simulation sim) {
            seed = sim.seed;
            memberCount = sim.memberCount;
            violation = sim.checker.violation;
            elections = sim.elections();
            leaders = sim.leaders();
            faults = sim.faults;
            writes = sim.writes;
            acked = sim.acked.size();
            ackedChecked = sim.checker.ackedChecked;
            events = sim.events;
            trace = null == sim.trace ? null : sim.trace.toString();
        }
    }

    private static final class Event {
        final long timeNs;
        final long order;
        final int type;
        final int member;
        final int from;
        final int incarnation;
        final byte[] frame;
        final long value;
        final int generation;

        Event(final long timeNs, final long order, final int type, final int member, final int from,
            final int incarnation, final byte[] frame, final long value, final int generation) {
            this.timeNs = timeNs;
            this.order = order;
            this.type = type;
            this.member = member;
            this.from = from;
            this.incarnation = incarnation;
            this.frame = frame;
            this.value = value;
            this.generation = generation;
        }
    }

    final long seed;
    final int memberCount;
    final long electionTimeoutNs = 50_000_000L;
    final long heartbeatIntervalNs = 10_000_000L;
    final long maxDelayNs = 20_000_000L;
    final SimMember[] members;
    final boolean[][] blocked;
    final SimChecker checker;
    long nowNs;
    private final SplittableRandom random;
    private final FaultInjection faultInjection;
    private final StringBuilder trace;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
        (a, b) -> a.timeNs != b.timeNs ? Long.compare(a.timeNs, b.timeNs) : Long.compare(a.order, b.order));
    private final long tickNs = 5_000_000L;
    private final long faultPhaseNs;
    private final long convergeDeadlineNs;
    private final List<long[]> pending = new ArrayList<>();
    private final List<long[]> acked = new ArrayList<>();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
    private long order;
    private double loss;
    private double duplication;
    private double reordering;
    private final long[][] linkTailNs;
    private long delayMinNs = 50_000L;
    private long delayMaxNs = 1_000_000L;
    private boolean healed;
    private boolean armedNewLeaderFault;
    private int newestLeaderEpoch;
    private boolean converged;
    private long faults;
    private long writes;
    private long events;
    private long retiredElections;
    private long retiredLeaders;

    Simulation(final long seed, final int memberCount, final FaultInjection faultInjection, final boolean traced) {
        this.seed = seed;
        this.memberCount = memberCount;
        this.faultInjection = faultInjection;
        this.random = new SplittableRandom(seed);
        this.trace = traced ? new StringBuilder() : null;
        this.faultPhaseNs = 2_000_000_000L + random.nextLong(2_000_000_000L);
        this.convergeDeadlineNs = faultPhaseNs + 4_000_000_000L;
        blocked = new boolean[memberCount][memberCount];
        linkTailNs = new long[memberCount][memberCount];
        checker = new SimChecker(this);
        members = new SimMember[memberCount];
        for (int i = 0; i < memberCount; i++) {
            members[i] = new SimMember(this, i, faultInjection, checker);
            members[i].diskLatencyMinNs = 100_000L;
            members[i].diskLatencyMaxNs = 2_000_000L;
        }
    }

    /** Runs the seed to the end, or to the first violation. */
    Result run() {
        for (final SimMember m : members) {
            m.start(nowNs, nodeRandom(m));
            schedule(m.id * 1_000_000L, TICK, m.id, -1, m.incarnation, null, 0, 0);
        }
        schedule(between(1_000_000L, 10_000_000L), CLIENT, -1, -1, 0, null, 0, 0);
        schedule(between(100_000_000L, 300_000_000L), FAULT, -1, -1, 0, null, 0, 0);
        schedule(faultPhaseNs, HEAL, -1, -1, 0, null, 0, 0);
        schedule(faultPhaseNs + 50_000_000L, CONVERGED, -1, -1, 0, null, 0, 0);
        traceLine("seed " + seed + ", " + memberCount + " members, bugs " + faultInjection.describe() +
            ", fault phase " + ms(faultPhaseNs));

        while (null == checker.violation && !converged) {
            final Event e = queue.poll();
            if (null == e) {
                checker.fail("event queue ran dry");
                break;
            }
            nowNs = e.timeNs;
            events++;
            try {
                handle(e);
            } catch (final RuntimeException ex) {
                checker.fail("exception: " + ex);
                break;
            }
            if (null == checker.violation) {
                checker.step();
                settleWrites();
                watchNewLeader();
            }
            if (events > 5_000_000L) {
                checker.fail("runaway: more than 5,000,000 events");
            }
        }
        if (null == checker.violation) {
            checker.checkHistory(acked);
        }
        if (null != checker.violation) {
            traceLine("VIOLATION at " + ms(checker.violationNs) + ": " + checker.violation);
        }
        return new Result(this);
    }

    private void handle(final Event e) {
        final SimMember m = e.member >= 0 ? members[e.member] : null;
        switch (e.type) {
            case DELIVER:
                if (!m.up || blocked[e.from][e.member]) {
                    return;
                }
                if (nowNs < m.pausedUntilNs) {
                    schedule(m.pausedUntilNs, DELIVER, e.member, e.from, 0, e.frame, 0, 0);
                    return;
                }
                traceMessage(e);
                m.deliver(nowNs, e.frame);
                traceRole(m);
                break;
            case TICK:
                if (!m.up || e.incarnation != m.incarnation) {
                    return;
                }
                if (nowNs >= m.pausedUntilNs) {
                    m.tick(nowNs);
                    traceRole(m);
                }
                schedule(Math.max(nowNs + tickNs, m.pausedUntilNs), TICK, m.id, -1, m.incarnation, null, 0, 0);
                break;
            case FLUSH:
                if (!m.up || e.incarnation != m.incarnation) {
                    return;
                }
                if (nowNs < m.pausedUntilNs) {
                    schedule(m.pausedUntilNs, FLUSH, m.id, -1, e.incarnation, null, e.value, e.generation);
                    return;
                }
                m.flushed(nowNs, e.value, e.generation);
                traceRole(m);
                break;
            case CLIENT:
                write();
                if (!healed) {
                    schedule(nowNs + between(2_000_000L, 10_000_000L), CLIENT, -1, -1, 0, null, 0, 0);
                }
                break;
            case FAULT:
                if (!healed) {
                    inject();
                    schedule(nowNs + between(50_000_000L, 300_000_000L), FAULT, -1, -1, 0, null, 0, 0);
                }
                break;
            case RESTART:
                if (!m.up && !healed) {
                    restart(m);
                }
                break;
            case CRASH:
                if (m.up && e.incarnation == m.incarnation && !healed) {
                    crash(m);
                }
                break;
            case HEAL:
                heal();
                break;
            case CONVERGED:
                if (isConverged()) {
                    converged = true;
                    traceLine("converged");
                } else if (nowNs >= convergeDeadlineNs) {
                    checker.fail("no convergence within " + ms(convergeDeadlineNs - faultPhaseNs) +
                        " of healing: " + describeMembers());
                } else {
                    schedule(nowNs + 50_000_000L, CONVERGED, -1, -1, 0, null, 0, 0);
                }
                break;
            default:
                throw new IllegalStateException("event " + e.type);
        }
    }

    boolean send(final int from, final int to, final DirectBuffer buffer, final int offset, final int length) {
        if (blocked[from][to] || random.nextDouble() < loss) {
            return true;
        }
        final byte[] frame = new byte[length];
        buffer.getBytes(offset, frame);
        schedule(deliveryTime(from, to), DELIVER, to, from, 0, frame, 0, 0);
        if (random.nextDouble() < duplication) {
            schedule(deliveryTime(from, to), DELIVER, to, from, 0, frame, 0, 0);
        }
        return true;
    }

    /**
     * Links deliver in order, as a transport stream does, except that a fraction {@code reordering} of messages
     * take their own random delay and may overtake or fall behind the others.
     */
    private long deliveryTime(final int from, final int to) {
        final long time = nowNs + between(delayMinNs, delayMaxNs);
        if (random.nextDouble() < reordering) {
            return time;
        }
        final long ordered = Math.max(time, linkTailNs[from][to]);
        linkTailNs[from][to] = ordered;
        return ordered;
    }

    void scheduleFlush(final SimMember m, final long timeNs, final long seq, final int generation) {
        schedule(timeNs, FLUSH, m.id, -1, m.incarnation, null, seq, generation);
    }

    long between(final long min, final long max) {
        return max <= min ? min : min + random.nextLong(max - min);
    }

    private void write() {
        SimMember leader = null;
        for (final SimMember m : members) {
            if (m.isRunning(nowNs) && Role.LEADER == m.node.role() &&
                (null == leader || m.node.epoch() > leader.node.epoch())) {
                leader = m;
            }
        }
        if (null == leader) {
            return;
        }
        final long id = ++writes;
        final int partition = random.nextInt(PARTITIONS);
        payload.putLong(0, id);
        payload.putLong(8, seed);
        final long seq = leader.node.offer(1, partition, payload, 0, 16);
        if (seq > 0) {
            pending.add(new long[] {id, seq, leader.node.epoch(), leader.id, leader.incarnation, partition,
                leader.log.offsetAt(seq)});
            traceLine("write " + id + " to leader " + leader.id + " at seq " + seq);
        }
        leader.afterInput(nowNs);
    }

    private void settleWrites() {
        for (int i = pending.size() - 1; i >= 0; i--) {
            final long[] p = pending.get(i);
            final SimMember m = members[(int) p[3]];
            if (!m.up || m.incarnation != p[4] || m.node.epoch() != p[2] || Role.LEADER != m.node.role()) {
                pending.remove(i);
            } else if (m.node.commitSeq() >= p[1]) {
                acked.add(new long[] {p[0], p[1], p[5], p[6]});
                pending.remove(i);
                traceLine("ack write " + p[0] + " seq " + p[1] + " by leader " + m.id);
            }
        }
    }

    /** A targeted fault: the next member elected crashes, or is cut off, within 2 ms of winning. */
    private void watchNewLeader() {
        final SimMember leader = currentLeader();
        if (null == leader || leader.node.epoch() <= newestLeaderEpoch) {
            return;
        }
        newestLeaderEpoch = leader.node.epoch();
        if (armedNewLeaderFault && !healed) {
            armedNewLeaderFault = false;
            if (random.nextBoolean()) {
                schedule(nowNs + between(0, 2_000_000L), CRASH, leader.id, -1, leader.incarnation, null, 0, 0);
                traceLine("new leader " + leader.id + " will crash");
            } else {
                for (int b = 0; b < memberCount; b++) {
                    if (b != leader.id) {
                        blocked[leader.id][b] = true;
                        blocked[b][leader.id] = true;
                    }
                }
                traceLine("new leader " + leader.id + " isolated");
            }
        }
    }

    private void inject() {
        faults++;
        final SimMember leader = currentLeader();
        final SimMember any = members[random.nextInt(memberCount)];
        switch (random.nextInt(13)) {
            case 0:
                crash(any);
                break;
            case 1:
                crash(null == leader ? any : leader);
                break;
            case 2:
                for (int a = 0; a < memberCount; a++) {
                    for (int b = 0; b < memberCount; b++) {
                        blocked[a][b] = false;
                    }
                }
                final int side = random.nextInt(1, (1 << memberCount) - 1);
                for (int a = 0; a < memberCount; a++) {
                    for (int b = 0; b < memberCount; b++) {
                        blocked[a][b] = ((side >> a) & 1) != ((side >> b) & 1);
                    }
                }
                traceLine("partition " + Integer.toBinaryString(side));
                break;
            case 3:
                final int from = random.nextInt(memberCount);
                final int to = (from + 1 + random.nextInt(memberCount - 1)) % memberCount;
                blocked[from][to] = true;
                traceLine("one-way partition " + from + " -> " + to);
                break;
            case 4:
                final SimMember isolated = null == leader ? any : leader;
                for (int b = 0; b < memberCount; b++) {
                    if (b != isolated.id) {
                        blocked[isolated.id][b] = true;
                        blocked[b][isolated.id] = true;
                    }
                }
                traceLine("isolate " + isolated.id);
                break;
            case 5:
                healNetwork();
                break;
            case 6:
                final SimMember paused = null != leader && random.nextBoolean() ? leader : any;
                paused.pausedUntilNs = Math.max(paused.pausedUntilNs, nowNs + between(10_000_000L, 300_000_000L));
                traceLine("pause " + paused.id + " until " + ms(paused.pausedUntilNs));
                break;
            case 7:
                any.slowDiskUntilNs = nowNs + between(100_000_000L, 1_000_000_000L);
                traceLine("slow disk " + any.id + " until " + ms(any.slowDiskUntilNs));
                break;
            case 8:
                final double[] losses = {0, 0, 0.01, 0.05, 0.2};
                final double[] dups = {0, 0.01, 0.05};
                final long[] delays = {1_000_000L, 5_000_000L, maxDelayNs};
                final double[] reorders = {0, 0.01, 0.1};
                loss = losses[random.nextInt(losses.length)];
                duplication = dups[random.nextInt(dups.length)];
                delayMaxNs = delays[random.nextInt(delays.length)];
                reordering = reorders[random.nextInt(reorders.length)];
                traceLine("network loss " + loss + " duplication " + duplication + " reordering " + reordering +
                    " delay max " + ms(delayMaxNs));
                break;
            case 11:
                traceLine("power loss of every member");
                for (final SimMember m : members) {
                    crash(m);
                }
                break;
            case 12:
                armedNewLeaderFault = true;
                traceLine("armed: the next new leader fails right after its election");
                break;
            case 9:
            case 10:
                if (null != leader) {
                    final int target = (leader.id + 1 + random.nextInt(memberCount - 1)) % memberCount;
                    if (leader.isRunning(nowNs) && leader.node.transferLeadership(target)) {
                        traceLine("transfer leadership " + leader.id + " -> " + target);
                        leader.afterInput(nowNs);
                    }
                } else {
                    crash(any);
                }
                break;
            default:
                break;
        }
    }

    private void crash(final SimMember m) {
        if (!m.up) {
            return;
        }
        retiredElections += m.node.electionsStarted();
        retiredLeaders += m.node.leadershipsWon();
        final boolean torn = random.nextInt(3) == 0;
        final long lost = m.crash(random, torn);
        traceLine("crash " + m.id + (torn ? " (torn write)" : "") + ", lost " + lost + " unflushed batches");
        schedule(nowNs + between(20_000_000L, 500_000_000L), RESTART, m.id, -1, 0, null, 0, 0);
    }

    private void restart(final SimMember m) {
        m.start(nowNs, nodeRandom(m));
        traceLine("restart " + m.id + " epoch " + m.node.epoch() + " votedFor " + m.node.votedFor() + " log " +
            m.log.lastSeq());
        schedule(nowNs + tickNs, TICK, m.id, -1, m.incarnation, null, 0, 0);
    }

    private void heal() {
        healed = true;
        healNetwork();
        loss = 0;
        duplication = 0;
        reordering = 0;
        delayMaxNs = 1_000_000L;
        for (final SimMember m : members) {
            m.pausedUntilNs = 0;
            m.slowDiskUntilNs = 0;
            if (!m.up) {
                restart(m);
            }
        }
        traceLine("heal");
    }

    private void healNetwork() {
        for (int a = 0; a < memberCount; a++) {
            for (int b = 0; b < memberCount; b++) {
                blocked[a][b] = false;
            }
        }
        traceLine("network healed");
    }

    private boolean isConverged() {
        final SimMember leader = currentLeader();
        if (null == leader) {
            return false;
        }
        final long last = leader.log.lastSeq();
        if (leader.node.commitSeq() != last) {
            return false;
        }
        for (final SimMember m : members) {
            if (!m.up || m.node.epoch() != leader.node.epoch() || m.log.lastSeq() != last ||
                m.node.commitSeq() != last || m.log.prefixHashAt(last) != leader.log.prefixHashAt(last) ||
                (m != leader && (Role.FOLLOWER != m.node.role() || m.node.leaderId() != leader.id))) {
                return false;
            }
        }
        return true;
    }

    private SimMember currentLeader() {
        SimMember leader = null;
        for (final SimMember m : members) {
            if (m.up && Role.LEADER == m.node.role() && (null == leader || m.node.epoch() > leader.node.epoch())) {
                leader = m;
            }
        }
        return leader;
    }

    private String describeMembers() {
        final StringBuilder sb = new StringBuilder();
        for (final SimMember m : members) {
            sb.append(" [").append(m.id).append(m.up ? " " + m.node.role() + " e" + m.node.epoch() + " leader " +
                m.node.leaderId() + " joined " + m.node.isJoined() + " commit " + m.node.commitSeq() : " down")
                .append(" log ").append(m.log.lastSeq()).append(" durable ").append(m.log.durableSeq()).append(']');
        }
        return sb.toString();
    }

    private SplittableRandom nodeRandom(final SimMember m) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + m.id * 1_000_003L + m.incarnation);
    }

    private void schedule(final long timeNs, final int type, final int member, final int from, final int incarnation,
        final byte[] frame, final long value, final int generation) {
        queue.add(new Event(timeNs, order++, type, member, from, incarnation, frame, value, generation));
    }

    long elections() {
        long n = retiredElections;
        for (final SimMember m : members) {
            n += null == m.node ? 0 : m.node.electionsStarted();
        }
        return n;
    }

    long leaders() {
        long n = retiredLeaders;
        for (final SimMember m : members) {
            n += null == m.node ? 0 : m.node.leadershipsWon();
        }
        return n;
    }

    private void traceMessage(final Event e) {
        if (null != trace) {
            final int template = (e.frame[2] & 0xFF) | (e.frame[3] & 0xFF) << 8;
            traceLine(e.from + " -> " + e.member + " " + (template < MESSAGES.length ? MESSAGES[template] : "?"));
        }
    }

    private final int[] lastRole = new int[8];
    private final int[] lastEpoch = new int[8];

    private void traceRole(final SimMember m) {
        if (null != trace && m.up) {
            final int role = m.node.role().ordinal();
            if (role != lastRole[m.id] || m.node.epoch() != lastEpoch[m.id]) {
                lastRole[m.id] = role;
                lastEpoch[m.id] = m.node.epoch();
                traceLine("member " + m.id + " is " + m.node.role() + " of epoch " + m.node.epoch() + ", log " +
                    m.log.lastSeq() + " commit " + m.node.commitSeq());
            }
        }
    }

    private void traceLine(final String line) {
        if (null != trace) {
            trace.append(ms(nowNs)).append(' ').append(line).append('\n');
        }
    }

    static String ms(final long ns) {
        return String.format("%.3fms", ns / 1e6);
    }
}

package io.sequent.replica;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.collections.Int2IntHashMap;

/**
 * The invariants of docs/replication.md, checked after every step of a {@link Simulation}, and the
 * acknowledged-write history checked against every member's final log. The first violation is kept, with the
 * simulated time it was found at; the simulation stops there.
 *
 * <ol>
 *   <li>At most one leader per epoch.</li>
 *   <li>Log matching: equal (epoch, seq) on two members implies identical logs up to it (prefix hashes, checked on
 *       every append against every member holding that seq).</li>
 *   <li>Leader completeness: a leader of epoch E holds every batch committed in an epoch before E, and every batch
 *       committed later by a leader of an earlier epoch.</li>
 *   <li>No acknowledged acks=all write is lost (history check at the end, after the majority recovered).</li>
 *   <li>Commit never decreases within a member's incarnation; every member's committed prefix is the same; no member
 *       truncates below its commit seq or truncates a batch that was committed (a consumer reading up to the high
 *       watermark never sees a record that is later removed).</li>
 *   <li>No write is duplicated in any log.</li>
 * </ol>
 * Plus check-quorum: a leader that no majority could reach (both ways) for 4 election timeouts plus the longest
 * network delay must have stepped down: a follower cut off from it may still send for up to 2 election timeouts
 * (its join retries), the leader checks every election timeout over a window of one.
 */
final class SimChecker implements SimLog.Listener {
    private final Simulation sim;
    private final Int2IntHashMap leaderOfEpoch = new Int2IntHashMap(-1);
    private long[] committedId = new long[1024];
    private int[] committedBatchEpoch = new int[1024];
    private int[] commitEpoch = new int[1024];
    private long maxCommitted;
    private final long[] checkedCommit;
    private final int[] checkedIncarnation;
    private final int[] leaderEpochChecked;
    private final long[] isolatedSinceNs;
    String violation;
    long violationNs;
    long ackedChecked;

    SimChecker(final Simulation sim) {
        this.sim = sim;
        checkedCommit = new long[sim.memberCount];
        checkedIncarnation = new int[sim.memberCount];
        leaderEpochChecked = new int[sim.memberCount];
        isolatedSinceNs = new long[sim.memberCount];
        Arrays.fill(isolatedSinceNs, -1);
    }

    void fail(final String message) {
        if (null == violation) {
            violation = message;
            violationNs = sim.nowNs;
        }
    }

    /** After every step. */
    void step() {
        for (final SimMember m : sim.members) {
            if (!m.up) {
                isolatedSinceNs[m.id] = -1;
                continue;
            }
            final ReplicaNode node = m.node;
            if (m.incarnation != checkedIncarnation[m.id]) {
                checkedIncarnation[m.id] = m.incarnation;
                checkedCommit[m.id] = 0;
                leaderEpochChecked[m.id] = 0;
            }
            if (Role.LEADER == node.role()) {
                final int previous = leaderOfEpoch.get(node.epoch());
                if (previous == -1) {
                    leaderOfEpoch.put(node.epoch(), m.id);
                } else if (previous != m.id) {
                    fail("two leaders in epoch " + node.epoch() + ": members " + previous + " and " + m.id);
                }
                if (leaderEpochChecked[m.id] != node.epoch()) {
                    leaderEpochChecked[m.id] = node.epoch();
                    checkLeaderCompleteness(m);
                }
                checkQuorum(m);
            } else {
                isolatedSinceNs[m.id] = -1;
            }
            checkCommit(m);
        }
        checkNoElectableMemberLacksCommit();
    }

    private void checkCommit(final SimMember m) {
        final long commit = m.node.commitSeq();
        if (commit < checkedCommit[m.id]) {
            fail("commit of member " + m.id + " went back from " + checkedCommit[m.id] + " to " + commit);
            return;
        }
        if (commit > m.log.lastSeq()) {
            fail("member " + m.id + " commit " + commit + " beyond its log end " + m.log.lastSeq());
            return;
        }
        for (long s = checkedCommit[m.id] + 1; s <= commit; s++) {
            final long id = m.log.idAt(s);
            final int batchEpoch = m.log.epochOf(s);
            if (s > maxCommitted) {
                growTo(s);
                committedId[(int) s] = id;
                committedBatchEpoch[(int) s] = batchEpoch;
                commitEpoch[(int) s] = m.node.epoch();
                maxCommitted = s;
                checkDurableOnMajority(s);
                checkNewCommitAgainstLeaders(s);
            } else if (committedId[(int) s] != id || committedBatchEpoch[(int) s] != batchEpoch) {
                fail("member " + m.id + " committed " + batchEpoch + "/" + id + " at seq " + s + " where " +
                    committedBatchEpoch[(int) s] + "/" + committedId[(int) s] + " was committed");
                return;
            } else if (m.node.epoch() < commitEpoch[(int) s]) {
                commitEpoch[(int) s] = m.node.epoch();
            }
        }
        checkedCommit[m.id] = commit;
    }

    /** Raft's commit: a committed batch is durable on a majority. */
    private void checkDurableOnMajority(final long s) {
        int durable = 0;
        for (final SimMember m : sim.members) {
            if (m.log.durableSeq() >= s && holds(m, s)) {
                durable++;
            }
        }
        if (durable < sim.memberCount / 2 + 1) {
            fail("seq " + s + " committed while durable on " + durable + " of " + sim.memberCount + " members");
        }
    }

    /**
     * Leader completeness, before any election: no member lacking the last committed batch could collect a
     * majority of votes with its log as it is, from voters that might have crashed and kept only their durable
     * log (a voter grants only to a log at least as up-to-date as its own). Raft's proof (5.4.3) gives this for a
     * batch committed in its leader's epoch; checking the last committed batch covers the earlier ones, by log
     * matching.
     */
    private void checkNoElectableMemberLacksCommit() {
        final long s = maxCommitted;
        if (s == 0) {
            return;
        }
        for (final SimMember candidate : sim.members) {
            if (holds(candidate, s)) {
                continue;
            }
            final long lastSeq = candidate.log.lastSeq();
            final int lastEpoch = candidate.log.epochOf(lastSeq);
            int votes = 0;
            for (final SimMember voter : sim.members) {
                final long voterSeq = voter.log.durableSeq();
                final int voterEpoch = voter.log.epochOf(voterSeq);
                if (lastEpoch > voterEpoch || (lastEpoch == voterEpoch && lastSeq >= voterSeq)) {
                    votes++;
                }
            }
            if (votes >= sim.memberCount / 2 + 1) {
                fail("member " + candidate.id + " (log end " + lastEpoch + "/" + lastSeq + ") lacks committed seq " +
                    s + " yet could be elected by " + votes + " votes");
                return;
            }
        }
    }

    private boolean holds(final SimMember m, final long s) {
        return m.log.lastSeq() >= s && m.log.idAt(s) == committedId[(int) s] &&
            m.log.epochOf(s) == committedBatchEpoch[(int) s];
    }

    private void checkNewCommitAgainstLeaders(final long s) {
        for (final SimMember m : sim.members) {
            if (m.up && Role.LEADER == m.node.role() && m.node.epoch() > commitEpoch[(int) s]) {
                checkHolds(m, s, "leader completeness");
            }
        }
    }

    private void checkLeaderCompleteness(final SimMember leader) {
        final int epoch = leader.node.epoch();
        for (long s = 1; s <= maxCommitted; s++) {
            if (commitEpoch[(int) s] < epoch && !checkHolds(leader, s, "leader completeness")) {
                return;
            }
        }
    }

    private boolean checkHolds(final SimMember m, final long s, final String rule) {
        if (m.log.lastSeq() < s || m.log.idAt(s) != committedId[(int) s] ||
            m.log.epochOf(s) != committedBatchEpoch[(int) s]) {
            fail(rule + ": leader " + m.id + " of epoch " + m.node.epoch() + " lacks committed seq " + s + " (" +
                committedBatchEpoch[(int) s] + "/" + committedId[(int) s] + ", committed in epoch " +
                commitEpoch[(int) s] + "), has" + m.log.describe(s, s));
            return false;
        }
        return true;
    }

    private void checkQuorum(final SimMember leader) {
        if (!leader.isRunning(sim.nowNs)) {
            isolatedSinceNs[leader.id] = -1;
            return;
        }
        int reachable = 1;
        for (final SimMember m : sim.members) {
            if (m.id != leader.id && m.isRunning(sim.nowNs) && !sim.blocked[m.id][leader.id] &&
                !sim.blocked[leader.id][m.id]) {
                reachable++;
            }
        }
        if (reachable >= sim.memberCount / 2 + 1) {
            isolatedSinceNs[leader.id] = -1;
        } else if (isolatedSinceNs[leader.id] < 0) {
            isolatedSinceNs[leader.id] = sim.nowNs;
        } else if (sim.nowNs - isolatedSinceNs[leader.id] > 4 * sim.electionTimeoutNs + sim.maxDelayNs) {
            fail("check-quorum: leader " + leader.id + " of epoch " + leader.node.epoch() + " cut off from a " +
                "majority since " + Simulation.ms(isolatedSinceNs[leader.id]) + " still leads");
        }
    }

    public void onAppend(final SimLog log, final long seq) {
        if (log.duplicateSeen) {
            log.duplicateSeen = false;
            fail("write " + log.duplicateId + " duplicated in the log of member " + log.memberId + " (seq " + seq +
                ")");
        }
        final int epoch = log.epochOf(seq);
        for (final SimMember other : sim.members) {
            final SimLog o = other.log;
            if (o != log && o.lastSeq() >= seq && o.epochOf(seq) == epoch &&
                o.prefixHashAt(seq) != log.prefixHashAt(seq)) {
                fail("log matching: members " + log.memberId + " and " + o.memberId + " hold epoch " + epoch +
                    " at seq " + seq + " with different prefixes:" + log.describe(seq - 3, seq) + " vs" +
                    o.describe(seq - 3, seq));
            }
        }
    }

    public void onTruncate(final SimLog log, final long keepSeq) {
        final SimMember m = sim.members[log.memberId];
        if (null != m.node && keepSeq < m.node.commitSeq()) {
            fail("member " + log.memberId + " truncates to " + keepSeq + " below its commit seq " +
                m.node.commitSeq());
            return;
        }
        for (long s = keepSeq + 1; s <= Math.min(log.lastSeq(), maxCommitted); s++) {
            if (log.idAt(s) == committedId[(int) s] && log.epochOf(s) == committedBatchEpoch[(int) s]) {
                fail("member " + log.memberId + " truncates committed seq " + s + " (to " + keepSeq + ")");
                return;
            }
        }
    }

    /**
     * Every acknowledged write against every member's final log: present, once, at the seq and partition offset it
     * was acknowledged with.
     */
    void checkHistory(final List<long[]> acked) {
        final List<long[]> bySeq = new ArrayList<>(acked);
        bySeq.sort((a, b) -> Long.compare(a[1], b[1]));
        final List<String> problems = new ArrayList<>();
        for (final SimMember m : sim.members) {
            for (final long[] ack : bySeq) {
                final long id = ack[0];
                final long seq = m.log.seqOf(id);
                ackedChecked++;
                if (seq < 0) {
                    problems.add("acked write " + id + " (seq " + ack[1] + ") lost on member " + m.id);
                } else if (seq != ack[1]) {
                    problems.add("acked write " + id + " moved to seq " + seq + " on member " + m.id +
                        ", acked at " + ack[1]);
                } else if (m.log.offsetAt(seq) != ack[3] || m.log.partitionAt(seq) != ack[2]) {
                    problems.add("acked write " + id + " at offset " + m.log.partitionAt(seq) + "/" +
                        m.log.offsetAt(seq) + " on member " + m.id + ", acked at " + ack[2] + "/" + ack[3]);
                }
                if (problems.size() > 5) {
                    break;
                }
            }
        }
        if (!problems.isEmpty()) {
            fail("history: " + String.join("; ", problems));
        }
    }

    private void growTo(final long s) {
        if (s >= committedId.length) {
            final int length = Math.max(committedId.length * 2, (int) s + 1);
            committedId = Arrays.copyOf(committedId, length);
            committedBatchEpoch = Arrays.copyOf(committedBatchEpoch, length);
            commitEpoch = Arrays.copyOf(commitEpoch, length);
        }
    }
}

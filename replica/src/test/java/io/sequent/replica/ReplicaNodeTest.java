package io.sequent.replica;

import static io.sequent.replica.ScriptedGroup.ELECTION_TIMEOUT_NS;
import static io.sequent.replica.ScriptedGroup.HEARTBEAT_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rule of the protocol, stepped with a scripted clock and a hand-pumped network ({@link ScriptedGroup}), in
 * the manner of Aeron Cluster's ElectionTest: elections, pre-vote, stale votes, one vote per epoch persisted before
 * the reply, divergence at each position, commit only onto the current epoch, check-quorum, leadership transfer.
 */
class ReplicaNodeTest {
    private static final long MS = 1_000_000L;

    @Test
    void aSingleMemberElectsItselfAndCommitsOnlyWhatIsDurable() {
        final ScriptedGroup g = new ScriptedGroup(1);
        g.autoFlush = false;
        g.start();
        final ReplicaNode node = g.nodes[0];
        assertEquals(Role.LEADER, node.role(), "a group of one elects itself on its first duty cycle, at once");
        assertEquals(1, node.epoch());
        assertEquals(1, g.stores[0].epoch);
        assertEquals(0, g.stores[0].votedFor);
        assertEquals(1, g.logs[0].lastSeq(), "EpochStart appended");
        assertEquals(0, node.commitSeq(), "not durable yet");
        assertEquals(2, g.write(0, 7));
        g.flushTo(0, 1);
        assertEquals(1, node.commitSeq());
        g.flushTo(0, 2);
        assertEquals(2, node.commitSeq());
    }

    @Test
    void aSingleMembersHeartbeatTicksAreNoWork() {
        final ScriptedGroup g = new ScriptedGroup(1).start();
        final ReplicaNode node = g.nodes[0];
        assertEquals(Role.LEADER, node.role());
        g.runFor(2 * HEARTBEAT_NS, MS);
        int work = 0;
        for (int step = 0; step < 20; step++) {
            g.nowNs += HEARTBEAT_NS;
            work += node.doWork(g.nowNs);
        }
        assertEquals(0, work, "a heartbeat with no follower to send it to is not work (the idle strategy rests)");
        final ScriptedGroup three = new ScriptedGroup(3).start();
        three.runFor(ELECTION_TIMEOUT_NS * 4, MS);
        final ReplicaNode leader = three.nodes[three.leader()];
        three.nowNs += HEARTBEAT_NS;
        assertEquals(2, leader.doWork(three.nowNs), "a heartbeat to each of two followers");
    }

    @Test
    void anElectionPreVotesThenVotesThenTheLeaderOpensItsEpoch() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.advance(ELECTION_TIMEOUT_NS - 1);
        for (final ReplicaNode node : g.nodes) {
            assertEquals(Role.FOLLOWER, node.role(), "no timeout before the minimum election timeout");
        }
        int candidates = 0;
        for (int step = 0; step < 200 && g.sent.isEmpty(); step++) {
            g.advance(MS);
        }
        for (int i = 0; i < 3; i++) {
            if (Role.CANDIDATE == g.nodes[i].role()) {
                candidates++;
                assertEquals(0, g.nodes[i].epoch(), "a pre-vote does not bump the epoch");
                assertEquals(0, g.stores[i].epoch, "nor store anything");
            }
        }
        assertEquals(1, candidates, "the first timeout, 1 ms steps");
        assertTrue(g.sent.stream().anyMatch((s) -> s.endsWith("RequestVote pre stored 0/-1")));

        g.pump();
        final int leader = g.leader();
        assertTrue(leader >= 0);
        assertEquals(1, g.nodes[leader].epoch());
        assertTrue(g.sent.stream().anyMatch((s) -> s.startsWith(leader + "->") &&
            s.endsWith("RequestVote stored 1/" + leader)), "the candidate stored its own vote before asking");
        assertTrue(g.sent.stream().anyMatch((s) -> s.endsWith("->" + leader + " Vote granted stored 1/" + leader)),
            "a voter stored its vote before granting it");
        assertEquals(ReplicaNode.CONTROL_TOPIC_ID, controlTopic(g.logs[leader], 1), "EpochStart at seq 1");

        g.runFor(5 * HEARTBEAT_NS, MS);
        for (int i = 0; i < 3; i++) {
            assertEquals(1, g.logs[i].lastSeq());
            assertEquals(1, g.nodes[i].commitSeq(), "member " + i);
            assertEquals(leader, g.nodes[i].leaderId());
        }
    }

    @Test
    void aStaleVoteDoesNotCount() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.start(0, new FaultInjection());
        final ReplicaNode node = g.nodes[0];
        g.advance(2 * ELECTION_TIMEOUT_NS);
        assertEquals(Role.CANDIDATE, node.role());
        node.onVote(0, 1, 0, 1, true, true);
        assertEquals(1, node.epoch(), "pre-vote majority: a real election in epoch 1");
        node.onVote(1, 0, 0, 2, false, true);
        assertEquals(Role.CANDIDATE, node.role(), "a grant for an older epoch does not count");
        node.onVote(1, 1, 0, 2, true, true);
        assertEquals(Role.CANDIDATE, node.role(), "a pre-vote grant does not count in the real election");
        node.onVote(1, 1, 0, 2, false, true);
        assertEquals(Role.LEADER, node.role());
    }

    @Test
    void aCandidateInARealElectionIgnoresABehindMembersStalePreVote() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.seed(0, 1, 1);
        g.start(0, new FaultInjection());
        final ReplicaNode node = g.nodes[0];
        g.advance(2 * ELECTION_TIMEOUT_NS);
        node.onVote(0, 1, 0, 1, true, true);
        assertEquals(1, node.epoch(), "a real election in epoch 1");
        final int before = g.sent.size();
        node.onRequestVote(1, 2, 0, 0, true);
        assertEquals(before + 1, g.sent.size(), "only the refusal: " + g.sent.subList(before, g.sent.size()));
        assertEquals("0->2 Vote pre refused stored 1/0", last(g));
        assertEquals(Role.CANDIDATE, node.role());
        assertEquals(1, node.epoch(), "its election goes on");
        node.onVote(1, 1, 0, 1, false, true);
        assertEquals(Role.LEADER, node.role());
    }

    @Test
    void aVoteGoesOncePerEpochToALogAtLeastAsUpToDateAndIsStoredFirst() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.seed(1, 1, 11);
        g.seed(1, 1, 12);
        g.seed(1, 2, 13);
        g.start(1, new FaultInjection());
        final ReplicaNode voter = g.nodes[1];

        voter.onRequestVote(3, 0, 1, 10, false);
        assertEquals("1->0 Vote refused stored 3/-1", lastVote(g), "older last epoch refused; epoch adopted, stored");
        voter.onRequestVote(3, 2, 2, 2, false);
        assertEquals("1->2 Vote refused stored 3/-1", lastVote(g), "same epoch, shorter log refused");
        voter.onRequestVote(3, 2, 2, 3, false);
        assertEquals("1->2 Vote granted stored 3/2", last(g));
        voter.onRequestVote(3, 0, 3, 9, false);
        assertEquals("1->0 Vote refused stored 3/2", last(g), "one vote per epoch");
        voter.onRequestVote(2, 0, 3, 9, false);
        assertEquals("1->0 Vote refused stored 3/2", last(g), "stale epoch");
        voter.onRequestVote(3, 2, 2, 3, false);
        assertEquals("1->2 Vote granted stored 3/2", last(g), "a repeated request gets the same answer");
        assertEquals(3, voter.epoch());
    }

    @Test
    void aPreVoteIsRefusedWhileTheLeaderIsHeardAndChangesNothing() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        final int follower = (leader + 1) % 3;
        final int other = (leader + 2) % 3;
        final int epoch = g.nodes[follower].epoch();
        final long writes = g.stores[follower].writes;

        g.nodes[follower].onRequestVote(epoch + 1, other, 9, 1000, true);
        assertEquals(follower + "->" + other + " Vote pre refused stored " + epoch + "/" + leader, last(g));
        assertEquals(epoch, g.nodes[follower].epoch());
        assertEquals(writes, g.stores[follower].writes);

        g.isolate(leader);
        g.runFor(ELECTION_TIMEOUT_NS / 2, MS);
        g.nodes[follower].onRequestVote(epoch + 1, other, 9, 1000, true);
        assertTrue(last(g).contains("Vote pre refused"), "still within the election timeout of the last heartbeat");
        g.advance(ELECTION_TIMEOUT_NS);
        if (Role.FOLLOWER == g.nodes[follower].role()) {
            g.nodes[follower].onRequestVote(epoch + 1, other, 9, 1000, true);
            assertTrue(last(g).contains("Vote pre granted"), "leader silent for an election timeout");
        }
        g.nodes[follower].onRequestVote(epoch + 1, other, 0, 0, true);
        assertTrue(lastVote(g).contains("Vote pre refused"), "a pre-vote still checks the log");
        assertEquals(epoch, g.nodes[follower].epoch(), "pre-votes never change the epoch");
    }

    /**
     * The leader dies right after shipping a batch that only member 2 received. Member 1, behind, times out first
     * (its timer is the shorter); member 2 refuses its pre-vote for the log and, hearing no leader, stands at once,
     * where it would otherwise have waited for its own timer, nearly two election timeouts after the last contact.
     */
    @Test
    void aVoterAheadOfATimedOutCandidateStandsAtOnceRatherThanAtItsOwnTimeout() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.start(0, new FaultInjection(), ScriptedGroup.fixedTimeout(0));
        g.start(1, new FaultInjection(), ScriptedGroup.fixedTimeout(HEARTBEAT_NS));
        g.start(2, new FaultInjection(), ScriptedGroup.fixedTimeout(ELECTION_TIMEOUT_NS - MS));
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        assertEquals(0, g.leader());
        g.write(0, 1);
        g.runFor(HEARTBEAT_NS, MS);
        g.blocked[0][1] = true;
        g.write(0, 2);
        g.pump();
        assertTrue(g.logs[1].lastSeq() < g.logs[2].lastSeq(), "member 1 is behind member 2");
        g.nodes[0] = null;
        final long killedNs = g.nowNs;
        final long writesOf1 = g.stores[1].writes;

        while (g.leader() < 0 && g.nowNs - killedNs < 3 * ELECTION_TIMEOUT_NS) {
            g.advance(MS);
            g.pump();
        }
        assertEquals(2, g.leader(), "only the up-to-date member can win");
        assertEquals(2, g.nodes[2].epoch());
        final int refusal = g.sent.indexOf("2->1 Vote pre refused stored 1/0");
        final int stands = g.sent.indexOf("2->1 RequestVote pre stored 1/0");
        assertTrue(refusal >= 0 && stands > refusal,
            "member 2 refused member 1's pre-vote, then ran its own: " + g.sent);
        assertEquals(1, g.count("1->2 RequestVote pre stored 1/0"),
            "member 1 asked once, at its own timeout, and voted for member 2 before it would have asked again");
        assertTrue(g.nowNs - killedNs <= ELECTION_TIMEOUT_NS + HEARTBEAT_NS + MS,
            "elected in the millisecond step of member 1's timeout (last contact + T + 10 ms), not at member 2's " +
            "own (last contact + 2T - 1 ms): " + (g.nowNs - killedNs) / MS + " ms after the kill");
        assertEquals(writesOf1 + 1, g.stores[1].writes, "member 1 adopted epoch 2 and voted in one store");
        assertEquals(2, g.stores[1].epoch);
        assertEquals(2, g.stores[1].votedFor);
    }

    /**
     * Member 2 stops hearing the leader 60 ms before member 1 does (member 1 is still reading the dead leader's
     * last frames) and times out first: member 1 refuses its pre-vote, since it heard the leader within an election
     * timeout. The candidate asks again every heartbeat interval, so it wins as soon as member 1's view of the
     * leader expires, not at its own next timeout nor at member 1's.
     */
    @Test
    void aCandidateAsksAgainEveryHeartbeatAndWinsOnceTheVoterStopsHearingTheLeader() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.start(0, new FaultInjection(), ScriptedGroup.fixedTimeout(0));
        g.start(1, new FaultInjection(), ScriptedGroup.fixedTimeout(ELECTION_TIMEOUT_NS - MS));
        g.start(2, new FaultInjection(), ScriptedGroup.fixedTimeout(HEARTBEAT_NS / 10));
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        assertEquals(0, g.leader());
        g.blocked[0][2] = true;
        final long cutNs = g.nowNs;
        g.runFor(60 * MS, MS);
        g.nodes[0] = null;
        while (g.leader() < 0 && g.nowNs - cutNs < 4 * ELECTION_TIMEOUT_NS) {
            g.advance(MS);
            g.pump();
        }
        assertEquals(2, g.leader());
        assertTrue(g.count("1->2 Vote pre refused stored 1/0") >= 1, "member 1 still heard the leader: " + g.sent);
        assertTrue(g.count("2->1 RequestVote pre stored 1/0") > 1, "asked again");
        final long electedNs = g.nowNs - cutNs;
        assertTrue(electedNs <= 60 * MS + ELECTION_TIMEOUT_NS + HEARTBEAT_NS + MS,
            "within a heartbeat of member 1's view of the leader expiring (cut + 160 ms), before member 2's second " +
            "timeout (cut + 201 ms) and member 1's own (cut + 259 ms): cut + " + electedNs / MS + " ms");
    }

    @Test
    void aVoterStandsForABehindCandidateOnlyWhenItHearsNoLeaderAndBacksNoOtherCandidate() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        final int follower = (leader + 1) % 3;
        final int other = (leader + 2) % 3;
        final int epoch = g.nodes[follower].epoch();
        final int before = g.sent.size();
        g.nodes[follower].onRequestVote(epoch + 1, other, 0, 0, true);
        assertEquals(before + 1, g.sent.size(), "the refusal and nothing else: the leader is heard");
        assertEquals(follower + "->" + other + " Vote pre refused stored " + epoch + "/" + leader, last(g));
        assertEquals(Role.FOLLOWER, g.nodes[follower].role());
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        assertEquals(leader, g.leader());
        assertEquals(epoch, g.nodes[leader].epoch(), "no election came of it");

        final ScriptedGroup h = new ScriptedGroup(3);
        h.seed(1, 1, 1);
        h.start(1, new FaultInjection());
        final ReplicaNode voter = h.nodes[1];
        voter.onRequestVote(3, 2, 1, 1, false);
        assertEquals("1->2 Vote granted stored 3/2", last(h));
        voter.onRequestVote(4, 0, 0, 0, true);
        assertEquals("1->0 Vote pre refused stored 3/2", last(h),
            "it backs member 2 in epoch 3 and has not heard it lead: it leaves it be");
        assertEquals(Role.FOLLOWER, voter.role());

        final ScriptedGroup k = new ScriptedGroup(3);
        k.seed(1, 1, 1);
        k.start(1, new FaultInjection());
        k.nodes[1].onRequestVote(4, 0, 0, 0, true);
        assertEquals("1->0 Vote pre refused stored 0/-1", k.sent.get(0));
        assertEquals(Role.CANDIDATE, k.nodes[1].role(), "no leader, no vote given: it stands itself");
        assertEquals(0, k.nodes[1].epoch(), "a pre-vote, nothing stored");
        assertEquals(0, k.stores[1].writes);
        assertTrue(k.sent.contains("1->0 RequestVote pre stored 0/-1"));
        assertTrue(k.sent.contains("1->2 RequestVote pre stored 0/-1"));
    }

    /**
     * Members 1 and 2, equal logs, time out in the same step with member 0 gone: both pass the pre-vote, both stand
     * in epoch 1 and each refuses the other. Member 1 (the lower id) runs again at once and wins epoch 2 within the
     * step, instead of both waiting for another timeout.
     */
    @Test
    void aSplitVoteBetweenEqualLogsIsRunAgainAtOnceByTheLowerId() {
        final ScriptedGroup g = new ScriptedGroup(3);
        for (int i = 1; i < 3; i++) {
            g.seed(i, 1, 10);
            g.seed(i, 1, 11);
            g.stores[i].epoch = 1;
            g.stores[i].votedFor = 0;
            g.start(i, new FaultInjection(), ScriptedGroup.fixedTimeout(0));
        }
        g.advance(ELECTION_TIMEOUT_NS);
        assertEquals(Role.CANDIDATE, g.nodes[1].role());
        assertEquals(Role.CANDIDATE, g.nodes[2].role());
        g.pump();
        assertTrue(g.sent.contains("2->1 Vote refused stored 2/2") && g.sent.contains("1->2 Vote refused stored 2/1"),
            "the split in epoch 2: " + g.sent);
        assertEquals(1, g.leader());
        assertEquals(3, g.nodes[1].epoch());
        assertEquals(1, g.count("2->1 RequestVote pre stored 1/0"), "member 2 waited for its timer");
        assertEquals(3, g.stores[2].epoch);
        assertEquals(1, g.stores[2].votedFor);
        g.runFor(3 * HEARTBEAT_NS, MS);
        assertEquals(1, g.leader());
        assertEquals(3, g.nodes[2].epoch());
        assertEquals(g.logs[1].lastSeq(), g.nodes[2].commitSeq(), "member 2 follows and commits");
    }

    /**
     * The leader holds epochs {1,1,1,3,3,3}; the follower shares its first {@code k - 1} batches and then holds
     * three batches of another epoch. After the join it keeps exactly {@code k - 1} and then holds the leader's log.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void aJoiningFollowerTruncatesExactlyAtTheDivergence(final int k) {
        final ScriptedGroup g = new ScriptedGroup(3);
        final int[] leaderEpochs = {1, 1, 1, 3, 3, 3};
        for (int s = 1; s <= 6; s++) {
            g.seed(0, leaderEpochs[s - 1], s);
            if (s < k) {
                g.seed(1, leaderEpochs[s - 1], s);
            }
        }
        for (int s = 0; s < 3; s++) {
            g.seed(1, k <= 4 ? 2 : 4, 100 + s);
        }
        for (int i = 0; i < 3; i++) {
            g.stores[i].epoch = 4;
        }
        g.start(0, new FaultInjection());
        g.start(2, new FaultInjection());
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        assertEquals(0, g.leader(), "member 2 (empty log) can only elect member 0");
        g.start(1, new FaultInjection());
        g.runFor(ELECTION_TIMEOUT_NS / 2, MS);
        assertEquals(5, g.nodes[0].epoch());
        assertEquals(k - 1, g.truncations.stream().mapToLong(Long::longValue).min().orElseThrow(),
            "truncated exactly at the divergence");
        assertEquals(7, g.logs[1].lastSeq());
        assertEquals(g.logs[0].prefixHashAt(7), g.logs[1].prefixHashAt(7), "the follower holds the leader's log");
        assertEquals(7, g.nodes[1].commitSeq());
    }

    @Test
    void aJoinAgainWhenTheFollowersBatchAtTheDivergencePointIsOfAnOlderEpoch() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.seed(0, 1, 1);
        g.seed(0, 1, 2);
        g.seed(0, 3, 3);
        g.seed(0, 3, 4);
        g.seed(1, 1, 1);
        g.seed(1, 1, 2);
        g.seed(1, 1, 50);
        g.seed(1, 4, 51);
        for (int i = 0; i < 3; i++) {
            g.stores[i].epoch = 4;
        }
        g.start(0, new FaultInjection());
        g.start(2, new FaultInjection());
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        assertEquals(0, g.leader());
        g.start(1, new FaultInjection());
        g.runFor(ELECTION_TIMEOUT_NS / 2, MS);
        assertEquals(2, g.count("1->0 FollowerJoin"), "(4, 4) leads to keep 3 of epoch 1, then (1, 3) to keep 2");
        assertEquals(2L, g.truncations.get(g.truncations.size() - 1));
        assertEquals(g.logs[0].prefixHashAt(5), g.logs[1].prefixHashAt(5));
    }

    @Test
    void commitMovesOnlyOntoABatchOfTheCurrentEpoch() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.seed(0, 1, 1);
        g.seed(0, 1, 2);
        g.seed(1, 1, 1);
        for (int i = 0; i < 3; i++) {
            g.stores[i].epoch = 1;
        }
        g.blocked[1][2] = true;
        g.blocked[2][1] = true;
        g.autoFlush = false;
        g.start();
        for (int step = 0; step < 300 && g.leader() < 0; step++) {
            g.advance(MS);
            g.pump();
        }
        assertEquals(0, g.leader());
        g.flushTo(0, 3);
        for (int step = 0; step < 10; step++) {
            g.advance(HEARTBEAT_NS);
            g.pump();
        }
        assertEquals(3, g.logs[1].lastSeq(), "follower holds the old batch 2 and EpochStart 3");
        g.flushTo(1, 2);
        g.runFor(3 * HEARTBEAT_NS, MS);
        assertEquals(2, g.nodes[0].matchSeq(1));
        assertEquals(0, g.nodes[0].commitSeq(), "batch 2 is on a majority but of epoch 1: not committed by count");
        g.flushTo(1, 3);
        g.runFor(3 * HEARTBEAT_NS, MS);
        assertEquals(3, g.nodes[0].commitSeq(), "EpochStart of epoch 2 on a majority commits everything before");
        assertEquals(3, g.nodes[1].commitSeq(), "followers learn it from the leader");
    }

    @Test
    void commitIsTheMajorityDurablePositionAndNeverDecreases() {
        final ScriptedGroup g = new ScriptedGroup(5).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        g.autoFlush = false;
        for (int i = 0; i < 5; i++) {
            g.write(leader, 10 + i);
        }
        g.pump();
        final long base = g.nodes[leader].commitSeq();
        final long last = g.logs[leader].lastSeq();
        g.flushTo(leader, last);
        g.flushTo((leader + 1) % 5, last);
        g.pump();
        assertEquals(base, g.nodes[leader].commitSeq(), "2 of 5 durable is no majority");
        g.flushTo((leader + 2) % 5, last - 2);
        g.pump();
        assertEquals(last - 2, g.nodes[leader].commitSeq(), "3rd highest durable position");
        g.flushTo((leader + 3) % 5, last);
        g.pump();
        assertEquals(last, g.nodes[leader].commitSeq());
        g.nodes[leader].onAppendPosition(g.nodes[leader].epoch(), (leader + 3) % 5, 1);
        assertEquals(last, g.nodes[leader].commitSeq(), "a lower acknowledgement never lowers commit");
    }

    @Test
    void aLeaderThatLosesItsQuorumStepsDownAndStopsAcceptingWrites() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        final int epoch = g.nodes[leader].epoch();
        g.isolate(leader);
        g.runFor(ELECTION_TIMEOUT_NS / 2, MS);
        assertEquals(Role.LEADER, g.nodes[leader].role(), "within one election timeout it still leads");
        assertTrue(g.write(leader, 99) > 0);
        g.runFor(2 * ELECTION_TIMEOUT_NS, MS);
        assertNotEquals(Role.LEADER, g.nodes[leader].role(), "check-quorum");
        assertEquals(ReplicaNode.NOT_LEADER, g.write(leader, 100));
        assertTrue(g.sent.contains(leader + "->" + ((leader + 1) % 3) + " StepDown"));
        final int newLeader = g.leader();
        assertNotEquals(leader, newLeader);
        assertTrue(g.nodes[newLeader].epoch() > epoch);

        g.heal();
        g.runFor(ELECTION_TIMEOUT_NS, MS);
        assertEquals(newLeader, g.nodes[leader].leaderId(), "the old leader follows the new one");
        assertEquals(g.logs[newLeader].lastSeq(), g.logs[leader].lastSeq());
        assertEquals(-1, g.logs[leader].seqOf(99), "its unacknowledged write of the old epoch is truncated");
    }

    @Test
    void aCandidateKnowsWhichMembersGrantRefuseOrDoNotAnswer() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int old = g.leader();
        g.isolate(old);
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final ReplicaNode node = g.nodes[old];
        assertEquals(Role.CANDIDATE, node.role(), "cut off, it stands for election again and again");
        assertEquals(1 << old, node.votesGranted(), "only its own vote");
        assertEquals(0, node.votesAnswered(), "no member answers it");
        final int newLeader = g.leader();
        assertEquals(0, g.nodes[newLeader].votesGranted(), "not a candidate");
        assertEquals(0, g.nodes[newLeader].votesAnswered());

        final int voter = (old + 1) % 3;
        node.onVote(node.epoch(), node.epoch() + 1, old, voter, true, false);
        assertEquals(1 << voter, node.votesAnswered(), "a refusal is an answer");
        assertEquals(1 << old, node.votesGranted());
        node.onVote(node.epoch(), node.epoch() + 5, old, (old + 2) % 3, true, false);
        assertEquals(1 << voter, node.votesAnswered(), "an answer to another round does not count");
    }

    @Test
    void leadershipTransfersToACaughtUpFollower() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        final int target = (leader + 1) % 3;
        for (int i = 0; i < 3; i++) {
            g.write(leader, 20 + i);
        }
        assertFalse(g.nodes[leader].transferLeadership(leader), "not to itself");
        assertFalse(g.nodes[target].transferLeadership(leader), "only a leader transfers");
        assertTrue(g.nodes[leader].transferLeadership(target));
        assertEquals(ReplicaNode.TRANSFERRING, g.write(leader, 30), "writes wait during a transfer");
        g.runFor(3 * HEARTBEAT_NS, MS);
        assertEquals(target, g.leader());
        assertEquals(Role.FOLLOWER, g.nodes[leader].role());
        assertTrue(g.count(leader + "->" + target + " TransferLeadership") >= 1);
        for (int i = 0; i < 3; i++) {
            assertTrue(g.logs[target].seqOf(20 + i) > 0);
        }
        assertTrue(g.write(target, 31) > 0);
    }

    @Test
    void aTransferThatCannotCompleteIsAbandoned() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        final int target = (leader + 1) % 3;
        g.blocked[leader][target] = true;
        g.write(leader, 40);
        assertTrue(g.nodes[leader].transferLeadership(target));
        g.runFor(ELECTION_TIMEOUT_NS + HEARTBEAT_NS, MS);
        assertEquals(leader, g.leader(), "the target never caught up");
        assertEquals(ReplicaNode.NONE, g.nodes[leader].transferTargetId());
        assertTrue(g.write(leader, 41) > 0, "writes resume");
    }

    @Test
    void aFollowerBehindTheLiveStreamCatchesUpByReplay() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        final int lagging = (leader + 1) % 3;
        g.blocked[leader][lagging] = true;
        for (int i = 0; i < 200; i++) {
            g.write(leader, 1000 + i);
            g.pump();
        }
        assertTrue(g.logs[lagging].lastSeq() < 10);
        g.heal();
        for (int i = 0; i < 100; i++) {
            g.write(leader, 2000 + i);
            g.advance(MS);
            g.pump();
        }
        g.runFor(5 * HEARTBEAT_NS, MS);
        assertTrue(g.count(lagging + "->" + leader + " ReplayRequest") >= 1);
        assertEquals(g.logs[leader].lastSeq(), g.logs[lagging].lastSeq());
        assertEquals(g.logs[leader].prefixHashAt(g.logs[leader].lastSeq()),
            g.logs[lagging].prefixHashAt(g.logs[lagging].lastSeq()), "replay merged into the live stream");
    }

    @Test
    void aFollowerThatCannotStoreAsksForOneBatchAnElectionTimeoutAndCatchesUpOnceItCan() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        final int full = (leader + 1) % 3;
        g.logs[full].failAppends = true;
        for (int i = 0; i < 50; i++) {
            g.write(leader, 3000 + i);
            g.advance(MS);
            g.pump();
        }
        final long held = g.logs[full].lastSeq();
        assertTrue(g.logs[leader].lastSeq() >= held + 50);

        g.sent.clear();
        g.runFor(10 * ELECTION_TIMEOUT_NS, MS);
        final long requests = g.count(full + "->" + leader + " ReplayRequest");
        assertTrue(requests >= 5 && requests <= 11, requests + " requests: about one per election timeout, not one "
            + "per two heartbeats (50 in this time)");
        final long replayed = g.count(leader + "->" + full + " ReplicatedBatch");
        assertTrue(replayed >= 1 && replayed <= requests, replayed + " batches for " + requests + " requests: one "
            + "each, not the whole lag of 50 it could not store");
        assertEquals(held, g.logs[full].lastSeq());
        assertEquals(g.logs[leader].lastSeq(), g.nodes[leader].commitSeq(), "the other two keep committing");

        g.logs[full].failAppends = false;
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        assertEquals(g.logs[leader].lastSeq(), g.logs[full].lastSeq(), "it catches up once it can store again");
        assertEquals(g.logs[leader].prefixHashAt(g.logs[leader].lastSeq()),
            g.logs[full].prefixHashAt(g.logs[full].lastSeq()));
    }

    @Test
    void aBatchLostFromTheLiveStreamIsAskedForAtOnceAndCommitsWithoutWaitingForATimer() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        for (int i = 0; i < 5; i++) {
            g.write(leader, 100 + i);
            g.advance(MS);
            g.pump();
        }
        final long committed = g.nodes[leader].commitSeq();
        assertEquals(g.logs[leader].lastSeq(), committed);
        // one batch lost to both followers at once (one refused offer of the live publication reaches neither)
        g.blocked[leader][(leader + 1) % 3] = true;
        g.blocked[leader][(leader + 2) % 3] = true;
        final long lost = g.write(leader, 200);
        g.pump();
        g.heal();
        final long[] requestsBefore = new long[3];
        for (int i = 1; i < 3; i++) {
            requestsBefore[i] = g.nodes[(leader + i) % 3].replayRequests();
        }
        final long next = g.write(leader, 201);
        g.pump();
        for (int i = 1; i < 3; i++) {
            final int follower = (leader + i) % 3;
            assertEquals(requestsBefore[i] + 1, g.nodes[follower].replayRequests(),
                "follower " + follower + " asks for the lost batch as soon as the next one shows the gap");
            assertTrue(g.count(follower + "->" + leader + " ReplayRequest") >= 1);
        }
        assertEquals(committed, g.nodes[leader].commitSeq(), "the lost batch holds the commit back");
        g.advance(1);
        g.pump();
        assertEquals(next, g.nodes[leader].commitSeq(),
            "replayed on the leader's next duty cycle, and committed with the batch after it, 1 ns later");
        assertTrue(lost < next);
        for (int i = 0; i < 3; i++) {
            assertEquals(g.logs[leader].prefixHashAt(next), g.logs[i].prefixHashAt(next), "member " + i);
        }

        // once that gap is filled, the next one is asked for at once too
        g.blocked[leader][(leader + 1) % 3] = true;
        g.write(leader, 300);
        g.pump();
        g.heal();
        final long before = g.nodes[(leader + 1) % 3].replayRequests();
        final long last = g.write(leader, 301);
        g.pump();
        assertEquals(before + 1, g.nodes[(leader + 1) % 3].replayRequests());
        g.advance(1);
        g.pump();
        assertEquals(last, g.logs[(leader + 1) % 3].lastSeq());
        assertEquals(last, g.nodes[leader].commitSeq());
    }

    @Test
    void aFollowerAsksForAReplayOnceWhileItIsUnderWayAndAgainOnlyAfterTwoHeartbeatsWithoutProgress() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        final int lagging = (leader + 1) % 3;
        final String replayRequest = lagging + "->" + leader + " ReplayRequest";
        g.blocked[leader][lagging] = true;
        g.write(leader, 1);
        g.pump();
        g.heal();
        g.blocked[lagging][leader] = true; // its request is lost
        final long before = g.count(replayRequest);
        for (int i = 0; i < 20; i++) {
            g.write(leader, 10 + i);
            g.pump();
        }
        assertEquals(before + 1, g.count(replayRequest), "one request for the gap, not one per batch behind it");
        g.advance(2 * HEARTBEAT_NS - MS);
        g.write(leader, 50);
        g.pump();
        assertEquals(before + 1, g.count(replayRequest), "no repeat within two heartbeat intervals");
        g.advance(MS);
        g.write(leader, 51);
        g.pump();
        assertEquals(before + 2, g.count(replayRequest), "repeated once two heartbeat intervals passed");
        g.heal();
        g.runFor(5 * HEARTBEAT_NS, MS);
        assertEquals(g.logs[leader].lastSeq(), g.logs[lagging].lastSeq());
    }

    @Test
    void withExternalAppendsTheLeaderCommitsWhatTheCallerAppendedAndFollowersReplayTheEpochStart() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.externalAppends = true;
        g.start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        assertTrue(leader >= 0);
        assertTrue(g.nodes[leader].isWritable());
        assertTrue(g.count(((leader + 1) % 3) + "->" + leader + " ReplayRequest") >= 1,
            "the EpochStart is not broadcast: the joining followers replay it");
        for (int i = 0; i < 20; i++) {
            assertTrue(g.write(leader, 500 + i) > 0);
            g.advance(MS);
            g.pump();
        }
        g.runFor(5 * HEARTBEAT_NS, MS);
        final long end = g.logs[leader].lastSeq();
        assertEquals(end, g.nodes[leader].commitSeq(), "the caller's appends commit on the followers' acks");
        for (int i = 0; i < 3; i++) {
            assertEquals(end, g.logs[i].lastSeq());
            assertEquals(g.logs[leader].prefixHashAt(end), g.logs[i].prefixHashAt(end),
                "every log holds the EpochStart (by replay) and the broadcast batches");
            assertEquals(end, g.nodes[i].commitSeq());
        }
        assertThrows(IllegalStateException.class,
            () -> g.nodes[leader].offer(1, 0, new UnsafeBuffer(new byte[8]), 0, 8));
    }

    @Test
    void aLeaderWhoseAppendFailedStepsDownAndShipsNothingMore() {
        final ScriptedGroup g = new ScriptedGroup(3);
        g.externalAppends = true;
        g.start();
        g.runFor(3 * ELECTION_TIMEOUT_NS, MS);
        final int leader = g.leader();
        g.nodes[leader].onAppendFailed();
        assertEquals(Role.FOLLOWER, g.nodes[leader].role());
        assertFalse(g.nodes[leader].isWritable());
        assertEquals(ReplicaNode.NOT_LEADER, g.write(leader, 9));
        assertTrue(g.count(leader + "->" + ((leader + 1) % 3) + " StepDown") >= 1);
        g.runFor(4 * ELECTION_TIMEOUT_NS, MS);
        assertTrue(g.leader() >= 0, "the group elects again");
    }

    @Test
    void badConfigurationIsRejectedWithTheSettingNamed() {
        final ReplicaContext ctx = new ReplicaContext().memberId(0).memberCount(3).random(new SplittableRandom(1))
            .log(new SimLog(0, null)).quorumStateStore(new SimMember.Store());
        assertTrue(assertThrows(ReplicaException.class, ctx::conclude).getMessage().contains("members"));
        ctx.memberCount(8);
        assertTrue(assertThrows(ReplicaException.class, ctx::conclude).getMessage().contains("memberCount"));
        ctx.memberCount(3).memberId(3);
        assertTrue(assertThrows(ReplicaException.class, ctx::conclude).getMessage().contains("memberId"));
        ctx.memberId(0).heartbeatIntervalNs(ELECTION_TIMEOUT_NS).electionTimeoutNs(ELECTION_TIMEOUT_NS);
        assertTrue(assertThrows(ReplicaException.class, ctx::conclude).getMessage().contains("heartbeat"));
    }

    @Test
    void aCorruptFrameIsDroppedWithACode() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        final ReplicationAdapter adapter = new ReplicationAdapter(g.nodes[0]);
        final org.agrona.concurrent.UnsafeBuffer junk = new org.agrona.concurrent.UnsafeBuffer(new byte[16]);
        junk.putShort(0, (short) 8);
        junk.putShort(2, (short) 3);
        junk.putShort(4, (short) 101);
        junk.putShort(6, (short) 1);
        assertTrue(adapter.onFrame(junk, 0, 16) < 0);
        assertTrue(adapter.onFrame(junk, 0, 4) < 0);
        assertEquals(Role.FOLLOWER, g.nodes[0].role());
    }

    private static int controlTopic(final SimLog log, final long seq) {
        final int[] topic = new int[1];
        log.read(seq, (epoch, s, topicId, partition, buffer, offset, length) -> topic[0] = topicId);
        return topic[0];
    }

    private static String last(final ScriptedGroup g) {
        return g.sent.get(g.sent.size() - 1);
    }

    /** The last vote answer sent (a refusing voter may stand itself right after it). */
    private static String lastVote(final ScriptedGroup g) {
        for (int i = g.sent.size() - 1; i >= 0; i--) {
            if (g.sent.get(i).contains(" Vote ")) {
                return g.sent.get(i);
            }
        }
        return "no vote";
    }
}

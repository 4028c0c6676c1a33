package io.sequent.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.sequent.replica.Role;

/** What a member without a leader tells a client that waits for one. */
class ClusterStateTest {
    private static final long MS = 1_000_000L;

    private final ClusterState state = new ClusterState(1,
        ClusterMembers.parse("0@127.0.0.1:9090,1@127.0.0.1:9093,2@127.0.0.1:9096,3@127.0.0.1:9099,4@127.0.0.1:9102"));

    @Test
    void aKnownLeaderNeedsNoReason() {
        state.publish(Role.FOLLOWER, 3, 0, false);
        assertEquals("", state.noLeaderReason(5 * MS));
    }

    @Test
    void aCandidateNamesWhoGrantsWhoRefusesAndWhoIsSilent() {
        state.publish(Role.CANDIDATE, 7, -1, false);
        state.publishElection(0b00110, 0b01100, 1_000 * MS);
        assertEquals("no leader in epoch 7 for 2500 ms: member 1 stands for election with 2 of the 3 votes a leader "
            + "of 5 members needs; not answering: member 0, 4; refusing (a longer log, or it hears a leader): member 3",
            state.noLeaderReason(3_500 * MS));
    }

    @Test
    void aFollowerWithoutALeaderWaitsForOne() {
        state.publish(Role.FOLLOWER, 2, -1, false);
        state.publishElection(0, 0, 0);
        assertEquals("no leader in epoch 2 for 40 ms: member 1 is a follower waiting to hear a leader",
            state.noLeaderReason(40 * MS));
    }
}

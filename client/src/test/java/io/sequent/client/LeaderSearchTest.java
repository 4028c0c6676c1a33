package io.sequent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@link LeaderSearch} on a scripted clock: answers naming the lost leader, the pace of leader
 * checks during an election, and the time the search took.
 */
class LeaderSearchTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 5_000 * MS;

    private final LeaderSearch search = new LeaderSearch(100 * MS, 1_000 * MS);

    @Test
    void aSurvivorStillNamingTheLostLeaderInItsEpochMeansNoLeaderKnown() {
        search.sessionLost(1, 1, 7, T0);
        assertEquals(-1, search.trusted(1, 7, 2, T0 + 10 * MS), "member 2 has not noticed yet");
        assertEquals(-1, search.trusted(1, -1, 2, T0 + 10 * MS), "a NOT_LEADER hint has no epoch");
        assertEquals(-1, search.trusted(1, 6, 2, T0 + 10 * MS), "an older epoch still less");
        assertEquals(2, search.trusted(2, 8, 2, T0 + 600 * MS), "the new leader");
        assertEquals(0, search.trusted(0, 7, 2, T0 + 10 * MS), "another member is taken as named");
        assertEquals(-1, search.trusted(-1, 7, 2, T0 + 10 * MS));
    }

    @Test
    void theLostLeaderReElectedOrAnsweringForItselfIsTrusted() {
        search.sessionLost(1, 1, 7, T0);
        assertEquals(1, search.trusted(1, 8, 2, T0 + 10 * MS), "re-elected in a later epoch");
        assertEquals(1, search.trusted(1, 7, 1, T0 + 10 * MS), "it answered itself: it is alive");
    }

    @Test
    void theLostLeaderIsTrustedAgainAfterReconnectBackoffMax() {
        search.sessionLost(1, 1, 7, T0);
        assertEquals(-1, search.trusted(1, 7, 2, T0 + 999 * MS));
        assertEquals(1, search.trusted(1, 7, 2, T0 + 1_000 * MS), "it was only slow: the group still follows it");
    }

    @Test
    void losingAFollowerSessionDistrustsNobody() {
        search.sessionLost(2, 1, 7, T0);
        assertEquals(1, search.trusted(1, 7, 0, T0 + 10 * MS));
        assertTrue(search.searching());
        assertEquals(2, search.lostFrom());
    }

    @Test
    void leaderChecksKeepTheBasePauseThroughAnElectionThenDouble() {
        for (int checks = 1; checks <= LeaderSearch.FLAT_CHECKS; checks++) {
            assertEquals(100 * MS, search.checkBackoffNs(checks), "check " + checks);
        }
        assertEquals(200 * MS, search.checkBackoffNs(LeaderSearch.FLAT_CHECKS + 1));
        assertEquals(400 * MS, search.checkBackoffNs(LeaderSearch.FLAT_CHECKS + 2));
        assertEquals(800 * MS, search.checkBackoffNs(LeaderSearch.FLAT_CHECKS + 3));
        assertEquals(1_000 * MS, search.checkBackoffNs(LeaderSearch.FLAT_CHECKS + 4));
        assertEquals(1_000 * MS, search.checkBackoffNs(Integer.MAX_VALUE));
    }

    @Test
    void theSearchTakesFromTheFirstLossToTheLeadersSession() {
        assertFalse(search.searching());
        assertEquals(0, search.found(T0));
        search.sessionLost(1, 1, 7, T0);
        search.sessionLost(2, -1, 7, T0 + 300 * MS); // the first member reached went too
        assertTrue(search.searching());
        assertEquals(2, search.lostFrom());
        assertEquals(700 * MS, search.found(T0 + 700 * MS));
        assertFalse(search.searching());
        assertEquals(-1, search.lostFrom());
    }
}

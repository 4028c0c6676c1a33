package io.sequent.sequencer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The leader's commit rule: the highest position held by a majority of the group. */
class QuorumPositionTest {
    private static long quorum(final long... positions) {
        return QuorumPosition.quorumPosition(positions, positions.length, new long[positions.length]);
    }

    /** Reference: sort ascending, at least majority members hold the (n - majority)-th smallest. */
    private static long bruteForce(final long[] positions, final int memberCount) {
        final long[] sorted = Arrays.copyOf(positions, memberCount);
        Arrays.sort(sorted);
        return sorted[memberCount - QuorumPosition.majority(memberCount)];
    }

    @Test
    void majorityIsMoreThanHalf() {
        assertEquals(1, QuorumPosition.majority(1));
        assertEquals(2, QuorumPosition.majority(2));
        assertEquals(2, QuorumPosition.majority(3));
        assertEquals(3, QuorumPosition.majority(4));
        assertEquals(3, QuorumPosition.majority(5));
        assertEquals(4, QuorumPosition.majority(6));
        assertEquals(4, QuorumPosition.majority(7));
        assertEquals(51, QuorumPosition.majority(100));
    }

    @Test
    void singleMemberCommitsItsOwnPosition() {
        assertEquals(42, quorum(42));
        assertEquals(-1, quorum(-1));
    }

    @Test
    void twoMembersNeedBoth() {
        assertEquals(10, quorum(10, 20));
        assertEquals(10, quorum(20, 10));
        assertEquals(7, quorum(7, 7));
    }

    @Test
    void threeMembersTakeTheSecondHighest() {
        assertEquals(200, quorum(300, 200, 100));
        assertEquals(200, quorum(100, 200, 300));
        assertEquals(200, quorum(200, 300, 100));
        // a stalled follower does not hold the commit back
        assertEquals(300, quorum(300, 300, -1));
        assertEquals(-1, quorum(300, -1, -1));
    }

    @Test
    void fourMembersNeedThree() {
        assertEquals(20, quorum(40, 10, 30, 20));
        assertEquals(30, quorum(40, 30, 30, 0));
        assertEquals(0, quorum(40, 0, 30, 0));
    }

    @Test
    void fiveMembersTakeTheThirdHighest() {
        assertEquals(30, quorum(50, 40, 30, 20, 10));
        assertEquals(30, quorum(10, 20, 30, 40, 50));
        assertEquals(30, quorum(30, 50, 10, 40, 20));
        assertEquals(50, quorum(50, 50, 50, 0, 0));
        assertEquals(0, quorum(50, 50, 0, 0, 0));
    }

    @Test
    void sevenMembersTakeTheFourthHighest() {
        assertEquals(40, quorum(70, 10, 60, 20, 50, 30, 40));
        assertEquals(5, quorum(9, 9, 9, 5, 1, 1, 1));
    }

    @Test
    void equalPositionsAreTheQuorumPosition() {
        for (int n = 1; n <= 9; n++) {
            final long[] positions = new long[n];
            Arrays.fill(positions, 1234L);
            assertEquals(1234L, QuorumPosition.quorumPosition(positions, n, new long[n]), "n=" + n);
        }
    }

    @Test
    void extremeValues() {
        assertEquals(Long.MAX_VALUE, quorum(Long.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE));
        assertEquals(Long.MIN_VALUE, quorum(Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE));
    }

    @Test
    void readsOnlyTheFirstMemberCountPositionsAndModifiesNone() {
        final long[] positions = {5, 1, 4, 2, 3, 1_000, 1_000};
        final long[] copy = positions.clone();
        final long[] scratch = new long[10];
        Arrays.fill(scratch, Long.MAX_VALUE);
        assertEquals(3, QuorumPosition.quorumPosition(positions, 5, scratch));
        assertArrayEquals(copy, positions);
        // stale scratch contents do not leak into the next result
        assertEquals(1, QuorumPosition.quorumPosition(positions, 2, scratch));
        assertArrayEquals(copy, positions);
    }

    @Test
    void matchesBruteForceOnRandomInput() {
        final SplittableRandom random = new SplittableRandom(0x5E9_0E47L);
        final long[] scratch = new long[16];
        for (int round = 0; round < 100_000; round++) {
            final int n = 1 + random.nextInt(15);
            final long[] positions = new long[n + random.nextInt(3)];
            // small ranges force ties; wide ones exercise the full long range
            final long bound = random.nextBoolean() ? 4 : Long.MAX_VALUE;
            for (int i = 0; i < positions.length; i++) {
                positions[i] = bound == 4 ? random.nextLong(bound) - 1 : random.nextLong();
            }
            final long[] copy = positions.clone();
            final long expected = bruteForce(positions, n);
            assertEquals(expected, QuorumPosition.quorumPosition(positions, n, scratch),
                () -> "n=" + n + " positions=" + Arrays.toString(copy));
            assertArrayEquals(copy, positions);
        }
    }

    @Test
    void rejectsBadArguments() {
        final long[] three = {1, 2, 3};
        assertThrows(IllegalArgumentException.class, () -> QuorumPosition.majority(0));
        assertThrows(IllegalArgumentException.class, () -> QuorumPosition.majority(-1));
        assertThrows(IllegalArgumentException.class, () -> QuorumPosition.quorumPosition(three, 0, new long[3]));
        assertThrows(IllegalArgumentException.class, () -> QuorumPosition.quorumPosition(three, -3, new long[3]));
        assertThrows(IllegalArgumentException.class, () -> QuorumPosition.quorumPosition(three, 4, new long[4]));
        assertThrows(IllegalArgumentException.class, () -> QuorumPosition.quorumPosition(three, 3, new long[2]));
        assertThrows(IllegalArgumentException.class, () -> QuorumPosition.quorumPosition(null, 3, new long[3]));
        assertThrows(IllegalArgumentException.class, () -> QuorumPosition.quorumPosition(three, 3, null));
    }
}

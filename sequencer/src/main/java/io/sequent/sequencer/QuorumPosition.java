package io.sequent.sequencer;

/**
 * The leader's commit rule for a replicated log: the quorum position is the highest log position that a majority
 * of the replica group has reached.
 *
 * <p>As in Raft, a record is committed once a majority of members (the leader counted, with its own journal
 * position) hold it: with {@code n} members, {@link #majority(int) majority(n)} = {@code n / 2 + 1} of them. Given
 * the position each member has acknowledged, the commit position is therefore the largest {@code p} such that at
 * least {@code majority(n)} members have a position {@code >= p}, which is the {@code majority(n)}-th largest
 * acknowledged position. For 3 members it is the 2nd highest, for 5 the 3rd, for 4 (majority 3) the 2nd lowest.
 * A lagging minority, however far behind, does not hold the position back; a partitioned majority does.
 *
 * <p>Positions are opaque {@code long}s compared numerically (log byte positions, offsets or group sequences);
 * a member that has acknowledged nothing yet can report any value below every real position, such as -1.
 * Whether the result may be published is the caller's business (Raft also requires the position to lie in the
 * current leader's term, and a commit position never moves backwards).
 *
 * <p>Meant for the hot path of a leader that recomputes the position on every acknowledgement, for groups of a
 * handful of members: allocation-free and branch-light. It keeps the {@code majority(n)} highest positions seen so
 * far, in descending order, in the caller's scratch array (a partial insertion sort), which costs
 * {@code O(n * majority(n))} comparisons: a few dozen for {@code n <= 7}. Stateless and thread-safe as long as
 * each thread passes its own scratch array.
 */
public final class QuorumPosition {
    private QuorumPosition() {
    }

    /**
     * How many members form a majority of a group.
     *
     * @param memberCount number of members in the group, leader included; at least 1.
     * @return {@code memberCount / 2 + 1}.
     * @throws IllegalArgumentException if {@code memberCount < 1}.
     */
    public static int majority(final int memberCount) {
        if (memberCount < 1) {
            throw new IllegalArgumentException("memberCount must be at least 1: " + memberCount);
        }
        return (memberCount >> 1) + 1;
    }

    /**
     * The highest position a majority of the group has reached: the {@link #majority(int)}-th largest of
     * {@code positions[0, memberCount)}.
     *
     * @param positions   the position acknowledged by each member, the leader's own included; only the first
     *                    {@code memberCount} are read and none is modified.
     * @param memberCount number of members in the group; at least 1.
     * @param scratch     work space of at least {@code memberCount} longs; its contents are overwritten.
     * @return the quorum (commit) position.
     * @throws IllegalArgumentException if {@code memberCount < 1} or an array is null or shorter than
     *                                  {@code memberCount}.
     */
    public static long quorumPosition(final long[] positions, final int memberCount, final long[] scratch) {
        final int quorum = majority(memberCount);
        if (null == positions || positions.length < memberCount) {
            throw new IllegalArgumentException("positions must hold " + memberCount + " members, has " +
                (null == positions ? "null" : positions.length));
        }
        if (null == scratch || scratch.length < memberCount) {
            throw new IllegalArgumentException("scratch must hold " + memberCount + " longs, has " +
                (null == scratch ? "null" : scratch.length));
        }

        // scratch[0, ranked) holds the highest positions seen so far, descending; at most quorum of them.
        int ranked = 0;
        for (int i = 0; i < memberCount; i++) {
            final long position = positions[i];
            int j = ranked < quorum ? ranked++ : quorum;
            // shift smaller entries down, dropping whatever falls off the end of the top-quorum window
            while (j > 0 && scratch[j - 1] < position) {
                if (j < quorum) {
                    scratch[j] = scratch[j - 1];
                }
                j--;
            }
            if (j < quorum) {
                scratch[j] = position;
            }
        }
        return scratch[quorum - 1];
    }
}

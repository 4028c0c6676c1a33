package io.sequent.replica;

/**
 * The leader's commit rule: the highest seq a majority of the group holds durably, i.e. the
 * {@code majority(n)}-th highest of the members' positions (the leader's own durable seq included). For 3 members
 * the 2nd highest, for 5 the 3rd. Allocation-free: a partial insertion sort of the {@code majority(n)} highest
 * positions into the caller's scratch array, {@code O(n * majority(n))} comparisons. Stateless.
 */
final class Quorum {
    private Quorum() {
    }

    /**
     * @param memberCount members of the group, at least 1.
     * @return {@code memberCount / 2 + 1}.
     */
    static int majority(final int memberCount) {
        return (memberCount >> 1) + 1;
    }

    /**
     * @param positions   one position per member, {@code [0, memberCount)} read, none modified.
     * @param memberCount members of the group, at least 1.
     * @param scratch     at least {@code majority(memberCount)} longs, overwritten.
     * @return the {@code majority(memberCount)}-th highest position.
     */
    static long position(final long[] positions, final int memberCount, final long[] scratch) {
        final int quorum = majority(memberCount);
        int ranked = 0;
        for (int i = 0; i < memberCount; i++) {
            final long position = positions[i];
            int j = ranked < quorum ? ranked++ : quorum;
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

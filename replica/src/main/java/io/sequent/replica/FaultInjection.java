package io.sequent.replica;

/**
 * Deliberately broken protocol rules, for the simulation's self-test only: each flag disables one safety rule so
 * that a test can show the simulation catches the resulting violation. Package-private and never set by any
 * configuration: only a test in this package can build a {@link ReplicaNode} with an instance whose flags are on
 * ({@link ReplicaNode#ReplicaNode(ReplicaContext, FaultInjection)}). Production code uses {@link #NONE}.
 */
final class FaultInjection {
    /** Every rule intact. */
    static final FaultInjection NONE = new FaultInjection();

    /** Grant a vote without the candidate's-log-is-at-least-as-up-to-date check. */
    boolean voteWithoutLogCheck;
    /** Advance commit onto a batch of an earlier epoch by counting replicas (Raft 5.4.2 broken). */
    boolean commitEarlierEpoch;
    /** Never write (currentEpoch, votedFor) to the quorum state store. */
    boolean skipQuorumStateStore;
    /** Count appended rather than durable positions for commit (leader) and acknowledgements (followers). */
    boolean commitOnAppended;
    /** Skip check-quorum: an isolated leader keeps leading. */
    boolean skipCheckQuorum;
    /** Divergence point off by one: a joining follower drops one batch more than it should. */
    boolean truncateOneTooMany;
    /** A follower acknowledges its position to a new leader before the join has truncated its divergent tail. */
    boolean ackBeforeJoin;

    /**
     * @return the names of the flags that are on, or "none".
     */
    String describe() {
        final StringBuilder sb = new StringBuilder();
        append(sb, voteWithoutLogCheck, "voteWithoutLogCheck");
        append(sb, commitEarlierEpoch, "commitEarlierEpoch");
        append(sb, skipQuorumStateStore, "skipQuorumStateStore");
        append(sb, commitOnAppended, "commitOnAppended");
        append(sb, skipCheckQuorum, "skipCheckQuorum");
        append(sb, truncateOneTooMany, "truncateOneTooMany");
        append(sb, ackBeforeJoin, "ackBeforeJoin");
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static void append(final StringBuilder sb, final boolean on, final String name) {
        if (on) {
            sb.append(sb.length() == 0 ? "" : ",").append(name);
        }
    }
}

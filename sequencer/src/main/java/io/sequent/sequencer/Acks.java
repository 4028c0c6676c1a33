package io.sequent.sequencer;

/** The acknowledgement levels a producer can ask for, as Kafka's {@code acks}. */
public final class Acks {
    /** No reply at all. */
    public static final byte NONE = 0;
    /** Reply once the leader's journal holds the batch (durable per the flush policy). */
    public static final byte LEADER = 1;
    /** Reply once the batch is committed: held by a majority of the replica group. */
    public static final byte ALL = -1;

    private Acks() {
    }

    /** Parses "0", "1" or "all" (also "-1"). */
    public static byte parse(final String value) {
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "0":
                return NONE;
            case "1":
                return LEADER;
            case "all":
            case "-1":
                return ALL;
            default:
                throw new IllegalArgumentException("acks must be 0, 1 or all, not '" + value + "'");
        }
    }
}

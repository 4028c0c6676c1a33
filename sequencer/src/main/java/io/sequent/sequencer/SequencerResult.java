package io.sequent.sequencer;

/**
 * Result codes of the write pipeline, carried by {@link BatchEvent#result()} and returned by
 * {@link Sequencer#offer}. Negative values are failures; the broker maps them to protocol error codes.
 */
public final class SequencerResult {
    /** Appended (and, for acks=all, committed). */
    public static final int OK = 0;
    /** A producer retry of a batch already in the log; the event carries the original base offset. */
    public static final int DUPLICATE = 1;
    /** The ring or its data buffer is full: retry later. */
    public static final int BACK_PRESSURED = -1;
    /** The batch is larger than {@code sequencer.max.batch.bytes}. */
    public static final int TOO_LARGE = -2;
    /** The batch failed structural or CRC validation. */
    public static final int CORRUPT = -3;
    /** The producer's sequence number is not the next one expected. */
    public static final int OUT_OF_ORDER_SEQUENCE = -4;
    /** The producer epoch is older than the one the partition has seen. */
    public static final int INVALID_PRODUCER_EPOCH = -5;
    /** An idempotent producer the partition does not know sent a sequence other than 0. */
    public static final int UNKNOWN_PRODUCER_ID = -6;
    /** The log could not take the batch (disk full, I/O error); retriable once storage recovers. */
    public static final int STORAGE_ERROR = -7;
    /** The sequencer is closed. */
    public static final int CLOSED = -8;
    /** An unexpected failure inside a stage; counted and reported through the error handler. */
    public static final int INTERNAL_ERROR = -9;
    /**
     * A stamped batch offered by a follower does not follow its log: its base offset is not the partition's next
     * offset, its seq is not above every seq so far, or its epoch is below the last one.
     */
    public static final int OUT_OF_ORDER_BATCH = -10;
    /**
     * The batch was appended but this member gave up waiting for its commit ({@link CommitPosition#abandonedThrough()}:
     * it lost leadership, or must truncate): the outcome is unknown, a new leader may or may not keep it.
     */
    public static final int NOT_COMMITTED = -11;

    private SequencerResult() {
    }

    public static String name(final int code) {
        switch (code) {
            case OK:
                return "OK";
            case DUPLICATE:
                return "DUPLICATE";
            case BACK_PRESSURED:
                return "BACK_PRESSURED";
            case TOO_LARGE:
                return "TOO_LARGE";
            case CORRUPT:
                return "CORRUPT";
            case OUT_OF_ORDER_SEQUENCE:
                return "OUT_OF_ORDER_SEQUENCE";
            case INVALID_PRODUCER_EPOCH:
                return "INVALID_PRODUCER_EPOCH";
            case UNKNOWN_PRODUCER_ID:
                return "UNKNOWN_PRODUCER_ID";
            case STORAGE_ERROR:
                return "STORAGE_ERROR";
            case CLOSED:
                return "CLOSED";
            case INTERNAL_ERROR:
                return "INTERNAL_ERROR";
            case OUT_OF_ORDER_BATCH:
                return "OUT_OF_ORDER_BATCH";
            case NOT_COMMITTED:
                return "NOT_COMMITTED";
            default:
                return "UNKNOWN(" + code + ")";
        }
    }

    public static boolean isSuccess(final int code) {
        return code >= 0;
    }
}

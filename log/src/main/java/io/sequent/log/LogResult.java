package io.sequent.log;

/**
 * Result codes of the log's hot-path operations ({@link PartitionLog#append}, {@link PartitionLog#flush},
 * {@link LogReader#read}, ...). Success is {@link #OK} (or, for reads, a positive length); every failure is a
 * negative constant, so callers branch on a primitive and nothing is allocated or thrown. The same codes travel
 * in {@link LogException#code()} on cold paths, together with the cold-path-only codes {@link #INVALID_CONFIG}
 * and {@link #CORRUPTION}.
 */
public final class LogResult {
    /** The operation succeeded. */
    public static final int OK = 0;

    /**
     * No space left for a new segment (or its indexes). The log is unchanged and consistent; retry once space
     * has been freed (retention, operator action). The frame was not written.
     */
    public static final int DISK_FULL = -1;

    /** The frame is longer than {@link LogConfig#maxFrameLength()}. */
    public static final int FRAME_TOO_LARGE = -2;

    /**
     * The frame is malformed: its length field differs from the length given, it is shorter than
     * {@link FrameDescriptor#MIN_FRAME_LENGTH}, its record count is below 1, its leader epoch is lower than the
     * previous batch's, or (when verification is on) its CRC-32C does not match.
     */
    public static final int INVALID_FRAME = -3;

    /**
     * The frame's base offset is not the log's next offset, or a truncation offset does not fall on a batch
     * boundary.
     */
    public static final int OFFSET_MISMATCH = -4;

    /** The offset asked for is below the log start offset or above the log end offset. */
    public static final int OFFSET_OUT_OF_RANGE = -5;

    /** The operating system reported an I/O error (failed force, failed file operation). */
    public static final int IO_ERROR = -6;

    /** The log, or the reader, has been closed. */
    public static final int CLOSED = -7;

    /** A configuration value is invalid (cold path only, in {@link LogException}). */
    public static final int INVALID_CONFIG = -8;

    /** Durable data failed validation during recovery (cold path only, in {@link LogCorruptionException}). */
    public static final int CORRUPTION = -9;

    private LogResult() {
    }

    /**
     * The symbolic name of a result code, for messages and logs.
     *
     * @param code a result code.
     * @return its name, or {@code "UNKNOWN(code)"}; a positive value is named {@code "LENGTH(n)"}.
     */
    public static String name(final int code) {
        switch (code) {
            case OK:
                return "OK";
            case DISK_FULL:
                return "DISK_FULL";
            case FRAME_TOO_LARGE:
                return "FRAME_TOO_LARGE";
            case INVALID_FRAME:
                return "INVALID_FRAME";
            case OFFSET_MISMATCH:
                return "OFFSET_MISMATCH";
            case OFFSET_OUT_OF_RANGE:
                return "OFFSET_OUT_OF_RANGE";
            case IO_ERROR:
                return "IO_ERROR";
            case CLOSED:
                return "CLOSED";
            case INVALID_CONFIG:
                return "INVALID_CONFIG";
            case CORRUPTION:
                return "CORRUPTION";
            default:
                return code > 0 ? "LENGTH(" + code + ")" : "UNKNOWN(" + code + ")";
        }
    }
}

package io.sequent.codec;

/**
 * Result codes of batch validation and decoding ({@link Batches#validate}, {@link BatchReader#wrap}).
 * Zero means valid; every failure is a distinct negative code so that hot paths report problems
 * without exceptions. {@link #name(int)} turns a code into a stable name for logs and counters.
 */
public final class BatchError {
    /** The batch is valid. */
    public static final int NONE = 0;
    /** Fewer bytes than the smallest possible batch ({@link Batches#MIN_FRAME_LENGTH}). */
    public static final int TOO_SHORT = -1;
    /** The frameLength field differs from the length of the frame as delivered. */
    public static final int LENGTH_MISMATCH = -2;
    /** Unknown format version (the magic byte). */
    public static final int BAD_MAGIC = -3;
    /** The stored CRC-32C does not match bytes [8, frameLength). */
    public static final int CRC_MISMATCH = -4;
    /** recordCount is not positive or does not match the records actually present. */
    public static final int BAD_RECORD_COUNT = -5;
    /** The records length field (or a compressed batch's uncompressed length) is inconsistent. */
    public static final int BAD_RECORDS_LENGTH = -6;
    /** The attributes name no known compression codec. */
    public static final int BAD_COMPRESSION = -7;
    /** A record is malformed: lengths out of bounds, wrong offset delta, unknown record attributes. */
    public static final int BAD_RECORD = -8;
    /** The offset and length given do not lie inside the buffer. */
    public static final int OUT_OF_BOUNDS = -9;
    /** Reserved attribute bits are set. */
    public static final int BAD_ATTRIBUTES = -10;
    /** Compressed records could not be decompressed into exactly their declared length. */
    public static final int DECOMPRESSION_FAILED = -11;
    /** The uncompressed records exceed the reader's configured maximum. */
    public static final int TOO_LARGE = -12;
    /** maxTimestamp is not the largest record timestamp (batches without log append time). */
    public static final int BAD_TIMESTAMP = -13;

    private static final String[] NAMES = {
        "NONE",
        "TOO_SHORT",
        "LENGTH_MISMATCH",
        "BAD_MAGIC",
        "CRC_MISMATCH",
        "BAD_RECORD_COUNT",
        "BAD_RECORDS_LENGTH",
        "BAD_COMPRESSION",
        "BAD_RECORD",
        "OUT_OF_BOUNDS",
        "BAD_ATTRIBUTES",
        "DECOMPRESSION_FAILED",
        "TOO_LARGE",
        "BAD_TIMESTAMP",
    };

    private BatchError() {
    }

    /**
     * The name of a result code.
     *
     * @param code a value returned by a validating method.
     * @return the constant's name, or {@code "UNKNOWN(code)"} for a code this version does not define.
     */
    public static String name(final int code) {
        if (code <= 0 && -code < NAMES.length) {
            return NAMES[-code];
        }
        return "UNKNOWN(" + code + ")";
    }
}

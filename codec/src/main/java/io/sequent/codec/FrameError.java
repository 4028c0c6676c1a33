package io.sequent.codec;

/**
 * Result codes of {@link ProtocolFrames#validate}: zero when a frame may be handed to the generated
 * decoders, otherwise a distinct negative code saying why not. {@link ProtocolFrames#errorCodeFor}
 * maps them to the {@code ErrorCode} a broker answers with.
 */
public final class FrameError {
    /** The frame is well formed. */
    public static final int NONE = 0;
    /** Shorter than the 8-byte message header. */
    public static final int TOO_SHORT = -1;
    /** The offset and length given do not lie inside the buffer. */
    public static final int OUT_OF_BOUNDS = -2;
    /** The header's schema id is not one this codec knows. */
    public static final int UNKNOWN_SCHEMA = -3;
    /** The header's version is 0 or newer than this codec's schema. */
    public static final int UNSUPPORTED_VERSION = -4;
    /** The header's template id names no message of the schema. */
    public static final int UNKNOWN_TEMPLATE = -5;
    /** A block length is shorter than the acting version's fields, or runs past the frame. */
    public static final int BAD_BLOCK_LENGTH = -6;
    /** A group header runs past the frame or its count exceeds the schema's maximum. */
    public static final int BAD_GROUP = -7;
    /** A var-data length runs past the frame or exceeds the schema's maximum. */
    public static final int BAD_VAR_DATA = -8;
    /** The message ends before the frame does: trailing bytes. */
    public static final int LENGTH_MISMATCH = -9;
    /** An enum field holds a value the schema does not define. */
    public static final int BAD_ENUM = -10;

    private static final String[] NAMES = {
        "NONE",
        "TOO_SHORT",
        "OUT_OF_BOUNDS",
        "UNKNOWN_SCHEMA",
        "UNSUPPORTED_VERSION",
        "UNKNOWN_TEMPLATE",
        "BAD_BLOCK_LENGTH",
        "BAD_GROUP",
        "BAD_VAR_DATA",
        "LENGTH_MISMATCH",
        "BAD_ENUM",
    };

    private FrameError() {
    }

    /**
     * The name of a result code.
     *
     * @param code a value returned by {@link ProtocolFrames#validate}.
     * @return the constant's name, or {@code "UNKNOWN(code)"}.
     */
    public static String name(final int code) {
        if (code <= 0 && -code < NAMES.length) {
            return NAMES[-code];
        }
        return "UNKNOWN(" + code + ")";
    }
}

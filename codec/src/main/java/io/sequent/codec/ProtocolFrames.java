package io.sequent.codec;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

import io.sequent.codec.client.ErrorCode;

/**
 * The safe entry point for every client and replication protocol frame: {@link #validate} proves
 * that a frame can be decoded before any generated decoder touches it.
 *
 * <p>The generated SBE decoders trust the bytes they wrap: a var-data length or group count from the
 * network decides how far they read, and an unknown enum value makes their accessor throw. A
 * receiver therefore calls {@link #validate} first and, on a negative result, answers with an
 * {@code ErrorResponse} (the broker) or drops the frame (replication), never decoding it:
 *
 * <pre>{@code
 * int result = ProtocolFrames.validate(buffer, offset, length);
 * if (result != FrameError.NONE) {
 *     errorProxy.send(ProtocolFrames.correlationId(buffer, offset, length),
 *         ProtocolFrames.templateId(buffer, offset, length), ProtocolFrames.errorCodeFor(result));
 *     return;
 * }
 * headerDecoder.wrap(buffer, offset); ... decoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
 * }</pre>
 *
 * <p>What is checked, against the layouts read from the very schema files the decoders were
 * generated from ({@link FrameLayouts}): the header's schema id, version (1 to the schema's) and
 * template id; that each block length is at least what the acting version's fields need and lies
 * inside the frame; that every group header and var-data length prefix lies inside the frame, with
 * counts and lengths within the schema's maxima and every entry and byte inside the frame; that every
 * enum field holds a value the schema defines; and that the message ends exactly where the frame
 * does. Fields newer than the frame's version are skipped, as the decoders skip them.
 *
 * <p>Never throws, never allocates; time is linear in the frame length (every group entry consumes
 * at least one byte). Thread-safe.
 */
public final class ProtocolFrames {
    /** Length of the SBE message header that starts every frame. */
    public static final int HEADER_LENGTH = 8;
    /** Schema id of the client protocol (client-schema.xml). */
    public static final int CLIENT_SCHEMA_ID = 100;
    /** Schema id of the replication protocol (replication-schema.xml). */
    public static final int REPLICATION_SCHEMA_ID = 101;
    /** Block offset of correlationId in every client request and response. */
    public static final int CORRELATION_ID_OFFSET = 0;
    /** Block offset of sessionId in every client request but ConnectRequest. */
    public static final int SESSION_ID_OFFSET = 8;
    /** Correlation id reported when a frame is too short to carry one. */
    public static final long NO_CORRELATION_ID = -1;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final FrameLayouts.Schema CLIENT = FrameLayouts.load("/sbe/client-schema.xml");
    private static final FrameLayouts.Schema REPLICATION = FrameLayouts.load("/sbe/replication-schema.xml");

    private ProtocolFrames() {
    }

    /**
     * Checks that {@code [offset, offset + length)} holds exactly one well-formed message of the
     * client or replication schema.
     *
     * @param buffer holding the frame.
     * @param offset first byte of the message header.
     * @param length length of the frame as delivered.
     * @return {@link FrameError#NONE} or a negative {@link FrameError} code.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length) {
        if (buffer == null || offset < 0 || length < 0 || offset > buffer.capacity() - length) {
            return FrameError.OUT_OF_BOUNDS;
        }
        if (length < HEADER_LENGTH) {
            return FrameError.TOO_SHORT;
        }
        final int blockLength = buffer.getShort(offset, ORDER) & 0xFFFF;
        final int templateId = buffer.getShort(offset + 2, ORDER) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + 4, ORDER) & 0xFFFF;
        final int version = buffer.getShort(offset + 6, ORDER) & 0xFFFF;
        final FrameLayouts.Schema schema = schema(schemaId);
        if (schema == null) {
            return FrameError.UNKNOWN_SCHEMA;
        }
        if (version < 1 || version > schema.version) {
            return FrameError.UNSUPPORTED_VERSION;
        }
        final FrameLayouts.Block message = schema.message(templateId);
        if (message == null) {
            return FrameError.UNKNOWN_TEMPLATE;
        }
        final int limit = offset + length;
        final int end = walk(message, buffer, offset + HEADER_LENGTH, limit, blockLength, version);
        if (end < 0) {
            return end;
        }
        return end == limit ? FrameError.NONE : FrameError.LENGTH_MISMATCH;
    }

    /**
     * The correlation id of a client frame, read without validating the rest, to answer a frame
     * that failed {@link #validate}.
     *
     * @param buffer holding the frame.
     * @param offset first byte of the message header.
     * @param length length of the frame.
     * @return the correlation id, or {@link #NO_CORRELATION_ID} when the frame is not a client
     *     message or too short to hold one.
     */
    public static long correlationId(final DirectBuffer buffer, final int offset, final int length) {
        if (buffer == null || offset < 0 || length < HEADER_LENGTH + Long.BYTES
            || offset > buffer.capacity() - length) {
            return NO_CORRELATION_ID;
        }
        final int blockLength = buffer.getShort(offset, ORDER) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + 4, ORDER) & 0xFFFF;
        if (schemaId != CLIENT_SCHEMA_ID || blockLength < CORRELATION_ID_OFFSET + Long.BYTES) {
            return NO_CORRELATION_ID;
        }
        return buffer.getLong(offset + HEADER_LENGTH + CORRELATION_ID_OFFSET, ORDER);
    }

    /**
     * The template id in a frame's header, without validating the frame.
     *
     * @param buffer holding the frame.
     * @param offset first byte of the message header.
     * @param length length of the frame.
     * @return the template id, or 0 when the frame is shorter than a header.
     */
    public static int templateId(final DirectBuffer buffer, final int offset, final int length) {
        if (buffer == null || offset < 0 || length < HEADER_LENGTH || offset > buffer.capacity() - length) {
            return 0;
        }
        return buffer.getShort(offset + 2, ORDER) & 0xFFFF;
    }

    /**
     * The schema version this codec reads.
     *
     * @param schemaId {@link #CLIENT_SCHEMA_ID} or {@link #REPLICATION_SCHEMA_ID}.
     * @return the version, or -1 for an unknown schema.
     */
    public static int schemaVersion(final int schemaId) {
        final FrameLayouts.Schema schema = schema(schemaId);
        return schema == null ? -1 : schema.version;
    }

    /**
     * The error code to answer a frame rejected by {@link #validate} with.
     *
     * @param frameError a negative {@link FrameError} code.
     * @return UNSUPPORTED_VERSION for a version this broker does not read, INVALID_REQUEST for an
     *     unknown schema or message, CORRUPT_MESSAGE otherwise, NONE for {@link FrameError#NONE}.
     */
    public static ErrorCode errorCodeFor(final int frameError) {
        switch (frameError) {
            case FrameError.NONE:
                return ErrorCode.NONE;
            case FrameError.UNSUPPORTED_VERSION:
                return ErrorCode.UNSUPPORTED_VERSION;
            case FrameError.UNKNOWN_SCHEMA:
            case FrameError.UNKNOWN_TEMPLATE:
                return ErrorCode.INVALID_REQUEST;
            default:
                return ErrorCode.CORRUPT_MESSAGE;
        }
    }

    static FrameLayouts.Schema schema(final int schemaId) {
        if (schemaId == CLIENT_SCHEMA_ID) {
            return CLIENT;
        }
        if (schemaId == REPLICATION_SCHEMA_ID) {
            return REPLICATION;
        }
        return null;
    }

    /**
     * Walks one block (a message body or a group entry) starting at {@code position}.
     *
     * @return the position after it, or a negative {@link FrameError} code.
     */
    private static int walk(
        final FrameLayouts.Block layout,
        final DirectBuffer buffer,
        final int position,
        final int limit,
        final int blockLength,
        final int version) {
        if (blockLength < layout.minBlockLength[version] || blockLength > limit - position) {
            return FrameError.BAD_BLOCK_LENGTH;
        }
        for (final FrameLayouts.EnumField field : layout.enums) {
            if (field.sinceVersion <= version && !field.isValid(buffer, position)) {
                return FrameError.BAD_ENUM;
            }
        }
        int p = position + blockLength;
        for (final FrameLayouts.Block group : layout.groups) {
            if (group.sinceVersion > version) {
                continue;
            }
            if (group.headerSize > limit - p) {
                return FrameError.BAD_GROUP;
            }
            final int entryBlockLength = readUnsigned(buffer, p + group.blockLengthOffset, group.blockLengthSize);
            final int count = readUnsigned(buffer, p + group.countOffset, group.countSize);
            if (entryBlockLength < 0 || count < 0 || count > group.maxCount) {
                return FrameError.BAD_GROUP;
            }
            p += group.headerSize;
            for (int i = 0; i < count; i++) {
                p = walk(group, buffer, p, limit, entryBlockLength, version);
                if (p < 0) {
                    return p;
                }
            }
        }
        for (final FrameLayouts.VarData data : layout.varData) {
            if (data.sinceVersion > version) {
                continue;
            }
            if (data.headerSize > limit - p) {
                return FrameError.BAD_VAR_DATA;
            }
            final long dataLength = readUnsignedLong(buffer, p + data.lengthOffset, data.lengthSize);
            if (dataLength > data.maxLength || dataLength > limit - p - data.headerSize) {
                return FrameError.BAD_VAR_DATA;
            }
            p += data.headerSize + (int) dataLength;
        }
        return p;
    }

    /** An unsigned value of 1, 2 or 4 bytes; -1 when it does not fit an int. */
    private static int readUnsigned(final DirectBuffer buffer, final int index, final int size) {
        final long value = readUnsignedLong(buffer, index, size);
        return value > Integer.MAX_VALUE ? -1 : (int) value;
    }

    private static long readUnsignedLong(final DirectBuffer buffer, final int index, final int size) {
        switch (size) {
            case 1:
                return buffer.getByte(index) & 0xFFL;
            case 2:
                return buffer.getShort(index, ORDER) & 0xFFFFL;
            case 4:
                return buffer.getInt(index, ORDER) & 0xFFFF_FFFFL;
            default:
                return -1;
        }
    }
}

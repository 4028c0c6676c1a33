package io.sequent.codec;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * The uncompressed records of a batch: {@code recordCount} SBE {@code Record} bodies back to back
 * (batch-schema.xml). Offsets inside one record:
 *
 * <pre>
 *   0  int32  offsetDelta      must equal the record's index in the batch (offsets are dense)
 *   4  int32  timestampDelta   ms after the batch's firstTimestamp
 *   8  uint8  attributes       bit 0 null key, bit 1 null value; other bits must be zero
 *   9  uint16 headers block length, 11 uint16 header count, then per header:
 *             block (block length bytes, none today), uint32 key length, key, uint32 value length, value
 *   .. uint32 key length, key bytes (length 0 when the key is null)
 *   .. uint32 value length, value bytes (length 0 when the value is null)
 * </pre>
 *
 * The constants are checked against the generated RecordEncoder by a test.
 */
final class RecordSet {
    static final int OFFSET_DELTA_OFFSET = 0;
    static final int TIMESTAMP_DELTA_OFFSET = 4;
    static final int ATTRIBUTES_OFFSET = 8;
    /** SBE block length of Record. */
    static final int BLOCK_LENGTH = 9;
    static final int HEADERS_BLOCK_LENGTH_OFFSET = 9;
    static final int HEADERS_COUNT_OFFSET = 11;
    /** Size of the headers group header (blockLength, numInGroup). */
    static final int GROUP_HEADER_LENGTH = 4;
    /** Size of a var-data length prefix. */
    static final int LENGTH_PREFIX = 4;
    /** Fixed part of a record: block and headers group header. */
    static final int FIXED_LENGTH = BLOCK_LENGTH + GROUP_HEADER_LENGTH;
    /** A record without headers, key or value. */
    static final int MIN_RECORD_LENGTH = FIXED_LENGTH + 2 * LENGTH_PREFIX;
    /** groupSizeEncoding maxValue of numInGroup. */
    static final int MAX_HEADERS = 65534;

    static final int NULL_KEY_FLAG = 0x01;
    static final int NULL_VALUE_FLAG = 0x02;
    static final int KNOWN_FLAGS = NULL_KEY_FLAG | NULL_VALUE_FLAG;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private RecordSet() {
    }

    /**
     * Walks {@code recordCount} records in {@code [offset, offset + length)}, which the caller has
     * checked lies inside the buffer. Never reads outside that region, never throws.
     *
     * @param checkTimestamps whether maxTimestamp must equal the largest record timestamp.
     * @return {@link BatchError#NONE} or a negative code.
     */
    static int validate(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int recordCount,
        final long firstTimestamp,
        final long maxTimestamp,
        final boolean checkTimestamps) {
        final int limit = offset + length;
        int position = offset;
        long largestTimestamp = Long.MIN_VALUE;
        for (int i = 0; i < recordCount; i++) {
            final int remaining = limit - position;
            if (remaining == 0) {
                return BatchError.BAD_RECORD_COUNT;
            }
            if (remaining < MIN_RECORD_LENGTH) {
                return BatchError.BAD_RECORD;
            }
            if (buffer.getInt(position + OFFSET_DELTA_OFFSET, ORDER) != i) {
                return BatchError.BAD_RECORD;
            }
            final long timestamp = firstTimestamp + buffer.getInt(position + TIMESTAMP_DELTA_OFFSET, ORDER);
            if (timestamp > largestTimestamp) {
                largestTimestamp = timestamp;
            }
            final int attributes = buffer.getByte(position + ATTRIBUTES_OFFSET) & 0xFF;
            if ((attributes & ~KNOWN_FLAGS) != 0) {
                return BatchError.BAD_RECORD;
            }
            final int headerBlockLength = buffer.getShort(position + HEADERS_BLOCK_LENGTH_OFFSET, ORDER) & 0xFFFF;
            final int headerCount = buffer.getShort(position + HEADERS_COUNT_OFFSET, ORDER) & 0xFFFF;
            if (headerCount > MAX_HEADERS) {
                return BatchError.BAD_RECORD;
            }
            position += FIXED_LENGTH;
            for (int h = 0; h < headerCount; h++) {
                if (headerBlockLength > limit - position) {
                    return BatchError.BAD_RECORD;
                }
                position = skipVarData(buffer, position + headerBlockLength, limit);
                if (position < 0) {
                    return BatchError.BAD_RECORD;
                }
                position = skipVarData(buffer, position, limit);
                if (position < 0) {
                    return BatchError.BAD_RECORD;
                }
            }
            final int keyStart = position;
            position = skipVarData(buffer, position, limit);
            if (position < 0 || ((attributes & NULL_KEY_FLAG) != 0 && position - keyStart != LENGTH_PREFIX)) {
                return BatchError.BAD_RECORD;
            }
            final int valueStart = position;
            position = skipVarData(buffer, position, limit);
            if (position < 0 || ((attributes & NULL_VALUE_FLAG) != 0 && position - valueStart != LENGTH_PREFIX)) {
                return BatchError.BAD_RECORD;
            }
        }
        if (position != limit) {
            return BatchError.BAD_RECORD_COUNT;
        }
        if (checkTimestamps && largestTimestamp != maxTimestamp) {
            return BatchError.BAD_TIMESTAMP;
        }
        return BatchError.NONE;
    }

    /**
     * Position after the var data at {@code position}, or -1 when its prefix or bytes overrun {@code limit}.
     */
    static int skipVarData(final DirectBuffer buffer, final int position, final int limit) {
        if (LENGTH_PREFIX > limit - position) {
            return -1;
        }
        final long dataLength = buffer.getInt(position, ORDER) & 0xFFFF_FFFFL;
        if (dataLength > limit - position - LENGTH_PREFIX) {
            return -1;
        }
        return position + LENGTH_PREFIX + (int) dataLength;
    }
}

package io.sequent.codec;

import java.nio.ByteOrder;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Static helpers over one record batch held in a buffer: field access, validation, stamping and
 * the CRC. The batch layout is drawn once, in {@code batch-schema.xml}; the offsets here are the
 * generated {@code RecordBatchEncoder}'s (a test checks they agree) and are spelled out as
 * constants so that hot paths read fields without a flyweight:
 *
 * <pre>
 *   0 frameLength   4 crc   8 baseOffset   16 groupSeq   24 leaderEpoch   28 recordCount
 *  32 firstTimestamp   40 maxTimestamp   48 producerId   56 baseSequence   60 producerEpoch
 *  62 attributes   63 magic   64 records length (uint32)   68 records ...
 * </pre>
 *
 * All multi-byte fields are little-endian. The CRC-32C covers bytes {@code [8, frameLength)}: every
 * field but the length and the CRC itself, so the leader can {@link #stamp} a batch in place and
 * recompute it. Records are either stored as they are or, when the attributes name a codec,
 * replaced by a 4-byte uncompressed length followed by the compressed bytes (see the schema).
 *
 * <p>Every method is static, allocation-free and safe to call from any thread on a buffer that the
 * caller owns. {@link #validate} accepts any bytes and never throws; the field accessors assume the
 * region holds at least {@link #HEADER_LENGTH} bytes, and {@link #stamp} assumes a batch that passed
 * {@link #validate}.
 */
public final class Batches {
    /** int32: total bytes of the batch, header included. */
    public static final int FRAME_LENGTH_OFFSET = 0;
    /** int32: CRC-32C of bytes [{@link #CRC_START}, frameLength). */
    public static final int CRC_OFFSET = 4;
    /** int64: offset of the first record (stamped by the leader). */
    public static final int BASE_OFFSET_OFFSET = 8;
    /** int64: group-wide sequence number of the batch (stamped). */
    public static final int GROUP_SEQ_OFFSET = 16;
    /** int32: epoch of the leader that stamped the batch (stamped). */
    public static final int LEADER_EPOCH_OFFSET = 24;
    /** int32: number of records; they hold offsets [baseOffset, baseOffset + recordCount). */
    public static final int RECORD_COUNT_OFFSET = 28;
    /** int64: timestamp of the first record, epoch ms; record timestamps are deltas from it. */
    public static final int FIRST_TIMESTAMP_OFFSET = 32;
    /** int64: largest record timestamp, or the log append time when that attribute is set. */
    public static final int MAX_TIMESTAMP_OFFSET = 40;
    /** int64: idempotent producer id, {@link #NO_PRODUCER_ID} when none. */
    public static final int PRODUCER_ID_OFFSET = 48;
    /** int32: producer sequence of the first record, {@link #NO_SEQUENCE} when none. */
    public static final int BASE_SEQUENCE_OFFSET = 56;
    /** int16: producer epoch. */
    public static final int PRODUCER_EPOCH_OFFSET = 60;
    /** uint8: BatchAttributes bits: {@link #COMPRESSION_MASK}, {@link #LOG_APPEND_TIME_FLAG}, {@link #CONTROL_FLAG}. */
    public static final int ATTRIBUTES_OFFSET = 62;
    /** uint8: format version, {@link #MAGIC}. */
    public static final int MAGIC_OFFSET = 63;
    /** Length of the fixed block (the SBE block length of RecordBatch). */
    public static final int HEADER_LENGTH = 64;
    /** uint32: length of the records bytes that follow. */
    public static final int RECORDS_LENGTH_OFFSET = 64;
    /** First byte of the records (or of the compressed envelope). */
    public static final int RECORDS_OFFSET = 68;
    /** Smallest frame that can be parsed: the header and the records length. */
    public static final int MIN_FRAME_LENGTH = RECORDS_OFFSET;
    /** Largest records length the schema allows (varDataEncoding maxValue). */
    public static final int MAX_RECORDS_LENGTH = 1 << 30;
    /** Largest frame length the schema allows. */
    public static final int MAX_FRAME_LENGTH = RECORDS_OFFSET + MAX_RECORDS_LENGTH;
    /** First byte covered by the CRC. */
    public static final int CRC_START = BASE_OFFSET_OFFSET;
    /** Frames stored or sent back to back start on this boundary, relative to the first frame. */
    public static final int FRAME_ALIGNMENT = 8;
    /** Size of the uncompressed-length prefix of compressed records. */
    public static final int UNCOMPRESSED_LENGTH_SIZE = 4;

    /** Current format version. */
    public static final byte MAGIC = 1;
    /** producerId of a batch from a producer without idempotence. */
    public static final long NO_PRODUCER_ID = -1;
    /** producerEpoch of a batch from a producer without idempotence. */
    public static final short NO_PRODUCER_EPOCH = -1;
    /** baseSequence of a batch from a producer without idempotence. */
    public static final int NO_SEQUENCE = -1;
    /** groupSeq of a batch not yet stamped by a leader. */
    public static final long NO_GROUP_SEQ = -1;
    /** leaderEpoch of a batch not yet stamped by a leader. */
    public static final int NO_LEADER_EPOCH = -1;

    /** Attribute bits 0-2: the {@link Compression} id. */
    public static final int COMPRESSION_MASK = 0x07;
    /** Attribute bit 3: timestamps were set by the broker; every record's timestamp is maxTimestamp. */
    public static final int LOG_APPEND_TIME_FLAG = 0x08;
    /** Attribute bit 4: a control batch (epoch start, metadata), not user records. */
    public static final int CONTROL_FLAG = 0x10;
    /** Attribute bits this format version does not define; they must be zero. */
    public static final int RESERVED_ATTRIBUTES_MASK = 0xE0;

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private Batches() {
    }

    /**
     * Checks that {@code length} bytes at {@code offset} are exactly one well-formed batch: bounds,
     * length fields, magic, CRC, attributes, record count and, for uncompressed batches, the
     * structure of every record (lengths in bounds, dense offset deltas, timestamps consistent with
     * maxTimestamp). Compressed records are checked as far as possible without decompressing
     * (envelope and declared size); {@link BatchReader#wrap} checks them fully.
     *
     * <p>Safe on any bytes: never throws, never allocates, runs in time linear in {@code length}.
     *
     * @param buffer holding the batch.
     * @param offset first byte of the batch.
     * @param length length of the batch as delivered (for example the Produce var data length).
     * @return {@link BatchError#NONE} or a negative {@link BatchError} code.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length) {
        final int status = validateFrame(buffer, offset, length);
        if (status != BatchError.NONE) {
            return status;
        }
        final int recordCount = recordCount(buffer, offset);
        final int recordsLength = length - RECORDS_OFFSET;
        if ((attributes(buffer, offset) & COMPRESSION_MASK) == 0) {
            return RecordSet.validate(
                buffer, offset + RECORDS_OFFSET, recordsLength, recordCount,
                firstTimestamp(buffer, offset), maxTimestamp(buffer, offset), !isLogAppendTime(buffer, offset));
        }
        return validateEnvelope(buffer, offset, recordsLength, recordCount, MAX_RECORDS_LENGTH);
    }

    /**
     * Header-level checks shared by {@link #validate} and {@link BatchReader}: everything except the
     * records themselves.
     */
    static int validateFrame(final DirectBuffer buffer, final int offset, final int length) {
        if (buffer == null || offset < 0 || length < 0 || offset > buffer.capacity() - length) {
            return BatchError.OUT_OF_BOUNDS;
        }
        if (length < MIN_FRAME_LENGTH) {
            return BatchError.TOO_SHORT;
        }
        if (frameLength(buffer, offset) != length) {
            return BatchError.LENGTH_MISMATCH;
        }
        if (buffer.getByte(offset + MAGIC_OFFSET) != MAGIC) {
            return BatchError.BAD_MAGIC;
        }
        if (recordsLength(buffer, offset) != length - RECORDS_OFFSET) {
            return BatchError.BAD_RECORDS_LENGTH;
        }
        if (crc(buffer, offset) != computeCrc(buffer, offset, length)) {
            return BatchError.CRC_MISMATCH;
        }
        final int attributes = attributes(buffer, offset);
        if ((attributes & RESERVED_ATTRIBUTES_MASK) != 0) {
            return BatchError.BAD_ATTRIBUTES;
        }
        final int codec = attributes & COMPRESSION_MASK;
        if (Compression.fromId(codec) == null) {
            return BatchError.BAD_COMPRESSION;
        }
        final int recordCount = recordCount(buffer, offset);
        if (recordCount < 1) {
            return BatchError.BAD_RECORD_COUNT;
        }
        if (codec == 0 && recordCount > (length - RECORDS_OFFSET) / RecordSet.MIN_RECORD_LENGTH) {
            return BatchError.BAD_RECORD_COUNT;
        }
        return BatchError.NONE;
    }

    /**
     * Checks the compressed-records envelope: a 4-byte uncompressed length, then at least one byte.
     */
    static int validateEnvelope(
        final DirectBuffer buffer,
        final int offset,
        final int recordsLength,
        final int recordCount,
        final int maxUncompressedLength) {
        if (recordsLength <= UNCOMPRESSED_LENGTH_SIZE) {
            return BatchError.BAD_RECORDS_LENGTH;
        }
        final long uncompressedLength = uncompressedLength(buffer, offset);
        if (uncompressedLength > MAX_RECORDS_LENGTH) {
            return BatchError.BAD_RECORDS_LENGTH;
        }
        if (uncompressedLength < (long) recordCount * RecordSet.MIN_RECORD_LENGTH) {
            return BatchError.BAD_RECORD_COUNT;
        }
        if (uncompressedLength > maxUncompressedLength) {
            return BatchError.TOO_LARGE;
        }
        return BatchError.NONE;
    }

    /**
     * Stamps a validated batch in place with the values the leader's sequencer assigns, then
     * recomputes its CRC. The frameLength is left untouched.
     *
     * @param buffer      holding the batch.
     * @param offset      first byte of the batch.
     * @param baseOffset  offset of the batch's first record in its partition.
     * @param groupSeq    group-wide sequence number.
     * @param leaderEpoch epoch of the stamping leader.
     */
    public static void stamp(
        final MutableDirectBuffer buffer,
        final int offset,
        final long baseOffset,
        final long groupSeq,
        final int leaderEpoch) {
        buffer.putLong(offset + BASE_OFFSET_OFFSET, baseOffset, ORDER);
        buffer.putLong(offset + GROUP_SEQ_OFFSET, groupSeq, ORDER);
        buffer.putInt(offset + LEADER_EPOCH_OFFSET, leaderEpoch, ORDER);
        buffer.putInt(offset + CRC_OFFSET, computeCrc(buffer, offset, frameLength(buffer, offset)), ORDER);
    }

    /**
     * As {@link #stamp(MutableDirectBuffer, int, long, long, int)}, for a topic that uses log append
     * time: also sets the log-append-time attribute and maxTimestamp to {@code logAppendTimeMs}, which
     * then is the timestamp of every record of the batch.
     *
     * @param buffer          holding the batch.
     * @param offset          first byte of the batch.
     * @param baseOffset      offset of the batch's first record in its partition.
     * @param groupSeq        group-wide sequence number.
     * @param leaderEpoch     epoch of the stamping leader.
     * @param logAppendTimeMs the broker's clock, epoch ms.
     */
    public static void stamp(
        final MutableDirectBuffer buffer,
        final int offset,
        final long baseOffset,
        final long groupSeq,
        final int leaderEpoch,
        final long logAppendTimeMs) {
        setLogAppendTime(buffer, offset, logAppendTimeMs);
        stamp(buffer, offset, baseOffset, groupSeq, leaderEpoch);
    }

    /**
     * Marks a validated batch as timestamped by the broker: sets the log-append-time attribute and
     * maxTimestamp, which then is the timestamp of every record. Does not recompute the CRC: call
     * {@link #stamp(MutableDirectBuffer, int, long, long, int)} afterwards, as the leader always does.
     *
     * @param buffer          holding the batch.
     * @param offset          first byte of the batch.
     * @param logAppendTimeMs the broker's clock, epoch ms.
     */
    public static void setLogAppendTime(
        final MutableDirectBuffer buffer, final int offset, final long logAppendTimeMs) {
        buffer.putByte(offset + ATTRIBUTES_OFFSET, (byte) (attributes(buffer, offset) | LOG_APPEND_TIME_FLAG));
        buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, logAppendTimeMs, ORDER);
    }

    /**
     * Writes the CRC of a complete frame whose other fields are final (the producer's last step
     * before a batch is sent: after {@link BatchBuilder#finish(boolean)} without checksum, an
     * optional {@link BatchCompressor#compress} and its idempotence fields).
     *
     * @param buffer holding the batch.
     * @param offset first byte of the batch; its frameLength field must be set.
     */
    public static void seal(final MutableDirectBuffer buffer, final int offset) {
        buffer.putInt(offset + CRC_OFFSET, computeCrc(buffer, offset, frameLength(buffer, offset)), ORDER);
    }

    /**
     * CRC-32C of bytes {@code [offset + 8, offset + frameLength)}, the value stored at {@link #CRC_OFFSET}.
     *
     * @param buffer      holding the batch.
     * @param offset      first byte of the batch.
     * @param frameLength length of the batch, at least {@link #CRC_START}.
     * @return the checksum.
     */
    public static int computeCrc(final DirectBuffer buffer, final int offset, final int frameLength) {
        return Checksums.crc32c(buffer, offset + CRC_START, frameLength - CRC_START);
    }

    /**
     * The length a frame occupies when frames are laid back to back.
     *
     * @param frameLength a frame's length.
     * @return {@code frameLength} rounded up to {@link #FRAME_ALIGNMENT}.
     */
    public static int alignedLength(final int frameLength) {
        return BitUtil.align(frameLength, FRAME_ALIGNMENT);
    }

    public static int frameLength(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + FRAME_LENGTH_OFFSET, ORDER);
    }

    public static int crc(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + CRC_OFFSET, ORDER);
    }

    public static long baseOffset(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET, ORDER);
    }

    /**
     * Offset of the batch's last record.
     *
     * @param buffer holding the batch.
     * @param offset first byte of the batch.
     * @return baseOffset + recordCount - 1.
     */
    public static long lastOffset(final DirectBuffer buffer, final int offset) {
        return baseOffset(buffer, offset) + recordCount(buffer, offset) - 1;
    }

    public static long groupSeq(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + GROUP_SEQ_OFFSET, ORDER);
    }

    public static int leaderEpoch(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + LEADER_EPOCH_OFFSET, ORDER);
    }

    public static int recordCount(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + RECORD_COUNT_OFFSET, ORDER);
    }

    public static long firstTimestamp(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + FIRST_TIMESTAMP_OFFSET, ORDER);
    }

    public static long maxTimestamp(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + MAX_TIMESTAMP_OFFSET, ORDER);
    }

    public static long producerId(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET, ORDER);
    }

    public static int baseSequence(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET, ORDER);
    }

    public static short producerEpoch(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET, ORDER);
    }

    /**
     * The raw attribute bits.
     *
     * @param buffer holding the batch.
     * @param offset first byte of the batch.
     * @return 0 to 255.
     */
    public static int attributes(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + ATTRIBUTES_OFFSET) & 0xFF;
    }

    public static byte magic(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + MAGIC_OFFSET);
    }

    /**
     * The records length field.
     *
     * @param buffer holding the batch.
     * @param offset first byte of the batch.
     * @return the unsigned value.
     */
    public static long recordsLength(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + RECORDS_LENGTH_OFFSET, ORDER) & 0xFFFF_FFFFL;
    }

    /**
     * The uncompressed length stored at the start of compressed records.
     *
     * @param buffer holding a compressed batch.
     * @param offset first byte of the batch.
     * @return the unsigned value.
     */
    public static long uncompressedLength(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + RECORDS_OFFSET, ORDER) & 0xFFFF_FFFFL;
    }

    /**
     * The codec of the batch's records.
     *
     * @param buffer holding the batch.
     * @param offset first byte of the batch.
     * @return the codec, or {@code null} when the bits name none ({@link #validate} rejects such batches).
     */
    public static Compression compression(final DirectBuffer buffer, final int offset) {
        return Compression.fromId(attributes(buffer, offset) & COMPRESSION_MASK);
    }

    public static boolean isControl(final DirectBuffer buffer, final int offset) {
        return (attributes(buffer, offset) & CONTROL_FLAG) != 0;
    }

    public static boolean isLogAppendTime(final DirectBuffer buffer, final int offset) {
        return (attributes(buffer, offset) & LOG_APPEND_TIME_FLAG) != 0;
    }
}

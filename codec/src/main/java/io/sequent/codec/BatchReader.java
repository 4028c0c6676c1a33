package io.sequent.codec;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * Reads the records of one batch at a time: the consumer side of the batch format.
 *
 * <pre>{@code
 * if (reader.wrap(buffer, offset, length) == BatchError.NONE) {
 *     while (reader.next()) {
 *         handle(reader.offset(), reader.timestamp(), reader.keyBuffer(), reader.keyOffset(), reader.keyLength(), ...);
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #wrap} validates the whole batch before the first record is exposed: the checks of
 * {@link Batches#validate}, then, for a compressed batch, decompression into an internal scratch
 * buffer and the same record-by-record structural walk. After a successful wrap, {@link #next()}
 * cannot read outside the batch. Any byte sequence gives either {@link BatchError#NONE} or a
 * negative code; nothing is thrown, and no buffer grows past the configured maximum whatever the
 * batch claims.
 *
 * <p>Key, value and header bytes are exposed in place ({@link #recordBuffer()} with offsets and
 * lengths): in the wrapped buffer for an uncompressed batch, in the scratch buffer for a compressed
 * one. They are valid until the next {@link #wrap}; copy anything kept longer. The array
 * convenience accessors allocate.
 *
 * <p>One reader per consuming thread; reusable; allocation-free in steady state.
 * {@link #close()} frees the native Zstandard context if one was made.
 */
public final class BatchReader implements AutoCloseable {
    /** Default cap on a batch's uncompressed records. */
    public static final int DEFAULT_MAX_RECORDS_BYTES = 64 * 1024 * 1024;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER_FIELDS = 4;

    private final int maxRecordsBytes;
    private final Decompressor decompressor;
    private int[] headerIndex = new int[HEADER_FIELDS * 8];

    private DirectBuffer batch;
    private int batchOffset;
    private DirectBuffer records;
    private int recordsStart;
    private int position;
    private int recordCount;
    private int index;
    private boolean wrapped;
    private long baseOffset;
    private long firstTimestamp;
    private long maxTimestamp;
    private boolean logAppendTime;

    private int offsetDelta;
    private int timestampDelta;
    private int recordAttributes;
    private int headerCount;
    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;

    /** A reader accepting up to {@link #DEFAULT_MAX_RECORDS_BYTES} of uncompressed records per batch. */
    public BatchReader() {
        this(DEFAULT_MAX_RECORDS_BYTES);
    }

    /**
     * @param maxRecordsBytes cap on a compressed batch's uncompressed records; larger batches are
     *                        rejected with {@link BatchError#TOO_LARGE}.
     */
    public BatchReader(final int maxRecordsBytes) {
        if (maxRecordsBytes < RecordSet.MIN_RECORD_LENGTH) {
            throw new IllegalArgumentException("maxRecordsBytes too small: " + maxRecordsBytes);
        }
        this.maxRecordsBytes = maxRecordsBytes;
        decompressor = new Decompressor(maxRecordsBytes);
    }

    /**
     * Validates the batch at {@code [offset, offset + length)} and positions before its first record.
     *
     * @param buffer holding the batch.
     * @param offset first byte of the batch.
     * @param length length of the batch as delivered.
     * @return {@link BatchError#NONE}, or a negative {@link BatchError} code after which
     *     {@link #next()} returns false.
     */
    public int wrap(final DirectBuffer buffer, final int offset, final int length) {
        wrapped = false;
        recordCount = 0;
        index = 0;
        int status = Batches.validateFrame(buffer, offset, length);
        if (status != BatchError.NONE) {
            return status;
        }
        final int count = Batches.recordCount(buffer, offset);
        final long first = Batches.firstTimestamp(buffer, offset);
        final long max = Batches.maxTimestamp(buffer, offset);
        final boolean appendTime = Batches.isLogAppendTime(buffer, offset);
        final int recordsLength = length - Batches.RECORDS_OFFSET;
        final Compression codec = Batches.compression(buffer, offset);
        final DirectBuffer recordBytes;
        final int start;
        final int bytes;
        if (codec == Compression.NONE) {
            recordBytes = buffer;
            start = offset + Batches.RECORDS_OFFSET;
            bytes = recordsLength;
        } else {
            status = Batches.validateEnvelope(buffer, offset, recordsLength, count, maxRecordsBytes);
            if (status != BatchError.NONE) {
                return status;
            }
            bytes = (int) Batches.uncompressedLength(buffer, offset);
            status = decompressor.decompress(
                codec,
                buffer,
                offset + Batches.RECORDS_OFFSET + Batches.UNCOMPRESSED_LENGTH_SIZE,
                recordsLength - Batches.UNCOMPRESSED_LENGTH_SIZE,
                bytes);
            if (status != BatchError.NONE) {
                return status;
            }
            recordBytes = decompressor.result();
            start = 0;
        }
        status = RecordSet.validate(recordBytes, start, bytes, count, first, max, !appendTime);
        if (status != BatchError.NONE) {
            return status;
        }
        batch = buffer;
        batchOffset = offset;
        records = recordBytes;
        recordsStart = start;
        position = start;
        recordCount = count;
        baseOffset = Batches.baseOffset(buffer, offset);
        firstTimestamp = first;
        maxTimestamp = max;
        logAppendTime = appendTime;
        wrapped = true;
        return BatchError.NONE;
    }

    /**
     * Moves to the next record.
     *
     * @return false after the last record, or when the last {@link #wrap} failed.
     */
    public boolean next() {
        if (!wrapped || index >= recordCount) {
            return false;
        }
        final DirectBuffer b = records;
        int p = position;
        offsetDelta = b.getInt(p + RecordSet.OFFSET_DELTA_OFFSET, ORDER);
        timestampDelta = b.getInt(p + RecordSet.TIMESTAMP_DELTA_OFFSET, ORDER);
        recordAttributes = b.getByte(p + RecordSet.ATTRIBUTES_OFFSET) & 0xFF;
        final int headerBlockLength = b.getShort(p + RecordSet.HEADERS_BLOCK_LENGTH_OFFSET, ORDER) & 0xFFFF;
        headerCount = b.getShort(p + RecordSet.HEADERS_COUNT_OFFSET, ORDER) & 0xFFFF;
        p += RecordSet.FIXED_LENGTH;
        if (headerIndex.length < headerCount * HEADER_FIELDS) {
            headerIndex = new int[headerCount * HEADER_FIELDS];
        }
        for (int h = 0, i = 0; h < headerCount; h++, i += HEADER_FIELDS) {
            p += headerBlockLength;
            final int hk = b.getInt(p, ORDER);
            headerIndex[i] = p + RecordSet.LENGTH_PREFIX;
            headerIndex[i + 1] = hk;
            p += RecordSet.LENGTH_PREFIX + hk;
            final int hv = b.getInt(p, ORDER);
            headerIndex[i + 2] = p + RecordSet.LENGTH_PREFIX;
            headerIndex[i + 3] = hv;
            p += RecordSet.LENGTH_PREFIX + hv;
        }
        keyLength = b.getInt(p, ORDER);
        keyOffset = p + RecordSet.LENGTH_PREFIX;
        p = keyOffset + keyLength;
        valueLength = b.getInt(p, ORDER);
        valueOffset = p + RecordSet.LENGTH_PREFIX;
        position = valueOffset + valueLength;
        index++;
        return true;
    }

    /** Goes back before the first record of the current batch, without validating again. */
    public void rewind() {
        position = recordsStart;
        index = 0;
    }

    /**
     * Whether the last {@link #wrap} succeeded.
     *
     * @return true when a batch is wrapped.
     */
    public boolean isWrapped() {
        return wrapped;
    }

    public DirectBuffer batchBuffer() {
        return batch;
    }

    public int batchOffset() {
        return batchOffset;
    }

    public int recordCount() {
        return recordCount;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public long lastOffset() {
        return baseOffset + recordCount - 1;
    }

    public long firstTimestamp() {
        return firstTimestamp;
    }

    public long maxTimestamp() {
        return maxTimestamp;
    }

    public boolean isLogAppendTime() {
        return logAppendTime;
    }

    public long groupSeq() {
        return Batches.groupSeq(batch, batchOffset);
    }

    public int leaderEpoch() {
        return Batches.leaderEpoch(batch, batchOffset);
    }

    public long producerId() {
        return Batches.producerId(batch, batchOffset);
    }

    public short producerEpoch() {
        return Batches.producerEpoch(batch, batchOffset);
    }

    public int baseSequence() {
        return Batches.baseSequence(batch, batchOffset);
    }

    public Compression compression() {
        return Batches.compression(batch, batchOffset);
    }

    public boolean isControl() {
        return Batches.isControl(batch, batchOffset);
    }

    /**
     * Index of the current record in its batch.
     *
     * @return 0 for the first record.
     */
    public int recordIndex() {
        return index - 1;
    }

    /**
     * Offset of the current record in its partition.
     *
     * @return baseOffset + the record's offset delta.
     */
    public long offset() {
        return baseOffset + offsetDelta;
    }

    /**
     * Timestamp of the current record: the batch's log append time when set, otherwise the
     * producer's timestamp.
     *
     * @return epoch ms.
     */
    public long timestamp() {
        return logAppendTime ? maxTimestamp : firstTimestamp + timestampDelta;
    }

    /**
     * The buffer holding the current record's key, value and header bytes.
     *
     * @return the wrapped buffer, or the decompression scratch for a compressed batch.
     */
    public DirectBuffer recordBuffer() {
        return records;
    }

    public DirectBuffer keyBuffer() {
        return records;
    }

    public DirectBuffer valueBuffer() {
        return records;
    }

    public boolean hasKey() {
        return (recordAttributes & RecordSet.NULL_KEY_FLAG) == 0;
    }

    public int keyOffset() {
        return keyOffset;
    }

    /**
     * Length of the current record's key.
     *
     * @return the length, or -1 for a null key.
     */
    public int keyLength() {
        return hasKey() ? keyLength : -1;
    }

    public boolean hasValue() {
        return (recordAttributes & RecordSet.NULL_VALUE_FLAG) == 0;
    }

    public int valueOffset() {
        return valueOffset;
    }

    /**
     * Length of the current record's value.
     *
     * @return the length, or -1 for a null value.
     */
    public int valueLength() {
        return hasValue() ? valueLength : -1;
    }

    /**
     * Copy of the key (allocates).
     *
     * @return the key bytes, or null for a null key.
     */
    public byte[] keyBytes() {
        return hasKey() ? copy(keyOffset, keyLength) : null;
    }

    /**
     * Copy of the value (allocates).
     *
     * @return the value bytes, or null for a null value.
     */
    public byte[] valueBytes() {
        return hasValue() ? copy(valueOffset, valueLength) : null;
    }

    public int headerCount() {
        return headerCount;
    }

    /**
     * Where header {@code i}'s key starts in {@link #recordBuffer()}.
     *
     * @param i 0 to {@link #headerCount()} - 1.
     * @return the offset.
     */
    public int headerKeyOffset(final int i) {
        return headerIndex[checkHeader(i) * HEADER_FIELDS];
    }

    public int headerKeyLength(final int i) {
        return headerIndex[checkHeader(i) * HEADER_FIELDS + 1];
    }

    public int headerValueOffset(final int i) {
        return headerIndex[checkHeader(i) * HEADER_FIELDS + 2];
    }

    public int headerValueLength(final int i) {
        return headerIndex[checkHeader(i) * HEADER_FIELDS + 3];
    }

    /**
     * Header {@code i}'s key decoded as UTF-8 (allocates).
     *
     * @param i 0 to {@link #headerCount()} - 1.
     * @return the key.
     */
    public String headerKey(final int i) {
        final byte[] bytes = copy(headerKeyOffset(i), headerKeyLength(i));
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Copy of header {@code i}'s value (allocates).
     *
     * @param i 0 to {@link #headerCount()} - 1.
     * @return the value bytes.
     */
    public byte[] headerValueBytes(final int i) {
        return copy(headerValueOffset(i), headerValueLength(i));
    }

    @Override
    public void close() {
        decompressor.close();
    }

    private int checkHeader(final int i) {
        if (i < 0 || i >= headerCount) {
            throw new IndexOutOfBoundsException("header " + i + " of " + headerCount);
        }
        return i;
    }

    private byte[] copy(final int offset, final int length) {
        final byte[] bytes = new byte[length];
        records.getBytes(offset, bytes, 0, length);
        return bytes;
    }
}

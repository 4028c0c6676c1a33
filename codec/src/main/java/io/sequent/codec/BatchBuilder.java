package io.sequent.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.batch.RecordEncoder;

/**
 * Builds one record batch at a time into a caller's buffer: the producer side of the batch format.
 *
 * <pre>{@code
 * builder.begin(out, 0, out.capacity(), producerId, producerEpoch, nextSequence);
 * while (haveRecords && builder.tryAppend(timestamp, key, value)) { ... }
 * int frameLength = builder.finish();   // a complete, checksummed batch at out[0, frameLength)
 * }</pre>
 *
 * <p>Records are encoded with the generated {@link RecordEncoder} straight into the output buffer,
 * or, when a {@link Compression} is configured, into a scratch buffer that {@link #finish()}
 * compresses into the output. If compression does not make the records smaller the batch is
 * written uncompressed, so a batch never exceeds the capacity given to {@link #begin}: capacity is
 * always reckoned on the uncompressed size.
 *
 * <p>{@link #finish()} leaves the leader's fields unstamped (baseOffset 0, groupSeq -1,
 * leaderEpoch -1); the leader fills them with {@link Batches#stamp}.
 *
 * <p>One builder per producing thread; reusable; allocation-free in steady state (the scratch
 * buffers for compression are allocated once, on the first compressed batch, and sized by the
 * constructor's maximum). {@link #close()} frees the native Zstandard context if one was made.
 * Misuse (appending before {@code begin}, bad arguments) throws; running out of room does not: it
 * is reported by {@link #tryAppend} returning false.
 */
public final class BatchBuilder implements AutoCloseable {
    /** Zstandard level used unless {@link #compressionLevel(int)} says otherwise. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final int maxBatchBytes;
    private final RecordEncoder recordEncoder = new RecordEncoder();
    private final UnsafeBuffer keyArray = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer valueArray = new UnsafeBuffer(new byte[0]);
    private Compression compression = Compression.NONE;
    private int zstdLevel = DEFAULT_ZSTD_LEVEL;
    private boolean control;
    private Compressor compressor;

    private boolean building;
    private MutableDirectBuffer out;
    private int outOffset;
    private MutableDirectBuffer records;
    private int recordsStart;
    private int recordsPosition;
    private int recordsLimit;
    private Compression batchCompression;
    private boolean batchControl;
    private long producerId;
    private short producerEpoch;
    private int baseSequence;
    private int recordCount;
    private long firstTimestamp;
    private long maxTimestamp;

    /**
     * @param maxBatchBytes largest frame this builder will produce, whatever capacity {@link #begin}
     *                      is given; at least {@link Batches#MIN_FRAME_LENGTH} plus one empty record.
     */
    public BatchBuilder(final int maxBatchBytes) {
        if (maxBatchBytes < Batches.MIN_FRAME_LENGTH + RecordSet.MIN_RECORD_LENGTH
            || maxBatchBytes > Batches.MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("maxBatchBytes out of range: " + maxBatchBytes);
        }
        this.maxBatchBytes = maxBatchBytes;
    }

    /**
     * The codec for batches begun from now on.
     *
     * @param compression the codec; default {@link Compression#NONE}.
     * @return this.
     */
    public BatchBuilder compression(final Compression compression) {
        if (compression == null) {
            throw new IllegalArgumentException("compression");
        }
        this.compression = compression;
        return this;
    }

    /**
     * Zstandard compression level for batches finished from now on.
     *
     * @param level a Zstandard level (1 fastest .. 22 smallest; default {@link #DEFAULT_ZSTD_LEVEL}).
     * @return this.
     */
    public BatchBuilder compressionLevel(final int level) {
        zstdLevel = level;
        if (compressor != null) {
            compressor.zstdLevel(level);
        }
        return this;
    }

    /**
     * Whether batches begun from now on are control batches (epoch start, metadata).
     *
     * @param control true to set the control attribute.
     * @return this.
     */
    public BatchBuilder control(final boolean control) {
        this.control = control;
        return this;
    }

    /**
     * Largest frame this builder produces.
     *
     * @return the constructor's maximum.
     */
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    /**
     * Starts a batch at {@code out[outOffset]}. Any batch in progress is discarded.
     *
     * @param out           where the frame is written.
     * @param outOffset     first byte of the frame.
     * @param outCapacity   bytes available from {@code outOffset}; the frame never exceeds
     *                      {@code min(outCapacity, maxBatchBytes)}.
     * @param producerId    idempotent producer id, or {@link Batches#NO_PRODUCER_ID}.
     * @param producerEpoch producer epoch, or {@link Batches#NO_PRODUCER_EPOCH}.
     * @param baseSequence  sequence of the first record, or {@link Batches#NO_SEQUENCE}.
     */
    public void begin(
        final MutableDirectBuffer out,
        final int outOffset,
        final int outCapacity,
        final long producerId,
        final short producerEpoch,
        final int baseSequence) {
        if (out == null || outOffset < 0 || outCapacity < 0 || outOffset > out.capacity() - outCapacity) {
            throw new IllegalArgumentException("bad output region: offset=" + outOffset + " capacity=" + outCapacity);
        }
        final int frameLimit = Math.min(outCapacity, maxBatchBytes);
        this.out = out;
        this.outOffset = outOffset;
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        batchCompression = compression;
        batchControl = control;
        recordCount = 0;
        firstTimestamp = 0;
        maxTimestamp = 0;
        if (batchCompression == Compression.NONE) {
            records = out;
            recordsStart = outOffset + Batches.RECORDS_OFFSET;
            recordsLimit = outOffset + Math.max(frameLimit, Batches.RECORDS_OFFSET);
        } else {
            if (compressor == null) {
                compressor = new Compressor(maxBatchBytes - Batches.RECORDS_OFFSET, zstdLevel);
            }
            records = compressor.input();
            recordsStart = 0;
            recordsLimit = Math.max(frameLimit - Batches.RECORDS_OFFSET, 0);
        }
        recordsPosition = recordsStart;
        building = true;
    }

    /**
     * Appends a record without headers.
     *
     * @see #tryAppend(long, DirectBuffer, int, int, DirectBuffer, int, int, RecordHeaders)
     */
    public boolean tryAppend(
        final long timestampMs,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength) {
        return tryAppend(timestampMs, key, keyOffset, keyLength, value, valueOffset, valueLength, null);
    }

    /**
     * Appends a record from arrays.
     *
     * @param timestampMs record timestamp, epoch ms.
     * @param key         the key, or null.
     * @param value       the value, or null.
     * @return false when the record does not fit in this batch.
     */
    public boolean tryAppend(final long timestampMs, final byte[] key, final byte[] value) {
        return tryAppend(timestampMs, key, value, null);
    }

    /**
     * Appends a record with headers from arrays.
     *
     * @param timestampMs record timestamp, epoch ms.
     * @param key         the key, or null.
     * @param value       the value, or null.
     * @param headers     the headers, or null for none.
     * @return false when the record does not fit in this batch.
     */
    public boolean tryAppend(
        final long timestampMs, final byte[] key, final byte[] value, final RecordHeaders headers) {
        final DirectBuffer keyBuffer = key == null ? EMPTY : wrap(keyArray, key);
        final DirectBuffer valueBuffer = value == null ? EMPTY : wrap(valueArray, value);
        return tryAppend(
            timestampMs,
            keyBuffer, 0, key == null ? -1 : key.length,
            valueBuffer, 0, value == null ? -1 : value.length,
            headers);
    }

    /**
     * Appends a record to the batch begun last.
     *
     * <p>Returns false, leaving the batch as it was, when the record would take the frame past its
     * capacity, or when its timestamp is more than an int32 of milliseconds from the batch's first
     * (record timestamps are stored as deltas): finish this batch and begin another. A record that
     * does not fit even an empty batch can never be appended ({@link #encodedRecordLength} tells its size).
     *
     * @param timestampMs record timestamp, epoch ms.
     * @param key         buffer holding the key (ignored when the key is null).
     * @param keyOffset   first byte of the key.
     * @param keyLength   length of the key, or -1 for a null key.
     * @param value       buffer holding the value (ignored when the value is null).
     * @param valueOffset first byte of the value.
     * @param valueLength length of the value, or -1 for a null value.
     * @param headers     the record's headers, or null for none.
     * @return true when appended.
     */
    public boolean tryAppend(
        final long timestampMs,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final RecordHeaders headers) {
        if (!building) {
            throw new IllegalStateException("begin() a batch first");
        }
        if (keyLength < -1 || valueLength < -1) {
            throw new IllegalArgumentException("lengths must be >= -1: key=" + keyLength + " value=" + valueLength);
        }
        final long recordLength = encodedRecordLength(keyLength, valueLength, headers);
        if (recordLength > recordsLimit - recordsPosition) {
            return false;
        }
        final int timestampDelta;
        if (recordCount == 0) {
            timestampDelta = 0;
        } else {
            final long delta = timestampMs - firstTimestamp;
            final boolean overflow = ((timestampMs ^ firstTimestamp) & (timestampMs ^ delta)) < 0;
            if (overflow || delta < Integer.MIN_VALUE || delta > Integer.MAX_VALUE) {
                return false;
            }
            timestampDelta = (int) delta;
        }

        final RecordEncoder encoder = recordEncoder.wrap(records, recordsPosition)
            .offsetDelta(recordCount)
            .timestampDelta(timestampDelta);
        encoder.attributes().clear().nullKey(keyLength < 0).nullValue(valueLength < 0);
        final int headerCount = headers == null ? 0 : headers.count();
        final RecordEncoder.HeadersEncoder headersEncoder = encoder.headersCount(headerCount);
        for (int i = 0; i < headerCount; i++) {
            headersEncoder.next()
                .putHeaderKey(headers.bytes(), headers.keyOffset(i), headers.keyLength(i))
                .putHeaderValue(headers.bytes(), headers.valueOffset(i), headers.valueLength(i));
        }
        if (keyLength < 0) {
            encoder.putKey(EMPTY, 0, 0);
        } else {
            encoder.putKey(key, keyOffset, keyLength);
        }
        if (valueLength < 0) {
            encoder.putValue(EMPTY, 0, 0);
        } else {
            encoder.putValue(value, valueOffset, valueLength);
        }
        recordsPosition = encoder.limit();

        if (recordCount == 0) {
            firstTimestamp = timestampMs;
            maxTimestamp = timestampMs;
        } else if (timestampMs > maxTimestamp) {
            maxTimestamp = timestampMs;
        }
        recordCount++;
        return true;
    }

    /**
     * Number of records appended to the current batch.
     *
     * @return the count.
     */
    public int recordCount() {
        return recordCount;
    }

    /**
     * Bytes the current batch would take if finished uncompressed now.
     *
     * @return header plus records.
     */
    public int uncompressedLength() {
        return Batches.RECORDS_OFFSET + (recordsPosition - recordsStart);
    }

    /**
     * Completes the batch: compresses the records when configured and worthwhile, writes the header
     * and the CRC. The builder then needs {@link #begin} again.
     *
     * @return the frame length, or 0 when no record was appended (nothing is written).
     */
    public int finish() {
        return finish(true);
    }

    /**
     * As {@link #finish()}, optionally without the CRC: a producer that stamps its idempotence fields
     * (and may compress, see {@link BatchCompressor}) later seals the frame once, with
     * {@link Batches#seal}, instead of checksumming it twice.
     *
     * @param checksum whether to compute the CRC now; when false the CRC field is left 0.
     * @return the frame length, or 0 when no record was appended (nothing is written).
     */
    public int finish(final boolean checksum) {
        if (!building) {
            throw new IllegalStateException("begin() a batch first");
        }
        building = false;
        if (recordCount == 0) {
            return 0;
        }
        int recordsLength = recordsPosition - recordsStart;
        int attributes = batchControl ? Batches.CONTROL_FLAG : 0;
        if (batchCompression != Compression.NONE) {
            final int compressedLength = compressor.compress(batchCompression, recordsLength);
            if (Batches.UNCOMPRESSED_LENGTH_SIZE + compressedLength < recordsLength) {
                out.putInt(outOffset + Batches.RECORDS_OFFSET, recordsLength, Batches.ORDER);
                out.putBytes(
                    outOffset + Batches.RECORDS_OFFSET + Batches.UNCOMPRESSED_LENGTH_SIZE,
                    compressor.output(), 0, compressedLength);
                recordsLength = Batches.UNCOMPRESSED_LENGTH_SIZE + compressedLength;
                attributes |= batchCompression.id();
            } else {
                out.putBytes(outOffset + Batches.RECORDS_OFFSET, records, 0, recordsLength);
            }
        }
        final int frameLength = Batches.RECORDS_OFFSET + recordsLength;
        final int o = outOffset;
        out.putLong(o + Batches.BASE_OFFSET_OFFSET, 0L, Batches.ORDER);
        out.putLong(o + Batches.GROUP_SEQ_OFFSET, Batches.NO_GROUP_SEQ, Batches.ORDER);
        out.putInt(o + Batches.LEADER_EPOCH_OFFSET, Batches.NO_LEADER_EPOCH, Batches.ORDER);
        out.putInt(o + Batches.RECORD_COUNT_OFFSET, recordCount, Batches.ORDER);
        out.putLong(o + Batches.FIRST_TIMESTAMP_OFFSET, firstTimestamp, Batches.ORDER);
        out.putLong(o + Batches.MAX_TIMESTAMP_OFFSET, maxTimestamp, Batches.ORDER);
        out.putLong(o + Batches.PRODUCER_ID_OFFSET, producerId, Batches.ORDER);
        out.putInt(o + Batches.BASE_SEQUENCE_OFFSET, baseSequence, Batches.ORDER);
        out.putShort(o + Batches.PRODUCER_EPOCH_OFFSET, producerEpoch, Batches.ORDER);
        out.putByte(o + Batches.ATTRIBUTES_OFFSET, (byte) attributes);
        out.putByte(o + Batches.MAGIC_OFFSET, Batches.MAGIC);
        out.putInt(o + Batches.RECORDS_LENGTH_OFFSET, recordsLength, Batches.ORDER);
        out.putInt(o + Batches.FRAME_LENGTH_OFFSET, frameLength, Batches.ORDER);
        out.putInt(o + Batches.CRC_OFFSET, checksum ? Batches.computeCrc(out, o, frameLength) : 0, Batches.ORDER);
        return frameLength;
    }

    /**
     * Bytes a record takes inside a batch's (uncompressed) records.
     *
     * @param keyLength   key length, -1 for null.
     * @param valueLength value length, -1 for null.
     * @param headers     headers, or null.
     * @return the encoded length; a record fits an empty batch of capacity c when
     *     {@code Batches.RECORDS_OFFSET + encodedRecordLength(...) <= c}.
     */
    public static long encodedRecordLength(final int keyLength, final int valueLength, final RecordHeaders headers) {
        return RecordSet.MIN_RECORD_LENGTH
            + (headers == null ? 0L : headers.encodedLength() - RecordSet.GROUP_HEADER_LENGTH)
            + Math.max(keyLength, 0)
            + Math.max(valueLength, 0);
    }

    @Override
    public void close() {
        if (compressor != null) {
            compressor.close();
        }
    }

    private static DirectBuffer wrap(final UnsafeBuffer wrapper, final byte[] array) {
        if (wrapper.byteArray() != array) {
            wrapper.wrap(array);
        }
        return wrapper;
    }
}

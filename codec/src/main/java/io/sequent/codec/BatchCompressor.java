package io.sequent.codec;

import org.agrona.MutableDirectBuffer;

/**
 * Compresses the records of a finished, uncompressed batch in place: the producer's I/O thread runs
 * it on each batch the application threads filled, so that compression costs the senders nothing.
 * The records are copied into a scratch buffer, compressed, and written back as the compressed
 * envelope (4-byte uncompressed length, then the codec's bytes) when that makes the batch smaller;
 * otherwise the batch is left exactly as it was. The header's attributes, records length and frame
 * length follow; the CRC is not computed (see {@link Batches#seal}).
 *
 * <p>Allocation-free after construction (the scratch buffers are sized for the largest records once);
 * not thread-safe: one per I/O thread. {@link #close()} frees the native Zstandard context.
 */
public final class BatchCompressor implements AutoCloseable {
    private final int maxRecordsLength;
    private final Compressor compressor;

    /**
     * @param maxFrameLength largest frame that will be compressed.
     * @param zstdLevel      Zstandard level ({@link BatchBuilder#DEFAULT_ZSTD_LEVEL} by default).
     */
    public BatchCompressor(final int maxFrameLength, final int zstdLevel) {
        if (maxFrameLength < Batches.MIN_FRAME_LENGTH + RecordSet.MIN_RECORD_LENGTH
            || maxFrameLength > Batches.MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("maxFrameLength out of range: " + maxFrameLength);
        }
        maxRecordsLength = maxFrameLength - Batches.RECORDS_OFFSET;
        compressor = new Compressor(maxRecordsLength, zstdLevel);
    }

    /**
     * Compresses a finished uncompressed frame in place when that makes it smaller.
     *
     * @param buffer holding the frame; it must have room for the frame's current length only.
     * @param offset first byte of the frame.
     * @param codec  the codec; {@link Compression#NONE} leaves the frame as it is.
     * @return the frame's length afterwards (unchanged when the records stayed uncompressed).
     * @throws IllegalArgumentException when the frame is already compressed or larger than this
     *                                  compressor's maximum.
     */
    public int compress(final MutableDirectBuffer buffer, final int offset, final Compression codec) {
        final int frameLength = Batches.frameLength(buffer, offset);
        if (codec == Compression.NONE) {
            return frameLength;
        }
        if ((Batches.attributes(buffer, offset) & Batches.COMPRESSION_MASK) != 0) {
            throw new IllegalArgumentException("the batch is already compressed");
        }
        final int recordsLength = frameLength - Batches.RECORDS_OFFSET;
        if (recordsLength > maxRecordsLength || recordsLength < 0) {
            throw new IllegalArgumentException("records of " + recordsLength + " bytes exceed " + maxRecordsLength);
        }
        compressor.input().putBytes(0, buffer, offset + Batches.RECORDS_OFFSET, recordsLength);
        final int compressedLength = compressor.compress(codec, recordsLength);
        final int envelopeLength = Batches.UNCOMPRESSED_LENGTH_SIZE + compressedLength;
        if (envelopeLength >= recordsLength) {
            return frameLength;
        }
        buffer.putInt(offset + Batches.RECORDS_OFFSET, recordsLength, Batches.ORDER);
        buffer.putBytes(offset + Batches.RECORDS_OFFSET + Batches.UNCOMPRESSED_LENGTH_SIZE,
            compressor.output(), 0, compressedLength);
        final int attributes = Batches.attributes(buffer, offset) | codec.id();
        buffer.putByte(offset + Batches.ATTRIBUTES_OFFSET, (byte) attributes);
        buffer.putInt(offset + Batches.RECORDS_LENGTH_OFFSET, envelopeLength, Batches.ORDER);
        final int compressedFrameLength = Batches.RECORDS_OFFSET + envelopeLength;
        buffer.putInt(offset + Batches.FRAME_LENGTH_OFFSET, compressedFrameLength, Batches.ORDER);
        return compressedFrameLength;
    }

    @Override
    public void close() {
        compressor.close();
    }
}

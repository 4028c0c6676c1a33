package io.sequent.log;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The parts of a record batch that the log reads. The log stores batches as opaque frames; it only
 * needs a frame's length, checksum, offsets, sequence and timestamps to index, recover and truncate.
 * The full batch layout is owned by the codec module ({@code batch-schema.xml}); the offsets here
 * mirror it, and a test in the sequencer module checks that both agree.
 *
 * <pre>
 *   0  int32 frameLength    total bytes of the batch; written last, with release semantics
 *   4  int32 crc            CRC-32C of bytes [8, frameLength)
 *   8  int64 baseOffset     offset of the first record
 *  16  int64 groupSeq       group-wide sequence number of the batch
 *  24  int32 leaderEpoch
 *  28  int32 recordCount    the batch holds offsets [baseOffset, baseOffset + recordCount)
 *  32  int64 firstTimestamp
 *  40  int64 maxTimestamp
 *  ..  opaque to the log
 * </pre>
 *
 * In a segment every frame starts on a {@link #FRAME_ALIGNMENT} boundary: a reader steps from one
 * frame to the next by {@code align(frameLength, FRAME_ALIGNMENT)}. A frame length of zero marks
 * the end of the written part of a pre-allocated (zero-filled) segment.
 */
public final class FrameDescriptor {
    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int BASE_OFFSET_OFFSET = 8;
    public static final int GROUP_SEQ_OFFSET = 16;
    public static final int LEADER_EPOCH_OFFSET = 24;
    public static final int RECORD_COUNT_OFFSET = 28;
    public static final int FIRST_TIMESTAMP_OFFSET = 32;
    public static final int MAX_TIMESTAMP_OFFSET = 40;

    /** First byte covered by the CRC. */
    public static final int CRC_START = 8;

    /** Smallest valid frame: the fixed batch header (64 bytes) and the records length field. */
    public static final int MIN_FRAME_LENGTH = 68;

    /** Frames start on this boundary inside a segment, so the length word can be written atomically. */
    public static final int FRAME_ALIGNMENT = 8;

    private FrameDescriptor() {
    }

    public static int alignedLength(final int frameLength) {
        return BitUtil.align(frameLength, FRAME_ALIGNMENT);
    }

    public static int frameLength(final DirectBuffer buffer, final int frameOffset) {
        return buffer.getInt(frameOffset + LENGTH_OFFSET);
    }

    /**
     * Read a frame's length with acquire semantics: when it is positive, every other byte of the frame is visible.
     * Takes an {@link AtomicBuffer} because a plain {@link DirectBuffer} offers no ordered reads.
     */
    public static int frameLengthVolatile(final AtomicBuffer buffer, final int frameOffset) {
        return buffer.getIntVolatile(frameOffset + LENGTH_OFFSET);
    }

    public static int crc(final DirectBuffer buffer, final int frameOffset) {
        return buffer.getInt(frameOffset + CRC_OFFSET);
    }

    public static long baseOffset(final DirectBuffer buffer, final int frameOffset) {
        return buffer.getLong(frameOffset + BASE_OFFSET_OFFSET);
    }

    public static long groupSeq(final DirectBuffer buffer, final int frameOffset) {
        return buffer.getLong(frameOffset + GROUP_SEQ_OFFSET);
    }

    public static int leaderEpoch(final DirectBuffer buffer, final int frameOffset) {
        return buffer.getInt(frameOffset + LEADER_EPOCH_OFFSET);
    }

    public static int recordCount(final DirectBuffer buffer, final int frameOffset) {
        return buffer.getInt(frameOffset + RECORD_COUNT_OFFSET);
    }

    /** Offset of the last record of the batch. */
    public static long lastOffset(final DirectBuffer buffer, final int frameOffset) {
        return baseOffset(buffer, frameOffset) + recordCount(buffer, frameOffset) - 1;
    }

    public static long firstTimestamp(final DirectBuffer buffer, final int frameOffset) {
        return buffer.getLong(frameOffset + FIRST_TIMESTAMP_OFFSET);
    }

    public static long maxTimestamp(final DirectBuffer buffer, final int frameOffset) {
        return buffer.getLong(frameOffset + MAX_TIMESTAMP_OFFSET);
    }
}

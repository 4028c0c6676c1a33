package io.sequent.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds valid frames for tests: the header fields named by {@link FrameDescriptor}, producer fields, magic 1 at
 * byte 63, the records length (uint32) at 64, a payload derived from (seed, baseOffset), and the CRC-32C of
 * bytes [8, length) at 4. {@link #verify} checks all of it back.
 */
final class TestFrames {
    static final int HEADER_LENGTH = 68;
    static final int MAGIC_OFFSET = 63;
    static final int RECORDS_LENGTH_OFFSET = 64;

    private TestFrames() {
    }

    /** Description of one frame to build. */
    record Spec(long baseOffset, int recordCount, int epoch, long firstTimestamp, long maxTimestamp, int payload) {
        int length() {
            return HEADER_LENGTH + payload;
        }

        long lastOffset() {
            return baseOffset + recordCount - 1;
        }
    }

    static UnsafeBuffer newBuffer(final int capacity) {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
    }

    /**
     * Write a valid frame at {@code offset}.
     *
     * @return the frame length.
     */
    static int write(final MutableDirectBuffer buffer, final int offset, final Spec spec, final long seed) {
        final int length = spec.length();
        buffer.setMemory(offset, length, (byte) 0);
        buffer.putInt(offset + FrameDescriptor.LENGTH_OFFSET, length);
        buffer.putLong(offset + FrameDescriptor.BASE_OFFSET_OFFSET, spec.baseOffset());
        buffer.putLong(offset + FrameDescriptor.GROUP_SEQ_OFFSET, spec.baseOffset() * 3 + 1);
        buffer.putInt(offset + FrameDescriptor.LEADER_EPOCH_OFFSET, spec.epoch());
        buffer.putInt(offset + FrameDescriptor.RECORD_COUNT_OFFSET, spec.recordCount());
        buffer.putLong(offset + FrameDescriptor.FIRST_TIMESTAMP_OFFSET, spec.firstTimestamp());
        buffer.putLong(offset + FrameDescriptor.MAX_TIMESTAMP_OFFSET, spec.maxTimestamp());
        buffer.putLong(offset + 48, -1L);
        buffer.putInt(offset + 56, -1);
        buffer.putShort(offset + 60, (short) 0);
        buffer.putByte(offset + 62, (byte) 0);
        buffer.putByte(offset + MAGIC_OFFSET, (byte) 1);
        buffer.putInt(offset + RECORDS_LENGTH_OFFSET, length - HEADER_LENGTH);
        long state = mix(seed, spec.baseOffset());
        final int payload = spec.payload();
        int i = 0;
        for (; i + 8 <= payload; i += 8) {
            state = next(state);
            buffer.putLong(offset + HEADER_LENGTH + i, state);
        }
        for (; i < payload; i++) {
            state = next(state);
            buffer.putByte(offset + HEADER_LENGTH + i, (byte) state);
        }
        buffer.putInt(offset + FrameDescriptor.CRC_OFFSET, crc(buffer, offset, length));
        return length;
    }

    /** CRC-32C of bytes [8, length) of the frame at {@code offset}. */
    static int crc(final DirectBuffer buffer, final int offset, final int length) {
        if (null == buffer.byteArray()) {
            return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset + FrameDescriptor.CRC_START,
                length - FrameDescriptor.CRC_START);
        }
        final byte[] bytes = new byte[length - FrameDescriptor.CRC_START];
        buffer.getBytes(offset + FrameDescriptor.CRC_START, bytes);
        final CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /**
     * Check a frame: length sane, CRC, magic, records length and, when {@code seed} is not null, the payload.
     *
     * @return null when valid, otherwise the problem.
     */
    static String verify(final DirectBuffer buffer, final int offset, final int available, final Long seed) {
        if (available < HEADER_LENGTH) {
            return "only " + available + " bytes";
        }
        final int length = buffer.getInt(offset);
        if (length < HEADER_LENGTH || length > available) {
            return "length " + length + " with " + available + " bytes available";
        }
        if (crc(buffer, offset, length) != buffer.getInt(offset + FrameDescriptor.CRC_OFFSET)) {
            return "CRC mismatch at base offset " + FrameDescriptor.baseOffset(buffer, offset);
        }
        if (buffer.getByte(offset + MAGIC_OFFSET) != 1) {
            return "magic";
        }
        if (buffer.getInt(offset + RECORDS_LENGTH_OFFSET) != length - HEADER_LENGTH) {
            return "records length";
        }
        if (null != seed) {
            long state = mix(seed, FrameDescriptor.baseOffset(buffer, offset));
            final int payload = length - HEADER_LENGTH;
            int i = 0;
            for (; i + 8 <= payload; i += 8) {
                state = next(state);
                if (buffer.getLong(offset + HEADER_LENGTH + i) != state) {
                    return "payload bytes " + i + " of base offset " + FrameDescriptor.baseOffset(buffer, offset);
                }
            }
            for (; i < payload; i++) {
                state = next(state);
                if (buffer.getByte(offset + HEADER_LENGTH + i) != (byte) state) {
                    return "payload byte " + i + " of base offset " + FrameDescriptor.baseOffset(buffer, offset);
                }
            }
        }
        return null;
    }

    private static long mix(final long seed, final long baseOffset) {
        long z = seed * 0x9E3779B97F4A7C15L + baseOffset * 0xBF58476D1CE4E5B9L + 1;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long next(final long state) {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}

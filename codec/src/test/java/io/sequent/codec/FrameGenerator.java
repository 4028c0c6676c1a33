package io.sequent.codec;

import java.nio.ByteOrder;
import java.util.Random;

import org.agrona.MutableDirectBuffer;

/**
 * Writes random but well-formed frames of any message of a schema, straight from its
 * {@link FrameLayouts}: random block bytes with valid enum values, a few entries per group, short
 * random var data. The generated decoders then read them back, which cross-checks the layouts
 * against the code SBE generated.
 */
final class FrameGenerator {
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final Random random;
    private final int maxGroupCount;
    private final int maxDataLength;

    FrameGenerator(final Random random, final int maxGroupCount, final int maxDataLength) {
        this.random = random;
        this.maxGroupCount = maxGroupCount;
        this.maxDataLength = maxDataLength;
    }

    /**
     * Writes one frame at {@code offset} as an encoder of {@code version} would.
     *
     * @return the frame length.
     */
    int generate(
        final FrameLayouts.Schema schema,
        final FrameLayouts.Block message,
        final int version,
        final MutableDirectBuffer out,
        final int offset) {
        final int blockLength = blockLength(schema, message, version);
        out.putShort(offset, (short) blockLength, ORDER);
        out.putShort(offset + 2, (short) message.id, ORDER);
        out.putShort(offset + 4, (short) schema.id, ORDER);
        out.putShort(offset + 6, (short) version, ORDER);
        final int end = block(schema, message, version, blockLength, out, offset + ProtocolFrames.HEADER_LENGTH, 0);
        return end - offset;
    }

    static int blockLength(final FrameLayouts.Schema schema, final FrameLayouts.Block block, final int version) {
        return version == schema.version ? block.blockLength : block.minBlockLength[version];
    }

    private int block(
        final FrameLayouts.Schema schema,
        final FrameLayouts.Block layout,
        final int version,
        final int blockLength,
        final MutableDirectBuffer out,
        final int start,
        final int depth) {
        for (int i = 0; i < blockLength; i++) {
            out.putByte(start + i, (byte) random.nextInt(256));
        }
        for (final FrameLayouts.EnumField field : layout.enums) {
            if (field.sinceVersion <= version && field.offset + field.size <= blockLength) {
                final int[] values = field.validValues();
                final int value = values[random.nextInt(values.length)];
                if (field.size == 1) {
                    out.putByte(start + field.offset, (byte) value);
                } else {
                    out.putShort(start + field.offset, (short) value, ORDER);
                }
            }
        }
        int position = start + blockLength;
        for (final FrameLayouts.Block group : layout.groups) {
            if (group.sinceVersion > version) {
                continue;
            }
            final int count = depth >= 3 ? random.nextInt(2) : random.nextInt(maxGroupCount + 1);
            final int entryBlockLength = blockLength(schema, group, version);
            putUnsigned(out, position + group.blockLengthOffset, group.blockLengthSize, entryBlockLength);
            putUnsigned(out, position + group.countOffset, group.countSize, count);
            position += group.headerSize;
            for (int i = 0; i < count; i++) {
                position = block(schema, group, version, entryBlockLength, out, position, depth + 1);
            }
        }
        for (final FrameLayouts.VarData data : layout.varData) {
            if (data.sinceVersion > version) {
                continue;
            }
            final int length = random.nextInt(maxDataLength + 1);
            putUnsigned(out, position + data.lengthOffset, data.lengthSize, length);
            position += data.headerSize;
            for (int i = 0; i < length; i++) {
                out.putByte(position + i, (byte) ('a' + random.nextInt(26)));
            }
            position += length;
        }
        return position;
    }

    private static void putUnsigned(final MutableDirectBuffer out, final int index, final int size, final int value) {
        switch (size) {
            case 1:
                out.putByte(index, (byte) value);
                break;
            case 2:
                out.putShort(index, (short) value, ORDER);
                break;
            case 4:
                out.putInt(index, value, ORDER);
                break;
            default:
                throw new IllegalArgumentException("size " + size);
        }
    }
}

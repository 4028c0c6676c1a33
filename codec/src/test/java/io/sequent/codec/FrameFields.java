package io.sequent.codec;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;

/** The length, count and block-length fields of valid frames: where structure-aware mutations aim. */
final class FrameFields {
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private FrameFields() {
    }

    /** Fields of a valid batch: header counts and lengths, and every record's lengths and counts. */
    static Mutator.Field[] ofBatch(final DirectBuffer buffer, final int length) {
        final List<Mutator.Field> fields = new ArrayList<>();
        fields.add(new Mutator.Field(Batches.FRAME_LENGTH_OFFSET, 4));
        fields.add(new Mutator.Field(Batches.RECORD_COUNT_OFFSET, 4));
        fields.add(new Mutator.Field(Batches.FIRST_TIMESTAMP_OFFSET, 8));
        fields.add(new Mutator.Field(Batches.MAX_TIMESTAMP_OFFSET, 8));
        fields.add(new Mutator.Field(Batches.ATTRIBUTES_OFFSET, 1));
        fields.add(new Mutator.Field(Batches.MAGIC_OFFSET, 1));
        fields.add(new Mutator.Field(Batches.RECORDS_LENGTH_OFFSET, 4));
        if (Batches.compression(buffer, 0) != Compression.NONE) {
            fields.add(new Mutator.Field(Batches.RECORDS_OFFSET, 4));
        } else {
            addRecords(buffer, Batches.RECORDS_OFFSET, length, Batches.recordCount(buffer, 0), fields);
        }
        return fields.toArray(new Mutator.Field[0]);
    }

    /** Fields of valid uncompressed records in {@code [offset, limit)}. */
    static void addRecords(
        final DirectBuffer buffer,
        final int offset,
        final int limit,
        final int count,
        final List<Mutator.Field> fields) {
        int p = offset;
        for (int i = 0; i < count && p < limit; i++) {
            fields.add(new Mutator.Field(p + RecordSet.OFFSET_DELTA_OFFSET, 4));
            fields.add(new Mutator.Field(p + RecordSet.TIMESTAMP_DELTA_OFFSET, 4));
            fields.add(new Mutator.Field(p + RecordSet.ATTRIBUTES_OFFSET, 1));
            fields.add(new Mutator.Field(p + RecordSet.HEADERS_BLOCK_LENGTH_OFFSET, 2));
            fields.add(new Mutator.Field(p + RecordSet.HEADERS_COUNT_OFFSET, 2));
            final int headers = buffer.getShort(p + RecordSet.HEADERS_COUNT_OFFSET, ORDER) & 0xFFFF;
            p += RecordSet.FIXED_LENGTH;
            for (int h = 0; h < 2 * headers + 2; h++) {
                fields.add(new Mutator.Field(p, 4));
                p += 4 + buffer.getInt(p, ORDER);
            }
        }
    }

    /** Fields of a valid protocol frame: its header, and every group header and var-data length. */
    static Mutator.Field[] ofFrame(final DirectBuffer buffer, final int length) {
        final List<Mutator.Field> fields = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fields.add(new Mutator.Field(2 * i, 2));
        }
        final int blockLength = buffer.getShort(0, ORDER) & 0xFFFF;
        final int version = buffer.getShort(6, ORDER) & 0xFFFF;
        final FrameLayouts.Schema schema = ProtocolFrames.schema(buffer.getShort(4, ORDER) & 0xFFFF);
        final FrameLayouts.Block message = schema.message(buffer.getShort(2, ORDER) & 0xFFFF);
        walk(buffer, message, ProtocolFrames.HEADER_LENGTH, blockLength, version, fields);
        return fields.toArray(new Mutator.Field[0]);
    }

    private static int walk(
        final DirectBuffer buffer,
        final FrameLayouts.Block layout,
        final int position,
        final int blockLength,
        final int version,
        final List<Mutator.Field> fields) {
        for (final FrameLayouts.EnumField field : layout.enums) {
            fields.add(new Mutator.Field(position + field.offset, field.size));
        }
        int p = position + blockLength;
        for (final FrameLayouts.Block group : layout.groups) {
            if (group.sinceVersion > version) {
                continue;
            }
            fields.add(new Mutator.Field(p + group.blockLengthOffset, group.blockLengthSize));
            fields.add(new Mutator.Field(p + group.countOffset, group.countSize));
            final int entryBlockLength = buffer.getShort(p + group.blockLengthOffset, ORDER) & 0xFFFF;
            final int count = buffer.getShort(p + group.countOffset, ORDER) & 0xFFFF;
            p += group.headerSize;
            for (int i = 0; i < count; i++) {
                p = walk(buffer, group, p, entryBlockLength, version, fields);
            }
        }
        for (final FrameLayouts.VarData data : layout.varData) {
            if (data.sinceVersion > version) {
                continue;
            }
            fields.add(new Mutator.Field(p + data.lengthOffset, data.lengthSize));
            p += data.headerSize + buffer.getInt(p + data.lengthOffset, ORDER);
        }
        return p;
    }
}

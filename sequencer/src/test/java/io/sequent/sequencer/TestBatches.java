package io.sequent.sequencer;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.BatchReader;
import io.sequent.log.FrameDescriptor;
import io.sequent.log.LogReader;
import io.sequent.log.PartitionLog;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds batches for tests and reads a partition log back as (offset, value) pairs. */
final class TestBatches {
    static final long NO_PRODUCER = -1;

    private TestBatches() {
    }

    /** A batch of string values; producerId -1 means not idempotent. */
    static UnsafeBuffer batch(
        final long producerId, final short epoch, final int baseSequence, final String... values) {
        final BatchBuilder builder = new BatchBuilder(1 << 20);
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
        builder.begin(out, 0, out.capacity(), producerId, epoch, baseSequence);
        long timestamp = 1_700_000_000_000L;
        for (final String value : values) {
            if (!builder.tryAppend(timestamp++, null, value.getBytes(StandardCharsets.UTF_8))) {
                throw new IllegalStateException("batch full");
            }
        }
        final int length = builder.finish();
        return new UnsafeBuffer(out, 0, length);
    }

    static UnsafeBuffer batch(final String... values) {
        return batch(NO_PRODUCER, (short) 0, -1, values);
    }

    /** One entry per record in the log: "offset:value". */
    static List<String> readAll(final PartitionLog log) {
        final List<String> records = new ArrayList<>();
        final BatchReader batchReader = new BatchReader();
        try (LogReader reader = log.newReader()) {
            long offset = log.startOffset();
            while (offset < log.nextOffset()) {
                final int bytes = reader.read(offset, 1 << 20, Long.MAX_VALUE);
                if (bytes <= 0) {
                    throw new AssertionError("read at " + offset + " returned " + bytes);
                }
                final DirectBuffer buffer = reader.buffer();
                int position = reader.bufferOffset();
                final int limit = position + bytes;
                while (position < limit) {
                    final int frameLength = FrameDescriptor.frameLength(buffer, position);
                    final int result = batchReader.wrap(buffer, position, frameLength);
                    if (result != 0) {
                        throw new AssertionError("invalid batch at " + offset + ": " + result);
                    }
                    while (batchReader.next()) {
                        records.add(batchReader.offset() + ":" +
                            new String(batchReader.valueBytes(), StandardCharsets.UTF_8));
                    }
                    offset = FrameDescriptor.lastOffset(buffer, position) + 1;
                    position += FrameDescriptor.alignedLength(frameLength);
                }
                reader.release();
            }
        }
        return records;
    }
}

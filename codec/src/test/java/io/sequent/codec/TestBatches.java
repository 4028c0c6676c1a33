package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** Builds and reads batches of {@link TestRecord}s. */
final class TestBatches {
    private TestBatches() {
    }

    /** Appends every record (failing the test if one does not fit) and finishes the batch. */
    static int build(
        final BatchBuilder builder,
        final MutableDirectBuffer out,
        final int offset,
        final List<TestRecord> records) {
        return build(builder, out, offset, out.capacity() - offset, records, 42L, (short) 3, 100);
    }

    static int build(
        final BatchBuilder builder,
        final MutableDirectBuffer out,
        final int offset,
        final int capacity,
        final List<TestRecord> records,
        final long producerId,
        final short producerEpoch,
        final int baseSequence) {
        builder.begin(out, offset, capacity, producerId, producerEpoch, baseSequence);
        final RecordHeaders headers = new RecordHeaders();
        for (final TestRecord record : records) {
            headers.clear();
            for (final byte[][] header : record.headers) {
                headers.add(header[0], header[1]);
            }
            assertTrue(builder.tryAppend(record.timestamp, record.key, record.value, headers),
                "record did not fit: " + record);
        }
        assertEquals(records.size(), builder.recordCount());
        return builder.finish();
    }

    /** Wraps (asserting success) and reads every record. */
    static List<TestRecord> read(
        final BatchReader reader, final DirectBuffer buffer, final int offset, final int length) {
        final int result = reader.wrap(buffer, offset, length);
        assertEquals(BatchError.NONE, result, () -> "wrap: " + BatchError.name(result));
        final List<TestRecord> records = new ArrayList<>();
        while (reader.next()) {
            records.add(TestRecord.read(reader));
        }
        return records;
    }
}

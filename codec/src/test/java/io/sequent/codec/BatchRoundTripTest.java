package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class BatchRoundTripTest {
    private final BatchBuilder builder = new BatchBuilder(1 << 20);
    private final BatchReader reader = new BatchReader();

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 10, 100, 1000})
    void recordsComeBackWithOffsetsAndTimestamps(final int count) {
        final List<TestRecord> records = TestRecord.random(new Random(count), count, 200);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 20]);
        final int length = TestBatches.build(builder, out, 0, records);

        assertEquals(BatchError.NONE, Batches.validate(out, 0, length));
        assertEquals(length, Batches.frameLength(out, 0));
        assertEquals(count, Batches.recordCount(out, 0));
        assertEquals(records.get(0).timestamp, Batches.firstTimestamp(out, 0));
        assertEquals(records.stream().mapToLong(r -> r.timestamp).max().getAsLong(), Batches.maxTimestamp(out, 0));
        assertEquals(0L, Batches.baseOffset(out, 0));
        assertEquals(Batches.NO_GROUP_SEQ, Batches.groupSeq(out, 0));
        assertEquals(Batches.NO_LEADER_EPOCH, Batches.leaderEpoch(out, 0));
        assertEquals(42L, Batches.producerId(out, 0));
        assertEquals(3, Batches.producerEpoch(out, 0));
        assertEquals(100, Batches.baseSequence(out, 0));
        assertEquals(Batches.MAGIC, Batches.magic(out, 0));
        assertEquals(Compression.NONE, Batches.compression(out, 0));
        assertFalse(Batches.isControl(out, 0));
        assertEquals(Batches.computeCrc(out, 0, length), Batches.crc(out, 0));

        Batches.stamp(out, 0, 5000L, 77L, 9);
        assertEquals(records, TestBatches.read(reader, out, 0, length));
        reader.rewind();
        long expectedOffset = 5000L;
        while (reader.next()) {
            assertEquals(expectedOffset, reader.offset());
            assertEquals(expectedOffset - 5000L, reader.recordIndex());
            expectedOffset++;
        }
        assertEquals(5000L + count, expectedOffset);
        assertEquals(5000L + count - 1, reader.lastOffset());
        assertEquals(5000L + count - 1, Batches.lastOffset(out, 0));
    }

    @Test
    void nullAndEmptyKeysAndValuesAreDistinct() {
        final List<TestRecord> records = List.of(
            new TestRecord(1000L, null, null, List.of()),
            new TestRecord(1001L, new byte[0], new byte[0], List.of()),
            new TestRecord(1002L, null, new byte[] {1}, List.of()),
            new TestRecord(1003L, new byte[] {2}, null, List.of()));
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        final int length = TestBatches.build(builder, out, 0, records);

        assertEquals(BatchError.NONE, reader.wrap(out, 0, length));
        assertTrue(reader.next());
        assertFalse(reader.hasKey());
        assertFalse(reader.hasValue());
        assertEquals(-1, reader.keyLength());
        assertEquals(-1, reader.valueLength());
        assertNull(reader.keyBytes());
        assertNull(reader.valueBytes());
        assertTrue(reader.next());
        assertTrue(reader.hasKey());
        assertTrue(reader.hasValue());
        assertEquals(0, reader.keyLength());
        assertEquals(0, reader.valueLength());
        assertArrayEquals(new byte[0], reader.keyBytes());
        assertTrue(reader.next());
        assertFalse(reader.hasKey());
        assertArrayEquals(new byte[] {1}, reader.valueBytes());
        assertTrue(reader.next());
        assertArrayEquals(new byte[] {2}, reader.keyBytes());
        assertFalse(reader.hasValue());
        assertFalse(reader.next());
    }

    @Test
    void headersRoundTrip() {
        final List<TestRecord> records = List.of(
            TestRecord.of(10L, "k", "v").withHeader("trace-id", "abc").withHeader("", "").withHeader("h", "value"),
            TestRecord.of(11L, "k2", "v2"),
            TestRecord.of(12L, null, "v3").withHeader("only", "one"));
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        final int length = TestBatches.build(builder, out, 0, records);
        assertEquals(records, TestBatches.read(reader, out, 0, length));

        reader.rewind();
        assertTrue(reader.next());
        assertEquals(3, reader.headerCount());
        assertEquals("trace-id", reader.headerKey(0));
        assertArrayEquals(TestRecord.bytes("abc"), reader.headerValueBytes(0));
        assertEquals("", reader.headerKey(1));
        assertEquals(0, reader.headerValueLength(1));
        assertThrows(IndexOutOfBoundsException.class, () -> reader.headerKey(3));
        assertTrue(reader.next());
        assertEquals(0, reader.headerCount());
    }

    @Test
    void manyHeadersOnOneRecord() {
        final RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < 5000; i++) {
            headers.add("header-" + i, new byte[] {(byte) i});
        }
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 20]);
        builder.begin(out, 0, out.capacity(), Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH, Batches.NO_SEQUENCE);
        assertTrue(builder.tryAppend(1L, TestRecord.bytes("key"), TestRecord.bytes("value"), headers));
        final int length = builder.finish();
        assertEquals(BatchError.NONE, reader.wrap(out, 0, length));
        assertTrue(reader.next());
        assertEquals(5000, reader.headerCount());
        assertEquals("header-4999", reader.headerKey(4999));
        assertArrayEquals(new byte[] {(byte) 4999}, reader.headerValueBytes(4999));
    }

    @Test
    void directBufferAndOffsetInsideTheBuffer() {
        final List<TestRecord> records = TestRecord.random(new Random(7), 50, 300);
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16));
        final int length = TestBatches.build(builder, out, 1000, records);
        assertEquals(BatchError.NONE, Batches.validate(out, 1000, length));
        assertEquals(records, TestBatches.read(reader, out, 1000, length));
    }

    @Test
    void directBufferAppendSource() {
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        key.putStringWithoutLengthAscii(10, "the-key");
        value.putStringWithoutLengthAscii(3, "the-value");
        final MutableDirectBuffer out = new ExpandableArrayBuffer(1024);
        builder.begin(out, 0, 1024, 1L, (short) 0, 0);
        assertTrue(builder.tryAppend(99L, key, 10, 7, value, 3, 9));
        assertTrue(builder.tryAppend(100L, key, 0, -1, value, 3, 9));
        final int length = builder.finish();

        assertEquals(BatchError.NONE, reader.wrap(out, 0, length));
        assertTrue(reader.next());
        assertEquals("the-key", reader.keyBuffer().getStringWithoutLengthAscii(reader.keyOffset(), reader.keyLength()));
        assertEquals("the-value",
            reader.valueBuffer().getStringWithoutLengthAscii(reader.valueOffset(), reader.valueLength()));
        assertEquals(99L, reader.timestamp());
        assertTrue(reader.next());
        assertFalse(reader.hasKey());
        assertEquals(100L, reader.timestamp());
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void bigValueNearTheMaximum(final Compression compression) {
        final int max = 1 << 20;
        final byte[] value = new byte[max - Batches.RECORDS_OFFSET - RecordSet.MIN_RECORD_LENGTH - 3];
        new Random(1).nextBytes(value);
        final byte[] key = {1, 2, 3};
        builder.compression(compression);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[max]);
        builder.begin(out, 0, max, 1L, (short) 0, 0);
        assertFalse(builder.tryAppend(1L, new byte[4], value), "one byte too many");
        assertTrue(builder.tryAppend(1L, key, value));
        assertFalse(builder.tryAppend(2L, null, null), "batch is full");
        final int length = builder.finish();
        assertEquals(max, length, "incompressible data stays uncompressed and fills the capacity exactly");

        final List<TestRecord> read = TestBatches.read(reader, out, 0, length);
        assertEquals(List.of(new TestRecord(1L, key, value, List.of())), read);
    }

    @Test
    void capacitySmallerThanMaxBatchBytesIsRespected() {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        builder.begin(out, 0, 200, 1L, (short) 0, 0);
        int appended = 0;
        while (builder.tryAppend(1L, new byte[10], new byte[10])) {
            appended++;
        }
        final int length = builder.finish();
        assertTrue(length <= 200);
        assertEquals(Batches.RECORDS_OFFSET + appended * (RecordSet.MIN_RECORD_LENGTH + 20L), length);
        assertEquals(appended, Batches.recordCount(out, 0));
        assertEquals(BatchError.NONE, Batches.validate(out, 0, length));
    }

    @Test
    void recordLargerThanAnyBatchIsRefusedAndNothingIsWritten() {
        final BatchBuilder small = new BatchBuilder(256);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        small.begin(out, 0, 4096, 1L, (short) 0, 0);
        assertFalse(small.tryAppend(1L, null, new byte[300]));
        assertEquals(0, small.finish());
        assertEquals(0, out.getInt(0));
        assertTrue(BatchBuilder.encodedRecordLength(-1, 300, null) + Batches.RECORDS_OFFSET > 256);
    }

    @Test
    void timestampsTooFarApartStartANewBatch() {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        builder.begin(out, 0, 4096, 1L, (short) 0, 0);
        assertTrue(builder.tryAppend(1_000L, null, null));
        assertTrue(builder.tryAppend(1_000L + Integer.MAX_VALUE, null, null));
        assertTrue(builder.tryAppend(1_000L + Integer.MIN_VALUE, null, null));
        assertFalse(builder.tryAppend(1_000L + Integer.MAX_VALUE + 1L, null, null));
        assertFalse(builder.tryAppend(Long.MIN_VALUE, null, null));
        final int length = builder.finish();
        final List<TestRecord> read = TestBatches.read(reader, out, 0, length);
        assertEquals(3, read.size());
        assertEquals(1_000L + Integer.MIN_VALUE, read.get(2).timestamp);
        assertEquals(1_000L + Integer.MAX_VALUE, Batches.maxTimestamp(out, 0));
    }

    @Test
    void stampThenValidateAndReadBack() {
        final List<TestRecord> records = TestRecord.random(new Random(3), 20, 100);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[8192]);
        final int length = TestBatches.build(builder, out, 8, records);
        final int crcBefore = Batches.crc(out, 8);

        Batches.stamp(out, 8, 1_234_567L, 98_765L, 42);
        assertEquals(BatchError.NONE, Batches.validate(out, 8, length));
        assertTrue(crcBefore != Batches.crc(out, 8));
        assertEquals(1_234_567L, Batches.baseOffset(out, 8));
        assertEquals(98_765L, Batches.groupSeq(out, 8));
        assertEquals(42, Batches.leaderEpoch(out, 8));
        assertEquals(BatchError.NONE, reader.wrap(out, 8, length));
        assertEquals(98_765L, reader.groupSeq());
        assertEquals(42, reader.leaderEpoch());
        assertEquals(1_234_567L, reader.baseOffset());
        assertTrue(reader.next());
        assertEquals(1_234_567L, reader.offset());
        assertEquals(records.get(0).timestamp, reader.timestamp());
    }

    @Test
    void logAppendTimeStampOverridesEveryRecordTimestamp() {
        final List<TestRecord> records = TestRecord.random(new Random(4), 5, 10);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        final int length = TestBatches.build(builder, out, 0, records);
        Batches.stamp(out, 0, 10L, 11L, 12, 1_800_000_000_000L);

        assertEquals(BatchError.NONE, Batches.validate(out, 0, length));
        assertTrue(Batches.isLogAppendTime(out, 0));
        assertEquals(1_800_000_000_000L, Batches.maxTimestamp(out, 0));
        assertEquals(BatchError.NONE, reader.wrap(out, 0, length));
        assertTrue(reader.isLogAppendTime());
        int n = 0;
        while (reader.next()) {
            assertEquals(1_800_000_000_000L, reader.timestamp());
            n++;
        }
        assertEquals(5, n);
    }

    @Test
    void setLogAppendTimeThenStamp() {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        final int length = TestBatches.build(builder, out, 0, TestRecord.random(new Random(8), 4, 10));
        Batches.setLogAppendTime(out, 0, 1_900_000_000_000L);
        assertEquals(BatchError.CRC_MISMATCH, Batches.validate(out, 0, length), "not yet stamped");
        Batches.stamp(out, 0, 1L, 2L, 3);
        assertEquals(BatchError.NONE, Batches.validate(out, 0, length));
        assertEquals(BatchError.NONE, reader.wrap(out, 0, length));
        while (reader.next()) {
            assertEquals(1_900_000_000_000L, reader.timestamp());
        }
    }

    @Test
    void controlBatch() {
        builder.control(true);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        final int length = TestBatches.build(builder, out, 0, List.of(TestRecord.of(1L, null, "epoch-start")));
        assertTrue(Batches.isControl(out, 0));
        assertEquals(BatchError.NONE, reader.wrap(out, 0, length));
        assertTrue(reader.isControl());
        builder.control(false);
        final int second = TestBatches.build(builder, out, 0, List.of(TestRecord.of(1L, null, "data")));
        assertFalse(Batches.isControl(out, 0));
        assertEquals(BatchError.NONE, Batches.validate(out, 0, second));
    }

    @Test
    void builderIsReusableAndBatchesMayBeBuiltBackToBack() {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        final List<List<TestRecord>> expected = new ArrayList<>();
        int position = 0;
        final Random random = new Random(11);
        for (int i = 0; i < 20; i++) {
            builder.compression(Compression.values()[i % 3]);
            final List<TestRecord> records = TestRecord.random(random, 1 + random.nextInt(20), 100);
            expected.add(records);
            final int length = TestBatches.build(builder, out, position, records);
            position += Batches.alignedLength(length);
        }
        final BatchIterator iterator = new BatchIterator().reset(out, 0, position);
        int i = 0;
        while (iterator.next()) {
            assertEquals(expected.get(i++),
                TestBatches.read(reader, out, iterator.frameOffset(), iterator.frameLength()));
        }
        assertEquals(20, i);
        assertFalse(iterator.isTruncated());
        assertFalse(iterator.isMalformed());
    }

    @Test
    void misuseThrows() {
        final BatchBuilder fresh = new BatchBuilder(1024);
        assertThrows(IllegalStateException.class, () -> fresh.tryAppend(1L, null, null));
        assertThrows(IllegalStateException.class, fresh::finish);
        assertThrows(IllegalArgumentException.class, () -> new BatchBuilder(10));
        final UnsafeBuffer out = new UnsafeBuffer(new byte[100]);
        assertThrows(IllegalArgumentException.class, () -> fresh.begin(out, 50, 51, 1L, (short) 0, 0));
        fresh.begin(out, 0, 100, 1L, (short) 0, 0);
        assertThrows(IllegalArgumentException.class, () -> fresh.tryAppend(1L, out, 0, -2, out, 0, 0));
        assertEquals(0, fresh.finish());
    }

    @Test
    void readerRejectsNextAfterFailedWrap() {
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[100]);
        assertEquals(BatchError.LENGTH_MISMATCH, reader.wrap(garbage, 0, 100));
        assertFalse(reader.isWrapped());
        assertFalse(reader.next());
    }
}

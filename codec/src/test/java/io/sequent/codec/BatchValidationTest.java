package io.sequent.codec;

import static io.sequent.codec.BatchCompressionTest.copyOf;
import static io.sequent.codec.BatchCompressionTest.fixCrc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchValidationTest {
    private final BatchBuilder builder = new BatchBuilder(1 << 16);
    private final BatchReader reader = new BatchReader();
    private UnsafeBuffer batch;
    private int length;

    @BeforeEach
    void buildBatch() {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        length = TestBatches.build(builder, out, 0, List.of(
            TestRecord.of(1000L, "k0", "v0"),
            TestRecord.of(1005L, null, "value-1").withHeader("h", "x"),
            TestRecord.of(999L, "k2", null)));
        batch = copyOf(out, length);
        assertEquals(BatchError.NONE, Batches.validate(batch, 0, length));
    }

    @Test
    void everySingleBitFlipAfterTheCrcIsDetected() {
        for (int position = Batches.CRC_START; position < length; position++) {
            for (int bit = 0; bit < 8; bit++) {
                final UnsafeBuffer copy = copyOf(batch, length);
                copy.putByte(position, (byte) (copy.getByte(position) ^ (1 << bit)));
                final int result = Batches.validate(copy, 0, length);
                final boolean structural = position == Batches.MAGIC_OFFSET
                    || (position >= Batches.RECORDS_LENGTH_OFFSET && position < Batches.RECORDS_OFFSET);
                if (structural) {
                    assertTrue(result == BatchError.BAD_MAGIC || result == BatchError.BAD_RECORDS_LENGTH,
                        position + ": " + BatchError.name(result));
                } else {
                    assertEquals(BatchError.CRC_MISMATCH, result, "byte " + position + " bit " + bit);
                }
                assertEquals(result, reader.wrap(copy, 0, length));
            }
        }
    }

    @Test
    void flipsInTheLengthOrCrcWordsAreDetected() {
        for (int position = 0; position < Batches.CRC_START; position++) {
            final UnsafeBuffer copy = copyOf(batch, length);
            copy.putByte(position, (byte) (copy.getByte(position) ^ 0x10));
            final int expected = position < Batches.CRC_OFFSET ? BatchError.LENGTH_MISMATCH : BatchError.CRC_MISMATCH;
            assertEquals(expected, Batches.validate(copy, 0, length));
        }
    }

    @Test
    void boundsAndLengths() {
        assertEquals(BatchError.OUT_OF_BOUNDS, Batches.validate(batch, -1, length));
        assertEquals(BatchError.OUT_OF_BOUNDS, Batches.validate(batch, 1, length));
        assertEquals(BatchError.OUT_OF_BOUNDS, Batches.validate(batch, 0, length + 1));
        assertEquals(BatchError.OUT_OF_BOUNDS, Batches.validate(batch, 0, -5));
        assertEquals(BatchError.OUT_OF_BOUNDS, Batches.validate(batch, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(BatchError.OUT_OF_BOUNDS, Batches.validate(null, 0, 0));
        assertEquals(BatchError.TOO_SHORT, Batches.validate(batch, 0, Batches.MIN_FRAME_LENGTH - 1));
        assertEquals(BatchError.TOO_SHORT, Batches.validate(batch, 0, 0));
        assertEquals(BatchError.LENGTH_MISMATCH, Batches.validate(batch, 0, length - 1));

        final UnsafeBuffer longer = new UnsafeBuffer(new byte[length + 8]);
        longer.putBytes(0, batch, 0, length);
        assertEquals(BatchError.LENGTH_MISMATCH, Batches.validate(longer, 0, length + 8), "trailing bytes");
    }

    @Test
    void headerFieldChecks() {
        assertEquals(BatchError.BAD_MAGIC, mutate(Batches.MAGIC_OFFSET, (byte) 2));
        assertEquals(BatchError.BAD_MAGIC, mutate(Batches.MAGIC_OFFSET, (byte) 0));
        assertEquals(BatchError.BAD_ATTRIBUTES, mutate(Batches.ATTRIBUTES_OFFSET, (byte) 0x20));
        assertEquals(BatchError.BAD_ATTRIBUTES, mutate(Batches.ATTRIBUTES_OFFSET, (byte) 0x80));
        assertEquals(BatchError.BAD_COMPRESSION, mutate(Batches.ATTRIBUTES_OFFSET, (byte) 0x07));
        assertEquals(BatchError.NONE, mutate(Batches.ATTRIBUTES_OFFSET, (byte) Batches.CONTROL_FLAG));
        assertEquals(BatchError.BAD_RECORD_COUNT, mutateInt(Batches.RECORD_COUNT_OFFSET, 0));
        assertEquals(BatchError.BAD_RECORD_COUNT, mutateInt(Batches.RECORD_COUNT_OFFSET, -1));
        assertEquals(BatchError.BAD_RECORD_COUNT, mutateInt(Batches.RECORD_COUNT_OFFSET, Integer.MAX_VALUE));
        assertEquals(BatchError.BAD_RECORD_COUNT, mutateInt(Batches.RECORD_COUNT_OFFSET, 2), "records left over");
        assertEquals(BatchError.BAD_RECORD_COUNT, mutateInt(Batches.RECORD_COUNT_OFFSET, 4), "records missing");
        assertEquals(BatchError.BAD_RECORDS_LENGTH, mutateInt(Batches.RECORDS_LENGTH_OFFSET, length));
        assertEquals(BatchError.BAD_RECORDS_LENGTH, mutateInt(Batches.RECORDS_LENGTH_OFFSET, -1));
        assertEquals(BatchError.BAD_TIMESTAMP, mutateLong(Batches.MAX_TIMESTAMP_OFFSET, 1006L));
        assertEquals(BatchError.BAD_TIMESTAMP, mutateLong(Batches.MAX_TIMESTAMP_OFFSET, 1004L));
        assertEquals(BatchError.BAD_TIMESTAMP, mutateLong(Batches.FIRST_TIMESTAMP_OFFSET, 0L));
        assertEquals(BatchError.NONE, mutateLong(Batches.PRODUCER_ID_OFFSET, 7L), "opaque to validation");
    }

    @Test
    void recordChecks() {
        final int first = Batches.RECORDS_OFFSET;
        assertEquals(BatchError.BAD_RECORD, mutateInt(first + RecordSet.OFFSET_DELTA_OFFSET, 1), "offset delta");
        assertEquals(BatchError.BAD_RECORD, mutate(first + RecordSet.ATTRIBUTES_OFFSET, (byte) 0x04), "attribute");
        assertEquals(BatchError.BAD_RECORD, mutate(first + RecordSet.ATTRIBUTES_OFFSET, (byte) 0x01), "null key");
        assertEquals(BatchError.BAD_RECORD,
            mutateShort(first + RecordSet.HEADERS_COUNT_OFFSET, (short) 0xFFFF), "header count over maximum");
        assertEquals(BatchError.BAD_RECORD,
            mutateShort(first + RecordSet.HEADERS_COUNT_OFFSET, (short) 3), "headers overrun");
        assertEquals(BatchError.NONE,
            mutateShort(first + RecordSet.HEADERS_BLOCK_LENGTH_OFFSET, (short) 0xFFFF), "no headers: unused");
        final int second = first + RecordSet.MIN_RECORD_LENGTH + 4;
        assertEquals(1, batch.getShort(second + RecordSet.HEADERS_COUNT_OFFSET, Batches.ORDER));
        assertEquals(BatchError.BAD_RECORD,
            mutateShort(second + RecordSet.HEADERS_BLOCK_LENGTH_OFFSET, (short) 0xFFFF), "header block overrun");
        assertEquals(BatchError.BAD_RECORD,
            mutateShort(second + RecordSet.HEADERS_BLOCK_LENGTH_OFFSET, (short) 2), "header entries misaligned");
        assertEquals(BatchError.BAD_RECORD, mutateInt(second + RecordSet.FIXED_LENGTH, 1000), "header key overrun");
        final int keyLength = first + RecordSet.FIXED_LENGTH;
        assertEquals(BatchError.BAD_RECORD, mutateInt(keyLength, -1), "key length overrun");
        assertEquals(BatchError.BAD_RECORD, mutateInt(keyLength, Integer.MAX_VALUE), "key length overrun");
        assertEquals(BatchError.BAD_RECORD, mutateInt(keyLength, 100_000), "key length overrun");
        assertEquals(BatchError.BAD_RECORD, mutateInt(keyLength, 6), "lengths no longer line up");
    }

    @Test
    void errorNames() {
        assertEquals("NONE", BatchError.name(BatchError.NONE));
        assertEquals("CRC_MISMATCH", BatchError.name(BatchError.CRC_MISMATCH));
        assertEquals("BAD_TIMESTAMP", BatchError.name(BatchError.BAD_TIMESTAMP));
        assertEquals("UNKNOWN(-99)", BatchError.name(-99));
        assertEquals("UNKNOWN(1)", BatchError.name(1));
    }

    @Test
    void randomBytesNeverValidate() {
        final Random random = new Random(1);
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[4096]);
        for (int i = 0; i < 10_000; i++) {
            random.nextBytes(garbage.byteArray());
            final int len = random.nextInt(4097);
            if (random.nextBoolean()) {
                garbage.putInt(0, len, Batches.ORDER);
                garbage.putByte(Batches.MAGIC_OFFSET, Batches.MAGIC);
                garbage.putInt(Batches.RECORDS_LENGTH_OFFSET, len - Batches.RECORDS_OFFSET, Batches.ORDER);
            }
            final int result = Batches.validate(garbage, 0, len);
            assertTrue(result < 0, "random bytes validated: " + i);
            assertEquals(result, reader.wrap(garbage, 0, len));
        }
    }

    private int mutate(final int position, final byte value) {
        final UnsafeBuffer copy = copyOf(batch, length);
        copy.putByte(position, value);
        return check(copy);
    }

    private int mutateShort(final int position, final short value) {
        final UnsafeBuffer copy = copyOf(batch, length);
        copy.putShort(position, value, Batches.ORDER);
        return check(copy);
    }

    private int mutateInt(final int position, final int value) {
        final UnsafeBuffer copy = copyOf(batch, length);
        copy.putInt(position, value, Batches.ORDER);
        return check(copy);
    }

    private int mutateLong(final int position, final long value) {
        final UnsafeBuffer copy = copyOf(batch, length);
        copy.putLong(position, value, Batches.ORDER);
        return check(copy);
    }

    /** Recomputes the CRC, as a producer sending a malformed batch would, then validates both ways. */
    private int check(final UnsafeBuffer copy) {
        fixCrc(copy, length);
        final int result = Batches.validate(copy, 0, length);
        assertEquals(result, reader.wrap(copy, 0, length), "reader agrees with validate");
        return result;
    }
}

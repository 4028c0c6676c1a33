package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BatchCompressionTest {
    private final BatchBuilder builder = new BatchBuilder(1 << 20);
    private final BatchReader reader = new BatchReader(1 << 20);

    @AfterEach
    void close() {
        builder.close();
        reader.close();
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void compressibleRecordsShrinkAndComeBack(final Compression codec) {
        final List<TestRecord> records = compressibleRecords(500);
        builder.compression(codec);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 20]);
        final int length = TestBatches.build(builder, out, 0, records);

        assertEquals(codec, Batches.compression(out, 0));
        final long uncompressed = Batches.uncompressedLength(out, 0);
        assertTrue(length < uncompressed / 4, "compressed " + length + " vs " + uncompressed);
        assertEquals(Batches.RECORDS_OFFSET + Batches.recordsLength(out, 0), length);
        assertEquals(BatchError.NONE, Batches.validate(out, 0, length));
        assertEquals(records, TestBatches.read(reader, out, 0, length));
        assertEquals(codec, reader.compression());
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void incompressibleRecordsAreStoredUncompressed(final Compression codec) {
        final Random random = new Random(5);
        final byte[] value = new byte[10_000];
        random.nextBytes(value);
        final List<TestRecord> records = List.of(new TestRecord(1L, null, value, List.of()));
        builder.compression(codec);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        final int length = TestBatches.build(builder, out, 0, records);

        assertEquals(Compression.NONE, Batches.compression(out, 0));
        assertEquals(Batches.RECORDS_OFFSET + RecordSet.MIN_RECORD_LENGTH + 10_000, length);
        assertEquals(records, TestBatches.read(reader, out, 0, length));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void compressedFormIsKeptOnlyWhenSmaller(final Compression codec) {
        final Random random = new Random(6);
        builder.compression(codec);
        final BatchBuilder plain = new BatchBuilder(1 << 20);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        final UnsafeBuffer plainOut = new UnsafeBuffer(new byte[1 << 16]);
        for (int i = 0; i < 50; i++) {
            final List<TestRecord> records = TestRecord.random(random, 1 + random.nextInt(30), 200);
            final int length = TestBatches.build(builder, out, 0, records);
            final int plainLength = TestBatches.build(plain, plainOut, 0, records);
            if (Batches.compression(out, 0) == codec) {
                assertTrue(length < plainLength, length + " < " + plainLength);
                assertEquals(plainLength - Batches.RECORDS_OFFSET, Batches.uncompressedLength(out, 0));
            } else {
                assertEquals(Compression.NONE, Batches.compression(out, 0));
                assertEquals(plainLength, length);
            }
            assertEquals(records, TestBatches.read(reader, out, 0, length));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void readsFromHeapDirectAndByteBufferBackedBuffers(final Compression codec) {
        final List<TestRecord> records = compressibleRecords(100);
        builder.compression(codec);
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[1 << 16]);
        final int length = TestBatches.build(builder, heap, 16, records);

        final ByteBuffer direct = ByteBuffer.allocateDirect(1 << 16);
        final UnsafeBuffer overDirectByteBuffer = new UnsafeBuffer(direct);
        overDirectByteBuffer.putBytes(40, heap, 16, length);
        assertEquals(records, TestBatches.read(reader, overDirectByteBuffer, 40, length));

        final UnsafeBuffer overSlice = new UnsafeBuffer(direct, 8, 1 << 15);
        assertEquals(records, TestBatches.read(reader, overSlice, 32, length));

        final UnsafeBuffer overAddress = new UnsafeBuffer(overDirectByteBuffer.addressOffset(), 1 << 16);
        assertEquals(records, TestBatches.read(reader, overAddress, 40, length));

        final UnsafeBuffer overHeapByteBuffer = new UnsafeBuffer(ByteBuffer.wrap(new byte[1 << 16], 3, 60000).slice());
        overHeapByteBuffer.putBytes(5, heap, 16, length);
        assertEquals(records, TestBatches.read(reader, overHeapByteBuffer, 5, length));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void corruptCompressedBytesWithAValidCrcFailCleanly(final Compression codec) {
        final List<TestRecord> records = compressibleRecords(200);
        builder.compression(codec);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        final int length = TestBatches.build(builder, out, 0, records);
        final Random random = new Random(9);
        int failures = 0;
        for (int i = 0; i < 500; i++) {
            final UnsafeBuffer copy = copyOf(out, length);
            final int position = Batches.RECORDS_OFFSET + 4 + random.nextInt(length - Batches.RECORDS_OFFSET - 4);
            copy.putByte(position, (byte) (copy.getByte(position) ^ (1 << random.nextInt(8))));
            fixCrc(copy, length);
            assertEquals(BatchError.NONE, Batches.validate(copy, 0, length), "envelope is intact");
            final int result = reader.wrap(copy, 0, length);
            assertTrue(result <= 0);
            if (result != BatchError.NONE) {
                failures++;
                assertTrue(result == BatchError.DECOMPRESSION_FAILED || result == BatchError.BAD_RECORD
                    || result == BatchError.BAD_RECORD_COUNT || result == BatchError.BAD_TIMESTAMP,
                    BatchError.name(result));
            } else {
                while (reader.next()) {
                    assertTrue(reader.keyLength() >= -1);
                }
            }
        }
        // Flipped literal bits inside values decompress to different but well-formed records; only the
        // CRC, which the producer controls here, could catch those. Structure-breaking flips must fail.
        assertTrue(failures > 250, "most corruptions are detected: " + failures);
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void wrongUncompressedLengthIsRejected(final Compression codec) {
        final List<TestRecord> records = compressibleRecords(50);
        builder.compression(codec);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        final int length = TestBatches.build(builder, out, 0, records);
        final long uncompressed = Batches.uncompressedLength(out, 0);

        final UnsafeBuffer shorter = copyOf(out, length);
        shorter.putInt(Batches.RECORDS_OFFSET, (int) uncompressed - 1, Batches.ORDER);
        fixCrc(shorter, length);
        assertEquals(BatchError.DECOMPRESSION_FAILED, reader.wrap(shorter, 0, length));

        final UnsafeBuffer longer = copyOf(out, length);
        longer.putInt(Batches.RECORDS_OFFSET, (int) uncompressed + 1, Batches.ORDER);
        fixCrc(longer, length);
        assertEquals(BatchError.DECOMPRESSION_FAILED, reader.wrap(longer, 0, length));

        final UnsafeBuffer huge = copyOf(out, length);
        huge.putInt(Batches.RECORDS_OFFSET, 1 << 30, Batches.ORDER);
        fixCrc(huge, length);
        assertEquals(BatchError.NONE, Batches.validate(huge, 0, length), "the schema allows 1 GiB");
        assertEquals(BatchError.TOO_LARGE, reader.wrap(huge, 0, length), "the reader does not");

        final UnsafeBuffer beyondSchema = copyOf(out, length);
        beyondSchema.putInt(Batches.RECORDS_OFFSET, -1, Batches.ORDER);
        fixCrc(beyondSchema, length);
        assertEquals(BatchError.BAD_RECORDS_LENGTH, Batches.validate(beyondSchema, 0, length));
        assertEquals(BatchError.BAD_RECORDS_LENGTH, reader.wrap(beyondSchema, 0, length));

        final UnsafeBuffer tooSmallForCount = copyOf(out, length);
        tooSmallForCount.putInt(Batches.RECORDS_OFFSET, 20, Batches.ORDER);
        fixCrc(tooSmallForCount, length);
        assertEquals(BatchError.BAD_RECORD_COUNT, Batches.validate(tooSmallForCount, 0, length));
    }

    @Test
    void unknownCodecIsRejected() {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        final int length = TestBatches.build(builder, out, 0, compressibleRecords(5));
        for (int codec = 3; codec <= 7; codec++) {
            final UnsafeBuffer copy = copyOf(out, length);
            copy.putByte(Batches.ATTRIBUTES_OFFSET, (byte) codec);
            fixCrc(copy, length);
            assertEquals(BatchError.BAD_COMPRESSION, Batches.validate(copy, 0, length));
            assertEquals(BatchError.BAD_COMPRESSION, reader.wrap(copy, 0, length));
        }
    }

    @Test
    void zstdLevelIsConfigurable() {
        final List<TestRecord> records = compressibleRecords(400);
        builder.compression(Compression.ZSTD).compressionLevel(1);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 20]);
        final int fast = TestBatches.build(builder, out, 0, records);
        builder.compressionLevel(19);
        final int small = TestBatches.build(builder, out, 0, records);
        assertTrue(small <= fast, small + " <= " + fast);
        assertEquals(records, TestBatches.read(reader, out, 0, small));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void anUnsealedBatchCompressedInPlaceThenSealedReadsBack(final Compression codec) {
        final List<TestRecord> records = compressibleRecords(300);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 20]);
        builder.begin(out, 16, 1 << 19, 42L, (short) 3, 100);
        for (final TestRecord record : records) {
            final RecordHeaders headers = new RecordHeaders();
            for (final byte[][] header : record.headers) {
                headers.add(header[0], header[1]);
            }
            assertTrue(builder.tryAppend(record.timestamp, record.key, record.value, headers));
        }
        final int plainLength = builder.finish(false);
        assertEquals(0, Batches.crc(out, 16), "no CRC yet");
        assertEquals(BatchError.CRC_MISMATCH, Batches.validate(out, 16, plainLength));
        try (BatchCompressor compressor = new BatchCompressor(1 << 19, BatchBuilder.DEFAULT_ZSTD_LEVEL)) {
            final int length = compressor.compress(out, 16, codec);
            assertTrue(length < plainLength / 4, length + " vs " + plainLength);
            assertEquals(length, Batches.frameLength(out, 16));
            assertEquals(codec, Batches.compression(out, 16));
            assertEquals(plainLength - Batches.RECORDS_OFFSET, Batches.uncompressedLength(out, 16));
            Batches.seal(out, 16);
            assertEquals(BatchError.NONE, Batches.validate(out, 16, length));
            assertEquals(records, TestBatches.read(reader, out, 16, length));
            assertEquals(42L, Batches.producerId(out, 16));
            assertEquals(100, Batches.baseSequence(out, 16));
            assertThrows(IllegalArgumentException.class, () -> compressor.compress(out, 16, codec),
                "a compressed batch is not compressed twice");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void inPlaceCompressionLeavesAnIncompressibleBatchAsItWas(final Compression codec) {
        final byte[] value = new byte[5_000];
        new Random(9).nextBytes(value);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        builder.begin(out, 0, 1 << 16, -1L, (short) -1, -1);
        assertTrue(builder.tryAppend(5L, null, value));
        final int plainLength = builder.finish(false);
        final UnsafeBuffer before = copyOf(out, plainLength);
        try (BatchCompressor compressor = new BatchCompressor(1 << 16, BatchBuilder.DEFAULT_ZSTD_LEVEL)) {
            assertEquals(plainLength, compressor.compress(out, 0, codec));
            assertEquals(Compression.NONE, Batches.compression(out, 0));
            assertEquals(0, before.compareTo(copyOf(out, plainLength)), "not a byte changed");
            Batches.seal(out, 0);
            assertEquals(BatchError.NONE, Batches.validate(out, 0, plainLength));
        }
    }

    static List<TestRecord> compressibleRecords(final int count) {
        final List<TestRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(TestRecord.of(1_700_000_000_000L + i, "user-" + (i % 17),
                "{\"event\":\"page_view\",\"page\":\"/products/" + (i % 40) + "\",\"ok\":true}")
                .withHeader("source", "web"));
        }
        return records;
    }

    static UnsafeBuffer copyOf(final DirectBuffer buffer, final int length) {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, buffer, 0, length);
        return copy;
    }

    static void fixCrc(final MutableDirectBuffer buffer, final int length) {
        buffer.putInt(Batches.CRC_OFFSET, Batches.computeCrc(buffer, 0, length), Batches.ORDER);
    }
}

package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of record batches (reliability tier D1): every mutated frame must end in
 * {@link BatchError#NONE} or a negative code from {@link Batches#validate} and {@link BatchReader#wrap},
 * never an exception, and a batch that wraps must iterate cleanly. Frames are checked in buffers of
 * exactly their length, so a read past the frame would throw. Half of the mutations recompute the
 * CRC (and often the length fields), as a hostile producer would, to reach the record-level checks;
 * some rebuild a compressed batch around mutated records, to reach them after decompression.
 *
 * <p>Replay: {@code -Dsequent.fuzz.seed=N} sets the run seed; a failure names the run seed, the
 * iteration and the mutation.
 */
class BatchFuzzTest {
    static final long DEFAULT_SEED = 0x5E9_0E47L;
    private static final int MAX_FRAME = 1 << 16;

    private final List<Sample> corpus = new ArrayList<>();
    private final Mutator mutator = new Mutator();
    private final BatchReader reader = new BatchReader(1 << 20);
    private final BatchIterator iterator = new BatchIterator();
    private final byte[] work = new byte[MAX_FRAME * 2];
    private final UnsafeBuffer workBuffer = new UnsafeBuffer(work);
    private final UnsafeBuffer view = new UnsafeBuffer(work);
    private final byte[] records = new byte[MAX_FRAME * 2];
    private final UnsafeBuffer recordsBuffer = new UnsafeBuffer(records);
    private final Compressor compressor = new Compressor(MAX_FRAME * 2, 3);
    private final long[] wrapResults = new long[32];
    private long validated;
    private long wrapped;

    /** A valid batch to mutate, with the fields worth aiming at. */
    private static final class Sample {
        final UnsafeBuffer buffer;
        final int length;
        final Mutator.Field[] fields;
        final Mutator.Field[] recordFields;

        Sample(final UnsafeBuffer buffer, final int length) {
            this.buffer = buffer;
            this.length = length;
            fields = FrameFields.ofBatch(buffer, length);
            final List<Mutator.Field> inRecords = new ArrayList<>();
            if (Batches.compression(buffer, 0) == Compression.NONE) {
                final List<Mutator.Field> shifted = new ArrayList<>();
                FrameFields.addRecords(buffer, Batches.RECORDS_OFFSET, length, Batches.recordCount(buffer, 0), shifted);
                for (final Mutator.Field field : shifted) {
                    inRecords.add(new Mutator.Field(field.position - Batches.RECORDS_OFFSET, field.size));
                }
            }
            recordFields = inRecords.toArray(new Mutator.Field[0]);
        }
    }

    @Test
    void mutatedBatches() {
        run(Long.getLong("sequent.fuzz.seed", DEFAULT_SEED), Integer.getInteger("sequent.fuzz.batches", 600_000));
    }

    @Test
    @Tag("long")
    void manyMoreMutatedBatches() {
        run(Long.getLong("sequent.fuzz.seed", System.nanoTime()),
            Integer.getInteger("sequent.fuzz.long", 10_000_000));
    }

    private void run(final long runSeed, final int iterations) {
        buildCorpus(new Random(runSeed));
        final long ms = FuzzRun.run("batch fuzz", runSeed, iterations, this::fuzzOnce, mutator::description);
        final String histogram = FuzzRun.histogram(wrapResults, BatchError::name);
        System.out.printf(
            "BatchFuzzTest: %,d mutated batches in %,d ms (seed %d): %,d passed validate, %,d wrapped; wrap:%s%n",
            iterations, ms, runSeed, validated, wrapped, histogram);
        assertTrue(validated > 0 && validated < iterations, "mutations both pass and fail: " + validated);
        compressor.close();
        reader.close();
    }

    private void buildCorpus(final Random random) {
        try (BatchBuilder builder = new BatchBuilder(MAX_FRAME)) {
            for (int i = 0; i < 60; i++) {
                builder.compression(Compression.values()[i % 3]).control(i % 11 == 0);
                final List<TestRecord> records = i % 4 == 0
                    ? BatchCompressionTest.compressibleRecords(1 + random.nextInt(40))
                    : TestRecord.random(random, 1 + random.nextInt(i % 5 == 0 ? 60 : 6), 64);
                final UnsafeBuffer out = new UnsafeBuffer(new byte[MAX_FRAME]);
                final int length = TestBatches.build(builder, out, 0, records);
                if (i % 7 == 0) {
                    Batches.stamp(out, 0, random.nextInt(1000), i, 3, 1_800_000_000_000L);
                } else {
                    Batches.stamp(out, 0, random.nextInt(1000), i, 2);
                }
                assertEquals(BatchError.NONE, Batches.validate(out, 0, length));
                corpus.add(new Sample(BatchCompressionTest.copyOf(out, length), length));
            }
        }
    }

    private void fuzzOnce(final Random random) {
        final Sample sample = corpus.get(random.nextInt(corpus.size()));
        final int mode = random.nextInt(20);
        final int length;
        if (mode < 12) {
            length = mutator.mutate(random, sample.buffer, sample.length, workBuffer, sample.fields);
            if (random.nextBoolean()) {
                fixFrame(workBuffer, length, random.nextBoolean());
            }
        } else if (mode < 17 && sample.recordFields.length > 0) {
            length = recompressMutatedRecords(random, sample);
        } else if (mode < 19) {
            length = random.nextInt(512);
            for (int i = 0; i < length; i++) {
                work[i] = (byte) random.nextInt(256);
            }
            if (length >= Batches.MIN_FRAME_LENGTH && random.nextBoolean()) {
                workBuffer.putByte(Batches.MAGIC_OFFSET, Batches.MAGIC);
                fixFrame(workBuffer, length, true);
            }
        } else {
            length = mutator.mutate(random, sample.buffer, sample.length, workBuffer, sample.fields);
        }
        check(length);
    }

    /**
     * Mutates the uncompressed records of a sample, then wraps them, compressed with LZ4 or Zstandard,
     * in a header whose lengths and CRC are right: what a hostile producer with a working compressor sends.
     */
    private int recompressMutatedRecords(final Random random, final Sample sample) {
        final int recordsLength = sample.length - Batches.RECORDS_OFFSET;
        final UnsafeBuffer source = new UnsafeBuffer(sample.buffer, Batches.RECORDS_OFFSET, recordsLength);
        final int mutatedLength = Math.min(
            mutator.mutate(random, source, recordsLength, recordsBuffer, sample.recordFields), MAX_FRAME);
        compressor.input().putBytes(0, recordsBuffer, 0, mutatedLength);
        final Compression codec = random.nextBoolean() ? Compression.LZ4 : Compression.ZSTD;
        final int compressed = compressor.compress(codec, mutatedLength);
        final int length = Batches.RECORDS_OFFSET + Batches.UNCOMPRESSED_LENGTH_SIZE + compressed;
        if (length > work.length) {
            return 0;
        }
        workBuffer.putBytes(0, sample.buffer, 0, Batches.HEADER_LENGTH);
        workBuffer.putByte(Batches.ATTRIBUTES_OFFSET,
            (byte) ((Batches.attributes(sample.buffer, 0) & ~Batches.COMPRESSION_MASK) | codec.id()));
        workBuffer.putInt(Batches.RECORDS_OFFSET, mutatedLength, Batches.ORDER);
        workBuffer.putBytes(
            Batches.RECORDS_OFFSET + Batches.UNCOMPRESSED_LENGTH_SIZE, compressor.output(), 0, compressed);
        fixFrame(workBuffer, length, true);
        return length;
    }

    private static void fixFrame(final MutableDirectBuffer buffer, final int length, final boolean fixLengths) {
        if (length < Batches.MIN_FRAME_LENGTH) {
            return;
        }
        if (fixLengths) {
            buffer.putInt(Batches.FRAME_LENGTH_OFFSET, length, Batches.ORDER);
            buffer.putInt(Batches.RECORDS_LENGTH_OFFSET, length - Batches.RECORDS_OFFSET, Batches.ORDER);
        }
        buffer.putInt(Batches.CRC_OFFSET, Batches.computeCrc(buffer, 0, length), Batches.ORDER);
    }

    private void check(final int length) {
        view.wrap(work, 0, length);
        final int validateResult = Batches.validate(view, 0, length);
        assertTrue(validateResult <= 0, "validate returned " + validateResult);
        final int wrapResult = reader.wrap(view, 0, length);
        assertTrue(wrapResult <= 0, "wrap returned " + wrapResult);
        wrapResults[-wrapResult]++;
        if (validateResult != BatchError.NONE) {
            assertEquals(validateResult, wrapResult, "reader and validate agree on a bad frame");
        } else {
            validated++;
            if (Batches.compression(view, 0) == Compression.NONE) {
                assertEquals(BatchError.NONE, wrapResult, "an uncompressed batch that validates wraps");
            }
        }
        if (wrapResult == BatchError.NONE) {
            wrapped++;
            int count = 0;
            while (reader.next()) {
                assertEquals(reader.baseOffset() + count, reader.offset());
                final byte[] key = reader.keyBytes();
                final byte[] value = reader.valueBytes();
                assertEquals(reader.keyLength(), key == null ? -1 : key.length);
                assertEquals(reader.valueLength(), value == null ? -1 : value.length);
                for (int h = 0; h < reader.headerCount(); h++) {
                    reader.headerKey(h);
                    reader.headerValueBytes(h);
                }
                count++;
            }
            assertEquals(Batches.recordCount(view, 0), count);
        }
        iterator.reset(view, 0, length);
        while (iterator.next()) {
            assertTrue(iterator.frameOffset() + iterator.frameLength() <= length);
        }
    }
}

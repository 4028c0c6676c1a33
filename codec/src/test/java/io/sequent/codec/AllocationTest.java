package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hot paths allocate nothing in steady state: building, validating, stamping, reading batches and
 * validating protocol frames, valid or not. Measured with the JVM's per-thread allocation counter.
 */
class AllocationTest {
    private static final int ROUNDS = 20_000;
    /**
     * The JVM itself may charge a few dozen bytes to the thread once in a while (a deoptimisation, a
     * lazily initialised JDK structure); one allocation per round would cost ROUNDS times more.
     */
    private static final long STEADY_STATE_NOISE = 1024;
    private static com.sun.management.ThreadMXBean threads;

    private final byte[] key = "key-0001".getBytes();
    private final byte[] value = new byte[200];
    private final RecordHeaders headers = new RecordHeaders().add("trace", new byte[] {1, 2, 3});
    private long sink;

    @BeforeAll
    static void allocationCounter() {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        threads = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void buildStampValidateAndRead(final Compression compression) {
        try (BatchBuilder builder = new BatchBuilder(1 << 16); BatchReader reader = new BatchReader(1 << 16)) {
            builder.compression(compression);
            final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16));
            final Runnable round = () -> {
                builder.begin(out, 0, out.capacity(), 7L, (short) 1, 0);
                for (int i = 0; i < 20; i++) {
                    builder.tryAppend(1_000L + i, key, value, i % 4 == 0 ? headers : null);
                }
                final int length = builder.finish();
                Batches.stamp(out, 0, 100L, 5L, 2);
                sink += Batches.validate(out, 0, length);
                sink += reader.wrap(out, 0, length);
                while (reader.next()) {
                    sink += reader.offset() + reader.keyLength() + reader.valueLength() + reader.headerCount();
                }
            };
            final long allocated = allocatedBy(round);
            assertTrue(allocated < STEADY_STATE_NOISE,
                compression + ": " + allocated + " bytes in " + ROUNDS + " batches");
            assertEquals(0, sink % 1, "keeps the work observable");
        }
    }

    @Test
    void validatingMalformedBatchesAndFrames() {
        final Random random = new Random(1);
        final Mutator mutator = new Mutator();
        final List<UnsafeBuffer> batches = new ArrayList<>();
        final List<UnsafeBuffer> frames = new ArrayList<>();
        final UnsafeBuffer work = new UnsafeBuffer(new byte[1 << 16]);
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[4096]);
        final int batchLength = SampleFrames.sampleBatch(batch, 0);
        final Mutator.Field[] batchFields = FrameFields.ofBatch(batch, batchLength);
        final List<SampleFrames.Frame> samples = SampleFrames.all();
        for (int i = 0; i < 2000; i++) {
            final int n = mutator.mutate(random, batch, batchLength, work, batchFields);
            if (random.nextBoolean() && n >= Batches.MIN_FRAME_LENGTH) {
                work.putInt(Batches.CRC_OFFSET, Batches.computeCrc(work, 0, n), Batches.ORDER);
            }
            batches.add(SampleFrames.copy(work, n));
            final SampleFrames.Frame frame = samples.get(random.nextInt(samples.size()));
            final int m = mutator.mutate(random, frame.buffer, frame.length, work,
                FrameFields.ofFrame(frame.buffer, frame.length));
            frames.add(SampleFrames.copy(work, m));
        }
        final Runnable round = () -> {
            for (int i = 0; i < batches.size(); i++) {
                final UnsafeBuffer b = batches.get(i);
                sink += Batches.validate(b, 0, b.capacity());
                final UnsafeBuffer f = frames.get(i);
                sink += ProtocolFrames.validate(f, 0, f.capacity());
            }
        };
        final long allocated = allocatedBy(round, 50);
        assertTrue(allocated < STEADY_STATE_NOISE, allocated + " bytes allocated validating 200,000 malformed inputs");
    }

    @Test
    void hugeDeclaredSizesAllocateNothingBeyondTheReadersMaximum() {
        try (BatchReader reader = new BatchReader(1 << 16); BatchBuilder builder = new BatchBuilder(4096)) {
            builder.compression(Compression.ZSTD);
            final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
            final int length = TestBatches.build(builder, out, 0, BatchCompressionTest.compressibleRecords(40));
            assertEquals(BatchError.NONE, reader.wrap(out, 0, length));
            out.putInt(Batches.RECORDS_OFFSET, 1 << 30, Batches.ORDER);
            BatchCompressionTest.fixCrc(out, length);
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 100; i++) {
                assertEquals(BatchError.TOO_LARGE, reader.wrap(out, 0, length));
            }
            final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(allocated < 64 * 1024, "allocated " + allocated);
        }
    }

    private long allocatedBy(final Runnable round) {
        return allocatedBy(round, ROUNDS);
    }

    private long allocatedBy(final Runnable round, final int rounds) {
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        final long id = Thread.currentThread().getId();
        threads.getThreadAllocatedBytes(id);
        final long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        return threads.getThreadAllocatedBytes(id) - before;
    }
}

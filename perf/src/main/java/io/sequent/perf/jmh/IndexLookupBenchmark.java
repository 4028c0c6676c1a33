package io.sequent.perf.jmh;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.Batches;
import io.sequent.log.FlushPolicy;
import io.sequent.log.LogConfig;
import io.sequent.log.LogReader;
import io.sequent.log.LogResult;
import io.sequent.log.PartitionLog;
import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Locating a record in a populated log: 1,000,000 records of 100-byte values in 100,000 batches of 10, spread
 * over several 32 MiB segments with the default 4 KiB index interval, each batch one millisecond later than the
 * one before.
 *
 * <ul>
 *   <li>{@code offsetLookup}: offset to position, the start of every fetch: {@link LogReader#read} of one batch
 *   at a random offset (segment lookup, hold on the segment, binary search of the sparse offset index, then the
 *   scan of at most one index interval of frames to the batch holding the offset); returns that batch's base
 *   offset;</li>
 *   <li>{@code timeLookup}: timestamp to offset, Kafka's ListOffsets by time: {@link PartitionLog#offsetForTimestamp}
 *   at a random time (time index, offset index, scan).</li>
 * </ul>
 * The index classes are internal to the log module; these are the public paths that use them, and what a broker
 * pays per request. Offsets and timestamps come from pre-generated random arrays, so successive lookups land in
 * unrelated parts of the 128 MB log (page-cache resident, mostly out of CPU cache), as consumers at different
 * positions would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IndexLookupBenchmark {
    private static final int RECORDS = 1_000_000;
    private static final int RECORDS_PER_BATCH = 10;
    private static final int BATCHES = RECORDS / RECORDS_PER_BATCH;
    private static final int VALUE_SIZE = 100;
    private static final int SEGMENT_BYTES = 32 << 20;
    private static final int KEYS = 1 << 16;
    private static final int MASK = KEYS - 1;

    private final long[] offsets = new long[KEYS];
    private final long[] timestamps = new long[KEYS];
    private Path dir;
    private PartitionLog log;
    private LogReader reader;
    private long firstTimestamp;
    private int next;

    /** Writes the log and draws the random lookup keys. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sequent-jmh-index-");
        final LogConfig config = new LogConfig().flushPolicy(FlushPolicy.NONE).segmentBytes(SEGMENT_BYTES);
        log = PartitionLog.open(dir.resolve("bench-0"), config, SystemEpochClock.INSTANCE);

        final byte[] value = new byte[VALUE_SIZE];
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16));
        final int frameLength;
        firstTimestamp = System.currentTimeMillis() - BATCHES;
        try (BatchBuilder builder = new BatchBuilder(out.capacity())) {
            builder.begin(out, 0, out.capacity(), Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH,
                Batches.NO_SEQUENCE);
            for (int i = 0; i < RECORDS_PER_BATCH; i++) {
                builder.tryAppend(firstTimestamp, null, value);
            }
            frameLength = builder.finish();
        }
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(frameLength));
        frame.putBytes(0, out, 0, frameLength);
        for (int i = 0; i < BATCHES; i++) {
            // every record of a batch has timestamp delta 0: moving the batch's timestamps moves them all
            final long timestamp = firstTimestamp + i;
            frame.putLong(Batches.FIRST_TIMESTAMP_OFFSET, timestamp, ByteOrder.LITTLE_ENDIAN);
            frame.putLong(Batches.MAX_TIMESTAMP_OFFSET, timestamp, ByteOrder.LITTLE_ENDIAN);
            Batches.stamp(frame, 0, log.nextOffset(), i, 0);
            final int result = log.append(frame, 0, frameLength);
            if (result != LogResult.OK) {
                throw new IllegalStateException("append failed: " + LogResult.name(result));
            }
        }
        reader = log.newReader();

        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < KEYS; i++) {
            offsets[i] = random.nextLong(RECORDS);
            timestamps[i] = firstTimestamp + random.nextLong(BATCHES);
        }
        for (int i = 0; i < 1_000; i++) {
            final long expected = offsets[i] - offsets[i] % RECORDS_PER_BATCH;
            if (offsetLookup() != expected) {
                throw new IllegalStateException("offset lookup of " + offsets[i] + " is wrong");
            }
        }
        for (int i = 0; i < 1_000; i++) {
            final long expected = (timestamps[(next & MASK)] - firstTimestamp) * RECORDS_PER_BATCH;
            if (timeLookup() != expected) {
                throw new IllegalStateException("time lookup is wrong");
            }
        }
        next = 0;
    }

    /** Closes the log and deletes its directory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (null != reader) {
                reader.close();
            }
            if (null != log) {
                log.close();
            }
        } finally {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    /**
     * Finds the batch holding a random offset.
     *
     * @return the batch's base offset.
     */
    @Benchmark
    public long offsetLookup() {
        final LogReader r = reader;
        final int length = r.read(offsets[next++ & MASK], 1, Long.MAX_VALUE);
        if (length <= 0) {
            throw new IllegalStateException("read failed: " + LogResult.name(length));
        }
        return Batches.baseOffset(r.buffer(), r.bufferOffset());
    }

    /**
     * Finds the first batch at or after a random time.
     *
     * @return its base offset.
     */
    @Benchmark
    public long timeLookup() {
        return log.offsetForTimestamp(timestamps[next++ & MASK]);
    }
}

package io.sequent.perf.jmh;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.Batches;
import io.sequent.log.FlushPolicy;
import io.sequent.log.LogConfig;
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
import org.openjdk.jmh.annotations.Param;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The journal's write: {@link PartitionLog#append} of one pre-built batch of {@code records} records of 100-byte
 * values, flush policy none (the bytes reach the page cache through the mapped segment, nothing is forced).
 *
 * <ul>
 *   <li>{@code append}: the bare append, the batch's base offset patched in place (its CRC is not recomputed: the
 *   log trusts it unless {@code log.append.verify.crc} is set);</li>
 *   <li>{@code stampAndAppend}: {@link Batches#stamp} (base offset, group sequence, epoch and the CRC-32C over the
 *   whole batch) then the append, which is the leader's per-batch work between sequencing and release.</li>
 * </ul>
 *
 * <p>The log uses the broker's defaults (256 MiB segments, pre-allocated and zero-filled) and a janitor thread
 * that applies retention (two segments, so the benchmark does not fill the disk). The janitor does not prepare
 * segments ahead: a tight loop appends gigabytes per second, far faster than any producer feeds the log, and no
 * janitor zero-filling and forcing a spare keeps up with it (it only adds disk traffic), so every roll prepares
 * its segment inline. The average time is thus the sustained cost of appending flat out, everything included:
 * the copy into the mapping, the first-touch write faults on the mapped pages (one per 4 KiB, some of which
 * stall in the kernel), index entries and rolls. The sample-time mode splits it: its median is a typical append,
 * its upper percentiles the stalled page faults and, at the extreme, the rolls.
 *
 * <p>Why: this is the floor under the write path's latency and the ceiling on one partition's throughput; divide
 * the score for {@code records=100} by 100 for a per-record cost.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SegmentAppendBenchmark {
    private static final int VALUE_SIZE = 100;
    private static final long JANITOR_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Records per batch. */
    @Param({"1", "100"})
    public int records;

    private Path dir;
    private PartitionLog log;
    private UnsafeBuffer frame;
    private int frameLength;
    private long groupSeq;
    private Thread janitor;

    /** Opens an empty log in a temporary directory, builds the batch and starts the janitor. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sequent-jmh-append-");
        final LogConfig config = new LogConfig()
            .flushPolicy(FlushPolicy.NONE)
            .retentionBytes(2L * LogConfig.SEGMENT_BYTES_DEFAULT);
        log = PartitionLog.open(dir.resolve("bench-0"), config, SystemEpochClock.INSTANCE);

        final byte[] value = new byte[VALUE_SIZE];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
        try (BatchBuilder builder = new BatchBuilder(out.capacity())) {
            builder.begin(out, 0, out.capacity(), Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH,
                Batches.NO_SEQUENCE);
            final long now = System.currentTimeMillis();
            for (int i = 0; i < records; i++) {
                if (!builder.tryAppend(now, null, value)) {
                    throw new IllegalStateException("batch of " + records + " does not fit");
                }
            }
            frameLength = builder.finish();
        }
        frame = new UnsafeBuffer(ByteBuffer.allocateDirect(frameLength));
        frame.putBytes(0, out, 0, frameLength);
        Batches.stamp(frame, 0, log.nextOffset(), groupSeq++, 0);

        final PartitionLog janitorLog = log;
        janitor = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                janitorLog.enforceRetention(System.currentTimeMillis());
                LockSupport.parkNanos(JANITOR_INTERVAL_NS);
            }
        }, "bench-janitor");
        janitor.setDaemon(true);
        janitor.start();
    }

    /** Stops the janitor, closes the log and deletes its directory. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        try {
            if (null != janitor) {
                janitor.interrupt();
                janitor.join();
            }
            if (null != log) {
                log.close();
            }
        } finally {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    private static int check(final int result) {
        if (result != LogResult.OK) {
            throw new IllegalStateException("append failed: " + LogResult.name(result));
        }
        return result;
    }

    /**
     * Appends the batch at the log's next offset.
     *
     * @return {@link LogResult#OK}.
     */
    @Benchmark
    public int append() {
        final PartitionLog l = log;
        frame.putLong(Batches.BASE_OFFSET_OFFSET, l.nextOffset(), ByteOrder.LITTLE_ENDIAN);
        return check(l.append(frame, 0, frameLength));
    }

    /**
     * Stamps the batch as the leader does, then appends it.
     *
     * @return {@link LogResult#OK}.
     */
    @Benchmark
    public int stampAndAppend() {
        final PartitionLog l = log;
        Batches.stamp(frame, 0, l.nextOffset(), groupSeq++, 0);
        return check(l.append(frame, 0, frameLength));
    }
}

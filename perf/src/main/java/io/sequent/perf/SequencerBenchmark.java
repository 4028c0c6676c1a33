package io.sequent.perf;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.Batches;
import io.sequent.log.FlushPolicy;
import io.sequent.log.LogConfig;
import io.sequent.log.LogResult;
import io.sequent.log.PartitionLog;
import io.sequent.sequencer.Acks;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.Sequencer;
import io.sequent.sequencer.SequencerContext;
import io.sequent.sequencer.ThreadingMode;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Throughput and latency of the write core (sequencer + journal, no network), for fixed-size records.
 *
 * <ul>
 *   <li>throughput: one producer thread offers pre-built batches as fast as the pipeline takes them;
 *   reports records/s and MB/s of record payload, per flush policy;</li>
 *   <li>latency: batches offered at a fixed rate; each batch's offer-to-release time (acks=1) is
 *   measured from its intended send time, so a stall is charged to every batch it delayed
 *   (coordinated omission corrected); also the bare {@link PartitionLog#append} time per batch.</li>
 * </ul>
 *
 * <p>Usage: {@code SequencerBenchmark [records=N] [batch=100] [size=100] [flush=none,batch]
 * [mode=shared|dedicated] [rate=10000] [batch.rate=rate/10] [latency.batches=200000] [dir=PATH]
 * [tests=throughput,latency,append]}
 */
public final class SequencerBenchmark {
    private final long records;
    private final int batchRecords;
    private final int recordSize;
    private final String[] flushPolicies;
    private final ThreadingMode mode;
    private final int rate;
    private final int batchRate;
    private final int latencyBatches;
    private final Path baseDir;
    private final String tests;
    private final PrintStream out;

    SequencerBenchmark(final Args args, final PrintStream out) {
        this.records = args.longValue("records", 20_000_000L);
        this.batchRecords = args.intValue("batch", 100);
        this.recordSize = args.intValue("size", 100);
        this.flushPolicies = args.value("flush", "none,batch").split(",");
        this.mode = ThreadingMode.valueOf(
            args.value("mode", ThreadingMode.forCores(Runtime.getRuntime().availableProcessors()).name())
                .toUpperCase(Locale.ROOT));
        this.rate = args.intValue("rate", 10_000);
        this.batchRate = args.intValue("batch.rate", Math.max(1, rate / 10));
        this.latencyBatches = args.intValue("latency.batches", 200_000);
        this.baseDir = Path.of(args.value("dir", System.getProperty("java.io.tmpdir")));
        this.tests = args.value("tests", "throughput,latency,append");
        this.out = out;
    }

    public static void main(final String[] argv) throws Exception {
        new SequencerBenchmark(new Args(argv), System.out).run();
    }

    void run() throws Exception {
        out.printf(Locale.ROOT, "write core: %d-byte records, %d per batch, %s mode, %d cores, %s%n",
            recordSize, batchRecords, mode, Runtime.getRuntime().availableProcessors(), Runtime.version());
        for (final String policy : flushPolicies) {
            final FlushPolicy flush = FlushPolicy.valueOf(policy.trim().toUpperCase(Locale.ROOT));
            if (tests.contains("throughput")) {
                throughput(flush);
            }
        }
        for (final String policy : flushPolicies) {
            final FlushPolicy flush = FlushPolicy.valueOf(policy.trim().toUpperCase(Locale.ROOT));
            if (tests.contains("latency")) {
                latency(flush, 1, rate);
                latency(flush, batchRecords, batchRate);
            }
        }
        if (tests.contains("append")) {
            appendLatency();
        }
    }

    private UnsafeBuffer buildBatch(final int count) {
        final BatchBuilder builder = new BatchBuilder(16 << 20);
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(16 << 20));
        final byte[] value = new byte[recordSize];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        builder.begin(out, 0, out.capacity(), -1, (short) 0, -1);
        final long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            if (!builder.tryAppend(now, null, value)) {
                throw new IllegalStateException("batch of " + count + " does not fit");
            }
        }
        final int length = builder.finish();
        return new UnsafeBuffer(out, 0, length);
    }

    private LogConfig logConfig(final FlushPolicy flush) {
        return new LogConfig().flushPolicy(flush);
    }

    private void throughput(final FlushPolicy flush) throws Exception {
        final Path dir = Files.createTempDirectory(baseDir, "sequent-bench-");
        final UnsafeBuffer batch = buildBatch(batchRecords);
        final long batches = records / batchRecords;
        final AtomicLong released = new AtomicLong();
        final SequencerContext context = new SequencerContext()
            .threadingMode(mode)
            .releaseHandler(event -> released.lazySet(released.get() + 1));
        try (Sequencer sequencer = Sequencer.launch(context)) {
            final Partition partition = sequencer.openPartition("bench", 0, dir.resolve("bench-0"),
                logConfig(flush), false);
            final long warmup = Math.min(batches / 5, 20_000);
            offerAll(sequencer, partition, batch, warmup);
            awaitReleased(released, warmup);
            final long start = System.nanoTime();
            offerAll(sequencer, partition, batch, batches);
            awaitReleased(released, warmup + batches);
            final long elapsed = System.nanoTime() - start;
            final double seconds = elapsed / 1e9;
            final double recordsPerSecond = batches * batchRecords / seconds;
            out.printf(Locale.ROOT,
                "throughput flush=%-5s : %,12.0f records/s  %8.1f MB/s payload  %8.1f MB/s batches" +
                    "  (%,d records in %.2f s)%n",
                flush.name().toLowerCase(Locale.ROOT), recordsPerSecond, recordsPerSecond * recordSize / 1e6,
                batches * batch.capacity() / seconds / 1e6, batches * batchRecords, seconds);
        } finally {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    private static void offerAll(
        final Sequencer sequencer, final Partition partition, final UnsafeBuffer batch, final long count) {
        for (long i = 0; i < count; i++) {
            while (sequencer.offer(partition, batch, 0, batch.capacity(), Acks.LEADER, 0, i) < 0) {
                Thread.onSpinWait();
            }
        }
    }

    private static void awaitReleased(final AtomicLong released, final long count) {
        while (released.get() < count) {
            Thread.yield();
        }
    }

    private void latency(final FlushPolicy flush, final int recordsPerBatch, final int batchesPerSecond)
        throws Exception {
        final Path dir = Files.createTempDirectory(baseDir, "sequent-bench-");
        final UnsafeBuffer batch = buildBatch(recordsPerBatch);
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        final AtomicLong released = new AtomicLong();
        final boolean[] recording = {false};
        final SequencerContext context = new SequencerContext()
            .threadingMode(mode)
            .releaseHandler(event -> {
                if (recording[0]) {
                    histogram.recordValue(Math.max(1, System.nanoTime() - event.correlationId()));
                }
                released.lazySet(released.get() + 1);
            });
        try (Sequencer sequencer = Sequencer.launch(context)) {
            final Partition partition = sequencer.openPartition("bench", 0, dir.resolve("bench-0"),
                logConfig(flush), false);
            final int warmup = Math.min(latencyBatches / 4, 50_000);
            paced(sequencer, partition, batch, warmup, batchesPerSecond);
            awaitReleased(released, warmup);
            recording[0] = true;
            paced(sequencer, partition, batch, latencyBatches, batchesPerSecond);
            awaitReleased(released, warmup + latencyBatches);
            recording[0] = false;
        } finally {
            IoUtil.delete(dir.toFile(), true);
        }
        report(String.format(Locale.ROOT, "offer->release flush=%-5s batch=%-3d @ %,d batches/s",
            flush.name().toLowerCase(Locale.ROOT), recordsPerBatch, batchesPerSecond), histogram);
    }

    /** Offers at a fixed rate; the correlation id carries the intended send time. */
    private void paced(
        final Sequencer sequencer,
        final Partition partition,
        final UnsafeBuffer batch,
        final int count,
        final int batchesPerSecond) {
        final long interval = 1_000_000_000L / batchesPerSecond;
        long intended = System.nanoTime();
        for (int i = 0; i < count; i++) {
            intended += interval;
            long now;
            while ((now = System.nanoTime()) < intended) {
                // Parking wakes up to ~60 us late here (timer slack); spin on the last millisecond so the
                // harness's own lateness is not charged to the pipeline.
                if (intended - now > 1_000_000) {
                    LockSupport.parkNanos(intended - now - 500_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            while (sequencer.offer(partition, batch, 0, batch.capacity(), Acks.LEADER, 0, intended) < 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** The bare log append (no pipeline): the journal's share of the latency. */
    private void appendLatency() throws Exception {
        final Path dir = Files.createTempDirectory(baseDir, "sequent-bench-");
        final UnsafeBuffer batch = buildBatch(batchRecords);
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(batch.capacity()));
        frame.putBytes(0, batch, 0, batch.capacity());
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        try (PartitionLog log = PartitionLog.open(dir, logConfig(FlushPolicy.NONE), SystemEpochClock.INSTANCE)) {
            final Thread janitor = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    log.preallocateNextIfFilling();
                    LockSupport.parkNanos(1_000_000);
                }
            }, "bench-janitor");
            janitor.setDaemon(true);
            janitor.start();
            // Stay inside the first segment: a tight loop fills one in milliseconds, faster than any
            // janitor can prepare the next, so a roll here would measure pre-allocation, not appends.
            final int count = (LogConfig.SEGMENT_BYTES_DEFAULT - 4096) / Batches.alignedLength(frame.capacity());
            for (int i = 0; i < count; i++) {
                Batches.stamp(frame, 0, log.nextOffset(), i, 0);
                final long start = System.nanoTime();
                final int result = log.append(frame, 0, frame.capacity());
                final long end = System.nanoTime();
                if (result != LogResult.OK) {
                    throw new IllegalStateException("append failed: " + LogResult.name(result));
                }
                if (i >= count / 4) {
                    histogram.recordValue(Math.max(1, end - start));
                }
            }
            janitor.interrupt();
            janitor.join();
        } finally {
            IoUtil.delete(dir.toFile(), true);
        }
        report(String.format(Locale.ROOT, "log append flush=none  batch=%-3d (%d B)", batchRecords,
            batch.capacity()), histogram);
    }

    private void report(final String name, final Histogram histogram) {
        out.printf(Locale.ROOT,
            "%-50s : p50 %7.1f  p90 %7.1f  p99 %7.1f  p99.9 %8.1f  p99.99 %8.1f  max %9.1f us  (n=%,d)%n",
            name,
            histogram.getValueAtPercentile(50) / 1e3,
            histogram.getValueAtPercentile(90) / 1e3,
            histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3,
            histogram.getValueAtPercentile(99.99) / 1e3,
            histogram.getMaxValue() / 1e3,
            histogram.getTotalCount());
    }
}

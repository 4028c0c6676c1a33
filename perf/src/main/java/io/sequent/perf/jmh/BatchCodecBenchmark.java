package io.sequent.perf.jmh;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * CPU cost of the record batch format, per batch of {@code records} records of 100-byte values (no key, no
 * headers, no compression), in off-heap buffers as the client and the broker hold them.
 *
 * <ul>
 *   <li>{@code encode}: the producer side, {@link BatchBuilder} begin, {@code tryAppend} per record, finish
 *   (header and CRC-32C) into a reused buffer;</li>
 *   <li>{@code decode}: the consumer side, {@link BatchReader#wrap} (full validation: header, CRC, the structural
 *   walk of every record) then stepping through every record reading its offset, timestamp and value
 *   position;</li>
 *   <li>{@code iterate}: the record walk alone, on an already validated batch ({@link BatchReader#rewind});
 *   {@code decode - iterate} is the price of validation;</li>
 *   <li>{@code validate}: {@link Batches#validate}, what the broker runs on every produced batch before it
 *   enters the log;</li>
 *   <li>{@code crc}: the CRC-32C over the batch alone ({@link Batches#computeCrc}), the part of validation and
 *   of the leader's stamping that grows with the payload.</li>
 * </ul>
 *
 * <p>Why: these are the per-batch costs the producer, the broker's request path and the consumer pay outside
 * any I/O; comparing {@code records=1} with {@code records=100} shows the fixed per-batch overhead against the
 * per-record cost (divide the {@code records=100} score by 100). Scores are per batch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchCodecBenchmark {
    private static final int VALUE_SIZE = 100;
    private static final int CAPACITY = 1 << 20;

    /** Records per batch. */
    @Param({"1", "100"})
    public int records;

    private final byte[] value = new byte[VALUE_SIZE];
    private long timestamp;
    private BatchBuilder builder;
    private UnsafeBuffer out;
    private BatchReader reader;
    private BatchReader iterateReader;
    private UnsafeBuffer batch;
    private int batchLength;

    /** Builds the encoder's output buffer and, once, the stamped batch the read-side benchmarks use. */
    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        timestamp = System.currentTimeMillis();
        builder = new BatchBuilder(CAPACITY);
        out = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
        reader = new BatchReader();
        iterateReader = new BatchReader();

        final int length = encode();
        batch = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        batch.putBytes(0, out, 0, length);
        batchLength = length;
        Batches.stamp(batch, 0, 1_000_000L, 42L, 1);
        check(Batches.validate(batch, 0, batchLength));
        check(iterateReader.wrap(batch, 0, batchLength));
        if (iterateReader.recordCount() != records) {
            throw new IllegalStateException("batch holds " + iterateReader.recordCount() + " records");
        }
    }

    /** Frees the codecs' native resources. */
    @TearDown(Level.Trial)
    public void tearDown() {
        builder.close();
        reader.close();
        iterateReader.close();
    }

    private static void check(final int status) {
        if (status != BatchError.NONE) {
            throw new IllegalStateException("bad batch: " + status);
        }
    }

    /**
     * Encodes one batch into the reused output buffer.
     *
     * @return the frame length.
     */
    @Benchmark
    public int encode() {
        builder.begin(out, 0, CAPACITY, Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH, Batches.NO_SEQUENCE);
        for (int i = 0; i < records; i++) {
            if (!builder.tryAppend(timestamp, null, value)) {
                throw new IllegalStateException("record " + i + " does not fit");
            }
        }
        return builder.finish();
    }

    /**
     * Validates the batch and reads every record's fields.
     *
     * @return a sum over the fields read, so that none of the work can be dropped.
     */
    @Benchmark
    public long decode() {
        final BatchReader r = reader;
        final int status = r.wrap(batch, 0, batchLength);
        if (status != BatchError.NONE) {
            throw new IllegalStateException("bad batch: " + status);
        }
        long sum = 0;
        while (r.next()) {
            sum += r.offset() + r.timestamp() + r.keyLength() + r.valueOffset() + r.valueLength();
        }
        return sum;
    }

    /**
     * Reads every record's fields of the already validated batch.
     *
     * @return a sum over the fields read.
     */
    @Benchmark
    public long iterate() {
        final BatchReader r = iterateReader;
        r.rewind();
        long sum = 0;
        while (r.next()) {
            sum += r.offset() + r.timestamp() + r.keyLength() + r.valueOffset() + r.valueLength();
        }
        return sum;
    }

    /**
     * The broker's check of a produced batch.
     *
     * @return {@link BatchError#NONE}.
     */
    @Benchmark
    public int validate() {
        return Batches.validate(batch, 0, batchLength);
    }

    /**
     * The batch's CRC-32C alone.
     *
     * @return the checksum.
     */
    @Benchmark
    public int crc() {
        return Batches.computeCrc(batch, 0, batchLength);
    }
}

package io.sequent.perf.report;

import io.sequent.perf.harness.Mode;
import io.sequent.perf.harness.RunResult;
import io.sequent.perf.harness.SystemResult;
import io.sequent.perf.harness.Workload;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Runs with histograms of known shape (in nanoseconds) for the report tests. */
final class TestRuns {
    static final Instant STARTED = Instant.parse("2025-01-02T03:04:05Z");
    static final String COMMAND = "bin/bench-compare --mode e2e --rate 10000 --size 100";
    static final String MACHINE = "2 cores, 23.4 GiB, Linux 6.1, OpenJDK 17.0.15";

    private TestRuns() {
    }

    /** The e2e workload of the runs: 10,000 records/s of 100 bytes. */
    static Workload workload() {
        return new Workload(Mode.E2E, 10_000, 100_000, null, 100, "all", 3, 2, Duration.ofSeconds(5), "batch", 1);
    }

    /** 1..count µs, each once. */
    static Histogram uniformMicros(final int count, final int scale) {
        final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        for (int i = 1; i <= count; i++) {
            histogram.recordValue(i * 1000L * scale);
        }
        return histogram;
    }

    /** The same latency {@code count} times. */
    static Histogram constantMicros(final long micros, final int count) {
        final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        histogram.recordValueWithCount(micros * 1000, count);
        return histogram;
    }

    static SystemResult aeron() {
        return new SystemResult("aeron", "Aeron 1.44 ping-pong, UDP loopback", constantMicros(20, 10_000), null,
            10_000, 1_000_000, 1_000_000_000L, 0);
    }

    /** Produce -> ack 1..10000 µs, end to end 2..20000 µs. */
    static SystemResult sequent() {
        return new SystemResult("sequent", "Sequent 0.1.0, embedded broker, flush batch", uniformMicros(10_000, 1),
            uniformMicros(10_000, 2), 100_000, 10_000_000, 10_000_000_000L, 0);
    }

    /** Produce -> ack 3..30000 µs, no end-to-end histogram. */
    static SystemResult kafka() {
        return new SystemResult("kafka", "Kafka 3.9, KRaft, one broker", uniformMicros(10_000, 3), null,
            99_990, 9_999_000, 10_000_000_000L, 10);
    }

    /** aeron, sequent and kafka. */
    static RunResult full() {
        return new RunResult(workload(), COMMAND, MACHINE, STARTED, List.of(aeron(), sequent(), kafka()));
    }

    /** sequent and kafka, no baseline. */
    static RunResult withoutBaseline() {
        return new RunResult(workload(), COMMAND, MACHINE, STARTED, List.of(sequent(), kafka()));
    }
}

package io.sequent.perf.harness;

import org.HdrHistogram.Histogram;

/**
 * One system's measurements in a run. Histograms are in nanoseconds and cover only the measured
 * window (after warm-up); a metric the system did not measure is null.
 *
 * @param system      short name: {@code sequent}, {@code aeron} (the transport baseline) or {@code kafka}.
 * @param description what exactly ran, e.g. "Sequent 0.1.0, embedded broker, flush batch".
 * @param produceAck  produce -> ack latency (for the Aeron baseline: the ping-pong round trip), or null.
 * @param endToEnd    producer -> consumer latency, or null.
 * @param records     records acknowledged in the measured window.
 * @param bytes       payload bytes acknowledged in the measured window.
 * @param elapsedNs   length of the measured window.
 * @param errors      sends that failed.
 */
public record SystemResult(
    String system,
    String description,
    Histogram produceAck,
    Histogram endToEnd,
    long records,
    long bytes,
    long elapsedNs,
    long errors) {

    /** The histogram of a metric, or null when not measured. */
    public Histogram histogram(final Metric metric) {
        return metric == Metric.PRODUCE_ACK ? produceAck : endToEnd;
    }

    /** Acknowledged records per second over the measured window. */
    public double recordsPerSecond() {
        return elapsedNs <= 0 ? 0 : records * 1e9 / elapsedNs;
    }

    /** Acknowledged payload megabytes (10^6 bytes) per second over the measured window. */
    public double megabytesPerSecond() {
        return elapsedNs <= 0 ? 0 : bytes * 1e3 / elapsedNs;
    }
}

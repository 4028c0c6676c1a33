package io.sequent.broker;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;

/**
 * The produce -&gt; ack latency of acks=all requests: from the ingress thread's receipt of the request (its duty
 * cycle's time) to the release stage's answer, by the broker's clock, in an HdrHistogram.
 *
 * <p>Writer: the release stage ({@link #record}, wait-free and allocation-free: an HdrHistogram {@link Recorder}
 * of fixed range, values above it counted at its top). Reader: the metrics thread ({@link #snapshot}), which
 * swaps the recorder's interval histogram and adds it to the total since the broker started; the two never
 * block each other.
 */
final class ProduceLatency {
    /** Highest latency told apart; longer ones count as this (a produce times out well before). */
    static final long HIGHEST_NS = TimeUnit.MINUTES.toNanos(10);

    private final Recorder recorder = new Recorder(1, HIGHEST_NS, 3);
    private final Histogram total = new Histogram(1, HIGHEST_NS, 3);
    private Histogram interval;

    /** Release stage: one answered acks=all request that arrived at {@code startNs}. */
    void record(final long startNs, final long nowNs) {
        if (startNs == PendingAcks.NO_START) {
            return;
        }
        recorder.recordValue(Math.max(1, Math.min(HIGHEST_NS, nowNs - startNs)));
    }

    /** Metrics thread: every latency recorded since the start, in ns (a copy). */
    synchronized Histogram snapshot() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return total.copy();
    }
}

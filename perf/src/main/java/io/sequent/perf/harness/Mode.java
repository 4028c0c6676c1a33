package io.sequent.perf.harness;

import java.util.Locale;

/** What a perf run measures. */
public enum Mode {
    /** Fixed-rate sends; produce -> acknowledgement latency. */
    PRODUCE,
    /** Fixed-rate sends and a consumer; produce -> ack and producer -> consumer (end-to-end) latency. */
    E2E,
    /** Sends as fast as the system takes them; records/s and MB/s (ack latency is not corrected). */
    THROUGHPUT,
    /**
     * A topic pre-filled with {@code records} records (not measured), then read from the start by one consumer;
     * records/s and MB/s of the read.
     */
    CONSUME;

    /** The name on the command line and in reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

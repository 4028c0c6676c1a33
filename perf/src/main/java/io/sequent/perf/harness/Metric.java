package io.sequent.perf.harness;

/** A latency a run records, per system. */
public enum Metric {
    /** From a record's intended send time to its acknowledgement (for the Aeron baseline: the round trip). */
    PRODUCE_ACK("produce-ack", "produce -> ack"),
    /** From a record's intended send time to its receipt by a consumer. */
    END_TO_END("e2e", "end to end");

    private final String fileName;
    private final String title;

    Metric(final String fileName, final String title) {
        this.fileName = fileName;
        this.title = title;
    }

    /** Short name used in file names and CSV. */
    public String fileName() {
        return fileName;
    }

    /** Human title for tables and plots. */
    public String title() {
        return title;
    }
}

package io.sequent.perf.report;

import io.sequent.perf.harness.Durations;
import io.sequent.perf.harness.Metric;
import io.sequent.perf.harness.RunResult;
import io.sequent.perf.harness.SystemResult;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One (system, metric) line of a report: the numbers the CSV, markdown and console tables share.
 * Latencies are read from a histogram in nanoseconds.
 *
 * @param result    the system's result.
 * @param metric    the metric.
 * @param histogram the system's histogram of {@code metric}, never null.
 * @param baseline  the Aeron baseline's produce -> ack histogram, or null when the run had none.
 */
record LatencyRow(SystemResult result, Metric metric, Histogram histogram, Histogram baseline) {

    /** The percentiles of the tables, in order. */
    static final double[] PERCENTILES = {50.0, 90.0, 99.0, 99.9, 99.99};

    /** The header of the human table. */
    static final List<String> HUMAN_HEADER = List.of(
        "system", "metric", "p50", "p90", "p99", "p99.9", "p99.99", "max", "p99 vs Aeron", "records/s", "MB/s");

    /**
     * The rows of a run, metric by metric (in {@link Metric} order), and within a metric system by
     * system in the run's order; a system without a histogram for a metric has no row for it.
     */
    static List<LatencyRow> of(final RunResult run) {
        final SystemResult base = run.baseline();
        final Histogram baseline = base == null ? null : base.histogram(Metric.PRODUCE_ACK);
        final List<LatencyRow> rows = new ArrayList<>();
        for (final Metric metric : Metric.values()) {
            for (final SystemResult result : run.systems()) {
                final Histogram histogram = result.histogram(metric);
                if (histogram != null) {
                    rows.add(new LatencyRow(result, metric, histogram, baseline));
                }
            }
        }
        return rows;
    }

    /** The system's name. */
    String system() {
        return result.system();
    }

    /** The latency at a percentile (0..100), in nanoseconds. */
    long valueAt(final double percentile) {
        return histogram.getValueAtPercentile(percentile);
    }

    /** The largest recorded latency, in nanoseconds (to the histogram's precision). */
    long max() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue();
    }

    /** The mean latency, in nanoseconds. */
    double mean() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMean();
    }

    /**
     * This row's latency at a percentile divided by the baseline's round trip at the same percentile,
     * or NaN when the run had no baseline or either side has nothing to divide.
     */
    double ratioToBaseline(final double percentile) {
        if (baseline == null || baseline.getTotalCount() == 0 || histogram.getTotalCount() == 0) {
            return Double.NaN;
        }
        final long floor = baseline.getValueAtPercentile(percentile);
        return floor <= 0 ? Double.NaN : (double) valueAt(percentile) / floor;
    }

    /** Nanoseconds as microseconds with one decimal, e.g. {@code 41.5}. */
    static String micros(final double nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    /** A ratio with two decimals, or an empty string for NaN. */
    static String ratio(final double ratio) {
        return Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    /** The cells of the human table (markdown and console), in {@link #HUMAN_HEADER} order. */
    List<String> humanCells() {
        final List<String> cells = new ArrayList<>();
        cells.add(system());
        cells.add(metric.title());
        for (final double percentile : PERCENTILES) {
            cells.add(Durations.format(valueAt(percentile)));
        }
        cells.add(Durations.format(max()));
        final String ratio = ratio(ratioToBaseline(99.0));
        cells.add(ratio.isEmpty() ? "-" : ratio + "x");
        cells.add(String.format(Locale.ROOT, "%,.0f", result.recordsPerSecond()));
        cells.add(String.format(Locale.ROOT, "%,.2f", result.megabytesPerSecond()));
        return cells;
    }

    /** Whether a human-table column holds numbers (right-aligned on a terminal). */
    static boolean numericColumn(final int column) {
        return column >= 2;
    }
}

package io.sequent.perf.report;

import io.sequent.perf.harness.Durations;
import io.sequent.perf.harness.Mode;
import io.sequent.perf.harness.Sweep;
import io.sequent.perf.harness.SystemResult;
import io.sequent.perf.harness.Workload;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of a {@link Sweep}, beside the reports of its steps (one directory each):
 * <ul>
 *   <li>{@code sweep.csv}: one row per step and system: the value, records/s and MB/s reached, produce -> ack
 *       percentiles (for rate sweeps), errors, and whether the system saturated there;</li>
 *   <li>{@code sweep.md}: the same as a table, with the command and the machine;</li>
 *   <li>{@code sweep.png}: for a rate sweep, p50 and p99 produce -> ack latency against the throughput reached, one
 *       pair of lines per system (latency-throughput curve); otherwise records/s against the value.</li>
 * </ul>
 */
public final class SweepReport {
    /** The name of the CSV. */
    public static final String CSV = "sweep.csv";
    /** The name of the markdown summary. */
    public static final String MARKDOWN = "sweep.md";
    /** The name of the plot. */
    public static final String PLOT = "sweep.png";

    /** The columns of {@value #CSV}. */
    static final List<String> CSV_HEADER = List.of("parameter", "value", "system", "records_per_s", "mb_per_s",
        "p50_us", "p90_us", "p99_us", "p99_9_us", "max_us", "errors", "saturated");

    private static final double[] PERCENTILES = {50.0, 90.0, 99.0, 99.9};

    private SweepReport() {
    }

    /**
     * Writes the report and prints its table.
     *
     * @param result    the sweep.
     * @param directory where to write.
     * @param out       where the table goes.
     */
    public static void write(final Sweep.Result result, final Path directory, final PrintWriter out) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(CSV), csv(result), StandardCharsets.UTF_8);
            PercentilePlot.headless();
            final boolean plotted = PercentilePlot.writePng(chart(result), directory.resolve(PLOT));
            final String table = table(result);
            Files.writeString(directory.resolve(MARKDOWN), "# Sweep over " + result.parameter().label() + "\n\n"
                + "Command: `" + result.command() + "`\n\nMachine: " + result.machine() + "\n\n" + table
                + (plotted ? "\n![" + title(result) + "](" + PLOT + ")\n" : ""), StandardCharsets.UTF_8);
            out.println();
            out.println("Sweep over " + result.parameter().label() + " (" + result.steps().size() + " steps)");
            out.print(table);
            out.println("Sweep report (sweep.csv, sweep.md, sweep.png, one directory per step) in "
                + directory.toAbsolutePath());
            out.flush();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write the sweep report to " + directory, e);
        }
    }

    /** The text of {@value #CSV}. */
    static String csv(final Sweep.Result result) {
        final StringBuilder csv = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
        for (final Sweep.Step step : result.steps()) {
            for (final SystemResult system : step.run().systems()) {
                final List<String> cells = new ArrayList<>();
                cells.add(result.parameter().label());
                cells.add(Long.toString(step.value()));
                cells.add(system.system());
                cells.add(String.format(Locale.ROOT, "%.1f", system.recordsPerSecond()));
                cells.add(String.format(Locale.ROOT, "%.3f", system.megabytesPerSecond()));
                final Histogram latency = latency(step, system);
                for (final double percentile : PERCENTILES) {
                    cells.add(null == latency ? "" : LatencyRow.micros(latency.getValueAtPercentile(percentile)));
                }
                cells.add(null == latency ? "" : LatencyRow.micros(latency.getMaxValue()));
                cells.add(Long.toString(system.errors()));
                cells.add(Boolean.toString(step.saturated().contains(system.system())));
                csv.append(String.join(",", cells)).append('\n');
            }
        }
        return csv.toString();
    }

    /** The human table: markdown, also printed. */
    static String table(final Sweep.Result result) {
        final boolean rates = result.parameter() == Sweep.Parameter.RATE;
        final StringBuilder table = new StringBuilder("| " + result.parameter().label() + " | system | records/s | MB/s"
            + (rates ? " | p50 | p99 | p99.9 | max" : "") + " | errors |\n|---|---|---|---|"
            + (rates ? "---|---|---|---|" : "") + "---|\n");
        for (final Sweep.Step step : result.steps()) {
            for (final SystemResult system : step.run().systems()) {
                table.append(String.format(Locale.ROOT, "| %,d | %s | %,.0f | %.2f", step.value(),
                    system.system() + (step.saturated().contains(system.system()) ? " (saturated)" : ""),
                    system.recordsPerSecond(), system.megabytesPerSecond()));
                if (rates) {
                    final Histogram latency = latency(step, system);
                    for (final double percentile : new double[] {50.0, 99.0, 99.9}) {
                        table.append(" | ").append(null == latency ? "" :
                            Durations.format(latency.getValueAtPercentile(percentile)));
                    }
                    table.append(" | ").append(null == latency ? "" : Durations.format(latency.getMaxValue()));
                }
                table.append(" | ").append(system.errors()).append(" |\n");
            }
        }
        return table.toString();
    }

    private static Histogram latency(final Sweep.Step step, final SystemResult system) {
        final Histogram histogram = system.produceAck();
        return step.run().workload().mode() == Mode.THROUGHPUT || null == histogram ||
            histogram.getTotalCount() == 0 ? null : histogram;
    }

    static String title(final Sweep.Result result) {
        final Workload first = result.steps().isEmpty() ? null : result.steps().get(0).run().workload();
        final String acks = null == first ? "" : ", acks=" + first.acks();
        return result.parameter() == Sweep.Parameter.RATE ?
            "produce -> ack latency against throughput" + (null == first ? "" : " — " + first.size() +
                "-byte records" + acks) :
            "throughput by " + result.parameter().axis() + acks;
    }

    /**
     * The chart: per system, for a rate sweep its p50 (dashed) and p99 (solid) latency in µs against the records/s
     * it reached at each rate; otherwise its records/s against the value. Null when there is nothing to draw.
     */
    static XYChart chart(final Sweep.Result result) {
        final boolean rates = result.parameter() == Sweep.Parameter.RATE;
        final Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (final Sweep.Step step : result.steps()) {
            for (final SystemResult system : step.run().systems()) {
                final Histogram latency = latency(step, system);
                if (rates && null == latency || system.recordsPerSecond() <= 0) {
                    continue;
                }
                points.computeIfAbsent(system.system(), k -> new ArrayList<>()).add(rates ?
                    new double[] {system.recordsPerSecond(), PercentilePlot.micros(latency.getValueAtPercentile(50.0)),
                        PercentilePlot.micros(latency.getValueAtPercentile(99.0))} :
                    new double[] {step.value(), system.recordsPerSecond()});
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        final XYChart chart = new XYChart(PercentilePlot.WIDTH, PercentilePlot.HEIGHT);
        chart.setTitle(title(result));
        chart.setXAxisTitle(rates ? "records/s acknowledged (log scale)" : result.parameter().axis() + " (log scale)");
        chart.setYAxisTitle(rates ? "produce -> ack latency (log scale)" : "records/s (log scale)");
        int colour = 0;
        for (final Map.Entry<String, List<double[]>> entry : points.entrySet()) {
            final List<double[]> list = entry.getValue();
            list.sort((a, b) -> Double.compare(a[0], b[0]));
            final Color color = PercentilePlot.PALETTE[colour++ % PercentilePlot.PALETTE.length];
            final int lines = rates ? 2 : 1;
            for (int line = 0; line < lines; line++) {
                final double[] xs = new double[list.size()];
                final double[] ys = new double[list.size()];
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = list.get(i)[0];
                    ys[i] = list.get(i)[1 + (rates ? 1 - line : 0)];
                }
                final XYSeries series = chart.addSeries(entry.getKey() + (rates ? line == 0 ? " p99" : " p50" : ""),
                    xs, ys);
                series.setLineColor(color);
                series.setMarkerColor(color);
                series.setMarker(SeriesMarkers.CIRCLE);
                if (line == 1) {
                    series.setLineStyle(PercentilePlot.dashed());
                } else {
                    series.setLineStyle(SeriesLines.SOLID);
                    series.setLineWidth(2.5f);
                }
            }
        }
        style(chart.getStyler(), rates);
        return chart;
    }

    private static void style(final XYStyler styler, final boolean rates) {
        PercentilePlot.baseStyle(styler);
        styler.setXAxisTickLabelsFormattingFunction(SweepReport::countLabel);
        styler.setYAxisTickLabelsFormattingFunction(rates ? PercentilePlot::latencyLabel : SweepReport::countLabel);
    }

    /** A tick label for a count: {@code 500}, {@code 20k}, {@code 1.5M}. */
    static String countLabel(final double value) {
        if (value >= 1_000_000) {
            return trim(value / 1_000_000) + "M";
        }
        if (value >= 1_000) {
            return trim(value / 1_000) + "k";
        }
        return trim(value);
    }

    private static String trim(final double value) {
        return String.format(Locale.ROOT, "%.2f", value).replaceAll("\\.?0+$", "");
    }
}

package io.sequent.perf.report;

import io.sequent.perf.harness.Metric;
import io.sequent.perf.harness.Mode;
import io.sequent.perf.harness.RunResult;
import io.sequent.perf.harness.SystemResult;
import io.sequent.perf.harness.Workload;
import org.HdrHistogram.Histogram;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a run's report into a directory:
 * <ul>
 *   <li>{@code <system>-<metric>.hgrm}: each histogram in HdrHistogram's percentile distribution format
 *       (values in microseconds), which HdrHistogram's plotters read;</li>
 *   <li>{@code summary.csv}: one row per system and metric, with the workload's settings;</li>
 *   <li>{@code summary.md}: the run, a table in human units, the systems and the plots;</li>
 *   <li>{@code <metric>.png}: latency by percentile, one line per system, the Aeron round trip as the floor.</li>
 * </ul>
 */
public final class ReportWriter {
    /** The name of the CSV summary. */
    public static final String CSV = "summary.csv";
    /** The name of the markdown summary. */
    public static final String MARKDOWN = "summary.md";

    /** The columns of {@value #CSV}. */
    static final List<String> CSV_HEADER = List.of(
        "system", "metric", "count", "p50_us", "p90_us", "p99_us", "p99_9_us", "p99_99_us", "max_us", "mean_us",
        "p50_vs_aeron", "p99_vs_aeron", "records_per_s", "mb_per_s", "errors",
        "mode", "rate", "size", "acks", "flush", "partitions", "producers", "linger_ms");

    private static final int TICKS_PER_HALF_DISTANCE = 5;
    private static final double NANOS_PER_MICRO = 1000.0;

    private ReportWriter() {
    }

    /**
     * Writes the report of a run, creating the directory if needed and replacing files of the same names.
     *
     * @param run       the run.
     * @param directory where to write.
     * @return the files written, histograms first, then the summaries and the plots.
     * @throws UncheckedIOException when a file cannot be written.
     */
    public static List<Path> write(final RunResult run, final Path directory) {
        try {
            Files.createDirectories(directory);
            final List<Path> written = new ArrayList<>();
            for (final SystemResult result : run.systems()) {
                for (final Metric metric : Metric.values()) {
                    final Histogram histogram = result.histogram(metric);
                    if (histogram != null) {
                        written.add(writeHistogram(histogram,
                            directory.resolve(result.system() + "-" + metric.fileName() + ".hgrm")));
                    }
                }
            }
            final List<Metric> plotted = new ArrayList<>();
            final List<Path> plots = new ArrayList<>();
            for (final Metric metric : Metric.values()) {
                final Path plot = directory.resolve(plotName(metric));
                if (PercentilePlot.write(run, metric, plot)) {
                    plotted.add(metric);
                    plots.add(plot);
                }
            }
            written.add(Files.writeString(directory.resolve(CSV), csv(run), StandardCharsets.UTF_8));
            written.add(Files.writeString(directory.resolve(MARKDOWN), markdown(run, plotted),
                StandardCharsets.UTF_8));
            written.addAll(plots);
            return written;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write the report to " + directory, e);
        }
    }

    /** The file name of a metric's plot, e.g. {@code produce-ack.png}. */
    static String plotName(final Metric metric) {
        return metric.fileName() + ".png";
    }

    private static Path writeHistogram(final Histogram histogram, final Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file));
             PrintStream print = new PrintStream(out, false, StandardCharsets.UTF_8)) {
            histogram.outputPercentileDistribution(print, TICKS_PER_HALF_DISTANCE, NANOS_PER_MICRO);
            print.flush();
            if (print.checkError()) {
                throw new IOException("cannot write " + file);
            }
        }
        return file;
    }

    /** The text of {@value #CSV}: a header, then one row per system and metric. */
    static String csv(final RunResult run) {
        final StringBuilder csv = new StringBuilder();
        csvLine(csv, CSV_HEADER);
        final Workload workload = run.workload();
        for (final LatencyRow row : LatencyRow.of(run)) {
            final SystemResult result = row.result();
            final List<String> cells = new ArrayList<>();
            cells.add(row.system());
            cells.add(row.metric().fileName());
            cells.add(Long.toString(row.histogram().getTotalCount()));
            for (final double percentile : LatencyRow.PERCENTILES) {
                cells.add(LatencyRow.micros(row.valueAt(percentile)));
            }
            cells.add(LatencyRow.micros(row.max()));
            cells.add(LatencyRow.micros(row.mean()));
            cells.add(LatencyRow.ratio(row.ratioToBaseline(50.0)));
            cells.add(LatencyRow.ratio(row.ratioToBaseline(99.0)));
            cells.add(String.format(Locale.ROOT, "%.1f", result.recordsPerSecond()));
            cells.add(String.format(Locale.ROOT, "%.3f", result.megabytesPerSecond()));
            cells.add(Long.toString(result.errors()));
            workloadCells(cells, workload);
            csvLine(csv, cells);
        }
        for (final SystemResult result : run.systems()) {
            if (result.produceAck() == null && result.endToEnd() == null) {
                // No latency (consume): the row carries the system's count and throughput alone.
                final List<String> cells = new ArrayList<>();
                cells.add(result.system());
                cells.add(workload.mode().label());
                cells.add(Long.toString(result.records()));
                for (int i = 0; i < LatencyRow.PERCENTILES.length + 4; i++) {
                    cells.add("");
                }
                cells.add(String.format(Locale.ROOT, "%.1f", result.recordsPerSecond()));
                cells.add(String.format(Locale.ROOT, "%.3f", result.megabytesPerSecond()));
                cells.add(Long.toString(result.errors()));
                workloadCells(cells, workload);
                csvLine(csv, cells);
            }
        }
        return csv.toString();
    }

    private static void workloadCells(final List<String> cells, final Workload workload) {
        cells.add(workload.mode().label());
        cells.add(Long.toString(workload.rate()));
        cells.add(Integer.toString(workload.size()));
        cells.add(workload.acks());
        cells.add(workload.flush());
        cells.add(Integer.toString(workload.partitions()));
        cells.add(Integer.toString(workload.producers()));
        cells.add(Long.toString(workload.lingerMs()));
    }

    private static void csvLine(final StringBuilder csv, final List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                csv.append(',');
            }
            csv.append(csvField(cells.get(i)));
        }
        csv.append('\n');
    }

    /** A CSV field, quoted (RFC 4180) when it holds a comma, a quote, a line break or edge spaces. */
    static String csvField(final String value) {
        if (value == null) {
            return "";
        }
        final boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
            || value.indexOf('\r') >= 0 || !value.equals(value.strip());
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    /** The text of {@value #MARKDOWN}, showing the plots of the given metrics (files in the same directory). */
    static String markdown(final RunResult run, final List<Metric> plotted) {
        final Workload workload = run.workload();
        final StringBuilder md = new StringBuilder();
        md.append("# Sequent perf report: ").append(workload.mode().label()).append("\n\n");
        md.append("Command:\n\n```\n").append(run.command() == null ? "" : run.command().strip()).append("\n```\n\n");
        md.append("- Machine: ").append(markdownText(run.machine())).append('\n');
        md.append("- Workload: ").append(markdownText(workload.describe())).append('\n');
        md.append("- Started: ").append(run.started()).append("\n\n");

        final List<LatencyRow> rows = LatencyRow.of(run);
        if (rows.isEmpty()) {
            md.append(workload.mode() == Mode.CONSUME ? "A read measures throughput, not latency.\n\n" :
                "No latency was recorded.\n\n");
        } else {
            markdownRow(md, LatencyRow.HUMAN_HEADER);
            final List<String> rule = new ArrayList<>();
            for (int column = 0; column < LatencyRow.HUMAN_HEADER.size(); column++) {
                rule.add(LatencyRow.numericColumn(column) ? "---:" : "---");
            }
            markdownRow(md, rule);
            for (final LatencyRow row : rows) {
                markdownRow(md, row.humanCells());
            }
            md.append('\n');
            if (run.baseline() != null) {
                md.append("\"p99 vs Aeron\" is the p99 divided by the raw Aeron ping-pong round trip's p99 ")
                    .append("(the transport's floor).\n\n");
            }
        }

        md.append("## Systems\n\n");
        for (final SystemResult result : run.systems()) {
            md.append("- **").append(markdownText(result.system())).append("**: ")
                .append(markdownText(result.description()))
                .append(" (").append(ConsoleReport.throughput(result)).append(')')
                .append('\n');
        }
        md.append('\n');

        if (!plotted.isEmpty()) {
            md.append("## Latency by percentile\n\n");
            for (final Metric metric : plotted) {
                md.append("![").append(metric.title()).append("](").append(plotName(metric)).append(")\n\n");
            }
        }
        return md.toString();
    }

    private static void markdownRow(final StringBuilder md, final List<String> cells) {
        md.append('|');
        for (final String cell : cells) {
            md.append(' ').append(markdownText(cell).replace("|", "\\|")).append(" |");
        }
        md.append('\n');
    }

    private static String markdownText(final String text) {
        return text == null ? "" : text.replace('\n', ' ').replace('\r', ' ').strip();
    }
}

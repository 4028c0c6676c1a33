package io.sequent.perf.report;

import io.sequent.perf.harness.Mode;
import io.sequent.perf.harness.RunResult;
import io.sequent.perf.harness.SystemResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run's summary for a terminal: the workload, the latency table of {@code summary.md} in fixed-width
 * columns, and each system's throughput and errors.
 */
public final class ConsoleReport {
    private static final String GAP = "  ";

    private ConsoleReport() {
    }

    /**
     * Renders a run's summary.
     *
     * @param run the run.
     * @return lines of plain text, each ending with a line feed.
     */
    public static String render(final RunResult run) {
        final StringBuilder out = new StringBuilder();
        out.append(run.workload().describe()).append('\n');
        if (run.machine() != null && !run.machine().isBlank()) {
            out.append(run.machine().strip()).append('\n');
        }
        out.append('\n');

        final List<List<String>> table = new ArrayList<>();
        table.add(LatencyRow.HUMAN_HEADER);
        for (final LatencyRow row : LatencyRow.of(run)) {
            table.add(row.humanCells());
        }
        if (table.size() == 1 && run.workload().mode() == Mode.CONSUME) {
            out.append("Records read from the start by one consumer:\n");
        } else if (table.size() == 1) {
            out.append("No latency was recorded.\n");
        } else {
            final int[] widths = new int[LatencyRow.HUMAN_HEADER.size()];
            for (final List<String> line : table) {
                for (int column = 0; column < widths.length; column++) {
                    widths[column] = Math.max(widths[column], line.get(column).length());
                }
            }
            for (int i = 0; i < table.size(); i++) {
                appendLine(out, table.get(i), widths);
                if (i == 0) {
                    final List<String> rule = new ArrayList<>();
                    for (final int width : widths) {
                        rule.add("-".repeat(width));
                    }
                    appendLine(out, rule, widths);
                }
            }
        }
        out.append('\n');

        int nameWidth = 0;
        for (final SystemResult result : run.systems()) {
            nameWidth = Math.max(nameWidth, result.system().length());
        }
        for (final SystemResult result : run.systems()) {
            out.append(pad(result.system() + ":", nameWidth + 1, false)).append(' ')
                .append(throughput(result)).append('\n');
        }
        return out.toString();
    }

    /** A system's throughput and errors, e.g. "100,000 records in 10.0 s, 10,000 records/s, 1.00 MB/s, 0 errors". */
    static String throughput(final SystemResult result) {
        return String.format(Locale.ROOT, "%,d records in %.1f s, %,.0f records/s, %,.2f MB/s, %,d error%s",
            result.records(), result.elapsedNs() / 1e9, result.recordsPerSecond(), result.megabytesPerSecond(),
            result.errors(), result.errors() == 1 ? "" : "s");
    }

    private static void appendLine(final StringBuilder out, final List<String> cells, final int[] widths) {
        final StringBuilder line = new StringBuilder();
        for (int column = 0; column < widths.length; column++) {
            if (column > 0) {
                line.append(GAP);
            }
            line.append(pad(cells.get(column), widths[column], LatencyRow.numericColumn(column)));
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String pad(final String text, final int width, final boolean right) {
        final String spaces = " ".repeat(Math.max(0, width - text.length()));
        return right ? spaces + text : text + spaces;
    }
}

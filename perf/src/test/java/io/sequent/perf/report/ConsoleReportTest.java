package io.sequent.perf.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleReportTest {
    @Test
    void rendersAnAlignedTableAndEachSystemsThroughput() {
        final String text = ConsoleReport.render(TestRuns.full());
        final List<String> lines = text.lines().collect(Collectors.toList());

        assertEquals(TestRuns.workload().describe(), lines.get(0));
        final int header = indexOfPrefix(lines, "system");
        final List<String> table = lines.subList(header, header + 6);
        assertTrue(table.get(0).matches("system +metric +p50 +p90 +p99 +p99\\.9 +p99\\.99 +max +p99 vs Aeron "
            + "+records/s +MB/s"), table.get(0));
        assertTrue(table.get(1).matches("[- ]+"), table.get(1));
        assertTrue(table.get(2).matches("aeron +produce -> ack +20\\.0 µs +20\\.0 µs .* 1\\.00x +10,000 +1\\.00"),
            table.get(2));
        assertTrue(table.get(3).matches("sequent +produce -> ack +5\\.00 ms +9\\.00 ms +9\\.90 ms .*x +10,000 +1\\.00"),
            table.get(3));
        assertTrue(table.get(4).startsWith("kafka "), table.get(4));
        assertTrue(table.get(5).matches("sequent +end to end +10\\.00 ms .*"), table.get(5));
        assertEquals("", lines.get(header + 6));

        // Fixed-width columns: every line of the table is as long, and each column starts at the same place.
        for (final String line : table) {
            assertEquals(table.get(0).length(), line.length(), "'" + line + "'");
        }
        final int p50 = table.get(0).indexOf("p50") + "p50".length();
        for (final String line : table.subList(2, table.size())) {
            assertTrue(line.charAt(p50 - 1) != ' ' && line.charAt(p50) == ' ', "p50 column ends at " + p50
                + ": '" + line + "'");
        }

        assertTrue(text.contains("\naeron:   10,000 records in 1.0 s, 10,000 records/s, 1.00 MB/s, 0 errors\n"), text);
        assertTrue(text.contains("\nsequent: 100,000 records in 10.0 s, 10,000 records/s, 1.00 MB/s, 0 errors\n"),
            text);
        assertTrue(text.contains("\nkafka:   99,990 records in 10.0 s, 9,999 records/s, 1.00 MB/s, 10 errors\n"),
            text);
    }

    @Test
    void withoutBaselineTheRatioIsADash() {
        final String text = ConsoleReport.render(TestRuns.withoutBaseline());
        final String sequent = text.lines().filter(line -> line.startsWith("sequent ")).findFirst().orElseThrow();
        assertTrue(sequent.matches(".* ms +- +10,000 +1\\.00"), sequent);
        assertFalse(text.contains("aeron"), text);
    }

    private static int indexOfPrefix(final List<String> lines, final String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with " + prefix + " in " + lines);
    }
}

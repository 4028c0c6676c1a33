package io.sequent.perf.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import io.sequent.perf.harness.Mode;
import io.sequent.perf.harness.RunResult;
import io.sequent.perf.harness.Sweep;
import io.sequent.perf.harness.SystemResult;
import io.sequent.perf.harness.Workload;

/** The sweep's CSV, table and plot. */
class SweepReportTest {
    @TempDir
    Path dir;

    private static RunResult at(final Mode mode, final long rate, final SystemResult... systems) {
        final Workload workload = new Workload(mode, rate, 0, Duration.ofSeconds(2), 100, "all", 1, 1,
            Duration.ofSeconds(1), "none", 0);
        return new RunResult(workload, TestRuns.COMMAND, TestRuns.MACHINE, TestRuns.STARTED, List.of(systems));
    }

    private static Sweep.Result rateSweep() {
        return new Sweep.Result(Sweep.Parameter.RATE, "sequent perf sweep --kafka k:9092", TestRuns.MACHINE, List.of(
            new Sweep.Step(10_000, at(Mode.PRODUCE, 10_000, TestRuns.sequent(), TestRuns.kafka()), Set.of()),
            new Sweep.Step(100_000, at(Mode.PRODUCE, 100_000, TestRuns.sequent()), Set.of("sequent"))));
    }

    @Test
    void theCsvHasARowPerStepAndSystemWithPercentilesAndSaturation() {
        final String[] lines = SweepReport.csv(rateSweep()).split("\n");
        assertEquals(4, lines.length);
        assertEquals(String.join(",", SweepReport.CSV_HEADER), lines[0]);
        assertEquals("rate,10000,sequent,10000.0,1.000,5001.2,9003.0,9904.1,9994.2,10002.4,0,false", lines[1],
            "sequent's produce -> ack is 1..10000 µs (as HdrHistogram's 3 digits give them), 100,000 records in 10 s");
        assertTrue(lines[2].startsWith("rate,10000,kafka,9999.0,"), lines[2]);
        assertTrue(lines[2].endsWith(",10,false"), lines[2]);
        assertTrue(lines[3].startsWith("rate,100000,sequent,") && lines[3].endsWith(",true"), lines[3]);
    }

    @Test
    void aRateSweepPlotsP50AndP99AgainstTheThroughputReached() {
        final XYChart chart = SweepReport.chart(rateSweep());
        assertEquals(Set.of("sequent p99", "sequent p50", "kafka p99", "kafka p50"),
            names(chart));
        assertEquals(2, series(chart, "sequent p99").getXData().length);
        assertEquals(9_900.0, series(chart, "sequent p99").getYData()[0], 9_900.0 * 1e-3);
        assertEquals(1, series(chart, "kafka p50").getXData().length);
    }

    @Test
    void aThroughputSweepPlotsRecordsPerSecondAgainstTheValue() {
        final Sweep.Result sizes = new Sweep.Result(Sweep.Parameter.SIZE, "c", TestRuns.MACHINE, List.of(
            new Sweep.Step(100, at(Mode.THROUGHPUT, 0, TestRuns.sequent()), Set.of()),
            new Sweep.Step(1000, at(Mode.THROUGHPUT, 0, TestRuns.sequent()), Set.of())));
        final XYChart chart = SweepReport.chart(sizes);
        assertEquals(Set.of("sequent"), names(chart));
        assertEquals(100.0, series(chart, "sequent").getXData()[0], 0.0);
        assertEquals(10_000.0, series(chart, "sequent").getYData()[1], 0.0);
        assertTrue(SweepReport.csv(sizes).contains("size,1000,sequent,10000.0,1.000,,,,,,0,false"),
            "no latency columns for a throughput step");
        assertNull(SweepReport.chart(new Sweep.Result(Sweep.Parameter.SIZE, "c", TestRuns.MACHINE, List.of())));
    }

    @Test
    void writesTheCsvTheMarkdownAndAReadablePng() throws Exception {
        final StringWriter printed = new StringWriter();
        SweepReport.write(rateSweep(), dir, new PrintWriter(printed));
        assertEquals(SweepReport.csv(rateSweep()), Files.readString(dir.resolve(SweepReport.CSV)));
        final String markdown = Files.readString(dir.resolve(SweepReport.MARKDOWN));
        assertTrue(markdown.contains("`sequent perf sweep --kafka k:9092`"), markdown);
        assertTrue(markdown.contains("| 100,000 | sequent (saturated) | 10,000 |"), markdown);
        assertTrue(markdown.contains("![produce -> ack latency against throughput"), markdown);
        assertEquals(PercentilePlot.WIDTH, ImageIO.read(dir.resolve(SweepReport.PLOT).toFile()).getWidth());
        assertTrue(printed.toString().contains("Sweep over rate (2 steps)"), printed.toString());
    }

    private static Set<String> names(final XYChart chart) {
        return chart.getSeriesCollection().stream().map(XYSeries::getName).collect(Collectors.toSet());
    }

    private static XYSeries series(final XYChart chart, final String name) {
        return chart.getSeriesCollection().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void countLabels() {
        assertEquals("500", SweepReport.countLabel(500));
        assertEquals("20k", SweepReport.countLabel(20_000));
        assertEquals("1.5M", SweepReport.countLabel(1_500_000));
    }
}

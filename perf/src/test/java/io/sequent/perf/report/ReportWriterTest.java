package io.sequent.perf.report;

import io.sequent.perf.harness.Metric;
import io.sequent.perf.harness.RunResult;
import io.sequent.perf.harness.SystemResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesEveryFileOfTheRunAndNoneForUnmeasuredMetrics() throws IOException {
        final Path out = dir.resolve("report/nested");
        final List<Path> written = ReportWriter.write(TestRuns.full(), out);

        final Set<String> expected = Set.of(
            "aeron-produce-ack.hgrm", "sequent-produce-ack.hgrm", "sequent-e2e.hgrm", "kafka-produce-ack.hgrm",
            "summary.csv", "summary.md", "produce-ack.png", "e2e.png");
        assertEquals(new TreeSet<>(expected), names(written));
        assertEquals(expected.size(), written.size(), "no file twice: " + written);
        try (var listing = Files.list(out)) {
            assertEquals(new TreeSet<>(expected), names(listing.collect(Collectors.toList())));
        }
        for (final Path file : written) {
            assertEquals(out, file.getParent());
            assertTrue(Files.size(file) > 100, file + " is too small");
        }
        assertFalse(Files.exists(out.resolve("kafka-e2e.hgrm")));
        assertFalse(Files.exists(out.resolve("aeron-e2e.hgrm")));
    }

    @Test
    void histogramFilesAreHdrHistogramPercentileDistributionsInMicroseconds() throws IOException {
        ReportWriter.write(TestRuns.full(), dir);

        final String hgrm = Files.readString(dir.resolve("sequent-produce-ack.hgrm"), StandardCharsets.UTF_8);
        assertTrue(hgrm.contains("Value     Percentile TotalCount 1/(1-Percentile)"), hgrm);
        assertTrue(hgrm.contains("#[Mean"), hgrm);
        assertTrue(hgrm.contains("#[Max"), hgrm);
        assertTrue(hgrm.contains("#[Buckets"), hgrm);

        final Map<Double, Double> byPercentile = new HashMap<>();
        for (final String line : hgrm.split("\n")) {
            final String[] fields = line.strip().split("\\s+");
            if (fields.length == 4 && !line.startsWith("#") && Character.isDigit(fields[0].charAt(0))) {
                byPercentile.put(Double.parseDouble(fields[1]), Double.parseDouble(fields[0]));
            }
        }
        assertNotNull(byPercentile.get(0.5), hgrm);
        assertEquals(5000.0, byPercentile.get(0.5), 5000.0 * 0.002, "p50 in µs");
        assertEquals(9000.0, byPercentile.get(0.9), 9000.0 * 0.002, "p90 in µs");
        final String max = hgrm.lines().filter(line -> line.startsWith("#[Max")).findFirst().orElseThrow();
        final double maxMicros = Double.parseDouble(max.replaceAll("^#\\[Max\\s*=\\s*([0-9.]+),.*$", "$1"));
        assertEquals(10_000.0, maxMicros, 10_000.0 * 0.002, max);

        final String e2e = Files.readString(dir.resolve("sequent-e2e.hgrm"), StandardCharsets.UTF_8);
        assertTrue(e2e.lines().anyMatch(line -> line.strip().matches("1000[0-9]\\.[0-9]+ 0\\.500000000000 .*")), e2e);
        final String baseline = Files.readString(dir.resolve("aeron-produce-ack.hgrm"), StandardCharsets.UTF_8);
        assertTrue(baseline.lines().anyMatch(line -> line.strip().startsWith("20.0")), baseline);
    }

    @Test
    void csvHasOneRowPerSystemAndMetricMatchingTheHistograms() throws IOException {
        final RunResult run = TestRuns.full();
        ReportWriter.write(run, dir);

        final List<String> lines = Files.readAllLines(dir.resolve("summary.csv"), StandardCharsets.UTF_8);
        assertEquals("system,metric,count,p50_us,p90_us,p99_us,p99_9_us,p99_99_us,max_us,mean_us,p50_vs_aeron,"
            + "p99_vs_aeron,records_per_s,mb_per_s,errors,mode,rate,size,acks,flush,partitions,producers,linger_ms",
            lines.get(0));
        final List<String> header = Arrays.asList(lines.get(0).split(","));
        final Map<String, Map<String, String>> rows = new HashMap<>();
        for (final String line : lines.subList(1, lines.size())) {
            final String[] cells = line.split(",", -1);
            assertEquals(header.size(), cells.length, line);
            final Map<String, String> row = new HashMap<>();
            for (int i = 0; i < cells.length; i++) {
                row.put(header.get(i), cells[i]);
            }
            assertEquals(null, rows.put(cells[0] + "/" + cells[1], row), "duplicate row " + line);
        }
        assertEquals(Set.of("aeron/produce-ack", "sequent/produce-ack", "kafka/produce-ack", "sequent/e2e"),
            rows.keySet());

        final Histogram floor = run.baseline().produceAck();
        for (final SystemResult result : run.systems()) {
            for (final Metric metric : Metric.values()) {
                final Histogram histogram = result.histogram(metric);
                if (histogram == null) {
                    continue;
                }
                final Map<String, String> row = rows.get(result.system() + "/" + metric.fileName());
                final String what = result.system() + " " + metric;
                assertEquals(Long.toString(histogram.getTotalCount()), row.get("count"), what);
                assertMicros(histogram.getValueAtPercentile(50), row.get("p50_us"), what);
                assertMicros(histogram.getValueAtPercentile(90), row.get("p90_us"), what);
                assertMicros(histogram.getValueAtPercentile(99), row.get("p99_us"), what);
                assertMicros(histogram.getValueAtPercentile(99.9), row.get("p99_9_us"), what);
                assertMicros(histogram.getValueAtPercentile(99.99), row.get("p99_99_us"), what);
                assertMicros(histogram.getMaxValue(), row.get("max_us"), what);
                assertEquals(histogram.getMean() / 1000, Double.parseDouble(row.get("mean_us")), 0.051, what);
                assertEquals(String.format(Locale.ROOT, "%.2f",
                    (double) histogram.getValueAtPercentile(99) / floor.getValueAtPercentile(99)),
                    row.get("p99_vs_aeron"), what);
                assertEquals(String.format(Locale.ROOT, "%.2f",
                    (double) histogram.getValueAtPercentile(50) / floor.getValueAtPercentile(50)),
                    row.get("p50_vs_aeron"), what);
                assertEquals(Long.toString(result.errors()), row.get("errors"), what);
                assertEquals("e2e", row.get("mode"));
                assertEquals("10000", row.get("rate"));
                assertEquals("100", row.get("size"));
                assertEquals("all", row.get("acks"));
                assertEquals("batch", row.get("flush"));
                assertEquals("3", row.get("partitions"));
                assertEquals("2", row.get("producers"));
                assertEquals("1", row.get("linger_ms"));
            }
        }

        final Map<String, String> sequent = rows.get("sequent/produce-ack");
        assertEquals(5000.0, Double.parseDouble(sequent.get("p50_us")), 5000 * 0.002);
        assertEquals(9900.0, Double.parseDouble(sequent.get("p99_us")), 9900 * 0.002);
        assertEquals(9900.0 / 20, Double.parseDouble(sequent.get("p99_vs_aeron")), 9900.0 / 20 * 0.005);
        assertEquals(250.0, Double.parseDouble(sequent.get("p50_vs_aeron")), 250 * 0.005);
        assertEquals("10000.0", sequent.get("records_per_s"));
        assertEquals("1.000", sequent.get("mb_per_s"));
        assertEquals(2 * 9900.0 / 20, Double.parseDouble(rows.get("sequent/e2e").get("p99_vs_aeron")),
            2 * 9900.0 / 20 * 0.005);
        assertEquals("1.00", rows.get("aeron/produce-ack").get("p99_vs_aeron"));
        assertEquals("1.00", rows.get("aeron/produce-ack").get("p50_vs_aeron"));
        assertEquals("20.0", rows.get("aeron/produce-ack").get("p50_us"));
        assertEquals("10", rows.get("kafka/produce-ack").get("errors"));
        assertEquals("9999.0", rows.get("kafka/produce-ack").get("records_per_s"));
        assertEquals("1.000", rows.get("aeron/produce-ack").get("mb_per_s"));
        assertEquals("1.000", rows.get("kafka/produce-ack").get("mb_per_s"));

        final List<String> order = lines.subList(1, lines.size()).stream()
            .map(line -> line.substring(0, line.indexOf(',', line.indexOf(',') + 1))).collect(Collectors.toList());
        assertEquals(List.of("aeron,produce-ack", "sequent,produce-ack", "kafka,produce-ack", "sequent,e2e"), order);
    }

    @Test
    void withoutBaselineTheRatioColumnsAreEmpty() throws IOException {
        final List<Path> written = ReportWriter.write(TestRuns.withoutBaseline(), dir);
        assertFalse(names(written).stream().anyMatch(name -> name.startsWith("aeron")), written.toString());

        final List<String> lines = Files.readAllLines(dir.resolve("summary.csv"), StandardCharsets.UTF_8);
        assertEquals(4, lines.size(), lines.toString());
        for (final String line : lines.subList(1, lines.size())) {
            final String[] cells = line.split(",", -1);
            assertEquals("", cells[10], line);
            assertEquals("", cells[11], line);
            assertFalse(cells[5].isEmpty(), line);
        }
        final String md = Files.readString(dir.resolve("summary.md"), StandardCharsets.UTF_8);
        assertFalse(md.contains("aeron"), md);
        assertTrue(md.contains("| sequent | produce -> ack | 5.00 ms | 9.00 ms | 9.90 ms | 9.99 ms | 10.00 ms | "
            + "10.00 ms | - | 10,000 | 1.00 |"), md);
        assertTrue(md.contains("![end to end](e2e.png)"), md);
    }

    @Test
    void markdownHasTheRunTheTableTheSystemsAndThePlots() throws IOException {
        ReportWriter.write(TestRuns.full(), dir);
        final String md = Files.readString(dir.resolve("summary.md"), StandardCharsets.UTF_8);

        assertTrue(md.startsWith("# "), md);
        assertTrue(md.contains("```\n" + TestRuns.COMMAND + "\n```"), md);
        assertTrue(md.contains(TestRuns.MACHINE), md);
        assertTrue(md.contains(TestRuns.workload().describe()), md);
        assertTrue(md.contains("2025-01-02T03:04:05Z"), md);
        assertTrue(md.contains("| system | metric | p50 | p90 | p99 | p99.9 | p99.99 | max | p99 vs Aeron | "
            + "records/s | MB/s |"), md);
        assertTrue(md.contains("| aeron | produce -> ack | 20.0 µs | 20.0 µs | 20.0 µs | 20.0 µs | 20.0 µs | "
            + "20.0 µs | 1.00x | 10,000 | 1.00 |"), md);
        final String p99Ratio = String.format(Locale.ROOT, "%.2fx",
            (double) TestRuns.sequent().produceAck().getValueAtPercentile(99)
                / TestRuns.aeron().produceAck().getValueAtPercentile(99));
        final String sequent = md.lines().filter(line -> line.startsWith("| sequent | produce -> ack |"))
            .findFirst().orElseThrow();
        assertTrue(sequent.startsWith("| sequent | produce -> ack | 5.00 ms | 9.00 ms | 9.90 ms |"), sequent);
        assertTrue(sequent.endsWith("| " + p99Ratio + " | 10,000 | 1.00 |"), sequent + " vs " + p99Ratio);
        assertTrue(p99Ratio.startsWith("49"), p99Ratio);
        assertTrue(md.contains("| sequent | end to end | 10.00 ms |"), md);
        assertTrue(md.contains("| kafka | produce -> ack | 15.01 ms |"), md);
        assertFalse(md.contains("| kafka | end to end |"), md);
        assertEquals(4, md.lines().filter(line -> line.matches("\\| (aeron|sequent|kafka) \\|.*")).count(), md);

        assertTrue(md.contains("- **aeron**: Aeron 1.44 ping-pong, UDP loopback"), md);
        assertTrue(md.contains("- **sequent**: Sequent 0.1.0, embedded broker, flush batch"), md);
        assertTrue(md.contains("- **kafka**: Kafka 3.9, KRaft, one broker (99,990 records in 10.0 s, 9,999 records/s, "
            + "1.00 MB/s, 10 errors)"), md);
        assertTrue(md.contains("![produce -> ack](produce-ack.png)"), md);
        assertTrue(md.contains("![end to end](e2e.png)"), md);
    }

    @Test
    void plotsArePngsOfTheExpectedSizeWithEachSystemsLine() throws IOException {
        ReportWriter.write(TestRuns.full(), dir);

        final BufferedImage produce = ImageIO.read(dir.resolve("produce-ack.png").toFile());
        assertNotNull(produce, "produce-ack.png does not decode");
        assertEquals(PercentilePlot.WIDTH, produce.getWidth());
        assertEquals(PercentilePlot.HEIGHT, produce.getHeight());
        final BufferedImage e2e = ImageIO.read(dir.resolve("e2e.png").toFile());
        assertNotNull(e2e, "e2e.png does not decode");
        assertEquals(PercentilePlot.WIDTH, e2e.getWidth());
        assertEquals(PercentilePlot.HEIGHT, e2e.getHeight());

        // The lines are drawn in fixed colours: blue for the first system, red for the second, grey for Aeron.
        assertTrue(pixels(produce, 0x1f77b4) > 200, "no sequent line on produce-ack.png");
        assertTrue(pixels(produce, 0xd62728) > 200, "no kafka line on produce-ack.png");
        assertTrue(pixels(produce, 0x707070) > 100, "no aeron line on produce-ack.png");
        assertTrue(pixels(e2e, 0x1f77b4) > 200, "no sequent line on e2e.png");
        assertTrue(pixels(e2e, 0x707070) > 100, "no aeron line on e2e.png");
        assertTrue(pixels(e2e, 0xd62728) < 20, "kafka has no e2e line");
    }

    @Test
    void csvFieldsAreQuotedWhenNeeded() {
        assertEquals("plain", ReportWriter.csvField("plain"));
        assertEquals("\"a,b\"", ReportWriter.csvField("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", ReportWriter.csvField("say \"hi\""));
        assertEquals("\"two\nlines\"", ReportWriter.csvField("two\nlines"));
        assertEquals("", ReportWriter.csvField(""));
    }

    private static int pixels(final BufferedImage image, final int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }

    private static void assertMicros(final long nanos, final String cell, final String what) {
        assertEquals(String.format(Locale.ROOT, "%.1f", nanos / 1000.0), cell, what);
    }

    private static TreeSet<String> names(final List<Path> files) {
        final List<String> names = new ArrayList<>();
        for (final Path file : files) {
            names.add(file.getFileName().toString());
        }
        return new TreeSet<>(names);
    }
}

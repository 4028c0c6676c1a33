package io.sequent.systemtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sequent perf} as a user runs it: real processes, real broker, reports on disk. */
class PerfCommandTest {
    @TempDir
    Path dir;

    private static Map<String, String[]> csvRows(final Path csv) throws Exception {
        final List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertTrue(lines.get(0).startsWith("system,metric,count,p50_us"), lines.get(0));
        return lines.stream().skip(1).map(line -> line.split(","))
            .collect(Collectors.toMap(f -> f[0] + "/" + f[1], Function.identity()));
    }

    @Test
    void endToEndAgainstAnEmbeddedBrokerWritesEveryReport() throws Exception {
        final Path out = dir.resolve("report");
        final Cli.Result result = Cli.run(null, 300, "perf", "e2e", "--embedded", "--records", "3000",
            "--rate", "1000", "--warmup", "1s", "--out", out.toString(), "--quiet");
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().contains("produce -> ack") && result.stdout().contains("end to end"),
            result.stdout());

        for (final String file : new String[] {"aeron-produce-ack.hgrm", "sequent-produce-ack.hgrm",
            "sequent-e2e.hgrm", "summary.csv", "summary.md"}) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        final Map<String, String[]> rows = csvRows(out.resolve("summary.csv"));
        assertEquals(3, rows.size(), rows.keySet().toString());
        // Every measured record was acknowledged and delivered: none lost, none counted twice.
        assertEquals("3000", rows.get("sequent/produce-ack")[2]);
        assertEquals("3000", rows.get("sequent/e2e")[2]);
        assertEquals("3000", rows.get("aeron/produce-ack")[2]);
        assertEquals("1.00", rows.get("aeron/produce-ack")[11]);
        final double p50 = Double.parseDouble(rows.get("sequent/e2e")[3]);
        final double p99 = Double.parseDouble(rows.get("sequent/e2e")[5]);
        assertTrue(p50 > 0 && p50 <= p99, p50 + " " + p99);
        assertTrue(Files.readString(out.resolve("sequent-e2e.hgrm")).contains("#[Max"));
        assertTrue(Files.readString(out.resolve("summary.md")).contains("![end to end](e2e.png)"));
        for (final String plot : new String[] {"produce-ack.png", "e2e.png"}) {
            final BufferedImage image = ImageIO.read(out.resolve(plot).toFile());
            assertNotNull(image, plot);
            assertTrue(image.getWidth() >= 600 && image.getHeight() >= 400, plot);
        }
    }

    @Test
    void produceAgainstARunningBroker() throws Exception {
        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(dir.resolve("data"), Cli.freeUdpPort())) {
            final Path out = dir.resolve("produce");
            final Cli.Result result = Cli.run(null, 300, "perf", "produce", "--broker", broker.broker(),
                "--records", "2000", "--rate", "1000", "--warmup", "500ms", "--acks", "1", "--partitions", "3",
                "--producers", "2", "--no-baseline", "--out", out.toString(), "--quiet");
            assertEquals(0, result.exitCode(), result.stderr());
            final Map<String, String[]> rows = csvRows(out.resolve("summary.csv"));
            assertEquals(List.of("sequent/produce-ack"), List.copyOf(rows.keySet()));
            assertEquals("2000", rows.get("sequent/produce-ack")[2]);
            assertEquals("0", rows.get("sequent/produce-ack")[14]);
        }
    }

    @Test
    void recordsLargerThanTheMtuAreTimedWhole() throws Exception {
        final Path out = dir.resolve("large");
        final Cli.Result result = Cli.run(null, 300, "perf", "produce", "--embedded", "--size", "4000",
            "--records", "1000", "--rate", "1000", "--warmup", "500ms", "--out", out.toString(), "--quiet");
        assertEquals(0, result.exitCode(), result.stderr());
        final Map<String, String[]> rows = csvRows(out.resolve("summary.csv"));
        for (final String row : new String[] {"aeron/produce-ack", "sequent/produce-ack"}) {
            assertEquals("1000", rows.get(row)[2], row);
            assertEquals("0", rows.get(row)[14], row);
            assertEquals("4000", rows.get(row)[17], row);
        }
    }

    @Test
    void threadsTwoRunsTheBaselineAndSequentOnTwoThreads() throws Exception {
        final Path out = dir.resolve("two");
        final Cli.Result result = Cli.run(null, 300, "perf", "produce", "--embedded", "--threads", "two",
            "--records", "2000", "--rate", "1000", "--warmup", "500ms", "--acks", "1", "--out", out.toString(),
            "--quiet");
        assertEquals(0, result.exitCode(), result.stderr());
        final Map<String, String[]> rows = csvRows(out.resolve("summary.csv"));
        for (final String row : new String[] {"aeron/produce-ack", "sequent/produce-ack"}) {
            assertEquals("2000", rows.get(row)[2], row);
            assertEquals("0", rows.get(row)[14], row);
        }
        final String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("client threading caller") && summary.contains("broker threading shared"),
            summary);
    }

    @Test
    void aRateSweepRunsEachRateAndWritesTheCurve() throws Exception {
        final Path out = dir.resolve("sweep");
        final Cli.Result result = Cli.run(null, 300, "perf", "sweep", "--embedded", "--no-baseline", "--values",
            "500,1000", "--duration", "2s", "--warmup", "1s", "--out", out.toString(), "--quiet");
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().contains("Sweep over rate (2 steps)"), result.stdout());
        final List<String> csv = Files.readAllLines(out.resolve("sweep.csv"), StandardCharsets.UTF_8);
        assertEquals(3, csv.size(), csv.toString());
        assertTrue(csv.get(1).startsWith("rate,500,sequent,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("rate,1000,sequent,"), csv.get(2));
        assertTrue(Files.size(out.resolve("rate-1000").resolve("summary.csv")) > 0, "each step's own report");
        assertNotNull(ImageIO.read(out.resolve("sweep.png").toFile()));
    }

    @Test
    void badOptionsAreOneClearLine() throws Exception {
        final Cli.Result threads = Cli.run(null, 120, "perf", "produce", "--threads", "three", "--embedded");
        assertEquals(2, threads.exitCode());
        assertTrue(threads.stderr().contains("--threads must be default or two, not 'three'"), threads.stderr());

        final Cli.Result noRate = Cli.run(null, 120, "perf", "produce", "--rate", "0", "--embedded");
        assertEquals(2, noRate.exitCode());
        assertTrue(noRate.stderr().contains("--rate"), noRate.stderr());

        final Cli.Result both = Cli.run(null, 120, "perf", "e2e", "--records", "10", "--duration", "1s");
        assertEquals(2, both.exitCode());
        assertTrue(both.stderr().contains("--records N or --duration D"), both.stderr());

        final Cli.Result flush = Cli.run(null, 120, "perf", "throughput", "--flush", "sometimes");
        assertEquals(2, flush.exitCode());
        assertTrue(flush.stderr().contains("--flush must be batch or none"), flush.stderr());

        final Cli.Result over = Cli.run(null, 120, "perf", "sweep", "--over", "latency", "--embedded");
        assertEquals(2, over.exitCode());
        assertTrue(over.stderr().contains("--over must be rate, size, partitions or producers, not 'latency'"),
            over.stderr());
        final Cli.Result falling = Cli.run(null, 120, "perf", "sweep", "--values", "5000,1000", "--embedded");
        assertEquals(2, falling.exitCode());
        assertTrue(falling.stderr().contains("--values must rise: 1000 after 5000"), falling.stderr());
        final Cli.Result rateOverRate = Cli.run(null, 120, "perf", "sweep", "--rate", "5000", "--embedded");
        assertEquals(2, rateOverRate.exitCode());
        assertTrue(rateOverRate.stderr().contains("give the rates with --values"), rateOverRate.stderr());

        final Cli.Result typo = Cli.run(null, 120, "perf", "throughput", "--kafka", "127.0.0.1:1",
            "--kafka-producer", "batch.sise=262144");
        assertEquals(2, typo.exitCode());
        assertTrue(typo.stderr().contains("--kafka-producer batch.sise: not a Kafka producer setting"), typo.stderr());
        final Cli.Result noKafka = Cli.run(null, 120, "perf", "throughput", "--kafka-producer", "linger.ms=10");
        assertEquals(2, noKafka.exitCode());
        assertTrue(noKafka.stderr().contains("--kafka-producer needs --kafka"), noKafka.stderr());

        final Cli.Result unreachable = Cli.run(null, 120, "perf", "produce", "--records", "10", "--no-baseline",
            "--broker", "127.0.0.1:" + Cli.freeUdpPort(), "--connect-timeout-ms", "1500", "--quiet");
        assertEquals(1, unreachable.exitCode());
        assertTrue(unreachable.stderr().contains("no broker reachable"), unreachable.stderr());
    }
}

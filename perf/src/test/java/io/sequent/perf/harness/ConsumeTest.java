package io.sequent.perf.harness;

import io.sequent.client.ClientConfig;
import io.sequent.perf.report.ReportWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code perf consume}: a pre-filled topic read from the start, on an in-memory log and on an embedded broker. */
class ConsumeTest {
    private static final long MILLIS = 1_000_000;

    @TempDir
    Path dir;

    private static Workload consume(final long records, final int producers, final Duration warmup) {
        return new Workload(Mode.CONSUME, 0, records, null, 100, "1", 2, producers, warmup, "none", 0);
    }

    @Test
    void readsEveryRecordOnceAndTimesTheRead() throws Exception {
        final ManualClock clock = new ManualClock();
        // Each poll hands over up to 100 records and takes 1 ms: 10,000 records in 100 ms.
        final LogDriver driver = new LogDriver(clock, 100, MILLIS, -1, -1);
        final SystemResult result = new PerfRunner(consume(10_000, 3, Duration.ofMillis(20)), clock, null)
            .run(driver);

        assertEquals(10_000, driver.log.size());
        assertEquals(10_000, result.records());
        assertEquals(1_000_000, result.bytes());
        assertEquals(0, result.errors());
        assertEquals(100 * MILLIS, result.elapsedNs());
        assertEquals(100_000.0, result.recordsPerSecond(), 1.0);
        // The warm-up read (20 ms, not measured) and the measured one each had a consumer of their own.
        assertEquals(2, driver.consumers);
    }

    @Test
    void aRecordReadTwiceIsAnErrorAndAMissingOneFailsTheRun() throws Exception {
        final ManualClock clock = new ManualClock();
        final SystemResult twice = new PerfRunner(consume(1_000, 1, Duration.ZERO), clock, null)
            .run(new LogDriver(clock, 100, MILLIS, 500, -1));
        assertEquals(1_000, twice.records());
        assertEquals(1, twice.errors());

        final IllegalStateException missing = assertThrows(IllegalStateException.class,
            () -> new PerfRunner(consume(1_000, 1, Duration.ZERO), clock, null)
                .run(new LogDriver(clock, 100, MILLIS, -1, 700)));
        assertTrue(missing.getMessage().contains("read 999 of the 1,000 records"), missing.getMessage());
    }

    @Test
    void anEmbeddedBrokerGivesBackEveryRecord() throws Exception {
        final Path out = dir.resolve("report");
        final Workload workload = new Workload(Mode.CONSUME, 0, 20_000, null, 200, "all", 3, 2, Duration.ofMillis(200),
            "none", 0);
        final StringWriter console = new StringWriter();
        final RunResult run = PerfSuite.run(new PerfSuite.Options(workload, new ClientConfig(), true, null, null, true,
            true, "backoff", "backoff", false, Map.of(), out, "sequent perf consume --embedded --records 20000"),
            new PrintWriter(console), null);

        assertEquals(1, run.systems().size(), "no Aeron baseline: it has no consumer");
        final SystemResult sequent = run.systems().get(0);
        assertEquals("sequent", sequent.system());
        assertEquals(20_000, sequent.records());
        assertEquals(0, sequent.errors());
        assertTrue(sequent.elapsedNs() > 0);
        assertTrue(console.toString().contains("sequent: 20,000 records in"), console.toString());

        final List<String> csv = Files.readAllLines(out.resolve(ReportWriter.CSV), StandardCharsets.UTF_8);
        assertEquals(2, csv.size(), csv.toString());
        final String[] row = csv.get(1).split(",", -1);
        assertEquals("sequent", row[0]);
        assertEquals("consume", row[1]);
        assertEquals("20000", row[2]);
        assertTrue(Double.parseDouble(row[12]) > 0, csv.get(1));
        assertEquals("0", row[14]);
        assertEquals("200", row[17]);
    }

    /**
     * An in-memory log: producers append, and each consumer reads it from the start, {@code perPoll} records a
     * poll, each poll advancing the manual clock by {@code pollNs}. It can deliver one record twice
     * ({@code duplicate}) or never ({@code lose}), as a broken system would.
     */
    private static final class LogDriver implements Driver {
        final List<byte[]> log = new ArrayList<>();
        final ManualClock clock;
        final int perPoll;
        final long pollNs;
        final int duplicate;
        final int lose;
        int consumers;

        LogDriver(final ManualClock clock, final int perPoll, final long pollNs, final int duplicate, final int lose) {
            this.clock = clock;
            this.perPoll = perPoll;
            this.pollNs = pollNs;
            this.duplicate = duplicate;
            this.lose = lose;
        }

        @Override
        public String system() {
            return "log";
        }

        @Override
        public String description() {
            return "in-memory log";
        }

        @Override
        public void createTopic(final String topic, final Workload workload) {
        }

        @Override
        public Sender producer(final String topic, final Workload workload) {
            return new Sender() {
                @Override
                public void send(final byte[] value, final Completion completion) {
                    synchronized (log) {
                        log.add(value);
                    }
                    completion.complete(null);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public Receiver consumer(final String topic, final Workload workload) {
            consumers++;
            return new Receiver() {
                private int next;

                @Override
                public int poll(final ValueSink sink, final long timeoutMs) {
                    final int end = Math.min(log.size(), next + perPoll);
                    if (next == end) {
                        clock.advance(timeoutMs * MILLIS);
                        return 0;
                    }
                    clock.advance(pollNs);
                    int count = 0;
                    for (; next < end; next++) {
                        if (next == lose) {
                            continue;
                        }
                        sink.accept(log.get(next));
                        count++;
                        if (next == duplicate) {
                            sink.accept(log.get(next));
                            count++;
                        }
                    }
                    return count;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}

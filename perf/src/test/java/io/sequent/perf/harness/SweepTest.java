package io.sequent.perf.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.sequent.client.ClientConfig;

/** The sweep's steps: the value applied to each, and systems dropped once saturated. */
class SweepTest {
    private static final Workload BASE = new Workload(Mode.PRODUCE, 10_000, 0, Duration.ofSeconds(2), 100, "all", 1,
        1, Duration.ofSeconds(1), "none", 0);

    private final List<PerfSuite.Options> ran = new ArrayList<>();
    private Sweep.Result reported;

    private static PerfSuite.Options options(final Workload workload, final String kafka, final String cluster) {
        return new PerfSuite.Options(workload, new ClientConfig(), true, kafka, cluster, true, true, "backoff",
            "backoff", false, Map.of(), Path.of("out"), "sequent perf sweep");
    }

    /** Each system acknowledges at most its capacity in records/s. */
    private Sweep.StepRunner capacities(final Map<String, Long> capacity) {
        return options -> {
            ran.add(options);
            final Workload w = options.workload();
            final List<SystemResult> systems = new ArrayList<>();
            final List<String> names = new ArrayList<>();
            if (options.baseline()) {
                names.add(Workload.BASELINE);
            }
            if (options.sequent()) {
                names.add("sequent");
            }
            if (null != options.clusterBootstrap()) {
                names.add(Sweep.clusterSystem(options.clusterBootstrap()));
            }
            if (null != options.kafkaBootstrap()) {
                names.add("kafka");
            }
            for (final String name : names) {
                final long perSecond = w.rate() == 0 ? capacity.get(name) : Math.min(w.rate(), capacity.get(name));
                final Histogram latency = new Histogram(3);
                latency.recordValueWithCount(1_000L * w.rate() / perSecond, 100);
                systems.add(new SystemResult(name, name, latency, null, 2 * perSecond, 2 * perSecond * w.size(),
                    2_000_000_000L, 0));
            }
            return new RunResult(w, options.command(), "test machine", Instant.EPOCH, systems);
        };
    }

    private Sweep.Result sweep(final PerfSuite.Options base, final Sweep.Parameter parameter, final List<Long> values,
        final Sweep.StepRunner steps) throws Exception {
        return Sweep.run(base, parameter, values, steps, (result, directory, out) -> reported = result,
            new PrintWriter(new StringWriter()), null);
    }

    @Test
    void aRateSweepDropsEachSystemAfterTheRateItSaturatesAt() throws Exception {
        final Sweep.Result result = sweep(options(BASE, "127.0.0.1:9092", "a:1,b:2,c:3"), Sweep.Parameter.RATE,
            List.of(1_000L, 10_000L, 100_000L, 1_000_000L),
            capacities(Map.of("aeron", 2_000_000L, "sequent", 500_000L, "sequent-3", 50_000L, "kafka", 5_000L)));

        assertEquals(4, result.steps().size());
        assertEquals(List.of(Set.of(), Set.of("kafka"), Set.of("sequent-3"), Set.of("sequent")),
            result.steps().stream().map(Sweep.Step::saturated).toList());
        assertEquals(List.of(4, 4, 3, 2), result.steps().stream().map(s -> s.run().systems().size()).toList(),
            "a system runs up to and including the rate it saturates at, then no more");
        assertEquals(List.of(1_000L, 10_000L, 100_000L, 1_000_000L),
            ran.stream().map(o -> o.workload().rate()).toList());
        assertEquals(Path.of("out", "rate-100000"), ran.get(2).output(), "each step writes its own report");
        assertEquals(Mode.PRODUCE, ran.get(0).workload().mode());
        assertEquals(result, reported);
    }

    @Test
    void aRateSweepEndsWhenEverySystemHasSaturated() throws Exception {
        final Sweep.Result result = sweep(options(BASE, null, null), Sweep.Parameter.RATE,
            List.of(1_000L, 10_000L, 100_000L, 1_000_000L),
            capacities(Map.of("aeron", 5_000L, "sequent", 5_000L)));
        assertEquals(2, result.steps().size());
        assertEquals(2, ran.size());
    }

    @Test
    void aSizeSweepKeepsEverySystemAndSetsOnlyTheSize() throws Exception {
        final Workload throughput = new Workload(Mode.THROUGHPUT, 0, 0, Duration.ofSeconds(2), 100, "1", 4, 2,
            Duration.ofSeconds(1), "none", 5);
        final Sweep.Result result = sweep(options(throughput, "127.0.0.1:9092", null), Sweep.Parameter.SIZE,
            List.of(16L, 1_000L, 65_536L), capacities(Map.of("aeron", 10L, "sequent", 100L, "kafka", 10L)));
        assertEquals(3, result.steps().size());
        for (final Sweep.Step step : result.steps()) {
            assertEquals(3, step.run().systems().size());
            assertTrue(step.saturated().isEmpty(), "only a rate sweep saturates");
        }
        final Workload last = ran.get(2).workload();
        assertEquals(65_536, last.size());
        assertEquals(4, last.partitions());
        assertEquals(2, last.producers());
        assertEquals("1", last.acks());
        assertEquals(5, last.lingerMs());
    }

    @Test
    void badValuesAreRefusedBeforeAnythingRuns() {
        assertEquals("--values must rise: 10 after 100", assertThrows(IllegalArgumentException.class,
            () -> Sweep.validate(Sweep.Parameter.RATE, List.of(100L, 10L))).getMessage());
        assertEquals("--values must be positive, not 0", assertThrows(IllegalArgumentException.class,
            () -> Sweep.validate(Sweep.Parameter.PRODUCERS, List.of(0L))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> Sweep.validate(Sweep.Parameter.SIZE, List.of(8L))).getMessage().contains("at least 16"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> Sweep.Parameter.parse("latency")).getMessage().contains("rate, size, partitions or producers"));
        assertThrows(IllegalArgumentException.class, () -> sweep(options(BASE, null, null), Sweep.Parameter.RATE,
            List.of(), capacities(Map.of())));
        assertTrue(ran.isEmpty());
    }

    @Test
    void saturationIsLessThanNinetyPercentOfTheRateOrAnyError() {
        final Histogram h = new Histogram(3);
        assertFalse(Sweep.isSaturated(new SystemResult("s", "", h, null, 9_000, 0, 1_000_000_000L, 0), 10_000));
        assertTrue(Sweep.isSaturated(new SystemResult("s", "", h, null, 8_999, 0, 1_000_000_000L, 0), 10_000));
        assertTrue(Sweep.isSaturated(new SystemResult("s", "", h, null, 10_000, 0, 1_000_000_000L, 1), 10_000));
    }
}

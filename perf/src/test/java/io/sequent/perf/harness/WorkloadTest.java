package io.sequent.perf.harness;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadTest {
    private static String error(final Runnable build) {
        return assertThrows(IllegalArgumentException.class, build::run).getMessage();
    }

    @Test
    void rejectsBadSettingsNamingTheOption() {
        final Duration w = Duration.ZERO;
        assertTrue(error(() -> new Workload(Mode.PRODUCE, 0, 10, null, 100, "1", 1, 1, w, "none", 0))
            .contains("--rate"));
        assertTrue(error(() -> new Workload(Mode.PRODUCE, 10, 10, Duration.ofSeconds(1), 100, "1", 1, 1, w, "none",
            0)).contains("--records"));
        assertTrue(error(() -> new Workload(Mode.PRODUCE, 10, 0, null, 100, "1", 1, 1, w, "none", 0))
            .contains("--duration"));
        assertTrue(error(() -> new Workload(Mode.PRODUCE, 10, 10, null, 8, "1", 1, 1, w, "none", 0))
            .contains("--size"));
        assertTrue(error(() -> new Workload(Mode.PRODUCE, 10, 10, null, 100, "2", 1, 1, w, "none", 0))
            .contains("--acks"));
        assertTrue(error(() -> new Workload(Mode.PRODUCE, 10, 10, null, 100, "0", 1, 1, w, "none", 0))
            .contains("throughput"));
        assertTrue(error(() -> new Workload(Mode.PRODUCE, 10, 10, null, 100, "1", 0, 1, w, "none", 0))
            .contains("--partitions"));
        assertTrue(error(() -> new Workload(Mode.PRODUCE, 10, 10, null, 100, "1", 1, 1, w, "sometimes", 0))
            .contains("--flush"));
    }

    @Test
    void throughputMayBeUnthrottledAndAcksZero() {
        final Workload w = new Workload(Mode.THROUGHPUT, 0, 10, null, 100, "0", 1, 1, Duration.ZERO, "BATCH", 0);
        assertEquals("batch", w.flush());
        assertTrue(w.describe().contains("unthrottled"), w.describe());
        assertEquals("all", new Workload(Mode.E2E, 5, 10, null, 100, "-1", 1, 1, Duration.ZERO, "none", 0).acks());
    }

    @Test
    void consumeFillsWithRecordsAndNeedsAcknowledgements() {
        final Duration w = Duration.ZERO;
        assertTrue(error(() -> new Workload(Mode.CONSUME, 0, 0, Duration.ofSeconds(1), 100, "1", 1, 1, w, "none", 0))
            .contains("--records N"));
        assertTrue(error(() -> new Workload(Mode.CONSUME, 0, 10, null, 100, "0", 1, 1, w, "none", 0))
            .contains("--acks 0"));
        final Workload consume = new Workload(Mode.CONSUME, 0, 1_000, null, 100, "all", 2, 1, w, "none", 0);
        assertTrue(consume.describe().contains("1,000 100-byte records read from the start"), consume.describe());
    }

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofSeconds(7), Durations.parse("7"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 parsecs"));
        assertEquals("41.5 µs", Durations.format(41_500));
        assertEquals("999.9 µs", Durations.format(999_900));
        assertEquals("1.00 ms", Durations.format(999_990));
        assertEquals("2.10 ms", Durations.format(2_100_000));
        assertEquals("1.20 s", Durations.format(1_200_000_000));
        assertEquals("0.0 µs", Durations.format(0));
    }
}

package io.sequent.perf.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerfRunnerTest {
    private static final long MICROS = 1_000;
    private static final long MILLIS = 1_000_000;

    private static Workload workload(final Mode mode, final long rate, final long records, final Duration warmup) {
        return new Workload(mode, rate, records, null, 100, "1", 1, 1, warmup, "none", 0);
    }

    /** HdrHistogram with 3 significant digits: equal within 0.1%. */
    private static void assertNear(final long expected, final long actual) {
        assertTrue(Math.abs(expected - actual) <= expected / 1000 + 1, "expected ~" + expected + " but was " + actual);
    }

    @Test
    void percentilesMatchKnownServiceTimes() throws Exception {
        final ManualClock clock = new ManualClock();
        // 10,000 records at 1,000/s; record i takes (i % 100 + 1) * 5 µs, so 5..500 µs, 100 records each:
        // always less than the 1 ms interval, so nothing queues and each latency is exactly its service time.
        final SyntheticDriver driver = new SyntheticDriver(clock, i -> (i % 100 + 1) * 5 * MICROS, 0);
        final SystemResult result =
            new PerfRunner(workload(Mode.PRODUCE, 1000, 10_000, Duration.ZERO), clock, null).run(driver);

        final Histogram h = result.produceAck();
        assertEquals(10_000, h.getTotalCount());
        assertEquals(10_000, result.records());
        assertEquals(1_000_000, result.bytes());
        assertNear(250 * MICROS, h.getValueAtPercentile(50));
        assertNear(450 * MICROS, h.getValueAtPercentile(90));
        assertNear(495 * MICROS, h.getValueAtPercentile(99));
        assertNear(500 * MICROS, h.getMaxValue());
        assertNear(5 * MICROS, h.getMinValue());
        assertNear(252_500, (long) h.getMean());
        assertNull(result.endToEnd());
        assertTrue(driver.createdTopic.startsWith("perf-produce-"));
        // 10,000 sends at 1 ms intervals: the last acknowledgement ~10 s after the first send.
        assertEquals(1000.0, result.recordsPerSecond(), 1.0);
    }

    @Test
    void aStallCountsForEveryRecordThatShouldHaveBeenSentDuringIt() throws Exception {
        final ManualClock clock = new ManualClock();
        // 1,000 records at 1,000/s, 10 µs each, except record 100, which takes 100 ms. The 99 records due
        // during the stall go late and their lateness counts: latencies ~99, 98, ... 1 ms. A harness that
        // timed each send from when it actually went out would see one slow record, not a hundred.
        final SyntheticDriver driver =
            new SyntheticDriver(clock, i -> i == 100 ? 100 * MILLIS : 10 * MICROS, 0);
        final Histogram h =
            new PerfRunner(workload(Mode.PRODUCE, 1000, 1000, Duration.ZERO), clock, null).run(driver).produceAck();

        assertEquals(1000, h.getTotalCount());
        final long over50ms = h.getCountBetweenValues(50 * MILLIS, h.getMaxValue());
        assertTrue(over50ms >= 50 && over50ms <= 52, "records over 50 ms: " + over50ms);
        assertNear(100 * MILLIS, h.getMaxValue());
        assertTrue(h.getValueAtPercentile(99) >= 90 * MILLIS, "p99 " + h.getValueAtPercentile(99));
        assertTrue(h.getValueAtPercentile(50) <= 11 * MICROS, "p50 " + h.getValueAtPercentile(50));
        // About 100 records fall in the stall's shadow; every other one took its 10 µs.
        final long shadow = h.getCountBetweenValues(20 * MICROS, h.getMaxValue());
        assertTrue(shadow >= 99 && shadow <= 101, "records delayed by the stall: " + shadow);
    }

    @Test
    void warmUpRecordsAreSentButNotMeasured() throws Exception {
        final ManualClock clock = new ManualClock();
        final long warmupEnd = 100 * MILLIS;
        // Records due in the first 100 ms (the warm-up) take 700 µs; measured ones 10 µs.
        final SyntheticDriver driver = new SyntheticDriver(clock, i -> i < 99 ? 700 * MICROS : 10 * MICROS, 0);
        final SystemResult result =
            new PerfRunner(workload(Mode.PRODUCE, 1000, 500, Duration.ofNanos(warmupEnd)), clock, null).run(driver);
        assertEquals(500, result.produceAck().getTotalCount());
        assertEquals(500, result.records());
        assertNear(10 * MICROS, result.produceAck().getMaxValue());
    }

    @Test
    void durationBoundsTheMeasuredWindow() throws Exception {
        final ManualClock clock = new ManualClock();
        final SyntheticDriver driver = new SyntheticDriver(clock, i -> 10 * MICROS, 0);
        final Workload workload =
            new Workload(Mode.PRODUCE, 2000, 0, Duration.ofSeconds(3), 64, "all", 1, 1, Duration.ofSeconds(1), "none",
                0);
        final SystemResult result = new PerfRunner(workload, clock, null).run(driver);
        // 3 s at 2,000/s after a 1 s warm-up.
        assertEquals(6000, result.produceAck().getTotalCount(), 1);
        assertEquals(6000 * 64, result.bytes(), 64);
    }

    @Test
    void producersShareTheRate() throws Exception {
        final ManualClock clock = new ManualClock();
        final SyntheticDriver driver = new SyntheticDriver(clock, i -> 1 * MICROS, 0);
        final Workload workload =
            new Workload(Mode.PRODUCE, 3000, 3001, null, 100, "1", 2, 3, Duration.ZERO, "none", 0);
        final SystemResult result = new PerfRunner(workload, clock, null).run(driver);
        assertEquals(3001, result.records());
    }

    @Test
    void endToEndIsMeasuredFromTheIntendedSendTimeCarriedInTheRecord() throws Exception {
        // Real clock: the synthetic consumer delivers each record 2 ms (real time) after its send.
        final SyntheticDriver driver = new SyntheticDriver(null, i -> 0, 2 * MILLIS);
        final SystemResult result =
            new PerfRunner(workload(Mode.E2E, 2000, 2000, Duration.ofMillis(200)), NanoClock.SYSTEM, null)
                .run(driver);
        final Histogram e2e = result.endToEnd();
        assertEquals(2000, e2e.getTotalCount());
        assertTrue(e2e.getMinValue() >= 2 * MILLIS, "min " + e2e.getMinValue());
        assertTrue(e2e.getValueAtPercentile(50) < TimeUnit.SECONDS.toNanos(1), "p50 " + e2e.getValueAtPercentile(50));
        assertEquals(2000, result.produceAck().getTotalCount());
    }

    @Test
    void valuesCarryTheIntendedTime() {
        final byte[] value = new byte[16];
        PerfRunner.putLong(value, 0, 0x0102030405060708L);
        PerfRunner.putLong(value, 8, -2);
        assertEquals(0x0102030405060708L, PerfRunner.getLong(value, 0));
        assertEquals(-2, PerfRunner.getLong(value, 8));
    }
}

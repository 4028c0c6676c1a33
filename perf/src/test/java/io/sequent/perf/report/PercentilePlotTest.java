package io.sequent.perf.report;

import io.sequent.perf.harness.Metric;
import io.sequent.perf.harness.RunResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PercentilePlotTest {
    @Test
    void percentileTicksAreLabelledAtDecades() {
        assertEquals("0%", PercentilePlot.percentileLabel(1));
        assertEquals("90%", PercentilePlot.percentileLabel(10));
        assertEquals("99%", PercentilePlot.percentileLabel(100));
        assertEquals("99.9%", PercentilePlot.percentileLabel(1000));
        assertEquals("99.99%", PercentilePlot.percentileLabel(10_000));
        assertEquals("99.999%", PercentilePlot.percentileLabel(100_000));
        assertEquals("99.9999%", PercentilePlot.percentileLabel(1_000_000));
        assertEquals("", PercentilePlot.percentileLabel(2));
        assertEquals("", PercentilePlot.percentileLabel(500));
    }

    @Test
    void latencyTicksAreInHumanUnits() {
        assertEquals("10 µs", PercentilePlot.latencyLabel(10));
        assertEquals("2.5 µs", PercentilePlot.latencyLabel(2.5));
        assertEquals("1 ms", PercentilePlot.latencyLabel(1000));
        assertEquals("20 ms", PercentilePlot.latencyLabel(20_000));
        assertEquals("1 s", PercentilePlot.latencyLabel(1_000_000));
    }

    @Test
    void curveRunsFromZeroToTheLastResolvedPercentileInMicroseconds() {
        final Histogram histogram = TestRuns.uniformMicros(10_000, 1);
        final PercentilePlot.Curve curve = PercentilePlot.curve(histogram);
        assertNotNull(curve);
        assertEquals(1.0, curve.x()[0], 1e-9, "starts at 0%");
        assertEquals(10_000, curve.lastX(), 1e-9, "ends at the percentile 10,000 samples resolve, 99.99%");
        assertEquals(histogram.getMaxValue() / 1000.0, curve.micros()[curve.micros().length - 1], 1e-9, "at the max");
        for (int i = 1; i < curve.x().length; i++) {
            assertTrue(curve.x()[i] > curve.x()[i - 1], "x grows");
            assertTrue(curve.micros()[i] >= curve.micros()[i - 1], "latency grows");
        }
        assertEquals(1.0, curve.micros()[0], 0.01, "minimum in µs");
        final int half = indexOf(curve.x(), 2.0);
        assertEquals(histogram.getValueAtPercentile(50) / 1000.0, curve.micros()[half], 5.0, "p50 at x = 2");
        final int p90 = indexOf(curve.x(), 10.0);
        assertEquals(9000.0, curve.micros()[p90], 9000 * 0.002, "p90 at x = 10");

        final PercentilePlot.Curve constant = PercentilePlot.curve(TestRuns.constantMicros(20, 1_000));
        assertNotNull(constant);
        assertEquals(1_000, constant.lastX(), 1e-9, "a constant histogram is a flat line to its count");
        assertTrue(constant.x().length >= 2, "a constant histogram is a line");
        for (final double micros : constant.micros()) {
            assertEquals(20.0, micros, 0.02);
        }
        assertNull(PercentilePlot.curve(new Histogram(3)), "an empty histogram has no curve");
    }

    @Test
    void everyPlotShowsTheAeronRoundTripAsTheFloor() {
        final RunResult run = TestRuns.full();
        final XYChart produce = PercentilePlot.chart(run, Metric.PRODUCE_ACK);
        assertNotNull(produce);
        assertEquals(List.of("aeron round trip", "sequent", "kafka"), names(produce));
        final XYChart e2e = PercentilePlot.chart(run, Metric.END_TO_END);
        assertNotNull(e2e);
        assertEquals(List.of("aeron round trip", "sequent"), names(e2e));
        assertTrue(e2e.getTitle().startsWith("end to end latency by percentile — 100-byte records at 10,000/s"),
            e2e.getTitle());
        assertTrue(e2e.getXAxisTitle().startsWith("percentile"), e2e.getXAxisTitle());
        assertTrue(e2e.getStyler().isXAxisLogarithmic());
        assertTrue(e2e.getStyler().isYAxisLogarithmic());
        assertEquals(1.0, e2e.getStyler().getXAxisMin(), 1e-9);
        assertEquals(10_000.0, e2e.getStyler().getXAxisMax(), 1e-6);
        assertEquals(1.0, e2e.getStyler().getYAxisMin(), 1e-9, "the decade below 2 µs");
        assertEquals(100_000.0, e2e.getStyler().getYAxisMax(), 1e-6, "the decade above 20 ms");
    }

    @Test
    void aMetricNoSystemMeasuredHasNoPlot() {
        final RunResult produceOnly = new RunResult(TestRuns.workload(), "", "", TestRuns.STARTED,
            List.of(TestRuns.aeron(), TestRuns.kafka()));
        assertNull(PercentilePlot.chart(produceOnly, Metric.END_TO_END));
        assertNotNull(PercentilePlot.chart(produceOnly, Metric.PRODUCE_ACK));
    }

    private static List<String> names(final XYChart chart) {
        return chart.getSeriesCollection().stream().map(XYSeries::getName).collect(Collectors.toList());
    }

    private static int indexOf(final double[] values, final double value) {
        for (int i = 0; i < values.length; i++) {
            if (Math.abs(values[i] - value) < 1e-6 * value) {
                return i;
            }
        }
        throw new AssertionError(value + " is not a point");
    }
}

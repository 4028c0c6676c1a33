package io.sequent.perf.report;

import io.sequent.perf.harness.Metric;
import io.sequent.perf.harness.RunResult;
import io.sequent.perf.harness.SystemResult;
import io.sequent.perf.harness.Workload;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The usual HdrHistogram latency-by-percentile plot of one metric, one line per system: x is the
 * percentile on a log scale of {@code 1/(1-p)} (so 90% is at 10, 99% at 100, 99.9% at 1000), y the
 * latency in microseconds on a log scale. The Aeron baseline's round trip is drawn on every plot as the
 * transport's floor.
 */
final class PercentilePlot {
    /** Width of the PNG in pixels. */
    static final int WIDTH = 1000;
    /** Height of the PNG in pixels. */
    static final int HEIGHT = 600;
    /** The legend label of the Aeron baseline's line. */
    static final String BASELINE_LABEL = "aeron round trip";

    private static final int TICKS_PER_HALF_DISTANCE = 5;
    /** The smallest latency plotted, in µs: a log axis cannot show 0. */
    private static final double MIN_MICROS = 0.001;
    private static final Color BASELINE_COLOR = new Color(0x70, 0x70, 0x70);
    /** Colours of the systems' lines, in order. */
    static final Color[] PALETTE = {
        new Color(0x1f, 0x77, 0xb4), new Color(0xd6, 0x27, 0x28), new Color(0x2c, 0xa0, 0x2c),
        new Color(0xff, 0x7f, 0x0e), new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b),
    };

    private PercentilePlot() {
    }

    /**
     * Points of one histogram (in nanoseconds) for the plot.
     *
     * @param x      {@code 1/(1-p)} of each percentile p.
     * @param micros the latency at each percentile, in microseconds.
     */
    record Curve(double[] x, double[] micros) {
        /** The last x: the highest percentile plotted. */
        double lastX() {
            return x[x.length - 1];
        }
    }

    /**
     * The points of a histogram: HdrHistogram's percentile iteration at 5 ticks per half distance, up
     * to the highest percentile its sample count resolves, {@code 1 - 1/count} (x = count), where the
     * line ends at the maximum; 100% itself is at infinity. Null when the histogram is empty.
     */
    static Curve curve(final Histogram histogram) {
        final long count = histogram.getTotalCount();
        if (count == 0) {
            return null;
        }
        final List<double[]> points = new ArrayList<>();
        for (final HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE)) {
            final double percentile = value.getPercentileLevelIteratedTo();
            if (percentile >= 100.0) {
                break;
            }
            final double x = 100.0 / (100.0 - percentile);
            if (x >= count * (1 - 1e-9) && !points.isEmpty()) {
                break;
            }
            points.add(new double[] {x, micros(value.getValueIteratedTo())});
        }
        if (count > 1) {
            points.add(new double[] {count, micros(histogram.getMaxValue())});
        }
        final double[] xs = new double[points.size()];
        final double[] ys = new double[points.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = points.get(i)[0];
            ys[i] = points.get(i)[1];
        }
        return new Curve(xs, ys);
    }

    /** Nanoseconds as microseconds, at least the smallest a log axis shows. */
    static double micros(final long nanos) {
        return Math.max(nanos / 1000.0, MIN_MICROS);
    }

    /** The plot's title, e.g. "produce -> ack latency by percentile — 100-byte records at 10,000/s". */
    static String title(final RunResult run, final Metric metric) {
        final Workload workload = run.workload();
        return String.format(Locale.ROOT, "%s latency by percentile — %d-byte records %s, acks=%s",
            metric.title(), workload.size(),
            workload.rate() == 0 ? "unthrottled" : String.format(Locale.ROOT, "at %,d/s", workload.rate()),
            workload.acks());
    }

    /** The label of an x tick: a decade 10^k is the percentile 100 * (1 - 10^-k); others get none. */
    static String percentileLabel(final double x) {
        final long decade = Math.round(Math.log10(x));
        if (decade < 0 || Math.abs(x - Math.pow(10, decade)) > 1e-6 * x) {
            return "";
        }
        if (decade == 0) {
            return "0%";
        }
        final StringBuilder label = new StringBuilder(decade == 1 ? "90" : "99");
        if (decade > 2) {
            label.append('.').append("9".repeat((int) decade - 2));
        }
        return label.append('%').toString();
    }

    /** The label of a y tick in microseconds: {@code 20 µs}, {@code 1 ms}, {@code 1.5 s}. */
    static String latencyLabel(final double micros) {
        if (micros < 1000) {
            return trim(micros) + " µs";
        }
        if (micros < 1_000_000) {
            return trim(micros / 1000) + " ms";
        }
        return trim(micros / 1_000_000) + " s";
    }

    private static String trim(final double value) {
        final String text = String.format(Locale.ROOT, "%.3f", value);
        return text.replaceAll("\\.?0+$", "");
    }

    /**
     * The chart of a metric, or null when no system has a non-empty histogram of it. The baseline
     * (its produce -> ack round trip) is added to every metric's chart that some other system measured.
     */
    static XYChart chart(final RunResult run, final Metric metric) {
        if (run.systems().stream().allMatch(result -> result.histogram(metric) == null)) {
            return null;
        }
        final XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(title(run, metric));
        chart.setXAxisTitle("percentile (log scale of 1/(1-p): 90% = 10, 99% = 100, 99.9% = 1000, ...)");
        chart.setYAxisTitle("latency (log scale)");
        double maxX = 10;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        int colour = 0;
        for (final SystemResult result : run.systems()) {
            final boolean baseline = Workload.BASELINE.equals(result.system());
            final Histogram histogram = baseline ? result.produceAck() : result.histogram(metric);
            final Curve curve = histogram == null ? null : curve(histogram);
            if (curve == null) {
                continue;
            }
            final XYSeries series = chart.addSeries(baseline ? BASELINE_LABEL : result.system(), curve.x(),
                curve.micros());
            series.setMarker(SeriesMarkers.NONE);
            if (baseline) {
                series.setLineColor(BASELINE_COLOR);
                series.setLineStyle(dashed());
            } else {
                series.setLineColor(PALETTE[colour++ % PALETTE.length]);
                series.setLineStyle(SeriesLines.SOLID);
                series.setLineWidth(2.5f);
            }
            maxX = Math.max(maxX, curve.lastX());
            for (final double micros : curve.micros()) {
                minY = Math.min(minY, micros);
                maxY = Math.max(maxY, micros);
            }
        }
        if (chart.getSeriesCollection().isEmpty()) {
            return null;
        }
        style(chart.getStyler(), maxX, minY, maxY);
        return chart;
    }

    /** The look every plot of a report shares: white, grey grid, legend below, both axes on log scales. */
    static void baseStyle(final XYStyler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(true);
        styler.setPlotBorderColor(Color.GRAY);
        styler.setPlotGridLinesColor(new Color(0xe0, 0xe0, 0xe0));
        styler.setPlotGridLinesStroke(new BasicStroke(1.0f));
        styler.setChartTitleBoxVisible(false);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setLegendSeriesLineLength(40);
        styler.setXAxisLogarithmic(true);
        styler.setYAxisLogarithmic(true);
    }

    /** The dashed line of a secondary series (the baseline, a p50). */
    static BasicStroke dashed() {
        return new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10.0f, new float[] {8.0f, 5.0f},
            0.0f);
    }

    private static void style(final XYStyler styler, final double maxX, final double minY, final double maxY) {
        baseStyle(styler);
        styler.setXAxisLogarithmicDecadeOnly(true);
        styler.setXAxisMin(1.0);
        styler.setXAxisMax(Math.pow(10, Math.ceil(Math.log10(maxX) - 1e-9)));
        styler.setXAxisTickLabelsFormattingFunction(PercentilePlot::percentileLabel);
        styler.setYAxisLogarithmicDecadeOnly(true);
        styler.setYAxisMin(Math.pow(10, Math.floor(Math.log10(minY) + 1e-9)));
        styler.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(maxY) - 1e-9)));
        styler.setYAxisTickLabelsFormattingFunction(PercentilePlot::latencyLabel);
    }

    /** Writes the PNG of a metric's plot; false (and nothing written) when there is nothing to plot. */
    static boolean write(final RunResult run, final Metric metric, final Path file) throws IOException {
        headless();
        return writePng(chart(run, metric), file);
    }

    /** Charts are drawn without a display: call before building one. */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Writes a chart as a PNG; false (and nothing written) when the chart is null. */
    static boolean writePng(final XYChart chart, final Path file) throws IOException {
        if (chart == null) {
            return false;
        }
        final BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        try (OutputStream out = Files.newOutputStream(file)) {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer for " + file);
            }
        }
        return true;
    }
}

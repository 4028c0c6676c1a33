package io.sequent.perf.harness;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A scale sweep, as {@code sequent perf sweep} runs it: one {@link PerfSuite} run per value of one parameter, every
 * system of the run side by side at each value, then a table, a CSV and a plot over all of them
 * ({@code io.sequent.perf.report.SweepReport}).
 *
 * <ul>
 *   <li>{@link Parameter#RATE}: the produce workload at rising fixed rates. A system is saturated at a rate when it
 *       acknowledges less than {@link #SATURATED} of it (or some sends fail); its point there is kept (it shows the
 *       knee) and it is left out of the higher rates. The sweep ends when every system is saturated or the rates
 *       run out. The plot is latency percentiles against the throughput reached, the chart the OpenMessaging
 *       Benchmark draws.</li>
 *   <li>{@link Parameter#SIZE}, {@link Parameter#PARTITIONS}, {@link Parameter#PRODUCERS}: the throughput workload
 *       (unthrottled unless a rate is given) at each value; the plot is records/s against the value.</li>
 * </ul>
 */
public final class Sweep {
    /** A system that acknowledges less than this share of the rate offered has saturated. */
    public static final double SATURATED = 0.9;

    /** What a sweep varies. */
    public enum Parameter {
        /** Records per second offered (produce workload). */
        RATE("rate", "records/s offered", new long[] {
            1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000}),
        /** Record value size in bytes (throughput workload). */
        SIZE("size", "record size, bytes", new long[] {16, 100, 1_000, 10_000, 65_536}),
        /** Partitions of the topic (throughput workload). */
        PARTITIONS("partitions", "partitions", new long[] {1, 10, 100, 1_000}),
        /** Producers, each on its own thread (throughput workload). */
        PRODUCERS("producers", "producers", new long[] {1, 2, 4, 8, 16});

        private final String label;
        private final String axis;
        private final long[] defaults;

        Parameter(final String label, final String axis, final long[] defaults) {
            this.label = label;
            this.axis = axis;
            this.defaults = defaults;
        }

        /** @return the name on the command line and in reports. */
        public String label() {
            return label;
        }

        /** @return the axis title of the value in plots. */
        public String axis() {
            return axis;
        }

        /** @return the values swept when none are given. */
        public List<Long> defaults() {
            final List<Long> values = new ArrayList<>();
            for (final long value : defaults) {
                values.add(value);
            }
            return values;
        }

        /** @return the workload of each step: produce for rates, throughput otherwise. */
        public Mode mode() {
            return this == RATE ? Mode.PRODUCE : Mode.THROUGHPUT;
        }

        /**
         * @param label as on the command line.
         * @return the parameter.
         * @throws IllegalArgumentException naming the choices.
         */
        public static Parameter parse(final String label) {
            for (final Parameter parameter : values()) {
                if (parameter.label.equals(label)) {
                    return parameter;
                }
            }
            throw new IllegalArgumentException("--over must be rate, size, partitions or producers, not '" + label +
                "'");
        }

        /** @return the workload with this parameter set to {@code value}. */
        Workload apply(final Workload base, final long value) {
            return new Workload(base.mode(), this == RATE ? value : base.rate(), base.records(), base.duration(),
                this == SIZE ? (int) value : base.size(), base.acks(),
                this == PARTITIONS ? (int) value : base.partitions(),
                this == PRODUCERS ? (int) value : base.producers(), base.warmup(), base.flush(), base.lingerMs());
        }
    }

    /**
     * One step of a sweep.
     *
     * @param value the parameter's value.
     * @param run   every system's results at it.
     * @param saturated the systems that saturated at this step (rate sweeps only; empty otherwise).
     */
    public record Step(long value, RunResult run, Set<String> saturated) {
    }

    /**
     * The whole sweep.
     *
     * @param parameter what was varied.
     * @param command   the command line.
     * @param machine   the machine.
     * @param steps     the steps, in the order run.
     */
    public record Result(Parameter parameter, String command, String machine, List<Step> steps) {
    }

    /** Writes the sweep's report; {@code io.sequent.perf.report.SweepReport} in production. */
    @FunctionalInterface
    public interface Reporter {
        /**
         * @param result    the sweep.
         * @param directory where to write.
         * @param out       where the summary goes.
         */
        void report(Result result, Path directory, PrintWriter out);
    }

    /** Runs one step; {@link PerfSuite#run} in production, a fake in tests. */
    @FunctionalInterface
    public interface StepRunner {
        /**
         * @param options what to run at this step.
         * @return the results.
         * @throws Exception when a system fails.
         */
        RunResult run(PerfSuite.Options options) throws Exception;
    }

    private Sweep() {
    }

    /**
     * Checks the values given for a parameter: positive, strictly rising (a rate sweep stops at saturation).
     *
     * @param parameter what is varied.
     * @param values    the values.
     * @throws IllegalArgumentException naming the bad value.
     */
    public static void validate(final Parameter parameter, final List<Long> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("--values needs at least one value");
        }
        long last = 0;
        for (final long value : values) {
            if (value <= 0) {
                throw new IllegalArgumentException("--values must be positive, not " + value);
            }
            if (value <= last) {
                throw new IllegalArgumentException("--values must rise: " + value + " after " + last);
            }
            if (parameter == Parameter.SIZE && (value < Workload.MIN_SIZE || value > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("a record size must be at least " + Workload.MIN_SIZE +
                    " bytes, not " + value);
            }
            if ((parameter == Parameter.PARTITIONS || parameter == Parameter.PRODUCERS) && value > 100_000) {
                throw new IllegalArgumentException(parameter.label() + " of " + value + " is beyond what a sweep "
                    + "runs (at most 100,000)");
            }
            last = value;
        }
    }

    /**
     * Runs the sweep: one step per value (each step's own report in {@code <output>/<parameter>-<value>}), then the
     * sweep's report in {@code output}.
     *
     * @param base      the options of every step: the workload before the parameter is applied, the systems.
     * @param parameter what to vary.
     * @param values    the values, rising.
     * @param steps     runs one step.
     * @param reporter  writes the report.
     * @param out       where the summaries go.
     * @param progress  where progress lines go, or null.
     * @return the sweep.
     * @throws Exception when a step fails.
     */
    public static Result run(
        final PerfSuite.Options base, final Parameter parameter, final List<Long> values, final StepRunner steps,
        final Reporter reporter, final PrintWriter out, final PrintStream progress) throws Exception {
        validate(parameter, values);
        final List<Step> done = new ArrayList<>();
        boolean baseline = base.baseline();
        boolean sequent = base.sequent();
        String kafka = base.kafkaBootstrap();
        String cluster = base.clusterBootstrap();
        for (final long value : values) {
            if (!baseline && !sequent && null == kafka && null == cluster) {
                break;
            }
            final Workload workload = parameter.apply(base.workload(), value);
            if (null != progress) {
                progress.printf(Locale.ROOT, "=== %s %,d: %s%n", parameter.label(), value, workload.describe());
            }
            final PerfSuite.Options options = new PerfSuite.Options(workload, base.client(), base.embedded(), kafka,
                cluster, baseline, sequent, base.clientIdle(), base.brokerIdle(), base.twoThreads(),
                base.kafkaProducer(), base.output().resolve(parameter.label() + "-" + value), base.command());
            final RunResult run = steps.run(options);
            final Set<String> saturated = new LinkedHashSet<>();
            if (parameter == Parameter.RATE) {
                for (final SystemResult result : run.systems()) {
                    if (isSaturated(result, value)) {
                        saturated.add(result.system());
                        if (null != progress) {
                            progress.printf(Locale.ROOT, "=== %s saturated at %,d records/s offered: %,.0f "
                                + "acknowledged, %d errors; left out of higher rates%n", result.system(), value,
                                result.recordsPerSecond(), result.errors());
                        }
                    }
                }
                baseline &= !saturated.contains(Workload.BASELINE);
                sequent &= !saturated.contains("sequent");
                kafka = saturated.contains("kafka") ? null : kafka;
                cluster = null != cluster && saturated.contains(clusterSystem(cluster)) ? null : cluster;
            }
            done.add(new Step(value, run, Set.copyOf(saturated)));
        }
        final Result result = new Result(parameter, base.command(), PerfSuite.machine(), List.copyOf(done));
        reporter.report(result, base.output(), out);
        return result;
    }

    /**
     * @param result a system's results at a rate.
     * @param rate   the rate offered.
     * @return true when it acknowledged less than {@link #SATURATED} of the rate, or some sends failed.
     */
    static boolean isSaturated(final SystemResult result, final long rate) {
        return result.errors() > 0 || result.recordsPerSecond() < SATURATED * rate;
    }

    /** The system name of a replica group's results, as {@link PerfSuite} names it. */
    static String clusterSystem(final String clusterBootstrap) {
        return "sequent-" + clusterBootstrap.split(",").length;
    }
}

package io.sequent.cli;

import io.sequent.client.ClientConfig;
import io.sequent.perf.harness.Durations;
import io.sequent.perf.harness.KafkaDriver;
import io.sequent.perf.harness.Mode;
import io.sequent.perf.harness.PerfSuite;
import io.sequent.perf.harness.Sweep;
import io.sequent.perf.harness.Workload;
import io.sequent.perf.report.SweepReport;
import io.sequent.sequencer.IdleStrategies;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sequent perf produce|e2e|throughput|consume|sweep}: one workload (sweep: one per value) against the raw
 * Aeron round trip, Sequent and (with {@code --kafka}) Apache Kafka, with HdrHistogram reports and plots.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
    description = "Measure latency and throughput beside the raw Aeron round trip and, with --kafka, Apache Kafka.",
    subcommands = {PerfCommand.Produce.class, PerfCommand.EndToEnd.class, PerfCommand.Throughput.class,
        PerfCommand.Consume.class, PerfCommand.SweepRun.class})
final class PerfCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing command: produce, e2e, throughput, consume or sweep");
    }

    /** The options every perf mode takes. */
    abstract static class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--rate", paramLabel = "R",
            description = "Records per second over all producers, at fixed intervals (throughput: 0 = unthrottled).")
        Long rate;

        @Option(names = "--records", paramLabel = "N", description = "Records to measure after warm-up.")
        Long records;

        @Option(names = "--duration", paramLabel = "D",
            description = "How long to measure after warm-up, e.g. 30s, 2m (default: 30s when --records is not given).")
        String duration;

        @Option(names = "--size", paramLabel = "B", defaultValue = "100",
            description = "Record value size in bytes (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "all",
            description = "Acknowledgement level (default: ${DEFAULT-VALUE}).")
        String acks;

        @Option(names = "--partitions", paramLabel = "P", defaultValue = "1",
            description = "Partitions of the run's topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--producers", paramLabel = "N", defaultValue = "1",
            description = "Producers, each on its own thread, sharing the rate (default: ${DEFAULT-VALUE}).")
        int producers;

        @Option(names = "--warmup", paramLabel = "D", defaultValue = "5s",
            description = "Send this long before measuring (default: ${DEFAULT-VALUE}).")
        String warmup;

        @Option(names = "--flush", paramLabel = "batch|none", defaultValue = "none",
            description = "batch: force to disk before acknowledging (Kafka: flush.messages=1); none: leave it to the "
                + "OS (default: ${DEFAULT-VALUE}).")
        String flush;

        @Option(names = "--linger-ms", paramLabel = "MS", defaultValue = "0",
            description = "Producer linger.ms, for every system (default: ${DEFAULT-VALUE}).")
        long lingerMs;

        @Option(names = "--embedded",
            description = "Start a Sequent broker in a temporary data directory for the run (ignores --broker).")
        boolean embedded;

        @Option(names = "--kafka", paramLabel = "HOST:PORT[,...]",
            description = "Also run against Apache Kafka at this bootstrap (bin/kafka-local starts one).")
        String kafka;

        @Option(names = "--kafka-producer", paramLabel = "KEY=VALUE",
            description = "A Kafka producer setting over the shared ones, for Kafka only (repeatable), e.g. "
                + "batch.size=262144 and linger.ms=10 for Kafka's tuned producer.")
        Map<String, String> kafkaProducer = new LinkedHashMap<>();

        @Option(names = "--cluster", paramLabel = "HOST:PORT,HOST:PORT,...",
            description = "Also run against the Sequent replica group with these members, after --broker "
                + "(reported as sequent-N for N members).")
        String cluster;

        @Option(names = "--no-baseline", negatable = false,
            description = "Leave out the raw Aeron round trip.")
        boolean noBaseline;

        @Option(names = "--no-sequent", negatable = false,
            description = "Leave out Sequent (e.g. to measure only Kafka).")
        boolean noSequent;

        @Option(names = "--client-idle", paramLabel = "STRATEGY", defaultValue = ClientConfig.DEFAULT_IDLE_STRATEGY,
            description = "Idle strategy of the client's I/O thread: adaptive, backoff, yielding, sleeping, busy-spin "
                + "(default: ${DEFAULT-VALUE}).")
        String clientIdle;

        @Option(names = "--broker-idle", paramLabel = "STRATEGY", defaultValue = IdleStrategies.DEFAULT,
            description = "Idle strategy of the embedded broker and media driver (default: ${DEFAULT-VALUE}).")
        String brokerIdle;

        @Option(names = "--threads", paramLabel = "default|two", defaultValue = "default",
            description = "two: the Sequent client runs its I/O and a media driver of its own on the sending thread "
                + "(client.threading.mode=caller), the embedded broker runs on one thread, its driver included, and "
                + "the Aeron baseline runs on two threads the same way; Kafka is not affected "
                + "(default: ${DEFAULT-VALUE}).")
        String threads;

        @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the reports (default: perf-results/<time>-<mode>).")
        Path out;

        @Option(names = "--quiet", description = "No progress lines.")
        boolean quiet;

        abstract Mode mode();

        /** The last part of the default report directory's name. */
        String outputLabel() {
            return mode().label();
        }

        /** The measured window when neither --records nor --duration is given. */
        String defaultDuration() {
            return "30s";
        }

        @Override
        public Integer call() throws Exception {
            final PerfSuite.Options options = options();
            PerfSuite.run(options, spec.commandLine().getOut(), quiet ? null : System.err);
            return 0;
        }

        /** The run's options from the command line; a bad value is a usage error. */
        PerfSuite.Options options() {
            final Workload workload;
            try {
                IdleStrategies.parse(clientIdle);
                IdleStrategies.parse(brokerIdle);
                final long effectiveRate = rate != null ? rate :
                    mode() == Mode.THROUGHPUT || mode() == Mode.CONSUME ? 0 : 10_000;
                final long count = records != null ? records :
                    mode() == Mode.CONSUME && duration == null ? Consume.DEFAULT_RECORDS : 0;
                final Duration measured = count == 0 ?
                    Durations.parse(duration != null ? duration : defaultDuration()) :
                    duration != null ? Durations.parse(duration) : null;
                workload = new Workload(mode(), effectiveRate, count, measured, size, acks,
                    partitions, producers, Durations.parse(warmup), flush, lingerMs);
                if (!"default".equals(threads) && !"two".equals(threads)) {
                    throw new IllegalArgumentException("--threads must be default or two, not '" + threads + "'");
                }
                KafkaDriver.validate(kafkaProducer);
                if (!kafkaProducer.isEmpty() && kafka == null) {
                    throw new IllegalArgumentException("--kafka-producer needs --kafka");
                }
                if (noSequent && kafka == null && cluster == null) {
                    throw new IllegalArgumentException(
                        "--no-sequent leaves nothing to measure without --kafka or --cluster");
                }
            } catch (final IllegalArgumentException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
            final Path output = out != null ? out : Paths.get("perf-results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + outputLabel());
            final String command = "sequent " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
            return new PerfSuite.Options(workload, client.clientConfig(spec, "sequent-perf"),
                embedded, kafka, cluster, !noBaseline, !noSequent, clientIdle, brokerIdle, "two".equals(threads),
                kafkaProducer, output, command.trim());
        }
    }

    /** {@code sequent perf produce}. */
    @Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Produce -> ack latency at a fixed rate (coordinated-omission corrected).")
    static final class Produce extends Run {
        @Override
        Mode mode() {
            return Mode.PRODUCE;
        }
    }

    /** {@code sequent perf e2e}. */
    @Command(name = "e2e", mixinStandardHelpOptions = true,
        description = "Produce -> ack and producer -> consumer latency at a fixed rate.")
    static final class EndToEnd extends Run {
        @Override
        Mode mode() {
            return Mode.E2E;
        }
    }

    /** {@code sequent perf throughput}. */
    @Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Records/s and MB/s, unthrottled unless --rate is given.")
    static final class Throughput extends Run {
        @Override
        Mode mode() {
            return Mode.THROUGHPUT;
        }
    }

    /** {@code sequent perf sweep}. */
    @Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "One run per value of --over, every system side by side at each: rate (produce latency at "
            + "rising fixed rates, each system until it saturates; plots latency against throughput), size, "
            + "partitions or producers (throughput at each value). Writes sweep.csv, sweep.md and sweep.png beside "
            + "each step's own report; --duration is per step (default: 10s).")
    static final class SweepRun extends Run {
        @Option(names = "--over", paramLabel = "rate|size|partitions|producers", defaultValue = "rate",
            description = "What to vary (default: ${DEFAULT-VALUE}).")
        String over;

        @Option(names = "--values", paramLabel = "V,V,...", split = ",",
            description = "The values, rising (default: rate 1000 .. 2,000,000 in 1-2-5 steps; size 16,100,1000,"
                + "10000,65536; partitions 1,10,100,1000; producers 1,2,4,8,16).")
        List<Long> values;

        private Sweep.Parameter parameter() {
            try {
                return Sweep.Parameter.parse(over);
            } catch (final IllegalArgumentException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
        }

        @Override
        Mode mode() {
            return parameter().mode();
        }

        @Override
        String defaultDuration() {
            return "10s";
        }

        @Override
        String outputLabel() {
            return "sweep-" + parameter().label();
        }

        @Override
        public Integer call() throws Exception {
            final Sweep.Parameter parameter = parameter();
            final List<Long> swept = null == values ? parameter.defaults() : values;
            if (parameter == Sweep.Parameter.RATE && null != rate) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--rate does not apply to a sweep over "
                    + "rate: give the rates with --values");
            }
            try {
                Sweep.validate(parameter, swept);
            } catch (final IllegalArgumentException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
            final PerfSuite.Options options = options();
            final PrintWriter out = spec.commandLine().getOut();
            final PrintStream progress = quiet ? null : System.err;
            Sweep.run(options, parameter, swept, step -> PerfSuite.run(step, out, progress), SweepReport::write, out,
                progress);
            return 0;
        }
    }

    /** {@code sequent perf consume}. */
    @Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Records/s and MB/s of one consumer reading a pre-filled topic from the start "
            + "(--records N fill it, default 1,000,000; --warmup is a first, unmeasured read).")
    static final class Consume extends Run {
        /** Records the topic is filled with when --records is not given. */
        static final long DEFAULT_RECORDS = 1_000_000;

        @Override
        Mode mode() {
            return Mode.CONSUME;
        }
    }
}

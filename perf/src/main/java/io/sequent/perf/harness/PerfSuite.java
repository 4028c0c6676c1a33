package io.sequent.perf.harness;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.ClientConfig;
import io.sequent.perf.report.ConsoleReport;
import io.sequent.perf.report.ReportWriter;
import io.sequent.sequencer.IdleStrategies;
import org.agrona.IoUtil;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One perf run as the {@code sequent perf} command makes it: the same workload against the raw Aeron
 * round trip (the transport's floor), Sequent, a Sequent replica group when its members are given, and
 * Apache Kafka when a bootstrap is given, one system after the other, then the reports.
 */
public final class PerfSuite {
    private PerfSuite() {
    }

    /**
     * What to run and where.
     *
     * @param workload       the workload.
     * @param client         Sequent client settings: bootstrap (ignored when {@code embedded}), timeouts.
     * @param embedded       start a Sequent broker in a temporary directory for the run.
     * @param kafkaBootstrap Kafka's bootstrap servers, or null to leave Kafka out.
     * @param clusterBootstrap the members of a Sequent replica group to run against as well (system
     *                       {@code sequent-N}, N members), after the single broker; null to leave it out.
     * @param baseline       run the raw Aeron round trip first.
     * @param sequent        run Sequent (false to measure only the others).
     * @param clientIdle     idle strategy of the Sequent client's I/O thread (and the baseline's receiver).
     * @param brokerIdle     idle strategy of the embedded broker and media driver (and the baseline's echo).
     * @param twoThreads     the two-thread layout ({@code --threads two}): the Sequent client in
     *                       {@code client.threading.mode=caller} with a media driver of its own, both stepped by
     *                       the sending thread; the embedded broker in its shared mode (its driver on the broker
     *                       thread); the Aeron baseline on two threads the same way. Kafka and the replica
     *                       group are not affected.
     * @param kafkaProducer  Kafka producer settings over the workload's ({@code --kafka-producer}), e.g. a tuned
     *                       {@code batch.size} and {@code linger.ms}; empty for the shared defaults.
     * @param output         directory for the reports.
     * @param command        the command line, for the reports.
     */
    public record Options(
        Workload workload,
        ClientConfig client,
        boolean embedded,
        String kafkaBootstrap,
        String clusterBootstrap,
        boolean baseline,
        boolean sequent,
        String clientIdle,
        String brokerIdle,
        boolean twoThreads,
        Map<String, String> kafkaProducer,
        Path output,
        String command) {

        /** Copies {@code kafkaProducer}. */
        public Options {
            kafkaProducer = Map.copyOf(kafkaProducer);
        }
    }

    /**
     * Runs every system, writes the reports and prints the summary.
     *
     * @param options  what to run.
     * @param out      where the summary goes.
     * @param progress where progress lines go, or null.
     * @return the results.
     * @throws Exception when a system cannot be reached or fails.
     */
    public static RunResult run(final Options options, final PrintWriter out, final PrintStream progress)
        throws Exception {
        quietLogs();
        final Instant started = Instant.now();
        final List<SystemResult> results = new ArrayList<>();
        final Workload workload = options.workload();
        final PerfRunner runner = new PerfRunner(workload, NanoClock.SYSTEM, progress);
        Path dataDir = null;
        Broker broker = null;
        MediaDriver driver = null;
        try {
            final String aeronDir;
            final String bootstrap;
            final String where;
            final boolean twoThreads = options.twoThreads();
            if (options.embedded()) {
                dataDir = Files.createTempDirectory("sequent-perf-");
                final BrokerContext context = new BrokerContext().dataDir(dataDir).port(0)
                    .idleStrategy(options.brokerIdle()).driverIdleStrategy(options.brokerIdle());
                if (twoThreads) {
                    // One hot broker thread: ingress, sequencer, fetch and the embedded media driver.
                    context.threadingMode(BrokerContext.ThreadingMode.SHARED);
                }
                broker = Broker.launch(context);
                aeronDir = broker.aeronDirectoryName();
                bootstrap = broker.ingressEndpoint();
                where = "embedded broker on " + bootstrap + " (data in a temporary directory)";
            } else {
                // One media driver per host, as Aeron is deployed: every client of the run shares it.
                driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(IdleStrategies.parse(options.brokerIdle()))
                    .publicationTermBufferLength(16 * 1024 * 1024)
                    .termBufferSparseFile(true)
                    .dirDeleteOnShutdown(true));
                aeronDir = driver.aeronDirectoryName();
                bootstrap = options.client().bootstrap();
                where = "broker at " + bootstrap;
            }
            if (options.baseline() && workload.mode() != Mode.CONSUME) {
                results.add(runOne(runner, Workload.BASELINE, () -> new AeronPingPongDriver(aeronDir,
                    options.brokerIdle(), options.clientIdle(), twoThreads), progress));
            }
            if (options.sequent()) {
                // Two threads: the client's I/O, Aeron conductor and a media driver of its own on the sending thread.
                final ClientConfig client = twoThreads ?
                    options.client().copy().bootstrap(bootstrap).aeronDirectory(null)
                        .threadingMode(ClientConfig.ThreadingMode.CALLER).idleStrategy(options.clientIdle()) :
                    options.client().copy().bootstrap(bootstrap).aeronDirectory(aeronDir)
                        .idleStrategy(options.clientIdle());
                final String description = "Sequent " + version() + ", " + where + ", flush " + workload.flush() +
                    ", client idle " + options.clientIdle() +
                    (options.embedded() ? ", broker idle " + options.brokerIdle() + ", broker threading " +
                        broker.context().threadingMode().name().toLowerCase(Locale.ROOT) : "") +
                    (twoThreads ? ", client threading caller (its own media driver, on the sending thread)" : "");
                results.add(runOne(runner, "sequent", () -> new SequentDriver(client, description), progress));
            }
            if (null != options.clusterBootstrap()) {
                final ClientConfig client = options.client().copy().bootstrap(options.clusterBootstrap())
                    .aeronDirectory(aeronDir).idleStrategy(options.clientIdle());
                final int members = options.clusterBootstrap().split(",").length;
                final String system = Sweep.clusterSystem(options.clusterBootstrap());
                final String description = "Sequent " + version() + ", replica group of " + members + " members at " +
                    options.clusterBootstrap() + ", flush " + workload.flush() + ", client idle " +
                    options.clientIdle();
                results.add(runOne(runner, system, () -> new SequentDriver(system, client, description), progress));
            }
        } finally {
            // Stopped before Kafka runs: an idle broker and media driver on a yielding strategy keep cores busy.
            if (broker != null) {
                broker.close();
            }
            if (driver != null) {
                driver.close();
            }
            if (dataDir != null) {
                IoUtil.delete(dataDir.toFile(), true);
            }
        }
        if (options.kafkaBootstrap() != null) {
            results.add(runOne(runner, "kafka",
                () -> new KafkaDriver(options.kafkaBootstrap(), options.kafkaProducer()), progress));
        }
        final RunResult run = new RunResult(workload, options.command(), machine(), started, List.copyOf(results));
        ReportWriter.write(run, options.output());
        out.print(ConsoleReport.render(run));
        out.println("Reports (.hgrm, summary.csv, summary.md, plots) in " + options.output().toAbsolutePath());
        out.flush();
        return run;
    }

    /** Opens a driver (which may connect, and fail). */
    @FunctionalInterface
    private interface DriverFactory {
        Driver open();
    }

    private static SystemResult runOne(
        final PerfRunner runner, final String system, final DriverFactory factory, final PrintStream progress) {
        try (Driver driver = factory.open()) {
            if (progress != null) {
                progress.println("== " + driver.system() + ": " + driver.description());
            }
            return runner.run(driver);
        } catch (final Exception ex) {
            throw new IllegalStateException(system + ": " + (ex.getMessage() != null ? ex.getMessage() :
                ex.getClass().getSimpleName()), ex);
        }
    }

    /** Kafka's client and our broker log every connection at INFO: keep the progress lines readable. */
    private static void quietLogs() {
        for (final String logger : new String[] {"org.apache.kafka", "io.sequent"}) {
            final String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
    }

    private static String version() {
        final String version = Broker.class.getPackage().getImplementationVersion();
        return version != null ? version : "(development build)";
    }

    /** The machine, for reports: CPU model and cores, memory, OS and JVM. */
    public static String machine() {
        String cpu = "unknown CPU";
        try {
            for (final String line : Files.readAllLines(Paths.get("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (final IOException | RuntimeException ex) {
            // Not Linux: the CPU model stays unknown.
        }
        long memory = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return String.format(Locale.ROOT, "%s, %d cores, %.1f GiB, %s %s, %s %s", cpu,
            Runtime.getRuntime().availableProcessors(), memory / (1024.0 * 1024 * 1024), System.getProperty("os.name"),
            System.getProperty("os.version"), System.getProperty("java.vm.name"), System.getProperty("java.version"));
    }
}

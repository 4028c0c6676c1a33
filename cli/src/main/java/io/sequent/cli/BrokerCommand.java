package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.sql.SqlServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code sequent broker start}: runs a broker in the foreground until interrupted. */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Run a broker.",
    subcommands = BrokerCommand.Start.class)
final class BrokerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: start");
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
        description = "Start a broker in the foreground; prints a line containing 'ready' once it accepts clients. "
            + "Exits 75 when it can no longer serve (after a long pause) and should be restarted.")
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "Properties file (see docs/broker.md).")
        Path config;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (overrides data.dir).")
        Path dataDir;

        @Option(names = "--port", paramLabel = "PORT", description = "Client port, UDP (overrides broker.port).")
        Integer port;

        @Option(names = "--node-id", paramLabel = "N",
            description = "This broker's member id in its replica group (overrides broker.id).")
        Integer nodeId;

        @Option(names = "--members", paramLabel = "ID@HOST:PORT,...",
            description = "The replica group (overrides cluster.members), e.g. "
                + "0@127.0.0.1:9090,1@127.0.0.1:9190,2@127.0.0.1:9290; each PORT is a member's client port, "
                + "its replication and control ports are PORT+1 and PORT+2 unless given as PORT/REPL/CONTROL. "
                + "Without it the broker is a group of one.")
        String members;

        @Option(names = "--sql-port", paramLabel = "PORT",
            description = "Also serve SQL to remote JDBC clients on this HTTP port (Avatica; see docs/sql.md).")
        Integer sqlPort;

        @Option(names = "--sql-host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "Address the SQL server listens on (default: ${DEFAULT-VALUE}).")
        String sqlHost;

        @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (overrides metrics.port; 0: any free "
                + "port).")
        Integer metricsPort;

        @Override
        public Integer call() {
            final Properties properties = BrokerContext.load(config);
            if (dataDir != null) {
                properties.setProperty("data.dir", dataDir.toString());
            }
            if (port != null) {
                properties.setProperty("broker.port", port.toString());
            }
            if (nodeId != null) {
                properties.setProperty(BrokerContext.BROKER_ID_PROP, nodeId.toString());
            }
            if (members != null) {
                properties.setProperty(BrokerContext.CLUSTER_MEMBERS_PROP, members);
            }
            if (metricsPort != null) {
                properties.setProperty(BrokerContext.METRICS_PORT_PROP, metricsPort.toString());
            }
            final BrokerContext context = BrokerContext.fromProperties(properties);
            final CountDownLatch stopped = new CountDownLatch(1);
            final Broker broker = Broker.launch(context);
            // The SQL server is a client of this broker in the same process: the broker module cannot depend
            // on the sql module (sql is a client-side module), so the command hosts both.
            final SqlServer sql = sqlPort == null ? null : SqlServer.launch(new SqlServer.Context()
                .bootstrap(broker.ingressEndpoint()).host(sqlHost).port(sqlPort));
            final Thread hook = new Thread(() -> {
                if (sql != null) {
                    sql.close();
                }
                broker.close();
                stopped.countDown();
            }, "sequent-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            spec.commandLine().getOut().println("Sequent broker ready on " + broker.ingressEndpoint() +
                " (data dir " + context.dataDir().toAbsolutePath() +
                (context.clusterMembers().isConfigured() ? ", member " + context.brokerId() + " of " +
                    context.clusterMembers().size() : "") + ")" +
                (sql == null ? "" : "; SQL on " + sql.url()));
            if (broker.metricsPort() >= 0) {
                spec.commandLine().getOut().println("Metrics on http://" + context.metricsHost() + ":" +
                    broker.metricsPort() + "/metrics");
            }
            spec.commandLine().getOut().flush();
            // A broker that can no longer serve (its Aeron client timed out after a long pause) stops with one line
            // and Broker.EXIT_RESTART, so that a supervisor starts a new one instead of keeping an unreachable process.
            broker.fatal().thenRun(stopped::countDown);
            try {
                stopped.await();
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            final String fatal = broker.fatal().getNow(null);
            if (fatal != null) {
                if (sql != null) {
                    sql.close();
                }
                broker.close();
                spec.commandLine().getErr().println("error: " + fatal + " (exit " + Broker.EXIT_RESTART + ")");
                spec.commandLine().getErr().flush();
                return Broker.EXIT_RESTART;
            }
            return 0;
        }
    }
}

package io.sequent.cli;

import io.sequent.sql.SqlServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sequent sql-server}: the Avatica HTTP SQL server ({@link SqlServer}) over running brokers, in the
 * foreground until interrupted. Remote JDBC tools connect with
 * {@code jdbc:avatica:remote:url=http://host:PORT;serialization=protobuf}.
 */
@Command(name = "sql-server", mixinStandardHelpOptions = true,
    description = "Serve SQL to remote JDBC clients (Avatica, protobuf over HTTP) over running brokers; prints a "
        + "line containing 'ready' once it accepts clients.")
final class SqlServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--broker", paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:9090",
        description = "Broker(s) the server's connections use (default: ${DEFAULT-VALUE}).")
    String broker;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8088",
        description = "HTTP port (default: ${DEFAULT-VALUE}; 0 for an ephemeral one).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
        description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
        description = "A client setting (docs/client.md) or auto.offset.reset for every connection; repeatable.")
    Map<String, String> properties = Map.of();

    @Override
    public Integer call() throws InterruptedException {
        final SqlServer.Context context = new SqlServer.Context().bootstrap(broker).host(host).port(port);
        properties.forEach(context::setting);
        final SqlServer server = SqlServer.launch(context);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "sequent-sql-shutdown"));
        spec.commandLine().getOut().println("Sequent SQL server ready on " + server.url() +
            " (brokers " + broker + ")");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}

package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Properties;
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
        description = "Start a broker in the foreground; prints a line containing 'ready' once it accepts clients.")
    static final class Start implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "Properties file (see docs/broker.md).")
        Path config;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (overrides data.dir).")
        Path dataDir;

        @Option(names = "--port", paramLabel = "PORT", description = "Client port, UDP (overrides broker.port).")
        Integer port;

        @Override
        public void run() {
            final Properties properties = BrokerContext.load(config);
            if (dataDir != null) {
                properties.setProperty("data.dir", dataDir.toString());
            }
            if (port != null) {
                properties.setProperty("broker.port", port.toString());
            }
            final BrokerContext context = BrokerContext.fromProperties(properties);
            final CountDownLatch stopped = new CountDownLatch(1);
            final Broker broker = Broker.launch(context);
            final Thread hook = new Thread(() -> {
                broker.close();
                stopped.countDown();
            }, "sequent-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            spec.commandLine().getOut().println("Sequent broker ready on " + broker.ingressEndpoint() +
                " (data dir " + context.dataDir().toAbsolutePath() + ")");
            spec.commandLine().getOut().flush();
            try {
                stopped.await();
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.sequent.cli;

import io.sequent.broker.BrokerContext;
import io.sequent.broker.CountersFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code sequent stat}: prints the counters of a broker (running or stopped) from the counters file in its data
 * directory, without connecting to it.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Print a broker's counters from <data.dir>/" + CountersFile.FILE_NAME + " (no connection needed).")
final class StatCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Broker properties file, for its data.dir.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The broker's data directory (overrides data.dir).")
    Path dataDir;

    @Override
    public void run() {
        final Path dir = null != dataDir ? dataDir :
            BrokerContext.fromProperties(BrokerContext.load(config)).dataDir();
        final PrintWriter out = spec.commandLine().getOut();
        try (CountersFile file = CountersFile.openForReading(dir.resolve(CountersFile.FILE_NAME))) {
            out.println("broker pid " + file.pid() + ", started " + Instant.ofEpochMilli(file.startTimeMs()) +
                ", counters in " + dir.resolve(CountersFile.FILE_NAME));
            file.reader().forEach((value, id, label) -> out.printf("%,20d  %s%n", value, label));
        }
        out.flush();
    }
}

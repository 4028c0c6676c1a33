package io.sequent.cli;

import io.sequent.broker.BrokerContext;
import io.sequent.broker.CountersFile;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sequent stat}: prints the counters of a broker (running or stopped) from the counters file in its data
 * directory, without connecting to it; with {@code --interval}, prints them again every interval with each
 * counter's change per second over that interval (records and bytes in and out per second, the positions'
 * advance in bytes per second, errors per second).
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

    @Option(names = "--interval", paramLabel = "SECONDS",
        description = "Print every SECONDS, each counter with its change per second over the interval, until "
            + "interrupted (or --count prints).")
    Double intervalSeconds;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "With --interval: stop after N prints (default: 0, until interrupted).")
    long count;

    /** One counter's value at a sample. */
    record Sample(int id, String label, long value) {
    }

    @Override
    public void run() {
        if (null != intervalSeconds && !(intervalSeconds > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval must be more than 0 seconds");
        }
        if (count < 0 || (count > 0 && null == intervalSeconds)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count takes N >= 0, with --interval");
        }
        final Path dir = null != dataDir ? dataDir :
            BrokerContext.fromProperties(BrokerContext.load(config)).dataDir();
        final PrintWriter out = spec.commandLine().getOut();
        try (CountersFile file = CountersFile.openForReading(dir.resolve(CountersFile.FILE_NAME))) {
            out.println("broker pid " + file.pid() + ", started " + Instant.ofEpochMilli(file.startTimeMs()) +
                ", counters in " + dir.resolve(CountersFile.FILE_NAME));
            if (null == intervalSeconds) {
                for (final Sample sample : sample(file.reader())) {
                    out.printf("%,20d  %s%n", sample.value(), sample.label());
                }
            } else {
                live(file.reader(), out);
            }
        }
        out.flush();
    }

    private void live(final CountersReader reader, final PrintWriter out) {
        final long intervalNs = Math.max(1, (long) (intervalSeconds * 1e9));
        List<Sample> previous = sample(reader);
        long previousNs = System.nanoTime();
        for (long printed = 0; count == 0 || printed < count; printed++) {
            try {
                TimeUnit.NANOSECONDS.sleep(intervalNs);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            final List<Sample> current = sample(reader);
            final long nowNs = System.nanoTime();
            out.println();
            out.printf("%-28s%16s  %14s  %s%n", Instant.now().truncatedTo(ChronoUnit.MILLIS), "VALUE", "PER-SECOND",
                "COUNTER");
            for (final String line : rates(previous, current, nowNs - previousNs)) {
                out.println(line);
            }
            out.flush();
            previous = current;
            previousNs = nowNs;
        }
    }

    static List<Sample> sample(final CountersReader reader) {
        final List<Sample> samples = new ArrayList<>();
        reader.forEach((value, id, label) -> samples.add(new Sample(id, label, value)));
        return samples;
    }

    /**
     * One line per counter of {@code current}: its value and its change per second since {@code previous}
     * ({@code elapsedNs} earlier); a counter not in {@code previous} (allocated since) counts from 0.
     */
    static List<String> rates(final List<Sample> previous, final List<Sample> current, final long elapsedNs) {
        final List<String> lines = new ArrayList<>();
        for (final Sample sample : current) {
            long before = 0;
            for (final Sample old : previous) {
                if (old.id() == sample.id() && old.label().equals(sample.label())) {
                    before = old.value();
                    break;
                }
            }
            final double perSecond = (sample.value() - before) * 1e9 / elapsedNs;
            lines.add(String.format("%,44d  %,14.1f  %s", sample.value(), perSecond, sample.label()));
        }
        return lines;
    }
}

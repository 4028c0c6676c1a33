package io.sequent.cli;

import io.sequent.broker.BrokerException;
import io.sequent.client.InvalidConfigException;
import io.sequent.client.SequentException;
import io.sequent.codec.client.ErrorCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The {@code sequent} command. Every failure prints one line to stderr and exits non-zero:
 * 1 for an error reported by the broker or the client, 2 for bad arguments.
 */
@Command(
    name = "sequent",
    mixinStandardHelpOptions = true,
    versionProvider = SequentCommand.Version.class,
    description = "Sequent: a Kafka-style event log on a single-writer core.",
    subcommands = {
        BrokerCommand.class,
        TopicCommand.class,
        ProduceCommand.class,
        ConsumeCommand.class,
        GroupCommand.class,
        ClusterCommand.class,
        PerfCommand.class,
        StatCommand.class,
        SqlCommand.class,
        SqlServerCommand.class,
        CommandLine.HelpCommand.class
    })
public final class SequentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        Logging.configure();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line and returns its exit code (for tests). Arguments {@code -Dkey=value}, anywhere,
     * set system properties first, as {@code java -Dkey=value} would (the broker reads its settings from
     * them; see docs/broker.md).
     */
    static int execute(final String[] args, final PrintWriter out, final PrintWriter err) {
        final List<String> rest = new ArrayList<>();
        for (final String arg : args) {
            if (arg.startsWith("-D") && arg.length() > 2) {
                final int eq = arg.indexOf('=');
                final String key = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
                if (key.isEmpty()) {
                    err.println("error: '" + arg + "' is not -Dkey=value");
                    err.flush();
                    return 2;
                }
                System.setProperty(key, eq < 0 ? "" : arg.substring(eq + 1));
            } else {
                rest.add(arg);
            }
        }
        final CommandLine commandLine = new CommandLine(new SequentCommand());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        versionEverywhere(commandLine);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((ex, line, parseResult) -> {
            line.getErr().println("error: " + describe(ex));
            final boolean badArgument = isBadArgument(ex);
            if (badArgument) {
                line.getErr().println("try '" + line.getCommandSpec().qualifiedName() + " --help'");
            }
            line.getErr().flush();
            return badArgument ? 2 : 1;
        });
        commandLine.setParameterExceptionHandler((ex, args1) -> {
            final CommandLine line = ex.getCommandLine();
            line.getErr().println("error: " + ex.getMessage());
            line.getErr().println("try '" + line.getCommandSpec().qualifiedName() + " --help'");
            line.getErr().flush();
            return 2;
        });
        return commandLine.execute(rest.toArray(new String[0]));
    }

    /** {@code -V} prints the version on every command, not only on {@code sequent} itself. */
    private static void versionEverywhere(final CommandLine line) {
        line.getCommandSpec().versionProvider(new Version());
        for (final CommandLine sub : line.getSubcommands().values()) {
            versionEverywhere(sub);
        }
    }

    /** A setting that does not parse or is out of range, from an option, a property or a file: exit code 2. */
    static boolean isBadArgument(final Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidConfigException ||
                cause instanceof BrokerException && ((BrokerException) cause).code() == ErrorCode.INVALID_CONFIG) {
                return true;
            }
        }
        return false;
    }

    static String describe(final Throwable ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && !(cause instanceof SequentException) &&
            (cause instanceof java.util.concurrent.ExecutionException ||
            cause instanceof java.util.concurrent.CompletionException || cause.getMessage() == null)) {
            cause = cause.getCause();
        }
        final String message = cause.getMessage();
        return message != null ? message : cause.getClass().getSimpleName();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "missing command: broker, topic, produce, consume, perf, stat, sql or sql-server");
    }

    /** The project version, from {@code version.properties} (filled in by the build). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            final Properties properties = new Properties();
            try (InputStream in = SequentCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            final String version = "sequent " + properties.getProperty("version", "(unknown version)") +
                " (Java " + System.getProperty("java.version") + ")";
            return new String[] {version};
        }
    }
}

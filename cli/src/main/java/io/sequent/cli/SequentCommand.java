package io.sequent.cli;

import io.sequent.client.SequentException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

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
        PerfCommand.class,
        StatCommand.class,
        CommandLine.HelpCommand.class
    })
public final class SequentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns its exit code (for tests). */
    static int execute(final String[] args, final PrintWriter out, final PrintWriter err) {
        final CommandLine commandLine = new CommandLine(new SequentCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((ex, line, parseResult) -> {
            line.getErr().println("error: " + describe(ex));
            line.getErr().flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((ex, args1) -> {
            final CommandLine line = ex.getCommandLine();
            line.getErr().println("error: " + ex.getMessage());
            line.getErr().println("try '" + line.getCommandSpec().qualifiedName() + " --help'");
            line.getErr().flush();
            return 2;
        });
        return commandLine.execute(args);
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
            spec.commandLine(), "missing command: broker, topic, produce, consume, perf or stat");
    }

    /** Version from the jar manifest when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String version = SequentCommand.class.getPackage().getImplementationVersion();
            return new String[] {"sequent " + (version != null ? version : "development build")};
        }
    }
}

package io.sequent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line without a broker: help, version, bad arguments, -D, log format. */
class SequentCommandTest {
    @Test
    void everyCommandAndGroupTakesHelp() {
        final List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new SequentCommand()), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 10, "commands found: " + paths);
        for (final List<String> path : paths) {
            final List<String> args = new ArrayList<>(path);
            args.add("--help");
            final Run run = Run.of(args.toArray(new String[0]));
            assertEquals(0, run.exitCode, String.join(" ", args) + ": " + run);
            assertTrue(run.out.startsWith("Usage: sequent"), String.join(" ", args) + ": " + run);
        }
    }

    private static void collect(final CommandLine line, final List<String> path, final List<List<String>> paths) {
        paths.add(path);
        for (final CommandLine sub : line.getSubcommands().values()) {
            if (sub.getCommandName().equals("help")) {
                continue;
            }
            final List<String> next = new ArrayList<>(path);
            next.add(sub.getCommandName());
            if (!paths.contains(next)) {
                collect(sub, next, paths);
            }
        }
    }

    @Test
    void versionNamesTheProjectVersion() {
        final String[][] commands = {{"-V"}, {"--version"}, {"topic", "create", "-V"}, {"consume", "--version"}};
        for (final String[] command : commands) {
            final Run run = Run.of(command);
            assertEquals(0, run.exitCode, run.toString());
            assertTrue(Pattern.compile("^sequent \\d+\\.\\d+\\.\\d+").matcher(run.out).find(), run.toString());
        }
    }

    @Test
    void badArgumentsExitTwoWithOneErrorLine() {
        assertBadArgument(Run.of("topic", "list", "--broker", "127.0.0.1"), "'127.0.0.1' is not host:port");
        assertBadArgument(Run.of("produce", "t", "--compression", "gzip"), "must be one of none, lz4, zstd");
        assertBadArgument(Run.of("produce", "t", "--producer-property", "linger.ms=soon"), "linger.ms");
        assertBadArgument(Run.of("consume", "t", "--timeout-ms", "-1"), "--timeout-ms must be 0 or more, not -1");
        assertBadArgument(Run.of("consume", "t", "--max-messages", "-5"), "--max-messages must be 0 or more");
        assertBadArgument(Run.of("consume", "t", "--consumer-property", "auto.offset.reset=never"),
            "auto.offset.reset");
        assertBadArgument(Run.of("topic", "create", "np", "--partitions", "-1"),
            "--partitions must be 1 or more, not -1");
        assertBadArgument(Run.of("topic", "list", "--connect-timeout-ms", "0"), "connect.timeout.ms");
        assertBadArgument(Run.of("produce", "t", "--value-format", "octal"), "--value-format");
        assertBadArgument(Run.of("topic", "list", "--command-config", "/no/such/file"),
            "cannot read --command-config /no/such/file");
        assertBadArgument(Run.of("topic"), "missing command");
        assertBadArgument(Run.of("broker"), "missing command: start");
    }

    private static void assertBadArgument(final Run run, final String message) {
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.errLines().get(0).startsWith("error: ") && run.errLines().get(0).contains(message),
            run.toString());
        assertTrue(run.errLines().size() <= 2, "one error line and a hint: " + run);
    }

    @Test
    void dashDArgumentsSetSystemProperties(@TempDir final Path dir) {
        final Run run = Run.of("-Dbroker.port=not-a-port", "broker", "start", "--data-dir", dir.toString());
        try {
            assertEquals("not-a-port", System.getProperty("broker.port"));
            assertEquals(2, run.exitCode, run.toString());
            assertTrue(run.err.contains("broker.port"), "the broker read the -D setting: " + run);
        } finally {
            System.clearProperty("broker.port");
        }
    }

    @Test
    void anUnresolvableBrokerHostIsOneLine() {
        final Run run = Run.of("topic", "list", "--broker", "no-such-host.invalid:9090", "--connect-timeout-ms",
            "20000");
        assertEquals(1, run.exitCode, run.toString());
        assertEquals(List.of("error: cannot resolve the broker host no-such-host.invalid "
            + "(bootstrap.servers=no-such-host.invalid:9090)"), run.errLines());
    }

    @Test
    void javaUtilLoggingAndSlf4jWriteOneFormat() {
        Logging.configure();
        final Pattern format = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[main\\] WARN (\\S+) - (.*)$");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream old = System.err;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            System.getLogger("io.sequent.log").log(System.Logger.Level.WARNING, "from {0}", "System.Logger");
            Logger.getLogger("io.sequent.jul").warning("from java.util.logging");
            LoggerFactory.getLogger("io.sequent.slf4j").warn("from slf4j");
        } finally {
            System.setErr(old);
        }
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length, bytes.toString(StandardCharsets.UTF_8));
        final String[] names = {"io.sequent.log", "io.sequent.jul", "io.sequent.slf4j"};
        final String[] messages = {"from System.Logger", "from java.util.logging", "from slf4j"};
        for (int i = 0; i < lines.length; i++) {
            final Matcher matcher = format.matcher(lines[i]);
            assertTrue(matcher.matches(), "one format: " + lines[i]);
            assertEquals(names[i], matcher.group(1));
            assertEquals(messages[i], matcher.group(2));
        }
    }
}

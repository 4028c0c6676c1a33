package io.sequent.systemtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a new user does, through the real command: start a broker, create a topic, produce, consume. */
class CliEndToEndTest {
    private static final int RECORDS = 100_000;
    private static final int KEYS = 997;

    @TempDir
    Path dir;

    @Test
    void keyedLinesComeBackAsTheSameMultisetWithPerKeyOrderKept() throws Exception {
        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(dir.resolve("data"), Cli.freeUdpPort())) {
            final Cli.Result created = Cli.run(null, 120, "topic", "create", "e2e", "--partitions", "3",
                "--broker", broker.broker());
            assertEquals(0, created.exitCode(), created.stderr());

            final Cli.Result listed = Cli.run(null, 120, "topic", "list", "--broker", broker.broker());
            assertEquals(List.of("e2e"), listed.lines());

            final StringBuilder input = new StringBuilder();
            final int[] nextSeq = new int[KEYS];
            final List<String> sent = new ArrayList<>(RECORDS);
            for (int i = 0; i < RECORDS; i++) {
                final int key = (i * 31) % KEYS;
                final String value = "k" + key + "-" + nextSeq[key]++;
                input.append("k").append(key).append(':').append(value).append('\n');
                sent.add("k" + key + "\t" + value);
            }
            final Cli.Result produced = Cli.run(input.toString().getBytes(StandardCharsets.UTF_8), 300,
                "produce", "e2e", "--key-separator", ":", "--broker", broker.broker());
            assertEquals(0, produced.exitCode(), produced.stderr());

            final Cli.Result consumed = Cli.run(null, 300, "consume", "e2e", "--from-beginning",
                "--max-messages", Integer.toString(RECORDS), "--timeout-ms", "20000", "--print-key",
                "--broker", broker.broker());
            assertEquals(0, consumed.exitCode(), consumed.stderr());
            final List<String> received = consumed.lines();
            assertEquals(RECORDS, received.size(), "records consumed");

            final Map<String, Integer> multiset = new HashMap<>();
            sent.forEach(line -> multiset.merge(line, 1, Integer::sum));
            received.forEach(line -> multiset.merge(line, -1, Integer::sum));
            multiset.values().removeIf(count -> count == 0);
            assertTrue(multiset.isEmpty(), "sent and received differ: " + sample(multiset));

            final Map<String, Integer> lastSeq = new HashMap<>();
            for (final String line : received) {
                final String key = line.substring(0, line.indexOf('\t'));
                final int seq = Integer.parseInt(line.substring(line.lastIndexOf('-') + 1));
                final Integer previous = lastSeq.put(key, seq);
                assertEquals(previous == null ? 0 : previous + 1, seq, "order of key " + key);
            }

            final Cli.Result described = Cli.run(null, 120, "topic", "describe", "e2e", "--broker", broker.broker());
            assertEquals(0, described.exitCode(), described.stderr());
            long total = 0;
            for (final String line : described.lines()) {
                if (line.contains("EndOffset: ")) {
                    total += Long.parseLong(line.substring(line.indexOf("EndOffset: ") + 11).trim());
                }
            }
            assertEquals(RECORDS, total, described.stdout());
        }
    }

    @Test
    void errorsAreOneClearLineAndANonZeroExit() throws Exception {
        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(dir.resolve("data"), Cli.freeUdpPort())) {
            final Cli.Result unknown = Cli.run("x\n".getBytes(StandardCharsets.UTF_8), 120, "produce", "nosuch",
                "--broker", broker.broker());
            assertTrue(unknown.exitCode() != 0);
            assertTrue(unknown.stderr().contains("nosuch"), unknown.stderr());

            final Cli.Result consumeUnknown = Cli.run(null, 120, "consume", "nosuch", "--timeout-ms", "1000",
                "--broker", broker.broker());
            assertTrue(consumeUnknown.exitCode() != 0);
            assertTrue(consumeUnknown.stderr().contains("does not exist"), consumeUnknown.stderr());

            final Cli.Result badArgs = Cli.run(null, 120, "consume", "t", "--offset", "3");
            assertEquals(2, badArgs.exitCode());
            assertTrue(badArgs.stderr().contains("--offset needs --partition"), badArgs.stderr());

            final Cli.Result badName = Cli.run(null, 120, "topic", "create", "bad name", "--broker", broker.broker());
            assertTrue(badName.exitCode() != 0);
            assertTrue(badName.stderr().startsWith("error: "), badName.stderr());
        }
        final Cli.Result unreachable = Cli.run("x\n".getBytes(StandardCharsets.UTF_8), 120, "produce", "t",
            "--broker", "127.0.0.1:" + Cli.freeUdpPort(), "--connect-timeout-ms", "1500");
        assertTrue(unreachable.exitCode() != 0);
        assertTrue(unreachable.stderr().contains("no broker reachable"), unreachable.stderr());
        assertEquals(1, unreachable.stderr().strip().lines().count(), unreachable.stderr());
    }

    @Test
    void anUnresolvableHostAndBadSettingsAreOneLineInARealProcess() throws Exception {
        final Cli.Result unresolvable = Cli.run(null, 120, "topic", "list", "--broker", "no-such-host.invalid:9090");
        assertEquals(1, unresolvable.exitCode(), unresolvable.stderr());
        assertEquals("error: cannot resolve the broker host no-such-host.invalid "
            + "(bootstrap.servers=no-such-host.invalid:9090)", unresolvable.stderr().strip());

        final Cli.Result badCompression = Cli.run("x\n".getBytes(StandardCharsets.UTF_8), 120, "produce", "t",
            "--compression", "gzip");
        assertEquals(2, badCompression.exitCode(), badCompression.stderr());

        final Path root = Cli.JAR.toAbsolutePath().normalize().getParent().getParent().getParent();
        final Process script = new ProcessBuilder(root.resolve("bin/sequent").toString(), "-Dbroker.port=not-a-port",
            "broker", "start", "--data-dir", dir.resolve("never").toString()).redirectErrorStream(true).start();
        final String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(script.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, script.exitValue(), output);
        assertTrue(output.contains("broker.port must be an integer, was 'not-a-port'"),
            "bin/sequent passes -Dkey=value to the broker: " + output);
    }

    private static String sample(final Map<String, Integer> differences) {
        return differences.entrySet().stream().limit(10).toList().toString();
    }
}

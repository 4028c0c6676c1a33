package io.sequent.systemtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real broker processes on one port: the second must refuse with one line and a non-zero exit, and must
 * leave the first one's media driver directory alone, so that clients still reach the first broker.
 */
class PortClashTest {
    @TempDir
    Path dir;

    @Test
    void secondBrokerOnAPortInUseRefusesAndLeavesTheFirstServing() throws Exception {
        final int port = Cli.freeUdpPort();
        final Path driverDir = Path.of("/dev/shm", "sequent-broker-" + port);
        try (Cli.BrokerProcess first = new Cli.BrokerProcess(dir.resolve("a"), port)) {
            assertTrue(Files.isRegularFile(driverDir.resolve("cnc.dat")),
                "first broker's driver files in " + driverDir);

            final Cli.Result second = Cli.run(null, 120, "broker", "start", "--port", Integer.toString(port),
                "--data-dir", dir.resolve("b").toString());
            assertNotEquals(0, second.exitCode(), "second broker on port " + port + " must fail:\n" + second.stdout());
            final String output = second.stdout() + second.stderr();
            final List<String> errorLines = output.lines().filter(line -> line.contains("in use")).toList();
            assertEquals(1, errorLines.size(), "one line saying the port is in use:\n" + output);
            assertTrue(errorLines.get(0).contains(Integer.toString(port)), errorLines.get(0));
            assertFalse(output.contains("\tat "), "no stack trace:\n" + output);
            assertFalse(second.stdout().contains("ready"), second.stdout());

            assertTrue(Files.isRegularFile(driverDir.resolve("cnc.dat")),
                "the running broker's driver directory " + driverDir + " was removed");
            assertEquals(0, Cli.run(null, 120, "topic", "create", "clash", "--broker", first.broker()).exitCode());
            final Cli.Result produced = Cli.run("still here\n".getBytes(StandardCharsets.UTF_8), 120,
                "produce", "clash", "--broker", first.broker());
            assertEquals(0, produced.exitCode(), produced.stderr());
            final Cli.Result consumed = Cli.run(null, 120, "consume", "clash", "--from-beginning", "--max-messages",
                "1", "--broker", first.broker());
            assertEquals(0, consumed.exitCode(), consumed.stderr());
            assertEquals(List.of("still here"), consumed.lines());
            assertTrue(first.process.isAlive(), "first broker still running:\n" + first.output());
        }
    }
}

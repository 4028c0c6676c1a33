package io.sequent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sequent stat} without a broker: the per-second rates of its live mode, and bad arguments. */
class StatCommandTest {
    @TempDir
    Path dir;

    @Test
    void ratesAreTheChangePerSecondOverTheInterval() {
        final List<StatCommand.Sample> before = List.of(
            new StatCommand.Sample(0, "sequent broker 0: bytes in", 1_000),
            new StatCommand.Sample(1, "sequent broker 0: produce requests", 7));
        final List<StatCommand.Sample> after = List.of(
            new StatCommand.Sample(0, "sequent broker 0: bytes in", 6_000),
            new StatCommand.Sample(1, "sequent broker 0: produce requests", 7),
            new StatCommand.Sample(2, "sequent broker 0: errors answered NOT_LEADER", 3));
        final List<String> lines = StatCommand.rates(before, after, TimeUnit.MILLISECONDS.toNanos(500));
        assertEquals(3, lines.size());
        assertEquals(List.of("6,000", "10,000.0", "sequent", "broker", "0:", "bytes", "in"),
            List.of(lines.get(0).trim().split(" +")), lines.get(0));
        assertTrue(lines.get(1).matches(" +7 +0\\.0  sequent broker 0: produce requests"), lines.get(1));
        assertTrue(lines.get(2).matches(" +3 +6\\.0  sequent broker 0: errors answered NOT_LEADER"),
            "a counter allocated since counts from 0: " + lines.get(2));
    }

    @Test
    void badArgumentsAreRefusedWithExitCodeTwo() {
        for (final String[] args : List.of(
            new String[] {"stat", "--data-dir", dir.toString(), "--interval", "0"},
            new String[] {"stat", "--data-dir", dir.toString(), "--interval", "-1"},
            new String[] {"stat", "--data-dir", dir.toString(), "--count", "2"})) {
            final Run run = Run.of(args);
            assertEquals(2, run.exitCode, String.join(" ", args) + ": " + run);
            assertTrue(run.err.contains("--interval") || run.err.contains("--count"), run.err);
        }
        final Run missing = Run.of("stat", "--data-dir", dir.toString());
        assertEquals(1, missing.exitCode, missing.toString());
        assertTrue(missing.err.contains("no counters file"), missing.err);
    }
}

package io.sequent.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The build's own output, as a log file or a CI page sees it: Maven run with its output on a pipe (not a terminal)
 * prints no ANSI escape codes (Maven 3.8's console library writes a colour reset even in batch mode; the project's
 * {@code .mvn/jvm.config} turns that off).
 */
class BuildOutputTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void mavenPrintsNoAnsiEscapeCodesWhenItsOutputIsNotATerminal() throws Exception {
        final Path mvn = onPath("mvn");
        assumeTrue(null != mvn, "no mvn on PATH");
        final Process process = new ProcessBuilder(mvn.toString(), "-o", "-N", "validate")
            .directory(ROOT.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "mvn validate finished");
        final String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), text);
        assertEquals(0, text.chars().filter(c -> c == 0x1b).count(), "escape characters in:\n" + text);
    }

    private static Path onPath(final String name) {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            final Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}

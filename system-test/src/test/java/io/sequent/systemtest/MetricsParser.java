package io.sequent.systemtest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads a Prometheus text exposition with Prometheus's own parser, the Python client library's
 * {@code prometheus_client.parser} (Debian package {@code python3-prometheus-client}, installed by
 * {@code bin/install-test-packages}); an exposition it refuses fails the test.
 */
final class MetricsParser {
    /** Why a test that needs the parser is skipped where it is missing. */
    static final String MISSING = "Prometheus's text-format parser is not installed: run bin/install-test-packages " +
        "(Debian: apt-get install python3-prometheus-client)";

    private static final String SCRIPT = String.join("\n",
        "import sys",
        "from prometheus_client.parser import text_string_to_metric_families",
        "name = sys.argv[1]",
        "for family in text_string_to_metric_families(sys.stdin.read()):",
        "    for s in family.samples:",
        "        if s.name == name:",
        "            print('%s\\t%r' % (','.join('%s=%s' % kv for kv in sorted(s.labels.items())), s.value))");

    private MetricsParser() {
    }

    /** Debian's interpreter, whose dist-packages hold the parser (a python3 earlier on the PATH may not see them). */
    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Whether the parser is installed. */
    static boolean available() {
        try {
            final Process process = new ProcessBuilder(python(), "-c", "import prometheus_client.parser")
                .redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (final IOException ex) {
            return false;
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The samples named {@code name}: their labels ({@code k=v,k=v}, sorted; empty for none) to value. */
    static Map<String, Double> samples(final String exposition, final String name)
        throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(python(), "-c", SCRIPT, name).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("the Prometheus parser refused the exposition: " + err + "\n" + exposition);
        }
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : out.split("\n")) {
            if (!line.isEmpty()) {
                final String[] parts = line.split("\t", -1);
                samples.put(parts[0], Double.parseDouble(parts[1].replace("nan", "NaN").replace("inf", "Infinity")));
            }
        }
        return samples;
    }
}

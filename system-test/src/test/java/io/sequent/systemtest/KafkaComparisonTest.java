package io.sequent.systemtest;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sequent perf} against a real Apache Kafka, started by {@code bin/kafka-local} on free ports in
 * the test's own directory. Opt-in ({@code bin/test -Pkafka}): it resolves Kafka from Maven Central and
 * takes about a minute.
 */
@Tag("kafka")
class KafkaComparisonTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private int kafkaLocal(final Map<String, String> env, final String... args) throws Exception {
        final List<String> command = new java.util.ArrayList<>();
        command.add(ROOT.resolve("bin/kafka-local").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("kafka-local.out").toFile());
        final Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/kafka-local " + String.join(" ", args) + " did not finish");
        }
        return process.exitValue();
    }

    @Test
    void theSameWorkloadRunsAgainstSequentAndKafka() throws Exception {
        final int port = freeTcpPort();
        final Map<String, String> env = Map.of("KAFKA_PORT", Integer.toString(port),
            "KAFKA_CONTROLLER_PORT", Integer.toString(freeTcpPort()),
            "KAFKA_LOCAL_DIR", dir.resolve("kafka").toString());
        assertEquals(0, kafkaLocal(env, "start"), Files.readString(dir.resolve("kafka-local.out")));
        try {
            final Path out = dir.resolve("report");
            final Cli.Result result = Cli.run(null, 300, "perf", "e2e", "--embedded", "--kafka",
                "127.0.0.1:" + port, "--records", "3000", "--rate", "1000", "--warmup", "2s", "--flush", "batch",
                "--out", out.toString(), "--quiet");
            assertEquals(0, result.exitCode(), result.stderr());
            final List<String> rows = Files.readAllLines(out.resolve("summary.csv"), StandardCharsets.UTF_8);
            for (final String system : new String[] {"aeron,produce-ack", "sequent,produce-ack", "sequent,e2e",
                "kafka,produce-ack", "kafka,e2e"}) {
                final String row = rows.stream().filter(r -> r.startsWith(system + ",")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + system + " row in " + rows));
                final String[] fields = row.split(",");
                assertEquals("3000", fields[2], row);
                assertEquals("0", fields[14], row);
            }
            assertTrue(Files.size(out.resolve("kafka-e2e.hgrm")) > 0);
            assertTrue(result.stdout().contains("kafka"), result.stdout());
        } finally {
            kafkaLocal(env, "stop", "--clean");
        }
    }
}

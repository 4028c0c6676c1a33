package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Network partitions of a 3-member group, each member in a network namespace of its own ({@link Netns}): the
 * leader is cut off from everyone under an acks=all idempotent producer; the majority elects a new leader and
 * writes resume; the partition heals; then the members' logs are checked offline against the history
 * ({@link HistoryChecker}): an isolated leader must have acknowledged nothing that the group then lost, and all logs
 * must agree. A second producer runs inside the leader's own namespace ({@link IsolatedProducerMain}), so it stays
 * on the isolated side of the cut: none of its writes invoked after the cut may be acknowledged (an acks=all leader
 * without its quorum acknowledges nothing), and they must fail. The resume time (the cut to the majority's first
 * acknowledgement of a later write) is printed, not asserted. Run once with the default replication transport
 * (multi-destination-cast) and once with multicast, which is only ever sent inside these namespaces. Skipped, with the
 * reason, where namespaces cannot be made.
 */
// Long profile: it needs root and network namespaces, and takes about a minute.
@Tag("long")
class ClusterPartitionTest {
    private static final int MEMBERS = 3;
    private static final int PARTITIONS = 3;
    private static final String TOPIC = "partitioned";
    /** The isolated-side producer's own topic, so that the history check of {@link #TOPIC} sees only its writer. */
    private static final String ISOLATED_TOPIC = "partitioned-isolated";
    private static final long ELECTION_TIMEOUT_MS = 500;
    private static final int ISOLATED_DELIVERY_TIMEOUT_MS = 4_000;

    @TempDir
    Path dir;

    @Test
    void anIsolatedLeaderLosesNothingAndTheMajorityCarriesOn() throws Exception {
        run("multi-destination-cast", null);
    }

    @Test
    void multicastReplicationAcrossAPartition() throws Exception {
        run("multicast", "239.255.77.1");
    }

    private void run(final String transport, final String multicastGroup) throws Exception {
        final String unavailable = Netns.unavailableReason();
        assumeTrue(null == unavailable, "network partition tests skipped: " + unavailable);
        try (Netns net = new Netns(MEMBERS)) {
            final String[] hosts = new String[MEMBERS];
            for (int m = 0; m < MEMBERS; m++) {
                hosts[m] = net.address(m);
            }
            final int multicastPort = Cli.freeUdpPort();
            final List<String> options = null == multicastGroup ? List.of() : List.of("-Dreplication.channel=" +
                "aeron:udp?endpoint=" + multicastGroup + ":" + multicastPort + "|interface=" + net.subnet());
            try (Cluster cluster = new Cluster(dir.resolve(transport), hosts, net::prefix, member -> options)
                .responseHost(net.hostAddress())) {
                cluster.startAll();
                try (Admin admin = Admin.create(cluster.client())) {
                    admin.createTopic(TOPIC, PARTITIONS, Map.of());
                    admin.createTopic(ISOLATED_TOPIC, 1, Map.of());
                }
                final OpHistory history = new OpHistory();
                final Producer producer = new Producer(new ProducerConfig(cluster.client())
                    .acks("all").enableIdempotence(true).lingerMs(1).deliveryTimeoutMs(60_000));
                final HistoryWriter writer = new HistoryWriter(producer, TOPIC, "w", history);
                final long resumedMs;
                final IsolatedSide isolated;
                try {
                    Thread.sleep(1_000);
                    final int leader = cluster.leader(30_000);
                    isolated = new IsolatedSide(net.prefix(leader), cluster.endpoint(leader), net.address(leader),
                        dir.resolve(transport + "-isolated-producer.log"));
                    try {
                        isolated.awaitReady(30_000);
                        assertEquals(leader, cluster.leader(30_000), "the leader changed before the cut");
                        final long isolatedAt = System.nanoTime();
                        net.isolate(leader);
                        final long cutWallMs = System.currentTimeMillis(); // the link is down from here on
                        resumedMs = HistoryWriter.awaitAcknowledgementAfter(history, isolatedAt, 60_000);
                        // the isolated side's writes after the cut fail once their delivery timeout is over
                        isolated.awaitFailureAfter(cutWallMs, ISOLATED_DELIVERY_TIMEOUT_MS + 30_000);
                        isolated.stop(); // before the heal, after which the group may rightly take its retries
                        isolated.cutAt(cutWallMs);
                    } finally {
                        isolated.stop();
                    }
                    net.heal(leader);
                    Thread.sleep(1_000);
                } finally {
                    writer.close();
                    producer.close(Duration.ofSeconds(60));
                }
                history.closeOut();
                cluster.awaitConverged(TOPIC, PARTITIONS, 60_000);
                cluster.stopAll();
                history.write(dir.resolve(transport + "-history.log"));

                final Map<Integer, List<List<MemberLogs.Entry>>> logs = new HashMap<>();
                for (int m = 0; m < MEMBERS; m++) {
                    logs.put(m, MemberLogs.read(cluster.dataDir(m), TOPIC, PARTITIONS));
                }
                final HistoryChecker.Verdict verdict = HistoryChecker.check(history.ops(), logs, List.of(), List.of());
                System.out.printf("partition (%s): leader isolated, writes resumed %d ms later (election timeout " +
                    "%d ms); isolated side: %s; after healing: %s%n", transport, resumedMs, ELECTION_TIMEOUT_MS,
                    isolated.summary(), verdict.summary());
                assertEquals(0, isolated.acknowledgedAfterCut(), "the isolated leader acknowledged writes invoked " +
                    "after the cut: " + isolated.summary());
                assertTrue(isolated.failedAfterCut() > 0, "the isolated side's writes after the cut got no error: " +
                    isolated.summary());
                assertTrue(verdict.clean(), verdict.summary() + "\n" + String.join("\n", verdict.examples()));
                assertTrue(verdict.acknowledged() > 100, "too few acknowledged to mean anything: " +
                    verdict.summary());
            }
        }
    }

    /**
     * {@link IsolatedProducerMain} in a member's namespace, writing to that member only: its lines, read as they
     * come, and what they say about the writes invoked after the cut.
     */
    private static final class IsolatedSide {
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;
        private long cutWallMs = Long.MAX_VALUE;

        IsolatedSide(final List<String> prefix, final String bootstrap, final String host, final Path log)
            throws IOException {
            final Path classes = Path.of(IsolatedProducerMain.class.getProtectionDomain().getCodeSource()
                .getLocation().getPath());
            final List<String> command = new ArrayList<>(prefix);
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", classes + java.io.File.pathSeparator + Cli.JAR.toAbsolutePath(),
                IsolatedProducerMain.class.getName(), bootstrap, host, ISOLATED_TOPIC, "isolated-producer",
                Integer.toString(ISOLATED_DELIVERY_TIMEOUT_MS)));
            process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (final IOException ignored) {
                    // the process is gone
                }
            }, "isolated-producer-reader");
            reader.start();
        }

        void awaitReady(final long timeoutMs) throws InterruptedException {
            await(() -> lines.contains("READY"), timeoutMs, "the isolated-side producer's first acknowledgement");
        }

        void awaitFailureAfter(final long wallMs, final long timeoutMs) throws InterruptedException {
            cutWallMs = wallMs;
            await(() -> failedAfterCut() > 0, timeoutMs, "a failure of a write invoked on the isolated side " +
                "after the cut");
        }

        void cutAt(final long wallMs) {
            cutWallMs = wallMs;
        }

        private void await(final java.util.function.BooleanSupplier condition, final long timeoutMs,
            final String what) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (!condition.getAsBoolean()) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no " + what + " within " + timeoutMs + " ms (process alive: " +
                        process.isAlive() + "): " + summary());
                }
                Thread.sleep(20);
            }
        }

        void stop() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(5_000);
        }

        private long count(final String kind, final boolean afterCut) {
            return lines.stream().filter(line -> line.startsWith(kind + " ")).filter(line -> {
                final long invoked = Long.parseLong(line.split(" ")[1]);
                return afterCut == invoked >= cutWallMs;
            }).count();
        }

        long acknowledgedAfterCut() {
            return count("OK", true);
        }

        long failedAfterCut() {
            return count("FAIL", true);
        }

        String summary() {
            return String.format("%d acknowledged before the cut, %d after; %d failed before, %d after",
                count("OK", false), count("OK", true), count("FAIL", false), count("FAIL", true));
        }
    }
}

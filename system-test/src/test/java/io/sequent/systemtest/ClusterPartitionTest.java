package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Network partitions of a 3-member group, each member in a network namespace of its own ({@link Netns}): the
 * leader is cut off from everyone under an acks=all idempotent producer; the majority elects a new leader and
 * writes resume; the partition heals; then the members' logs are checked offline against the history
 * ({@link HistoryChecker}): an isolated leader must have acknowledged nothing that the group then lost, and all logs
 * must agree. Run once with the default replication transport (multi-destination-cast) and once with multicast,
 * which is only ever sent inside these namespaces. Skipped, with the reason, where namespaces cannot be made.
 */
// Long profile until it asserts the resume time and that the isolated leader acknowledges nothing.
@Tag("long")
class ClusterPartitionTest {
    private static final int MEMBERS = 3;
    private static final int PARTITIONS = 3;
    private static final String TOPIC = "partitioned";
    private static final long ELECTION_TIMEOUT_MS = 500;

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
                }
                final OpHistory history = new OpHistory();
                final Producer producer = new Producer(new ProducerConfig(cluster.client())
                    .acks("all").enableIdempotence(true).lingerMs(1).deliveryTimeoutMs(60_000));
                final HistoryWriter writer = new HistoryWriter(producer, TOPIC, "w", history);
                final long resumedMs;
                try {
                    Thread.sleep(1_000);
                    final int leader = cluster.leader(30_000);
                    final long isolatedAt = System.nanoTime();
                    net.isolate(leader);
                    resumedMs = HistoryWriter.awaitAcknowledgementAfter(history, isolatedAt, 60_000);
                    Thread.sleep(1_000);
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
                    "%d ms); after healing: %s%n", transport, resumedMs, ELECTION_TIMEOUT_MS, verdict.summary());
                assertTrue(verdict.clean(), verdict.summary() + "\n" + String.join("\n", verdict.examples()));
                assertTrue(verdict.acknowledged() > 100, "too few acknowledged to mean anything: " +
                    verdict.summary());
            }
        }
    }
}

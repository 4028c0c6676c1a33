package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Power loss of a whole 3-member group: SIGKILL every member under an acks=all idempotent producer, cut each
 * member's files back to the last position it forced to disk ({@link PowerLossTest#cutToForced}, from each
 * member's durability trace), restart them all, and repeat. With flush {@code batch} a write is acknowledged only
 * once a majority has forced it, so no acknowledged write may be lost, and the members' logs must agree. About two
 * minutes: in the long profile.
 */
@Tag("long")
class ClusterPowerLossTest {
    private static final int MEMBERS = 3;
    private static final int CYCLES = 3;
    private static final int PARTITIONS = 2;
    private static final String TOPIC = "powered";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void noAcknowledgedWriteIsLostWhenEveryMemberLosesPower() throws Exception {
        // each start of a member writes a trace of its own: what that run forced (a later run may truncate)
        final int[] starts = new int[MEMBERS];
        try (Cluster cluster = new Cluster(dir, MEMBERS,
            member -> List.of("-Dsequent.durability.trace=" + trace(member, ++starts[member])))) {
            cluster.startAll();
            try (Admin admin = Admin.create(cluster.client())) {
                admin.createTopic(TOPIC, PARTITIONS, Map.of());
            }
            final OpHistory history = new OpHistory();
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                final Producer producer = new Producer(new ProducerConfig(cluster.client())
                    .acks("all").enableIdempotence(true).lingerMs(1).deliveryTimeoutMs(10_000));
                try (HistoryWriter writer = new HistoryWriter(producer, TOPIC, "p" + cycle + "-", history)) {
                    Thread.sleep(1_500);
                }
                for (int m = 0; m < MEMBERS; m++) {
                    cluster.kill(m);
                }
                producer.close(Duration.ofSeconds(15));
                for (int m = 0; m < MEMBERS; m++) {
                    PowerLossTest.cutToForced(cluster.dataDir(m), trace(m, starts[m]));
                }
                cluster.startAll();
            }
            history.closeOut();
            cluster.awaitConverged(TOPIC, PARTITIONS, 60_000);
            cluster.stopAll();
            history.write(dir.resolve("history.log"));

            final Map<Integer, List<List<MemberLogs.Entry>>> logs = new HashMap<>();
            for (int m = 0; m < MEMBERS; m++) {
                logs.put(m, MemberLogs.read(cluster.dataDir(m), TOPIC, PARTITIONS));
            }
            final HistoryChecker.Verdict verdict = HistoryChecker.check(history.ops(), logs, List.of(), List.of());
            System.out.printf("cluster power loss x%d (3 members, flush batch): %s%n", CYCLES, verdict.summary());
            assertTrue(verdict.clean(), verdict.summary() + "\n" + String.join("\n", verdict.examples()) +
                "\nmembers' data, traces and output (member-N.out): " + dir);
            assertTrue(verdict.acknowledged() > 1000, "too few acknowledged to mean anything: " + verdict.summary());
        }
    }

    private Path trace(final int member, final int start) {
        return dir.resolve("trace-" + member + "-" + start);
    }
}

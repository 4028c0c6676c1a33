package io.sequent.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cluster status and cluster transfer-leadership against three in-process members of one replica group. */
class ClusterCommandTest {
    @TempDir
    Path root;

    private InProcessCluster cluster;

    @AfterEach
    void close() {
        if (null != cluster) {
            cluster.close();
        }
    }

    @Test
    void statusShowsEveryMemberAndTransferLeadershipMovesTheLeader() {
        cluster = new InProcessCluster(root, 200, 20);
        final int base = cluster.base;
        final String all = cluster.bootstrap();
        final int leader = cluster.awaitLeader();
        final String leaderEndpoint = "127.0.0.1:" + (base + 10 * leader);
        assertEquals(0, Run.of("topic", "create", "t", "--partitions", "1", "--broker", leaderEndpoint).exitCode);
        final Run produced = Run.withInput("a\nb\nc\n".getBytes(StandardCharsets.UTF_8),
            "produce", "t", "--broker", leaderEndpoint);
        assertEquals(0, produced.exitCode, produced.toString());

        final Run status = Run.of("cluster", "status", "--broker", all);
        assertEquals(0, status.exitCode, status.toString());
        assertTrue(status.out.contains("Leader: " + leader), status.out);
        assertEquals(1, status.out.split("LEADER", -1).length - 1, status.out);
        assertEquals(2, status.out.split("FOLLOWER", -1).length - 1, status.out);
        for (int i = 0; i < 3; i++) {
            assertTrue(status.out.contains("aeron:udp?endpoint=127.0.0.1:" + (base + 10 * i)), status.out);
        }

        final int target = (leader + 2) % 3;
        final Run moved = Run.of("cluster", "transfer-leadership", "--to", Integer.toString(target), "--broker", all);
        assertEquals(0, moved.exitCode, moved.toString());
        assertEquals("Leader: " + target, moved.out.trim());
        assertEquals(target, cluster.awaitLeader());

        final Run bad = Run.of("cluster", "transfer-leadership", "--to", "7", "--broker",
            "127.0.0.1:" + (base + 10 * target));
        assertTrue(bad.exitCode != 0, bad.toString());
        assertTrue(bad.err.contains("not another member"), bad.err);
    }

    @Test
    void aMemberWithoutAQuorumSaysWhyInStatusAndInTheProducersError() {
        cluster = new InProcessCluster(root, 200, 20);
        final int leader = cluster.awaitLeader();
        assertEquals(0, Run.of("topic", "create", "t", "--partitions", "1", "--broker", cluster.bootstrap()).exitCode);
        final int survivor = (leader + 1) % 3;
        final int other = (leader + 2) % 3;
        cluster.stop(leader);
        cluster.stop(other);
        final String gone = "not answering: member " + Math.min(leader, other) + ", " + Math.max(leader, other);

        Run status = Run.of("cluster", "status", "--broker", cluster.endpoint(survivor));
        final long deadline = System.currentTimeMillis() + 20_000;
        while (!status.out.contains(gone) && System.currentTimeMillis() < deadline) {
            status = Run.of("cluster", "status", "--broker", cluster.endpoint(survivor));
        }
        assertTrue(status.out.contains("Member " + survivor + ": no leader in epoch "), status.toString());
        assertTrue(status.out.contains("stands for election with 1 of the 2 votes a leader of 3 members needs; "
            + gone), status.toString());
        assertTrue(status.out.contains("Leader: none known"), status.toString());

        final Run produced = Run.withInput("lost?\n".getBytes(StandardCharsets.UTF_8), "produce", "t",
            "--broker", cluster.endpoint(survivor), "--linger-ms", "0",
            "--producer-property", "request.timeout.ms=500", "--producer-property", "delivery.timeout.ms=1000");
        assertTrue(produced.exitCode != 0, produced.toString());
        assertTrue(produced.err.contains("expiring 1 record(s) for t-0"), produced.err);
        assertTrue(produced.err.contains("no leader in epoch ") && produced.err.contains(gone), produced.err);
    }
}

package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** cluster status and cluster transfer-leadership against three in-process members of one replica group. */
class ClusterCommandTest {
    @TempDir
    Path root;

    private final Broker[] brokers = new Broker[3];

    @AfterEach
    void close() {
        for (final Broker broker : brokers) {
            if (null != broker) {
                broker.close();
            }
        }
    }

    private static boolean free(final int port) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (final IOException ex) {
            return false;
        }
    }

    private static int freeBase() {
        for (int attempt = 0; attempt < 100; attempt++) {
            final int base = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
            boolean ok = true;
            for (int p = base; p < base + 30 && ok; p++) {
                ok = free(p);
            }
            if (ok) {
                return base;
            }
        }
        throw new AssertionError("no free UDP ports");
    }

    private int awaitLeader() {
        final long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            for (int i = 0; i < brokers.length; i++) {
                if (brokers[i].isLeader() && brokers[(i + 1) % 3].leaderId() == i &&
                    brokers[(i + 2) % 3].leaderId() == i) {
                    return i;
                }
            }
            sleep(5);
        }
        return fail("no leader");
    }

    private static void sleep(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    @Test
    void statusShowsEveryMemberAndTransferLeadershipMovesTheLeader() {
        final int base = freeBase();
        final String members = "0@127.0.0.1:" + base + ",1@127.0.0.1:" + (base + 10) + ",2@127.0.0.1:" + (base + 20);
        final String all = "127.0.0.1:" + base + ",127.0.0.1:" + (base + 10) + ",127.0.0.1:" + (base + 20);
        for (int i = 0; i < 3; i++) {
            brokers[i] = Broker.launch(new BrokerContext()
                .brokerId(i)
                .clusterMembers(members)
                .port(base + 10 * i)
                .dataDir(root.resolve("m" + i))
                .aeronDir("/dev/shm/sequent-cli-test-" + UUID.randomUUID())
                .idleStrategy("backoff")
                .driverIdleStrategy("backoff")
                .electionTimeoutMs(200)
                .heartbeatIntervalMs(20)
                .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
                .topicDefault("log.preallocate", "false"));
        }
        final int leader = awaitLeader();
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
        assertEquals(target, awaitLeader());

        final Run bad = Run.of("cluster", "transfer-leadership", "--to", "7", "--broker",
            "127.0.0.1:" + (base + 10 * target));
        assertTrue(bad.exitCode != 0, bad.toString());
        assertTrue(bad.err.contains("not another member"), bad.err);
    }
}

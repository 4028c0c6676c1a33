package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three members of one replica group in the test's JVM, on 127.0.0.1: member {@code i} at port {@code base + 10 i}
 * (its replication and control ports follow it), each with its own embedded media driver and data directory.
 */
final class InProcessCluster implements AutoCloseable {
    private static final long WAIT_MS = 30_000;

    final Broker[] brokers = new Broker[3];
    final int base;

    /** Launches the three members with this election timeout and heartbeat interval. */
    InProcessCluster(final Path root, final int electionTimeoutMs, final int heartbeatIntervalMs) {
        base = freeBase();
        final String members = "0@127.0.0.1:" + base + ",1@127.0.0.1:" + (base + 10) + ",2@127.0.0.1:" + (base + 20);
        for (int i = 0; i < 3; i++) {
            brokers[i] = Broker.launch(new BrokerContext()
                .brokerId(i)
                .clusterMembers(members)
                .port(base + 10 * i)
                .dataDir(root.resolve("m" + i))
                .aeronDir("/dev/shm/sequent-cli-test-" + UUID.randomUUID())
                .idleStrategy("backoff")
                .driverIdleStrategy("backoff")
                .electionTimeoutMs(electionTimeoutMs)
                .heartbeatIntervalMs(heartbeatIntervalMs)
                .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
                .topicDefault("log.preallocate", "false"));
        }
    }

    /** @return every member's client endpoint, as a bootstrap list. */
    String bootstrap() {
        return "127.0.0.1:" + base + ",127.0.0.1:" + (base + 10) + ",127.0.0.1:" + (base + 20);
    }

    /** @return member {@code id}'s client endpoint. */
    String endpoint(final int id) {
        return "127.0.0.1:" + (base + 10 * id);
    }

    /** Closes one member (its media driver too). */
    void stop(final int id) {
        if (null != brokers[id]) {
            brokers[id].close();
            brokers[id] = null;
        }
    }

    /** @return the member that leads and that every running member names as the leader. */
    int awaitLeader() {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            for (int i = 0; i < brokers.length; i++) {
                if (null != brokers[i] && brokers[i].isLeader() && allName(i)) {
                    return i;
                }
            }
            sleep(5);
        }
        return fail("no leader");
    }

    private boolean allName(final int leader) {
        for (final Broker broker : brokers) {
            if (null != broker && broker.leaderId() != leader) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        for (int i = 0; i < brokers.length; i++) {
            stop(i);
        }
    }

    private static void sleep(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
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
}

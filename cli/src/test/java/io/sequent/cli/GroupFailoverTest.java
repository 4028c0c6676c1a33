package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Consumer groups across a change of leader, against three in-process members of one replica group: offsets
 * committed after the followers launched are the new leader's too, and a consumer of the group resumes from them.
 */
class GroupFailoverTest {
    private static final long WAIT_MS = 30_000;

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

    /** The member every running member names as the leader. */
    private int awaitLeader() {
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

    private static void sleep(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static List<ConsumerRecord> read(final Consumer consumer, final int count) {
        final List<ConsumerRecord> out = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (out.size() < count) {
            if (System.currentTimeMillis() > deadline) {
                fail("read " + out.size() + " of " + count + " records");
            }
            for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(50))) {
                out.add(record);
            }
        }
        return out;
    }

    @Test
    void offsetsCommittedBeforeTheLeaderGoesAreTheNewLeadersAndTheGroupResumesFromThem() {
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
                .electionTimeoutMs(300)
                .heartbeatIntervalMs(30)
                .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
                .topicDefault("log.preallocate", "false"));
        }
        final int leader = awaitLeader();
        // the clients use the media driver of a member that stays
        final int stays = (leader + 1) % 3;
        final ClientConfig client = new ClientConfig().bootstrap(all)
            .aeronDirectory(brokers[stays].aeronDirectoryName()).clientId("group-failover");
        final TopicPartition tp = new TopicPartition("t", 0);
        try (Admin admin = Admin.create(client)) {
            admin.createTopic("t", 1, Map.of());
        }
        try (Producer producer = new Producer(new ProducerConfig(client).acks("all").lingerMs(0))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord("t", 0, null, null, ("v" + i).getBytes(StandardCharsets.UTF_8),
                    null));
            }
            producer.flush();
        }
        final ConsumerConfig config = new ConsumerConfig(client).groupId("g").autoOffsetReset("earliest")
            .enableAutoCommit(false).fetchMaxWaitMs(50);
        try (Consumer consumer = new Consumer(config)) {
            consumer.subscribe(List.of("t"));
            assertEquals(0, read(consumer, 10).get(0).offset());
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(7)));
        }

        brokers[leader].close();
        brokers[leader] = null;
        final int next = awaitLeader();
        assertNotEquals(leader, next);

        try (Consumer consumer = new Consumer(config)) {
            final OffsetAndMetadata committed = consumer.committed(Set.of(tp)).get(tp);
            assertNotNull(committed, "the offset committed before the leader went");
            assertEquals(7, committed.offset());
            consumer.subscribe(List.of("t"));
            final List<ConsumerRecord> records = read(consumer, 3);
            assertEquals(7, records.get(0).offset(), "the group resumes at its committed offset");
            assertEquals("v7", new String(records.get(0).value(), StandardCharsets.UTF_8));
        }
    }
}

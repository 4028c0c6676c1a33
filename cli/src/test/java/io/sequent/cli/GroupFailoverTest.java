package io.sequent.cli;

import io.sequent.broker.Broker;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    private InProcessCluster cluster;

    @AfterEach
    void close() {
        if (null != cluster) {
            cluster.close();
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
        cluster = new InProcessCluster(root, 300, 30);
        final Broker[] brokers = cluster.brokers;
        final String all = cluster.bootstrap();
        final int leader = cluster.awaitLeader();
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

        cluster.stop(leader);
        final int next = cluster.awaitLeader();
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

package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRebalanceListener;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.GroupDescription;
import io.sequent.client.InvalidConfigException;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.SequentException;
import io.sequent.client.TopicPartition;
import io.sequent.codec.client.ErrorCode;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Consumers of one group against an in-process broker: the broker shares the partitions out, a join moves only
 * what the newcomer takes, every record is consumed once across the rebalance, committed offsets survive a
 * broker restart, and {@code group describe} reports the lag.
 */
class GroupConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    private BrokerContext context(final String aeronDir) {
        return new BrokerContext()
            .port(0)
            .dataDir(dataDir)
            .aeronDir(aeronDir)
            .idleStrategy("backoff")
            .driverIdleStrategy("backoff")
            .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
            .topicDefault("log.preallocate", "false");
    }

    private static ClientConfig client(final Broker broker, final String id) {
        return new ClientConfig().bootstrap(broker.ingressEndpoint()).aeronDirectory(broker.aeronDirectoryName())
            .clientId(id);
    }

    private static ConsumerConfig consumer(final Broker broker, final String id) {
        return new ConsumerConfig(client(broker, id)).groupId("g").autoOffsetReset("earliest").fetchMaxWaitMs(50)
            .sessionTimeoutMs(10_000);
    }

    private static void produce(final Broker broker, final String topic, final int partitions, final int from,
        final int count) {
        try (Producer producer = new Producer(new ProducerConfig(client(broker, "producer")).lingerMs(0))) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord(topic, i % partitions, null, null,
                    ("v" + i).getBytes(StandardCharsets.UTF_8), null));
            }
            producer.flush();
        }
    }

    /** Records what a listener is told. */
    static final class Recorder implements ConsumerRebalanceListener {
        final List<TopicPartition> assigned = new ArrayList<>();
        final List<TopicPartition> revoked = new ArrayList<>();
        final List<TopicPartition> lost = new ArrayList<>();

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
            revoked.addAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions) {
            lost.addAll(partitions);
        }
    }

    private static void pollUntil(final List<Consumer> consumers, final List<String> seen, final BooleanSupplier done,
        final String what) {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what + "; seen " + seen.size());
            }
            for (final Consumer consumer : consumers) {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(20))) {
                    seen.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static Set<TopicPartition> union(final Consumer a, final Consumer b) {
        final Set<TopicPartition> all = new HashSet<>(a.assignment());
        all.addAll(b.assignment());
        return all;
    }

    @Test
    void twoConsumersShareATopicAndEveryRecordIsConsumedOnceAcrossTheRebalance() {
        try (Broker broker = Broker.launch(context("/dev/shm/sequent-group-test-" + UUID.randomUUID()));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("orders", 6, Map.of());
            produce(broker, "orders", 6, 0, 60);
            final List<String> seen = new ArrayList<>();
            final Recorder first = new Recorder();
            final Recorder second = new Recorder();
            try (Consumer a = new Consumer(consumer(broker, "a"))) {
                a.subscribe(List.of("orders"), first);
                pollUntil(List.of(a), seen, () -> seen.size() >= 30, "a's first records");
                assertEquals(6, a.assignment().size(), "alone, a owns every partition");
                a.commitSync();
                try (Consumer b = new Consumer(consumer(broker, "b"))) {
                    b.subscribe(List.of("orders"), second);
                    pollUntil(List.of(a, b), seen,
                        () -> b.assignment().size() == 3 && a.assignment().size() == 3, "the rebalance");
                    assertEquals(6, union(a, b).size(), "together they own every partition");
                    produce(broker, "orders", 6, 60, 60);
                    pollUntil(List.of(a, b), seen, () -> seen.size() >= 120, "every record");
                    assertEquals(3, first.revoked.size(), "only the partitions b takes left a: " + first.revoked);
                    assertEquals(new HashSet<>(first.revoked), new HashSet<>(second.assigned));
                    assertEquals(6, first.assigned.size(), "a was never given a partition twice");
                    assertTrue(first.lost.isEmpty() && second.lost.isEmpty());

                    final GroupDescription group = admin.describeGroups(List.of("g")).get(0);
                    assertTrue(group.exists());
                    assertEquals(2, group.members().size());
                    assertEquals("STICKY", group.assignor());
                    a.commitSync();
                    b.commitSync();
                }
                pollUntil(List.of(a), seen, () -> a.assignment().size() == 6, "b's partitions back to a on close");
            }
            assertEquals(120, seen.size(), "no record consumed twice: " + seen);
            assertEquals(120, new HashSet<>(seen).size(), "and none skipped");
            final GroupDescription empty = admin.describeGroups(List.of("g")).get(0);
            assertEquals("EMPTY", empty.state(), "closed consumers left the group");
            long committed = 0;
            for (final OffsetAndMetadata offset : admin.listGroupOffsets("g").values()) {
                committed += offset.offset();
            }
            assertEquals(120, committed, "every partition committed at its end");
        }
    }

    @Test
    void committedOffsetsSurviveABrokerRestartAndDescribeShowsTheLag() {
        final String aeronDir = "/dev/shm/sequent-group-test-" + UUID.randomUUID();
        try (Broker broker = Broker.launch(context(aeronDir));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("events", 2, Map.of());
            produce(broker, "events", 2, 0, 20);
            try (Consumer c = new Consumer(consumer(broker, "c").enableAutoCommit(false))) {
                final TopicPartition p0 = new TopicPartition("events", 0);
                c.assign(List.of(p0));
                assertNull(c.committed(Set.of(p0)).get(p0));
                c.commitSync(Map.of(p0, new OffsetAndMetadata(7, "seven")));
                assertEquals(new OffsetAndMetadata(7, "seven"), c.committed(Set.of(p0)).get(p0));
            }
        }
        try (Broker broker = Broker.launch(context(aeronDir))) {
            try (Consumer c = new Consumer(consumer(broker, "c2"))) {
                final TopicPartition p0 = new TopicPartition("events", 0);
                assertEquals(new OffsetAndMetadata(7, "seven"), c.committed(Set.of(p0)).get(p0),
                    "the commit is durable across the restart");
                final List<String> seen = new ArrayList<>();
                c.subscribe(List.of("events"), new Recorder());
                pollUntil(List.of(c), seen, () -> seen.size() >= 13, "the rest of the records");
                assertFalse(seen.contains("v0"), "p0 resumed at the committed offset, not the start: " + seen);
                assertEquals(13, seen.size(), "3 of p0 after offset 7, and all 10 of p1: " + seen);
                c.commitSync(Map.of(p0, new OffsetAndMetadata(8)));

                final Run describe = Run.of("group", "describe", "g", "--broker", broker.ingressEndpoint());
                assertEquals(0, describe.exitCode, describe.err);
                assertTrue(describe.out.contains("(RECONCILING") || describe.out.contains("(STABLE"), describe.out);
                assertTrue(describe.out.contains("has 1 member."), describe.out);
                final String p0Line = line(describe.out, "g\tevents\t0\t");
                assertTrue(p0Line.startsWith("g\tevents\t0\t8\t10\t2\t"), "p0: committed 8 of 10, lag 2: " + p0Line);
                assertTrue(p0Line.endsWith("\tc2"), "owned by client c2: " + p0Line);
                assertEquals("127.0.0.1", p0Line.split("\t")[7], "HOST, the address c2 speaks from: " + p0Line);
                assertTrue(line(describe.out, "GROUP\t").equals(String.join("\t", "GROUP", "TOPIC", "PARTITION",
                    "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID")), describe.out);
                final Run list = Run.of("group", "list", "--broker", broker.ingressEndpoint());
                assertEquals(0, list.exitCode, list.err);
                assertTrue(list.out.startsWith("g\t"), list.out);
            }
            final Run unknown = Run.of("group", "describe", "nope", "--broker", broker.ingressEndpoint());
            assertEquals(1, unknown.exitCode, unknown.out);
            assertTrue(unknown.err.contains("consumer group 'nope' does not exist"), unknown.err);
        }
    }

    @Test
    void consumeWithAGroupResumesWhereTheGroupLeftOff() {
        try (Broker broker = Broker.launch(context("/dev/shm/sequent-group-test-" + UUID.randomUUID()));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("lines", 1, Map.of());
            produce(broker, "lines", 1, 0, 5);
            final String endpoint = broker.ingressEndpoint();
            final Run first = Run.of("consume", "lines", "--group", "readers", "--from-beginning", "--max-messages",
                "3", "--broker", endpoint);
            assertEquals(0, first.exitCode, first.err);
            assertEquals("v0\nv1\nv2\n", first.out);
            final Run second = Run.of("consume", "lines", "--group", "readers", "--from-beginning", "--timeout-ms",
                "1500", "--broker", endpoint);
            assertEquals(0, second.exitCode, second.err);
            assertEquals("v3\nv4\n", second.out, "the second run starts at the offset the first committed");
            final Run bad = Run.of("consume", "lines", "--group", "readers", "--partition", "0", "--broker", endpoint);
            assertEquals(2, bad.exitCode);
            assertTrue(bad.err.contains("--group cannot be used with --partition"), bad.err);
        }
    }

    @Test
    void theOffsetsOfAGroupEmptyForTheRetentionAreDeletedDurably() {
        final String aeronDir = "/dev/shm/sequent-group-test-" + UUID.randomUUID();
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(TimeUnit.SECONDS.toNanos(1_000));
        final TopicPartition p0 = new TopicPartition("kept", 0);
        try (Broker broker = Broker.launch(context(aeronDir).nanoClock(clock).sessionTimeoutMs(600_000)
            .offsetsRetentionMs(60_000));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("kept", 1, Map.of());
            produce(broker, "kept", 1, 0, 3);
            try (Consumer c = new Consumer(consumer(broker, "c").enableAutoCommit(false))) {
                c.assign(List.of(p0));
                c.commitSync(Map.of(p0, new OffsetAndMetadata(2)));
            }
            clock.advance(TimeUnit.SECONDS.toNanos(59));
            sleepMs(1_500);
            assertEquals(Map.of(p0, new OffsetAndMetadata(2)), admin.listGroupOffsets("g"), "kept until retention");
            clock.advance(TimeUnit.SECONDS.toNanos(2));
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (!admin.listGroupOffsets("g").isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the expired offsets were not deleted");
                }
                sleepMs(50);
            }
            assertTrue(admin.listGroups().isEmpty(), "the empty group is gone with its offsets");
        }
        try (Broker broker = Broker.launch(context(aeronDir));
            Admin admin = Admin.create(client(broker, "admin"))) {
            assertTrue(admin.listGroupOffsets("g").isEmpty(), "the deletion is durable: " +
                admin.listGroupOffsets("g"));
        }
    }

    @Test
    void anEvictedMemberIsToldItsPartitionsAreLostAndJoinsAgain() {
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(TimeUnit.SECONDS.toNanos(1_000));
        try (Broker broker = Broker.launch(context("/dev/shm/sequent-group-test-" + UUID.randomUUID())
            .nanoClock(clock).sessionTimeoutMs(600_000));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("fenced", 2, Map.of());
            final Recorder recorder = new Recorder();
            final List<String> seen = new ArrayList<>();
            try (Consumer c = new Consumer(consumer(broker, "c").sessionTimeoutMs(3_000))) {
                c.subscribe(List.of("fenced"), recorder);
                pollUntil(List.of(c), seen, () -> c.assignment().size() == 2, "the first assignment");
                final String before = admin.describeGroups(List.of("g")).get(0).members().get(0).memberId();
                // step the broker's clock past the session timeout until the eviction is seen (a heartbeat in
                // flight across a step is stamped with the new time and keeps the member alive for one more step)
                final long[] nextStepNs = {0};
                pollUntil(List.of(c), seen, () -> {
                    if (recorder.lost.isEmpty() && System.nanoTime() - nextStepNs[0] >= 0) {
                        clock.advance(TimeUnit.SECONDS.toNanos(4));
                        nextStepNs[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                    }
                    return recorder.lost.size() == 2 && c.assignment().size() == 2;
                }, "the eviction, the lost callback and the new assignment");
                assertTrue(recorder.revoked.isEmpty(), "lost, not revoked: " + recorder.revoked);
                assertEquals(4, recorder.assigned.size(), "assigned twice: " + recorder.assigned);
                final List<GroupDescription.Member> members = admin.describeGroups(List.of("g")).get(0).members();
                assertEquals(1, members.size());
                assertFalse(before.equals(members.get(0).memberId()), "it joined again under a new member id");
            }
        }
    }

    @Test
    void groupCallsWithoutAGroupIdAndBadGroupSettingsAreRefusedClearly() {
        try (Broker broker = Broker.launch(context("/dev/shm/sequent-group-test-" + UUID.randomUUID()));
            Consumer c = new Consumer(new ConsumerConfig(client(broker, "nogroup")))) {
            final IllegalStateException subscribe = assertThrows(IllegalStateException.class,
                () -> c.subscribe(List.of("t"), new Recorder()));
            assertTrue(subscribe.getMessage().contains("group.id"), subscribe.getMessage());
            final SequentException commit = assertThrows(SequentException.class,
                () -> c.commitSync(Map.of(new TopicPartition("t", 0), new OffsetAndMetadata(1))));
            assertEquals(ErrorCode.INVALID_GROUP_ID, commit.errorCode());
        }
        final Properties bad = new Properties();
        bad.setProperty(ConsumerConfig.GROUP_REMOTE_ASSIGNOR, "cooperative");
        final InvalidConfigException ex = assertThrows(InvalidConfigException.class,
            () -> ConsumerConfig.fromProperties(bad));
        assertTrue(ex.getMessage().contains("group.remote.assignor"), ex.getMessage());
        final Properties good = new Properties();
        good.setProperty(ConsumerConfig.GROUP_ID, "g1");
        good.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT, "false");
        good.setProperty(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS, "250");
        good.setProperty(ConsumerConfig.SESSION_TIMEOUT_MS, "6000");
        final ConsumerConfig config = ConsumerConfig.fromProperties(good);
        assertEquals("g1", config.groupId());
        assertFalse(config.enableAutoCommit());
        assertEquals(250, config.autoCommitIntervalMs());
        assertEquals(6000, config.sessionTimeoutMs());
        assertTrue(ConsumerConfig.unknownKeys(good).isEmpty());
    }

    private static void sleepMs(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static String line(final String text, final String prefix) {
        for (final String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return fail("no line starting with " + prefix + " in\n" + text);
    }
}

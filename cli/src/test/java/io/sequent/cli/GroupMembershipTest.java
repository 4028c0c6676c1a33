package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerGroupMetadata;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.FencedInstanceIdException;
import io.sequent.client.GroupDescription;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.SequentException;
import io.sequent.client.TopicPartition;
import io.sequent.codec.client.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Group membership against an in-process broker: static members that restart without moving anything, a second
 * live member with the same instance id fenced, heartbeats from the I/O thread through a slow poll loop and
 * eviction past {@code max.poll.interval.ms}, pattern subscriptions following new topics, pause and resume,
 * {@code enforceRebalance}, {@code groupMetadata}, DeleteGroups and membership rebuilt after a broker restart.
 */
class GroupMembershipTest {
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

    private static String aeronDir() {
        return "/dev/shm/sequent-membership-test-" + UUID.randomUUID();
    }

    private static ClientConfig client(final Broker broker, final String id) {
        return new ClientConfig().bootstrap(broker.ingressEndpoint()).aeronDirectory(broker.aeronDirectoryName())
            .clientId(id);
    }

    private static ConsumerConfig consumer(final Broker broker, final String id) {
        return new ConsumerConfig(client(broker, id)).groupId("g").autoOffsetReset("earliest").fetchMaxWaitMs(50)
            .sessionTimeoutMs(10_000);
    }

    private static void produce(final Broker broker, final String topic, final int partitions, final int count) {
        try (Producer producer = new Producer(new ProducerConfig(client(broker, "producer")).lingerMs(0))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord(topic, i % partitions, null, null,
                    ("v" + i).getBytes(StandardCharsets.UTF_8), null));
            }
            producer.flush();
        }
    }

    private static void pollUntil(final List<Consumer> consumers, final BooleanSupplier done, final String what) {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            for (final Consumer consumer : consumers) {
                consumer.poll(Duration.ofMillis(20));
            }
        }
    }

    /** The members without their hosts (soft state, not logged). */
    private static List<GroupDescription.Member> withoutHosts(final GroupDescription group) {
        return group.members().stream().map(m -> new GroupDescription.Member(m.memberId(), m.clientId(), "",
            m.memberEpoch(), m.assignment())).toList();
    }

    private static GroupDescription describe(final Admin admin) {
        return admin.describeGroups(List.of("g")).get(0);
    }

    @org.junit.jupiter.api.RepeatedTest(5)
    void aStaticMemberThatRestartsGetsItsPartitionsBackAndNothingElseMoves() {
        try (Broker broker = Broker.launch(context(aeronDir()));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("orders", 6, Map.of());
            final GroupConsumerTest.Recorder other = new GroupConsumerTest.Recorder();
            final Set<TopicPartition> before;
            final int epochBefore;
            try (Consumer b = new Consumer(consumer(broker, "b"))) {
                b.subscribe(List.of("orders"), other);
                try (Consumer a = new Consumer(consumer(broker, "a").groupInstanceId("instance-a"))) {
                    a.subscribe(List.of("orders"), new GroupConsumerTest.Recorder());
                    pollUntil(List.of(a, b), () -> a.assignment().size() == 3 && b.assignment().size() == 3,
                        "a 3/3 share");
                    pollUntil(List.of(a, b), () -> "STABLE".equals(describe(admin).state()), "a stable group");
                    before = Set.copyOf(a.assignment());
                    epochBefore = describe(admin).groupEpoch();
                }
                assertEquals(2, describe(admin).members().size(), "a static member's close does not leave");
                final int revokedBefore = other.revoked.size();
                final int assignedBefore = other.assigned.size();
                final GroupConsumerTest.Recorder restarted = new GroupConsumerTest.Recorder();
                try (Consumer a2 = new Consumer(consumer(broker, "a2").groupInstanceId("instance-a"))) {
                    a2.subscribe(List.of("orders"), restarted);
                    pollUntil(List.of(a2, b), () -> a2.assignment().size() == 3, "the restarted member's share");
                    assertEquals(before, a2.assignment(), "the same partitions back");
                    assertEquals(before, new HashSet<>(restarted.assigned), "assigned once, exactly those");
                    for (int i = 0; i < 20; i++) {
                        b.poll(Duration.ofMillis(20));
                        a2.poll(Duration.ofMillis(20));
                    }
                    assertEquals(revokedBefore, other.revoked.size(), "nothing was revoked from b");
                    assertEquals(assignedBefore, other.assigned.size(), "nothing new was assigned to b");
                    final GroupDescription group = describe(admin);
                    assertEquals(epochBefore, group.groupEpoch(), "no rebalance");
                    assertEquals(2, group.members().size());
                    final ConsumerGroupMetadata metadata = a2.groupMetadata();
                    assertEquals("g", metadata.groupId());
                    assertEquals(Optional.of("instance-a"), metadata.groupInstanceId());
                    assertFalse(metadata.memberId().isEmpty());
                    assertTrue(metadata.generationId() > 0, "the member epoch: " + metadata);
                }
            }
        }
    }

    @Test
    void aSecondLiveConsumerWithTheSameInstanceIdFencesTheFirst() {
        try (Broker broker = Broker.launch(context(aeronDir()));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("fence", 2, Map.of());
            try (Consumer first = new Consumer(consumer(broker, "first").groupInstanceId("same"));
                Consumer second = new Consumer(consumer(broker, "second").groupInstanceId("same"))) {
                first.subscribe(List.of("fence"));
                pollUntil(List.of(first), () -> first.assignment().size() == 2, "first's assignment");
                second.subscribe(List.of("fence"));
                pollUntil(List.of(second), () -> second.assignment().size() == 2, "second takes the instance over");
                final long deadline = System.nanoTime() + WAIT.toNanos();
                FencedInstanceIdException fenced = null;
                while (fenced == null && System.nanoTime() - deadline < 0) {
                    try {
                        first.poll(Duration.ofMillis(50));
                    } catch (final FencedInstanceIdException ex) {
                        fenced = ex;
                    }
                }
                assertTrue(fenced != null, "the first consumer is fenced");
                assertEquals(ErrorCode.FENCED_INSTANCE_ID, fenced.errorCode());
                assertTrue(fenced.getMessage().contains("'same'"), fenced.getMessage());
                assertThrows(FencedInstanceIdException.class, () -> first.poll(Duration.ZERO), "fatal: it stays");
                assertEquals(1, describe(admin).members().size());
                assertEquals("second", describe(admin).members().get(0).clientId());
            }
        }
    }

    @Test
    void heartbeatsOutliveASlowPollLoopButMaxPollIntervalEvicts() throws InterruptedException {
        try (Broker broker = Broker.launch(context(aeronDir()));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("slow", 4, Map.of());
            final GroupConsumerTest.Recorder slowRecorder = new GroupConsumerTest.Recorder();
            try (Consumer slow = new Consumer(consumer(broker, "slow").sessionTimeoutMs(1_500)
                    .maxPollIntervalMs(5_000));
                Consumer other = new Consumer(consumer(broker, "other").sessionTimeoutMs(1_500))) {
                slow.subscribe(List.of("slow"), slowRecorder);
                other.subscribe(List.of("slow"));
                pollUntil(List.of(slow, other), () -> slow.assignment().size() == 2 && other.assignment().size() == 2,
                    "a 2/2 share");
                final String member = slow.groupMetadata().memberId();
                Thread.sleep(3_000);
                other.poll(Duration.ofMillis(10));
                slow.poll(Duration.ofMillis(10));
                assertEquals(member, slow.groupMetadata().memberId(),
                    "3 s between polls, twice the session timeout: the I/O thread's heartbeats kept the member");
                assertTrue(slowRecorder.lost.isEmpty());
                final Set<TopicPartition> held = Set.copyOf(slow.assignment());

                final long stopped = System.nanoTime();
                final long deadline = stopped + WAIT.toNanos();
                while (describe(admin).members().size() != 1) {
                    other.poll(Duration.ofMillis(50));
                    if (System.nanoTime() - deadline > 0) {
                        fail("the member that stopped polling was not evicted");
                    }
                }
                final long evictedAfterMs = (System.nanoTime() - stopped) / 1_000_000;
                assertTrue(evictedAfterMs >= 4_500, "not before max.poll.interval.ms: " + evictedAfterMs + " ms");
                pollUntil(List.of(other), () -> other.assignment().size() == 4, "its partitions moved to the other");
                pollUntil(List.of(slow, other), () -> slowRecorder.lost.size() == 2 && slow.assignment().size() == 2,
                    "the next poll: lost, and a new share");
                assertEquals(held, new HashSet<>(slowRecorder.lost));
                assertFalse(member.equals(slow.groupMetadata().memberId()), "it joined again under a new id");
            }
        }
    }

    @Test
    void aPatternSubscriptionFollowsTopicsCreatedLater() {
        try (Broker broker = Broker.launch(context(aeronDir()));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("metrics-a", 2, Map.of());
            admin.createTopic("other", 1, Map.of());
            final ConsumerConfig config = consumer(broker, "pattern");
            config.client().metadataMaxAge(Duration.ofMillis(300));
            try (Consumer c = new Consumer(config)) {
                c.subscribe(Pattern.compile("metrics-.*"), new GroupConsumerTest.Recorder());
                pollUntil(List.of(c), () -> c.assignment().size() == 2, "metrics-a's partitions");
                assertEquals(Set.of("metrics-a"), c.subscription());
                admin.createTopic("metrics-b", 3, Map.of());
                produce(broker, "metrics-b", 3, 6);
                final List<String> seen = new ArrayList<>();
                final long deadline = System.nanoTime() + WAIT.toNanos();
                while (seen.size() < 6) {
                    for (final ConsumerRecord record : c.poll(Duration.ofMillis(50))) {
                        assertEquals("metrics-b", record.topic());
                        seen.add(new String(record.value(), StandardCharsets.UTF_8));
                    }
                    if (System.nanoTime() - deadline > 0) {
                        fail("the new topic was not picked up: " + c.assignment());
                    }
                }
                assertEquals(5, c.assignment().size());
                assertEquals(Set.of("metrics-a", "metrics-b"), c.subscription());
            }
            try (Consumer alone = new Consumer(new ConsumerConfig(client(broker, "alone")).autoOffsetReset("earliest")
                .fetchMaxWaitMs(50))) {
                alone.subscribe(Pattern.compile("metrics-b"));
                pollUntil(List.of(alone), () -> alone.assignment().size() == 3, "without a group: every partition");
            }
        }
    }

    @Test
    void pausedPartitionsAreNotReturnedUntilResumed() {
        try (Broker broker = Broker.launch(context(aeronDir()));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("paused", 2, Map.of());
            produce(broker, "paused", 2, 20);
            final TopicPartition p0 = new TopicPartition("paused", 0);
            final TopicPartition p1 = new TopicPartition("paused", 1);
            try (Consumer c = new Consumer(consumer(broker, "c"))) {
                c.assign(List.of(p0, p1));
                c.pause(List.of(p0));
                assertEquals(Set.of(p0), c.paused());
                final List<ConsumerRecord> seen = new ArrayList<>();
                final long deadline = System.nanoTime() + WAIT.toNanos();
                while (seen.size() < 10 && System.nanoTime() - deadline < 0) {
                    c.poll(Duration.ofMillis(50)).forEach(seen::add);
                }
                for (int i = 0; i < 10; i++) {
                    c.poll(Duration.ofMillis(20)).forEach(seen::add);
                }
                assertEquals(10, seen.size(), "only p1's records");
                assertTrue(seen.stream().allMatch(r -> r.partition() == 1));
                assertEquals(0, c.position(p0), "p0 did not move");
                c.resume(List.of(p0));
                assertTrue(c.paused().isEmpty());
                while (seen.size() < 20 && System.nanoTime() - deadline < 0) {
                    c.poll(Duration.ofMillis(50)).forEach(seen::add);
                }
                assertEquals(20, seen.size(), "p0's records after resume");
                final IllegalStateException unassigned = assertThrows(IllegalStateException.class,
                    () -> c.pause(List.of(new TopicPartition("paused", 7))));
                assertTrue(unassigned.getMessage().contains("no current assignment"), unassigned.getMessage());
                assertThrows(IllegalStateException.class, c::enforceRebalance, "no group subscription");
            }
        }
    }

    @Test
    void enforceRebalanceBumpsTheGroupEpochAndKeepsTheAssignment() {
        try (Broker broker = Broker.launch(context(aeronDir()));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("rebalance", 3, Map.of());
            final GroupConsumerTest.Recorder recorder = new GroupConsumerTest.Recorder();
            try (Consumer c = new Consumer(consumer(broker, "c"))) {
                c.subscribe(List.of("rebalance"), recorder);
                pollUntil(List.of(c), () -> c.assignment().size() == 3, "the assignment");
                final int epoch = describe(admin).groupEpoch();
                c.enforceRebalance();
                pollUntil(List.of(c), () -> describe(admin).groupEpoch() > epoch, "a new group epoch");
                c.poll(Duration.ofMillis(100));
                assertEquals(3, c.assignment().size());
                assertTrue(recorder.revoked.isEmpty() && recorder.lost.isEmpty(), "the sticky assignor kept it all");
            }
        }
    }

    @Test
    void aGroupIsDeletedOnlyWithoutMembersAndTheDeletionIsDurable() {
        final String aeronDir = aeronDir();
        try (Broker broker = Broker.launch(context(aeronDir));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("del", 1, Map.of());
            try (Consumer c = new Consumer(consumer(broker, "c"))) {
                c.subscribe(List.of("del"));
                pollUntil(List.of(c), () -> c.assignment().size() == 1, "the assignment");
                final SequentException busy = assertThrows(SequentException.class, () -> admin.deleteGroup("g"));
                assertEquals(ErrorCode.NON_EMPTY_GROUP, busy.errorCode());
                assertTrue(busy.getMessage().contains("has members"), busy.getMessage());
                c.commitSync(Map.of(new TopicPartition("del", 0), new OffsetAndMetadata(0)));
            }
            assertEquals(1, admin.listGroupOffsets("g").size());
            final Map<String, ErrorCode> results = admin.deleteGroups(List.of("g", "nope"));
            assertEquals(Map.of("g", ErrorCode.NONE, "nope", ErrorCode.GROUP_ID_NOT_FOUND), results);
            assertTrue(admin.listGroups().isEmpty());
            assertTrue(admin.listGroupOffsets("g").isEmpty());
        }
        try (Broker broker = Broker.launch(context(aeronDir));
            Admin admin = Admin.create(client(broker, "admin"))) {
            assertTrue(admin.listGroups().isEmpty(), "still gone after a restart: " + admin.listGroups());
            assertTrue(admin.listGroupOffsets("g").isEmpty());
        }
    }

    @Test
    void membershipAndTheGroupEpochAreRebuiltAfterABrokerRestart() {
        final String aeronDir = aeronDir();
        final GroupDescription before;
        try (Broker broker = Broker.launch(context(aeronDir));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("kept", 4, Map.of());
            try (Consumer a = new Consumer(consumer(broker, "a").groupInstanceId("ia"));
                Consumer b = new Consumer(consumer(broker, "b").groupInstanceId("ib"))) {
                a.subscribe(List.of("kept"));
                b.subscribe(List.of("kept"));
                pollUntil(List.of(a, b), () -> a.assignment().size() == 2 && b.assignment().size() == 2, "2/2");
                pollUntil(List.of(a, b), () -> "STABLE".equals(describe(admin).state()), "a stable group");
            }
            before = describe(admin);
        }
        try (Broker broker = Broker.launch(context(aeronDir));
            Admin admin = Admin.create(client(broker, "admin"))) {
            final GroupDescription after = describe(admin);
            assertEquals(before.groupEpoch(), after.groupEpoch(), "the group epoch is rebuilt");
            assertEquals(withoutHosts(before), withoutHosts(after), "members, epochs and assignments are rebuilt");
            assertTrue(after.members().stream().allMatch(m -> m.host().isEmpty()),
                "a member's host is soft state, known again once it speaks: " + after.members());
            assertTrue(before.members().stream().allMatch(m -> m.host().equals("127.0.0.1")), before.toString());
            final Run described = Run.of("group", "describe", "g", "--broker", broker.ingressEndpoint());
            assertEquals(0, described.exitCode, described.err);
            int rows = 0;
            for (final String line : described.out.split("\n")) {
                final String[] cols = line.split("\t");
                if (cols[0].equals("g")) {
                    assertFalse(cols[6].equals("-"), "the restored owner: " + line);
                    assertEquals("-", cols[7], "HOST: not known until the member speaks again: " + line);
                    rows++;
                }
            }
            assertEquals(4, rows, described.out);
            try (Consumer a = new Consumer(consumer(broker, "a").groupInstanceId("ia"))) {
                a.subscribe(List.of("kept"));
                pollUntil(List.of(a), () -> a.assignment().size() == 2, "a's share back");
                assertEquals(before.groupEpoch(), describe(admin).groupEpoch(), "no rebalance for the restart");
                final GroupDescription.Member restarted = describe(admin).members().stream()
                    .filter(m -> m.clientId().equals("a")).findFirst().orElseThrow();
                assertEquals("127.0.0.1", restarted.host(), "known again once it joined");
            }
        }
    }
}

package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code sequent group reset-offsets}, {@code group delete} and {@code topic alter} against an in-process broker:
 * every way to pick the new offsets, the dry run that changes nothing, and the refusals (a group with members, bad
 * arguments, an unknown group or topic).
 */
class GroupCommandTest {
    @TempDir
    Path dataDir;

    private Broker launch() {
        return Broker.launch(new BrokerContext()
            .port(0)
            .dataDir(dataDir)
            .aeronDir("/dev/shm/sequent-group-command-test-" + UUID.randomUUID())
            .idleStrategy("backoff")
            .driverIdleStrategy("backoff")
            .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
            .topicDefault("log.preallocate", "false"));
    }

    private static ClientConfig client(final Broker broker, final String id) {
        return new ClientConfig().bootstrap(broker.ingressEndpoint()).aeronDirectory(broker.aeronDirectoryName())
            .clientId(id);
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(final Admin admin) {
        return admin.listGroupOffsets("g");
    }

    private static long offset(final Admin admin, final int partition) {
        return offsets(admin).get(new TopicPartition("t", partition)).offset();
    }

    private static Run group(final Broker broker, final String... args) {
        final String[] full = new String[args.length + 3];
        full[0] = "group";
        System.arraycopy(args, 0, full, 1, args.length);
        full[args.length + 1] = "--broker";
        full[args.length + 2] = broker.ingressEndpoint();
        return Run.of(full);
    }

    @Test
    void resetOffsetsPlansByDefaultAndAppliesWithExecute() throws InterruptedException {
        try (Broker broker = launch();
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("t", 2, Map.of());
            final long[] split = new long[1];
            try (Producer producer = new Producer(new ProducerConfig(client(broker, "p")).lingerMs(0))) {
                for (int i = 0; i < 20; i++) {
                    if (i == 10) {
                        producer.flush();
                        Thread.sleep(50);
                        split[0] = System.currentTimeMillis();
                        Thread.sleep(50);
                    }
                    producer.send(new ProducerRecord("t", i % 2, null, null,
                        ("v" + i).getBytes(StandardCharsets.UTF_8), null));
                }
                producer.flush();
            }
            admin.alterGroupOffsets("g", Map.of(new TopicPartition("t", 0), new OffsetAndMetadata(4),
                new TopicPartition("t", 1), new OffsetAndMetadata(6)));

            final Run dry = group(broker, "reset-offsets", "g", "--topic", "t", "--to-earliest");
            assertEquals(0, dry.exitCode, dry.err);
            assertEquals("GROUP\tTOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET\ng\tt\t0\t4\t0\ng\tt\t1\t6\t0\n",
                dry.out);
            assertTrue(dry.err.contains("dry run: nothing changed"), dry.err);
            assertEquals(4, offset(admin, 0), "a dry run changes nothing");

            assertEquals(0, group(broker, "reset-offsets", "g", "--topic", "t", "--to-earliest", "--execute").exitCode);
            assertEquals(0, offset(admin, 0));
            assertEquals(0, offset(admin, 1));
            assertEquals(0, group(broker, "reset-offsets", "g", "--topic", "t", "--to-latest", "--execute").exitCode);
            assertEquals(10, offset(admin, 0));
            assertEquals(10, offset(admin, 1));
            final Run shift = group(broker, "reset-offsets", "g", "--topic", "t:1", "--shift-by", "-3", "--execute");
            assertEquals(0, shift.exitCode, shift.err);
            assertEquals(10, offset(admin, 0), "only partition 1 was named");
            assertEquals(7, offset(admin, 1));
            assertEquals(0, group(broker, "reset-offsets", "g", "--topic", "t", "--shift-by", "-100", "--execute")
                .exitCode);
            assertEquals(0, offset(admin, 0), "kept within the partition's offsets");
            assertEquals(0, group(broker, "reset-offsets", "g", "--topic", "t", "--to-offset", "99", "--execute")
                .exitCode);
            assertEquals(10, offset(admin, 1), "clamped to the end");
            final Run time = group(broker, "reset-offsets", "g", "--topic", "t", "--to-datetime",
                Instant.ofEpochMilli(split[0]).toString(), "--execute");
            assertEquals(0, time.exitCode, time.err);
            assertEquals(5, offset(admin, 0), "the first record produced after the time");
            assertEquals(5, offset(admin, 1));

            final Run both = group(broker, "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest");
            assertEquals(2, both.exitCode, "one target only");
            final Run none = group(broker, "reset-offsets", "g", "--topic", "t");
            assertEquals(2, none.exitCode, "a target is required");
            final Run badTime = group(broker, "reset-offsets", "g", "--topic", "t", "--to-datetime", "yesterday");
            assertEquals(2, badTime.exitCode);
            assertTrue(badTime.err.contains("not an ISO date-time"), badTime.err);
            final Run badPartition = group(broker, "reset-offsets", "g", "--topic", "t:7", "--to-earliest");
            assertEquals(1, badPartition.exitCode);
            assertTrue(badPartition.err.contains("no partition 7"), badPartition.err);
            final Run unknownTopic = group(broker, "reset-offsets", "g", "--topic", "nope", "--to-earliest");
            assertEquals(1, unknownTopic.exitCode, unknownTopic.out);
            assertEquals(5, offset(admin, 0), "nothing refused changed anything");
        }
    }

    @Test
    void resetAndDeleteAreRefusedWhileTheGroupHasMembers() {
        try (Broker broker = launch();
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("t", 1, Map.of());
            try (Consumer c = new Consumer(new ConsumerConfig(client(broker, "member")).groupId("g")
                .fetchMaxWaitMs(50))) {
                c.subscribe(List.of("t"));
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (c.assignment().isEmpty()) {
                    c.poll(Duration.ofMillis(20));
                    if (System.nanoTime() - deadline > 0) {
                        fail("no assignment");
                    }
                }
                c.commitSync(Map.of(new TopicPartition("t", 0), new OffsetAndMetadata(0)));
                final Run reset = group(broker, "reset-offsets", "g", "--topic", "t", "--to-latest", "--execute");
                assertEquals(1, reset.exitCode);
                assertTrue(reset.err.contains("has 1 active member(s)"), reset.err);
                final Run delete = group(broker, "delete", "g");
                assertEquals(1, delete.exitCode);
                assertTrue(delete.err.contains("has members"), delete.err);
                assertEquals(1, admin.listGroups().size());
            }
            final Run delete = group(broker, "delete", "g");
            assertEquals(0, delete.exitCode, delete.err);
            assertEquals("Deleted consumer group 'g'\n", delete.out);
            assertTrue(admin.listGroups().isEmpty());
            final Run again = group(broker, "delete", "g");
            assertEquals(1, again.exitCode);
            assertTrue(again.err.contains("does not exist"), again.err);
        }
    }

    @Test
    void topicAlterStoresSettingsAndRefusesBadOnes() {
        try (Broker broker = launch();
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic("t", 1, Map.of());
            final Run alter = Run.of("topic", "alter", "t", "--config", "retention.ms=60000", "--broker",
                broker.ingressEndpoint());
            assertEquals(0, alter.exitCode, alter.err);
            assertTrue(alter.out.startsWith("Altered topic t: retention.ms=60000"), alter.out);
            assertEquals("60000", admin.describeConfigs("t").get("log.retention.ms"));
            final Run revert = Run.of("topic", "alter", "t", "--delete-config", "retention.ms", "--broker",
                broker.ingressEndpoint());
            assertEquals(0, revert.exitCode, revert.err);
            assertTrue(!"60000".equals(admin.describeConfigs("t").get("log.retention.ms")),
                "back to the default: " + admin.describeConfigs("t").get("log.retention.ms"));
            final Run bad = Run.of("topic", "alter", "t", "--config", "retention.ms=soon", "--broker",
                broker.ingressEndpoint());
            assertTrue(bad.exitCode != 0, bad.out);
            assertTrue(bad.err.contains("retention.ms"), bad.err);
            final Run nothing = Run.of("topic", "alter", "t", "--broker", broker.ingressEndpoint());
            assertEquals(2, nothing.exitCode);
            final Run unknown = Run.of("topic", "alter", "nope", "--config", "retention.ms=1", "--broker",
                broker.ingressEndpoint());
            assertEquals(1, unknown.exitCode, unknown.out);
        }
    }
}

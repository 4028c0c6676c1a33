package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data directory in the layout brokers used before the metadata log (topics as {@code catalog/*.topic}
 * property files, the producer-id bound in {@code producer-ids}, partition logs as today) is migrated once onto
 * the metadata log and keeps every topic, config and record.
 *
 * <p>The old layout is built here: the partition logs are written by a broker (the log format did not change),
 * then its metadata log is removed and the catalog and producer-id files are written exactly as the previous
 * {@code TopicCatalog.write} and {@code ProducerIdAllocator} wrote them.
 */
class MigrationTest {
    @TempDir
    Path dataDir;

    /** Writes a catalog file as the previous TopicCatalog did: name, partitions, config.<log.* key>. */
    private void writeOldCatalogFile(final String fileName, final String topic, final int partitions,
        final Map<String, String> overrides) throws IOException {
        final Path dir = dataDir.resolve("catalog");
        Files.createDirectories(dir);
        final Properties properties = new Properties();
        properties.setProperty("name", topic);
        properties.setProperty("partitions", Integer.toString(partitions));
        for (final Map.Entry<String, String> override : overrides.entrySet()) {
            properties.setProperty("config." + override.getKey(), override.getValue());
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(fileName))) {
            properties.store(out, "Sequent topic " + topic);
        }
    }

    @Test
    void aDataDirectoryOfThePreviousLayoutKeepsEveryTopicConfigAndRecord() throws Exception {
        final long producerId;
        final UnsafeBuffer idempotent;
        final long idempotentOffset;
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("old");
            assertEquals(ErrorCode.NONE, client.createTopic("orders", 2).code);
            assertEquals(ErrorCode.NONE, client.createTopic("events", 1).code);
            assertEquals(ErrorCode.NONE, client.createTopic("gone", 1).code);
            for (int i = 0; i < 6; i++) {
                assertEquals(ErrorCode.NONE,
                    client.produce("orders", i % 2, Acks.ALL, TestSupport.batch("order-" + i)).code);
            }
            assertEquals(ErrorCode.NONE, client.produce("events", 0, Acks.ALL, TestSupport.batch("e0", "e1")).code);
            assertEquals(ErrorCode.NONE, client.produce("gone", 0, Acks.ALL, TestSupport.batch("g")).code);
            final long[] producer = client.initProducerId(-1, (short) -1);
            producerId = producer[0];
            idempotent = TestSupport.batch(System.currentTimeMillis(), producerId, (short) producer[1], 0, "once");
            final TestClient.ProduceResult first = client.produce("events", 0, Acks.ALL, idempotent);
            assertEquals(ErrorCode.NONE, first.code);
            idempotentOffset = first.baseOffset;
        }

        // Turn the directory into the previous layout.
        TopicCatalog.deleteRecursively(dataDir.resolve(MetadataLog.PARTITION_DIR));
        final Map<String, String> ordersOverrides = new TreeMap<>();
        ordersOverrides.put("log.retention.ms", "3600000");
        ordersOverrides.put("log.message.timestamp.type", "CreateTime");
        writeOldCatalogFile("orders.topic", "orders", 2, ordersOverrides);
        writeOldCatalogFile("events.topic", "events", 1, Map.of("log.retention.bytes", "123456789"));
        writeOldCatalogFile("gone.del", "gone", 1, Map.of());
        writeOldCatalogFile("half.tmp", "half", 1, Map.of());
        Files.write(dataDir.resolve("producer-ids"), Long.toString(1000).getBytes(StandardCharsets.US_ASCII));
        assertTrue(Files.exists(dataDir.resolve("gone-0")));

        final List<String> migratedLog;
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("new");
            assertEquals(List.of("events", "orders"), broker.topicNames());
            assertEquals(1, broker.topicId("events"), "ids are given in name order");
            assertEquals(2, broker.topicId("orders"));
            assertFalse(Files.exists(dataDir.resolve("gone-0")), "the interrupted deletion was finished");
            assertFalse(Files.exists(dataDir.resolve("catalog")), "the old files are moved aside");
            assertTrue(Files.exists(dataDir.resolve("catalog.migrated").resolve("orders.topic")));
            assertTrue(Files.exists(dataDir.resolve("producer-ids.migrated")));
            assertFalse(Files.exists(dataDir.resolve("producer-ids")));

            assertEquals("3600000", client.describeTopic("orders").values.get("log.retention.ms"));
            assertEquals("123456789", client.describeTopic("events").values.get("log.retention.bytes"));
            assertEquals(2, client.metadata().topics.get("orders").partitionCount);
            assertOldRecords(client);

            final TestClient.ProduceResult retry = client.produce("events", 0, Acks.ALL, idempotent);
            assertEquals(ErrorCode.NONE, retry.code, "an idempotent retry across the migration is a duplicate");
            assertEquals(idempotentOffset, retry.baseOffset);
            final long fresh = client.initProducerId(-1, (short) -1)[0];
            assertTrue(fresh >= 1000, "producer ids continue above the old bound: " + fresh);
            assertEquals(ErrorCode.UNKNOWN_PRODUCER_ID.value(), client.initProducerId(5000, (short) 0)[2]);
            assertEquals(1, client.initProducerId(producerId, (short) 0)[1], "the old producer id is known");

            migratedLog = MetadataLogTest.fetchMetadataLog(client);
            assertEquals(List.of(
                "topic 1 events 1 {log.retention.bytes=123456789}",
                "topic 2 orders 2 {log.message.timestamp.type=CreateTime, log.retention.ms=3600000}",
                "producer-ids 1000 1000",
                "producer-ids 1000 2000"), migratedLog);
        }

        // A start that finds the old files again (stopped after the records, before moving them) adds nothing.
        Files.move(dataDir.resolve("catalog.migrated"), dataDir.resolve("catalog"));
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("again");
            assertEquals(List.of("events", "orders"), broker.topicNames());
            assertEquals(migratedLog, MetadataLogTest.fetchMetadataLog(client), "the migration ran once");
            assertFalse(Files.exists(dataDir.resolve("catalog")));
            assertOldRecords(client);
        }
    }

    private static void assertOldRecords(final TestClient client) {
        final TestClient.FetchedPartition o0 = client.fetch("orders", 0, 0, 0, 1 << 20).partition(0);
        assertEquals(List.of("order-0", "order-2", "order-4"),
            TestSupport.values(TestSupport.records(o0.records, o0.highWatermark)));
        final TestClient.FetchedPartition o1 = client.fetch("orders", 1, 0, 0, 1 << 20).partition(1);
        assertEquals(List.of("order-1", "order-3", "order-5"),
            TestSupport.values(TestSupport.records(o1.records, o1.highWatermark)));
        final TestClient.FetchedPartition e = client.fetch("events", 0, 0, 0, 1 << 20).partition(0);
        assertEquals(List.of("e0", "e1", "once"), TestSupport.values(TestSupport.records(e.records, e.highWatermark)));
    }
}

package io.sequent.broker;

import io.sequent.codec.BatchIterator;
import io.sequent.codec.Batches;
import io.sequent.codec.client.Acks;
import io.sequent.codec.client.AlterConfigOp;
import io.sequent.codec.client.ErrorCode;
import io.sequent.log.LogConfig;
import io.sequent.log.PartitionLog;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Topics, configs and producer-id blocks are records of the metadata log, and its replay rebuilds the catalog. */
class MetadataLogTest {
    @TempDir
    Path dataDir;

    /** Records the metadata log's records as text, in order. */
    static final class Recorder implements MetadataRecords.Handler {
        final List<String> records = new ArrayList<>();

        @Override
        public void onTopic(final int topicId, final String name, final int partitions,
            final Map<String, String> overrides) {
            records.add("topic " + topicId + " " + name + " " + partitions + " " + overrides);
        }

        @Override
        public void onTopicDeleted(final int topicId, final String name) {
            records.add("deleted " + topicId + " " + name);
        }

        @Override
        public void onTopicConfig(final int topicId, final String name, final Map<String, String> overrides) {
            records.add("config " + topicId + " " + name + " " + overrides);
        }

        @Override
        public void onProducerIds(final long blockStart, final long limit) {
            records.add("producer-ids " + blockStart + " " + limit);
        }
    }

    /** The metadata log as a client fetches it, decoded. */
    static List<String> fetchMetadataLog(final TestClient client) {
        final TestClient.FetchedPartition fetched =
            client.fetch(MetadataLog.TOPIC, 0, 0, 0, 1 << 20).partition(0);
        assertEquals(ErrorCode.NONE, fetched.code);
        final Recorder recorder = new Recorder();
        final MetadataRecords decoder = new MetadataRecords(SystemEpochClock.INSTANCE);
        final BatchIterator batches = new BatchIterator().reset(fetched.records, 0, fetched.records.capacity());
        while (batches.next()) {
            decoder.replay(fetched.records, batches.frameOffset(), batches.frameLength(), recorder);
        }
        return recorder.records;
    }

    @Test
    void everyChangeIsACommittedRecordAndTheReplayRebuildsTheSameCatalog() {
        final long firstProducerId;
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("admin");
            assertEquals(ErrorCode.NONE, client.createTopic("a", 2, "retention.ms=1000000").code);
            assertEquals(ErrorCode.NONE, client.createTopic("b", 1).code);
            assertEquals(ErrorCode.NONE, client.alterTopic("b", AlterConfigOp.SET, "retention.bytes", "5000").code);
            assertEquals(ErrorCode.NONE, client.deleteTopic("a").code);
            assertEquals(ErrorCode.NONE, client.createTopic("a", 1).code);
            firstProducerId = client.initProducerId(-1, (short) -1)[0];
            assertEquals(0, firstProducerId);
            assertEquals(1, client.initProducerId(-1, (short) -1)[0], "the second id comes from the same block");
            assertEquals(ErrorCode.NONE, client.produce("b", 0, Acks.ALL, TestSupport.batch("kept")).code);

            assertEquals(2, broker.topicId("b"));
            assertEquals(3, broker.topicId("a"), "a topic created again under an old name gets a new id");
            assertEquals(List.of(
                "topic 1 a 2 {log.retention.ms=1000000}",
                "topic 2 b 1 {}",
                "config 2 b {log.retention.bytes=5000}",
                "deleted 1 a",
                "topic 3 a 1 {}",
                "producer-ids 0 1000"), fetchMetadataLog(client),
                "each answered request is a committed record of the metadata log, in order");
            assertFalse(Files.exists(dataDir.resolve(LegacyCatalog.CATALOG_DIR)), "no catalog files any more");
            assertFalse(Files.exists(dataDir.resolve(LegacyCatalog.PRODUCER_IDS_FILE)), "no producer-id file");
        }

        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("after");
            assertEquals(List.of("a", "b"), broker.topicNames());
            assertEquals(2, broker.topicId("b"), "ids survive the restart");
            assertEquals(3, broker.topicId("a"));
            assertEquals(1, client.metadata().topics.get("a").partitionCount, "the second creation is the one kept");
            assertEquals("5000", client.describeTopic("b").values.get("log.retention.bytes"));
            assertFalse("1000000".equals(client.describeTopic("a").values.get("log.retention.ms")),
                "the deleted topic's overrides did not come back");
            final TestClient.FetchedPartition b = client.fetch("b", 0, 0, 0, 1 << 20).partition(0);
            assertEquals(List.of("kept"), TestSupport.values(TestSupport.records(b.records, b.highWatermark)));

            final long next = client.initProducerId(-1, (short) -1)[0];
            assertEquals(ProducerIdAllocator.BLOCK_SIZE, next, "a restart skips the rest of the last block");
            assertEquals(ErrorCode.NONE, client.createTopic("c", 1).code);
            assertEquals(4, broker.topicId("c"), "ids continue above the highest in the log");
            assertEquals("producer-ids 1000 2000", fetchMetadataLog(client).get(6));
        }
    }

    @Test
    void theMetadataTopicIsInternalToTheBroker() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("c");
            assertEquals(ErrorCode.NONE, client.createTopic("user", 1).code);

            assertEquals(ErrorCode.INVALID_TOPIC, client.createTopic(MetadataLog.TOPIC, 1).code);
            assertEquals(ErrorCode.INVALID_REQUEST, client.deleteTopic(MetadataLog.TOPIC).code);
            assertEquals(ErrorCode.INVALID_REQUEST,
                client.alterTopic(MetadataLog.TOPIC, AlterConfigOp.SET, "retention.ms", "1").code);
            assertEquals(ErrorCode.INVALID_TOPIC,
                client.produce(MetadataLog.TOPIC, 0, Acks.ALL, TestSupport.batch("forged")).code);

            assertEquals(List.of("user"), List.copyOf(client.metadata().topics.keySet()), "hidden from listings");
            assertEquals(List.of("user"), broker.topicNames());
            final TestClient.TopicMetadata named = client.metadata(MetadataLog.TOPIC).topics.get(MetadataLog.TOPIC);
            assertEquals(ErrorCode.NONE, named.code, "shown when asked for by name");
            assertTrue(named.internal);
            assertEquals(1, named.partitionCount);
            assertEquals(List.of("topic 1 user 1 {}"), fetchMetadataLog(client), "the forged batch was not written");
        }
    }

    @Test
    void aMetadataLogTheBrokerCannotReadStopsTheStartWithAClearError() throws Exception {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("c");
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);
        }
        final LogConfig config = new LogConfig().segmentBytes(MetadataLog.SEGMENT_BYTES).preallocate(false);
        final long forged;
        try (PartitionLog log = PartitionLog.open(
            dataDir.resolve(MetadataLog.PARTITION_DIR), config, SystemEpochClock.INSTANCE)) {
            final UnsafeBuffer batch = TestSupport.batch("not a metadata record");
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[batch.capacity()]);
            copy.putBytes(0, batch, 0, batch.capacity());
            forged = log.nextOffset(); // after the EpochStart control batch and the topic's record
            Batches.stamp(copy, 0, forged, 100, 1000); // epochs never fall along a log
            assertTrue(log.append(copy, 0, copy.capacity()) >= 0);
            log.flush();
        }
        final BrokerException ex = assertThrows(BrokerException.class,
            () -> Broker.launch(TestSupport.context(dataDir)).close());
        assertEquals(ErrorCode.STORAGE_ERROR, ex.code());
        assertTrue(ex.getMessage().contains("metadata log record at offset " + forged), ex.getMessage());
        assertTrue(Files.exists(dataDir.resolve("t-0")), "nothing is deleted");
    }
}

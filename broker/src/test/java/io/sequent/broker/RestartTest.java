package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.AlterConfigOp;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.OffsetSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A broker closed and relaunched on the same data directory has its topics, data and producers back. */
class RestartTest {
    @TempDir
    Path dataDir;

    @Test
    void topicsDataAndProducerStateSurviveARestart() {
        final long producerId;
        final long originalOffset;
        final UnsafeBuffer idempotent;
        final String clusterId;
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            clusterId = broker.clusterId();
            client.connect("before");
            assertEquals(ErrorCode.NONE, client.createTopic("kept", 2, "retention.ms=86400000").code);
            assertEquals(ErrorCode.NONE, client.createTopic("dropped", 1).code);
            for (int i = 0; i < 10; i++) {
                assertEquals(ErrorCode.NONE, client.produce("kept", i % 2, Acks.ALL, TestSupport.batch("k" + i)).code);
            }
            final long[] producer = client.initProducerId(-1, (short) -1);
            producerId = producer[0];
            idempotent = TestSupport.batch(System.currentTimeMillis(), producerId, (short) producer[1], 0, "only-once");
            final TestClient.ProduceResult first = client.produce("kept", 0, Acks.ALL, idempotent);
            assertEquals(ErrorCode.NONE, first.code);
            originalOffset = first.baseOffset;
            assertEquals(ErrorCode.NONE, client.deleteTopic("dropped").code);
            assertEquals(ErrorCode.NONE,
                client.alterTopic("kept", AlterConfigOp.SET, "retention.bytes", "1000000").code);
        }
        assertTrue(Files.exists(dataDir.resolve("kept-0").resolve("clean-shutdown")),
            "a graceful close leaves clean-shutdown markers");

        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            assertEquals(clusterId, broker.clusterId());
            assertEquals(List.of("kept"), broker.topicNames(), "the deleted topic stays deleted");
            client.connect("after");
            final TestClient.Metadata metadata = client.metadata();
            assertEquals(2, metadata.topics.get("kept").partitionCount);
            assertFalse(metadata.topics.containsKey("dropped"));

            final TestClient.FetchedPartition p0 = client.fetch("kept", 0, 0, 0, 1 << 20).partition(0);
            assertEquals(List.of("k0", "k2", "k4", "k6", "k8", "only-once"),
                TestSupport.values(TestSupport.records(p0.records, p0.highWatermark)));
            assertEquals(6, p0.highWatermark);
            assertEquals(5, client.listOffset("kept", 1, OffsetSpec.LATEST, 0).offset);

            assertEquals(6, client.produce("kept", 0, Acks.ALL, TestSupport.batch("next")).baseOffset,
                "offsets continue");
            final TestClient.ProduceResult retry = client.produce("kept", 0, Acks.ALL, idempotent);
            assertEquals(ErrorCode.NONE, retry.code, "a retry after the restart is a duplicate, answered as success");
            assertEquals(originalOffset, retry.baseOffset, "with the original offset");
            assertEquals(7, client.listOffset("kept", 0, OffsetSpec.LATEST, 0).offset, "and not written twice");

            final long[] fresh = client.initProducerId(-1, (short) -1);
            assertTrue(fresh[0] > producerId, "producer ids are never reused: " + fresh[0] + " after " + producerId);

            final TestClient.Described described = client.describeTopic("kept");
            assertEquals("1000000", described.values.get("log.retention.bytes"), "altered settings are in force");
            assertEquals("86400000", described.values.get("log.retention.ms"));
            assertEquals("", described.message);
        }
    }

    @Test
    void aDataDirectoryServesOneBrokerAtATime() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir))) {
            final BrokerException ex = assertThrows(BrokerException.class,
                () -> Broker.launch(TestSupport.context(dataDir)));
            assertTrue(ex.getMessage().contains("data.dir") && ex.getMessage().contains("in use"), ex.getMessage());
            assertFalse(broker.isClosed());
        }
    }

    @Test
    void anInterruptedDeletionIsFinishedAtTheNextStart() throws Exception {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("c");
            assertEquals(ErrorCode.NONE, client.createTopic("half", 1).code);
            client.produce("half", 0, Acks.ALL, TestSupport.batch("x"));
        }
        final Path saved = Files.createTempDirectory("half-0");
        copyTree(dataDir.resolve("half-0"), saved);
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("c");
            assertEquals(ErrorCode.NONE, client.deleteTopic("half").code);
        }
        // as if the broker had stopped after the deletion's record was committed, before its files were removed
        copyTree(saved, dataDir.resolve("half-0"));
        try (Broker broker = Broker.launch(TestSupport.context(dataDir))) {
            assertEquals(List.of(), broker.topicNames());
            assertFalse(Files.exists(dataDir.resolve("half-0")));
        }
        TopicCatalog.deleteRecursively(saved);
    }

    static void copyTree(final Path from, final Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(from)) {
            for (final Path path : (Iterable<Path>) paths::iterator) {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}

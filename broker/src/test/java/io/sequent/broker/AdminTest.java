package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.AlterConfigOp;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.JoinGroupRequestEncoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.OffsetSpec;
import io.sequent.codec.client.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Metadata, topic administration, configs, ListOffsets and retention. */
class AdminTest {
    @TempDir
    static Path dataDir;

    private static Broker broker;
    private static TestClient client;

    @BeforeAll
    static void launch() {
        broker = Broker.launch(TestSupport.context(dataDir).numPartitions(3));
        client = new TestClient(broker);
        client.connect("admin");
    }

    @AfterAll
    static void close() {
        if (null != client) {
            assertEquals(0, client.invalidResponses, "every response the broker sent passed ProtocolFrames.validate");
            client.close();
        }
        if (null != broker) {
            broker.close();
        }
    }

    @Test
    void metadataListsTopicsPartitionsAndThisBrokerAsLeader() {
        assertEquals(ErrorCode.NONE, client.createTopic("meta-a", 2).code);
        assertEquals(ErrorCode.NONE, client.createTopic("meta-b", -1).code);
        final TestClient.Metadata all = client.metadata();
        assertEquals(0, all.leaderId);
        assertEquals(broker.ingressChannel(), all.brokers.get(0));
        assertEquals(broker.clusterId(), all.clusterId);
        assertFalse(all.clusterId.isEmpty());
        final TestClient.TopicMetadata a = all.topics.get("meta-a");
        assertEquals(2, a.partitionCount);
        assertEquals(List.of(0, 1), a.partitions);
        assertEquals(List.of(0, 0), a.leaders);
        assertEquals(3, all.topics.get("meta-b").partitionCount, "num.partitions when the count is -1");

        final TestClient.Metadata some = client.metadata("meta-b", "nope", "bad name");
        assertEquals(3, some.topics.size());
        assertEquals(ErrorCode.NONE, some.topics.get("meta-b").code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, some.topics.get("nope").code);
        assertEquals(ErrorCode.INVALID_TOPIC, some.topics.get("bad name").code);

        // one empty name: no topic, only the leader and the members (the client's keep-alive and probe)
        final TestClient.Metadata none = client.metadata("");
        assertTrue(none.topics.isEmpty(), "topics: " + none.topics.keySet());
        assertEquals(0, none.leaderId);
        assertEquals(broker.ingressChannel(), none.brokers.get(0));
        assertEquals(Set.of("meta-a", "meta-b"), client.metadata("meta-a", "", "meta-b").topics.keySet());
    }

    @Test
    void createOfAnExistingTopicIsTopicAlreadyExists() {
        assertEquals(ErrorCode.NONE, client.createTopic("twice", 1).code);
        final TestClient.TopicResult again = client.createTopic("twice", 1);
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, again.code);
        assertTrue(again.message.contains("twice"), again.message);
    }

    @Test
    void invalidNamesPartitionCountsAndConfigsAreRefusedWithReasons() {
        for (final String name : new String[]{"", ".", "..", "has space", "a/b", "ü", "x".repeat(250)}) {
            final TestClient.TopicResult result = client.createTopic(name, 1);
            assertEquals(ErrorCode.INVALID_TOPIC, result.code, "name '" + name + "'");
            assertFalse(result.message.isEmpty());
        }
        assertEquals(ErrorCode.NONE, client.createTopic("x".repeat(249), 1).code, "249 characters are fine");
        for (final int partitions : new int[]{0, -2, 10_001}) {
            final TestClient.TopicResult result = client.createTopic("parts" + partitions, partitions);
            assertEquals(ErrorCode.INVALID_PARTITIONS, result.code, "partitions " + partitions);
            assertTrue(result.message.contains("partitions"), result.message);
        }

        final TestClient.TopicResult unknown = client.createTopic("cfg1", 1, "retention.msx=5");
        assertEquals(ErrorCode.INVALID_CONFIG, unknown.code);
        assertTrue(unknown.message.contains("retention.msx"), unknown.message);
        final TestClient.TopicResult compact = client.createTopic("cfg2", 1, "cleanup.policy=compact");
        assertEquals(ErrorCode.INVALID_CONFIG, compact.code);
        assertTrue(compact.message.contains("not supported"), compact.message);
        final TestClient.TopicResult notNumber = client.createTopic("cfg3", 1, "retention.ms=soon");
        assertEquals(ErrorCode.INVALID_CONFIG, notNumber.code);
        assertTrue(notNumber.message.contains("log.retention.ms"), notNumber.message);
        final TestClient.TopicResult tooSmall = client.createTopic("cfg4", 1, "segment.bytes=100");
        assertEquals(ErrorCode.INVALID_CONFIG, tooSmall.code);
        assertTrue(tooSmall.message.contains("log.segment.bytes"), tooSmall.message);
        final TestClient.TopicResult badType = client.createTopic("cfg5", 1, "message.timestamp.type=Whenever");
        assertEquals(ErrorCode.INVALID_CONFIG, badType.code);

        final TestClient.Metadata metadata = client.metadata("cfg1", "cfg2", "cfg3", "cfg4", "cfg5", "parts0");
        for (final TestClient.TopicMetadata topic : metadata.topics.values()) {
            assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic.code, "nothing was created: " + topic.name);
        }
    }

    @Test
    void validateOnlyCreatesNothing() {
        final List<TestClient.TopicResult> results =
            client.createTopics(true, new String[]{"dry"}, new int[]{4}, "retention.ms=1000");
        assertEquals(ErrorCode.NONE, results.get(0).code);
        assertEquals(4, results.get(0).partitions);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, client.metadata("dry").topics.get("dry").code);
    }

    @Test
    void describeShowsOverridesBrokerDefaultsAndDefaults() {
        assertEquals(ErrorCode.NONE,
            client.createTopic("described", 1, "retention.ms=123456", "log.flush.policy=none").code);
        final TestClient.Described described = client.describeTopic("described");
        assertEquals(ErrorCode.NONE, described.code);
        assertEquals("123456", described.values.get("log.retention.ms"));
        assertEquals("TOPIC", described.sources.get("log.retention.ms"));
        assertEquals("none", described.values.get("log.flush.policy"));
        assertEquals(Integer.toString(1 << 20), described.values.get("log.segment.bytes"));
        assertEquals("BROKER", described.sources.get("log.segment.bytes"));
        assertEquals("-1", described.values.get("log.retention.bytes"));
        assertEquals("DEFAULT", described.sources.get("log.retention.bytes"));
        assertEquals("delete", described.values.get("log.cleanup.policy"));

        final TestClient.Described one = client.describeTopic("described", "retention.ms");
        assertEquals(1, one.values.size());
        assertEquals("123456", one.values.get("log.retention.ms"));

        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, client.describeTopic("nothing-here").code);
        final TestClient.Described brokerSettings = client.describe(ResourceType.BROKER, "0");
        assertEquals(ErrorCode.NONE, brokerSettings.code);
        assertEquals(broker.context().dataDir().toString(), brokerSettings.values.get("data.dir"));
    }

    @Test
    void alterConfigsIsValidatedStoredAndTakesEffectAtRestart() {
        assertEquals(ErrorCode.NONE, client.createTopic("altered", 1).code);
        final TestClient.TopicResult set = client.alterTopic("altered", AlterConfigOp.SET, "retention.ms", "5000");
        assertEquals(ErrorCode.NONE, set.code, set.message);
        assertTrue(set.message.contains("next broker start"), set.message);
        final TestClient.Described described = client.describeTopic("altered");
        assertEquals("5000", described.values.get("log.retention.ms"));
        assertEquals("TOPIC", described.sources.get("log.retention.ms"));
        assertTrue(described.message.contains("next broker start"), described.message);

        final TestClient.TopicResult bad = client.alterTopic("altered", AlterConfigOp.SET, "retention.ms", "-7");
        assertEquals(ErrorCode.INVALID_CONFIG, bad.code);
        assertTrue(bad.message.contains("log.retention.ms"), bad.message);
        assertEquals(ErrorCode.INVALID_CONFIG,
            client.alterTopic("altered", AlterConfigOp.SET, "cleanup.policy", "compact").code);
        assertEquals(ErrorCode.INVALID_CONFIG, client.alterTopic("altered", AlterConfigOp.SET, "colour", "red").code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            client.alterTopic("not-there", AlterConfigOp.SET, "retention.ms", "1").code);

        final TestClient.TopicResult reverted = client.alterTopic("altered", AlterConfigOp.DELETE, "retention.ms", "");
        assertEquals(ErrorCode.NONE, reverted.code);
        assertEquals("DEFAULT", client.describeTopic("altered").sources.get("log.retention.ms"));
    }

    @Test
    void deleteStopsRoutingRemovesFilesAndTheNameCanBeReused() throws Exception {
        assertEquals(ErrorCode.NONE, client.createTopic("gone", 2).code);
        for (int i = 0; i < 5; i++) {
            assertEquals(ErrorCode.NONE, client.produce("gone", i % 2, Acks.ALL, TestSupport.batch("v" + i)).code);
        }
        assertTrue(Files.isDirectory(dataDir.resolve("gone-0")));
        final TestClient.TopicResult deleted = client.deleteTopic("gone");
        assertEquals(ErrorCode.NONE, deleted.code, deleted.message);
        assertFalse(Files.exists(dataDir.resolve("gone-0")), "partition directories are deleted");
        assertFalse(Files.exists(dataDir.resolve("gone-1")));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, client.metadata("gone").topics.get("gone").code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            client.produce("gone", 0, Acks.LEADER, TestSupport.batch("late")).code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, client.fetch("gone", 0, 0, 0, 1 << 20).code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, client.deleteTopic("gone").code);

        assertEquals(ErrorCode.NONE, client.createTopic("gone", 1).code);
        assertEquals(0, client.produce("gone", 0, Acks.ALL, TestSupport.batch("new")).baseOffset,
            "a re-created topic starts empty");
    }

    @Test
    void listOffsetsEarliestLatestAndByTimestamp() {
        assertEquals(ErrorCode.NONE, client.createTopic("timed", 1).code);
        assertEquals(-1, client.listOffset("timed", 0, OffsetSpec.BY_TIMESTAMP, 0).offset, "empty: no match");
        assertEquals(0, client.listOffset("timed", 0, OffsetSpec.LATEST, 0).offset);
        client.produce("timed", 0, Acks.ALL, TestSupport.batch(1_000, -1, (short) -1, -1, "a", "b", "c"));
        client.produce("timed", 0, Acks.ALL, TestSupport.batch(2_000, -1, (short) -1, -1, "d", "e"));

        assertEquals(0, client.listOffset("timed", 0, OffsetSpec.EARLIEST, 0).offset);
        assertEquals(5, client.listOffset("timed", 0, OffsetSpec.LATEST, 0).offset);
        final TestClient.ListedOffset inFirst = client.listOffset("timed", 0, OffsetSpec.BY_TIMESTAMP, 1_001);
        assertEquals(1, inFirst.offset, "the first record at or after the timestamp, inside a batch");
        assertEquals(1_001, inFirst.timestamp);
        final TestClient.ListedOffset between = client.listOffset("timed", 0, OffsetSpec.BY_TIMESTAMP, 1_500);
        assertEquals(3, between.offset);
        assertEquals(2_000, between.timestamp);
        assertEquals(0, client.listOffset("timed", 0, OffsetSpec.BY_TIMESTAMP, 0).offset);
        assertEquals(4, client.listOffset("timed", 0, OffsetSpec.BY_TIMESTAMP, 2_001).offset);
        assertEquals(-1, client.listOffset("timed", 0, OffsetSpec.BY_TIMESTAMP, 3_000).offset, "none that late");

        final List<TestClient.ListedOffset> mixed = client.listOffsets("timed", new int[]{0, 4},
            new OffsetSpec[]{OffsetSpec.LATEST, OffsetSpec.EARLIEST}, new long[]{0, 0});
        assertEquals(ErrorCode.NONE, mixed.get(0).code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, mixed.get(1).code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            client.listOffset("untimed", 0, OffsetSpec.LATEST, 0).code);
    }

    @Test
    void retentionDeletesOldSegmentsAndMovesTheLogStart() {
        assertEquals(ErrorCode.NONE,
            client.createTopic("retained", 1, "retention.ms=60000", "segment.bytes=4096").code);
        final String value = "r".repeat(1_000);
        for (int i = 0; i < 12; i++) {
            assertEquals(ErrorCode.NONE, client.produce("retained", 0, Acks.ALL,
                TestSupport.batch(10_000 + i, -1, (short) -1, -1, value)).code);
        }
        final long deadline = System.currentTimeMillis() + 10_000;
        long earliest;
        while ((earliest = client.listOffset("retained", 0, OffsetSpec.EARLIEST, 0).offset) == 0) {
            if (System.currentTimeMillis() > deadline) {
                fail("retention never moved the log start");
            }
            TestClient.sleep(50);
        }
        assertTrue(earliest > 0 && earliest < 12, "log starts at " + earliest);
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, client.fetch("retained", 0, 0, 0, 1 << 20).partition(0).code);
        final TestClient.FetchedPartition rest = client.fetch("retained", 0, earliest, 0, 1 << 20).partition(0);
        assertEquals(earliest, rest.logStartOffset);
        assertEquals(earliest, TestSupport.records(rest.records, rest.highWatermark).get(0).offset);
    }

    @Test
    void joinGroupWithoutTopicsIsRefusedWithAMessage() {
        final long correlationId = client.nextCorrelationId();
        final JoinGroupRequestEncoder encoder = new JoinGroupRequestEncoder();
        encoder.wrapAndApplyHeader(client.buffer(), 0, client.headerEncoder())
            .correlationId(correlationId)
            .sessionId(client.sessionId())
            .sessionTimeoutMs(10_000)
            .rebalanceTimeoutMs(10_000)
            .assignor(io.sequent.codec.client.Assignor.RANGE)
            .topicsCount(0);
        encoder.groupId("g").memberId("");
        client.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final TestClient.ErrorReply reply = TestClient.errorReply(client.await(correlationId));
        assertEquals(ErrorCode.INVALID_REQUEST, reply.code);
        assertEquals(JoinGroupRequestEncoder.TEMPLATE_ID, reply.requestTemplateId);
        assertTrue(reply.message.contains("at least one topic"), reply.message);
    }
}

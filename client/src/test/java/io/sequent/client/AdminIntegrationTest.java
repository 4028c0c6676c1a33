package io.sequent.client;

import static io.sequent.client.TestSupport.bytes;
import static io.sequent.client.TestSupport.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sequent.codec.client.ErrorCode;

class AdminIntegrationTest {
    private static FakeBroker broker;
    private static Admin admin;

    @BeforeAll
    static void start() {
        broker = new FakeBroker();
        admin = Admin.create(client(broker));
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void createsListsDescribesAndDeletesTopics() throws Exception {
        admin.createTopic("orders", 3, Map.of("retention.ms", "1000"));
        assertTrue(broker.hasTopic("orders"));
        assertEquals(Map.of("retention.ms", "1000"), broker.topicConfigs("orders"));
        assertTrue(admin.listTopics().contains("orders"));

        try (Producer producer = new Producer(new ProducerConfig(client(broker)))) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord("orders", 1, null, null, bytes("o" + i), null));
            }
            producer.flush();
        }
        broker.truncateHead("orders", 1, 0);
        final TopicDescription description = admin.describeTopic("orders");
        assertEquals("orders", description.name());
        assertEquals(List.of(new PartitionDescription(0, 1, 0, 0), new PartitionDescription(1, 1, 0, 5),
            new PartitionDescription(2, 1, 0, 0)), description.partitions());
        assertEquals(Map.of("retention.ms", "1000"), description.configs());
        assertEquals("1000", admin.describeConfigs("orders").get("retention.ms"));

        admin.deleteTopic("orders");
        assertFalse(broker.hasTopic("orders"));
        assertFalse(admin.listTopics().contains("orders"));
    }

    @Test
    void reportsTheBrokersRefusals() {
        admin.createTopic("taken", 1, Map.of());
        final TopicExistsException exists =
            assertThrows(TopicExistsException.class, () -> admin.createTopic("taken", 1, Map.of()));
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, exists.errorCode());
        assertFalse(exists.isRetriable());
        assertThrows(InvalidConfigException.class, () -> admin.createTopic("bad", 1, Map.of("bad.config", "x")));
        final SequentException partitions =
            assertThrows(SequentException.class, () -> admin.createTopic("none", 0, Map.of()));
        assertEquals(ErrorCode.INVALID_PARTITIONS, partitions.errorCode());
        assertThrows(UnknownTopicException.class, () -> admin.deleteTopic("missing"));
        assertThrows(UnknownTopicException.class, () -> admin.describeTopic("missing"));
        assertThrows(UnknownTopicException.class, () -> admin.describeConfigs("missing"));
        assertThrows(IllegalArgumentException.class, () -> admin.createTopic(" ", 1, Map.of()));
    }

    @Test
    void listsOffsetsBySpec() {
        admin.createTopic("offsets", 2, Map.of());
        try (Producer producer = new Producer(new ProducerConfig(client(broker)))) {
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord("offsets", 0, 1_000L * (i + 1), null, bytes("x"), null));
            }
            producer.flush();
        }
        final TopicPartition p0 = new TopicPartition("offsets", 0);
        final TopicPartition p1 = new TopicPartition("offsets", 1);
        assertEquals(Map.of(p0, 0L, p1, 0L), admin.listOffsets(Map.of(p0, OffsetSpec.earliest(), p1,
            OffsetSpec.latest())));
        assertEquals(Map.of(p0, 6L), admin.listOffsets(Map.of(p0, OffsetSpec.latest())));
        assertEquals(Map.of(p0, 2L), admin.listOffsets(Map.of(p0, OffsetSpec.forTimestamp(2_500))));
        assertEquals(Map.of(p0, -1L), admin.listOffsets(Map.of(p0, OffsetSpec.forTimestamp(60_000))));
        assertThrows(UnknownTopicException.class,
            () -> admin.listOffsets(Map.of(new TopicPartition("offsets", 5), OffsetSpec.latest())));
    }
}

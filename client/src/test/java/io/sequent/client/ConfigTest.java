package io.sequent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.sequent.codec.Compression;
import io.sequent.codec.client.ErrorCode;

class ConfigTest {
    private static Properties properties(final String... keyValues) {
        final Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void defaults() {
        final ClientConfig client = new ClientConfig();
        assertEquals("127.0.0.1:9090", client.bootstrap());
        assertNull(client.aeronDirectory());
        assertEquals(Duration.ofSeconds(10), client.connectTimeout());
        assertEquals(Duration.ofSeconds(30), client.requestTimeout());
        final ProducerConfig producer = new ProducerConfig(client);
        assertEquals("all", producer.acks());
        assertEquals(5, producer.lingerMs());
        assertEquals(16384, producer.batchSize());
        assertEquals("none", producer.compression());
        assertEquals(Integer.MAX_VALUE, producer.retries());
        assertEquals(120_000, producer.deliveryTimeoutMs());
        assertEquals(100, producer.retryBackoffMs());
        assertTrue(producer.effectiveIdempotence());
        assertEquals(1_048_576, producer.maxRequestSize());
        assertEquals(32L << 20, producer.bufferMemory());
        assertEquals(60_000, producer.maxBlockMs());
        assertEquals(5, producer.maxInFlightRequestsPerPartition());
        final ConsumerConfig consumer = new ConsumerConfig(client);
        assertEquals(500, consumer.fetchMaxWaitMs());
        assertEquals(1, consumer.fetchMinBytes());
        assertEquals(1 << 20, consumer.fetchMaxBytes());
        assertEquals(1 << 20, consumer.maxPartitionFetchBytes());
        assertEquals(500, consumer.maxPollRecords());
        assertEquals("latest", consumer.autoOffsetReset());
        assertEquals("leader", consumer.clientReadFrom());
        assertFalse(consumer.readsFromFollower());
        assertEquals(Duration.ofMillis(100), client.reconnectBackoff());
        assertEquals(Duration.ofSeconds(1), client.reconnectBackoffMax());
    }

    @Test
    void readsTheReplicaGroupSettings() {
        final Properties p = properties(
            "reconnect.backoff.ms", "20",
            "reconnect.backoff.max.ms", "400",
            "client.read.from", "Follower");
        final ConsumerConfig consumer = ConsumerConfig.fromProperties(p);
        assertEquals(Duration.ofMillis(20), consumer.client().reconnectBackoff());
        assertEquals(Duration.ofMillis(400), consumer.client().reconnectBackoffMax());
        assertEquals("follower", consumer.clientReadFrom());
        assertTrue(consumer.readsFromFollower());
        assertTrue(consumer.copy().readsFromFollower());
        assertEquals(List.of(), ConsumerConfig.unknownKeys(p));
        assertEquals(Duration.ofMillis(500), new ClientConfig().reconnectBackoff(Duration.ofMillis(500))
            .reconnectBackoffMax(Duration.ofMillis(200)).reconnectBackoffMax(), "never below reconnect.backoff.ms");
        assertMessageNames("client.read.from", () -> ConsumerConfig.fromProperties(properties("client.read.from",
            "nearest")));
        assertMessageNames("reconnect.backoff.max.ms", () -> ClientConfig.fromProperties(
            properties("reconnect.backoff.max.ms", "-5")));
    }

    @Test
    void readsKafkasKeyNames() {
        final Properties p = properties(
            "bootstrap.servers", "10.0.0.1:9000, 10.0.0.2:9001",
            "client.id", "cli",
            "aeron.dir", "/dev/shm/somewhere",
            "connect.timeout.ms", "1500",
            "request.timeout.ms", "2500",
            "acks", "-1",
            "linger.ms", "7",
            "batch.size", "1000",
            "compression.type", "lz4",
            "retries", "3",
            "delivery.timeout.ms", "9000",
            "enable.idempotence", "false",
            "max.in.flight.requests.per.connection", "2",
            "fetch.max.wait.ms", "50",
            "max.poll.records", "9",
            "auto.offset.reset", "earliest",
            "unrelated.broker.key", "ignored");
        final ProducerConfig producer = ProducerConfig.fromProperties(p);
        assertEquals(List.of("10.0.0.1:9000", "10.0.0.2:9001"), producer.client().bootstrapEndpoints());
        assertEquals("cli", producer.client().clientId());
        assertEquals("/dev/shm/somewhere", producer.client().aeronDirectory());
        assertEquals(Duration.ofMillis(1500), producer.client().connectTimeout());
        assertEquals(Duration.ofMillis(2500), producer.client().requestTimeout());
        assertEquals("all", producer.acks());
        assertEquals(7, producer.lingerMs());
        assertEquals(1000, producer.batchSize());
        assertEquals(Compression.LZ4, producer.compressionCodec());
        assertEquals(3, producer.retries());
        assertEquals(9000, producer.effectiveDeliveryTimeoutMs());
        assertFalse(producer.effectiveIdempotence());
        assertEquals(2, producer.maxInFlightRequestsPerPartition());
        final ConsumerConfig consumer = ConsumerConfig.fromProperties(p);
        assertEquals(50, consumer.fetchMaxWaitMs());
        assertEquals(9, consumer.maxPollRecords());
        assertEquals("earliest", consumer.autoOffsetReset());
    }

    @Test
    void badValuesNameTheirKey() {
        final InvalidConfigException ex = assertThrows(InvalidConfigException.class,
            () -> ProducerConfig.fromProperties(properties("linger.ms", "soon")));
        assertTrue(ex.getMessage().contains("linger.ms"), ex.getMessage());
        assertEquals(ErrorCode.INVALID_CONFIG, ex.errorCode());
        assertMessageNames("acks", () -> ProducerConfig.fromProperties(properties("acks", "2")));
        assertMessageNames("compression.type",
            () -> ProducerConfig.fromProperties(properties("compression.type", "gzip")));
        assertMessageNames("bootstrap.servers", () -> new ClientConfig().bootstrap("localhost"));
        assertMessageNames("bootstrap.servers", () -> new ClientConfig().bootstrap("h:70000"));
        assertMessageNames("request.timeout.ms", () -> new ClientConfig().requestTimeout(Duration.ZERO));
        assertMessageNames("max.request.size",
            () -> new ProducerConfig(new ClientConfig()).maxRequestSize(16 * 1024 * 1024));
        assertMessageNames("auto.offset.reset", () -> new ConsumerConfig(new ClientConfig()).autoOffsetReset("middle"));
        assertMessageNames("fetch.max.bytes", () -> new ConsumerConfig(new ClientConfig()).fetchMaxBytes(8 << 20));
        assertMessageNames("idle.strategy", () -> new ClientConfig().idleStrategy("spin-forever"));
        assertMessageNames("enable.idempotence",
            () -> ProducerConfig.fromProperties(properties("enable.idempotence", "maybe")));
    }

    private static void assertMessageNames(final String key, final org.junit.jupiter.api.function.Executable call) {
        final InvalidConfigException ex = assertThrows(InvalidConfigException.class, call);
        assertTrue(ex.getMessage().contains(key), ex.getMessage());
    }

    @Test
    void idempotenceNeedsAcksAllLikeKafka() {
        final ProducerConfig implicit = new ProducerConfig(new ClientConfig()).acks("1");
        assertFalse(implicit.effectiveIdempotence(), "not asked for: quietly off");
        final ProducerConfig explicit = new ProducerConfig(new ClientConfig()).enableIdempotence(true).acks("1");
        assertThrows(InvalidConfigException.class, explicit::effectiveIdempotence);
        final ProducerConfig tooMany = new ProducerConfig(new ClientConfig()).enableIdempotence(true)
            .maxInFlightRequestsPerPartition(6);
        assertThrows(InvalidConfigException.class, tooMany::effectiveIdempotence);
        assertThrows(InvalidConfigException.class, () -> new Producer(explicit));
    }

    @Test
    void deliveryTimeoutCoversLingerAndRequestTimeout() {
        final ProducerConfig raised = new ProducerConfig(new ClientConfig().requestTimeout(Duration.ofMinutes(3)));
        assertEquals(180_005, raised.effectiveDeliveryTimeoutMs());
        final ProducerConfig tooShort = new ProducerConfig(new ClientConfig()).deliveryTimeoutMs(1_000);
        final InvalidConfigException ex =
            assertThrows(InvalidConfigException.class, tooShort::effectiveDeliveryTimeoutMs);
        assertTrue(ex.getMessage().contains("delivery.timeout.ms"), ex.getMessage());
    }

    @Test
    void copiesAreIndependent() {
        final ProducerConfig original = new ProducerConfig(new ClientConfig().clientId("a")).lingerMs(1);
        final ProducerConfig copy = original.copy();
        original.lingerMs(9).client().clientId("b");
        assertEquals(1, copy.lingerMs());
        assertEquals("a", copy.client().clientId());
    }

    @Test
    void exceptionsMapErrorCodes() {
        assertTrue(SequentException.of(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "x") instanceof UnknownTopicException);
        assertTrue(SequentException.of(ErrorCode.TOPIC_ALREADY_EXISTS, "x") instanceof TopicExistsException);
        assertTrue(SequentException.of(ErrorCode.RECORD_TOO_LARGE, "x") instanceof RecordTooLargeException);
        assertTrue(SequentException.of(ErrorCode.OFFSET_OUT_OF_RANGE, "x") instanceof OffsetOutOfRangeException);
        assertTrue(SequentException.of(ErrorCode.BACK_PRESSURED, "x").isRetriable());
        assertTrue(SequentException.of(ErrorCode.NOT_LEADER, "x").isRetriable());
        assertTrue(SequentException.of(ErrorCode.STORAGE_ERROR, "x").isRetriable());
        assertTrue(SequentException.of(ErrorCode.REQUEST_TIMED_OUT, "x").isRetriable());
        assertFalse(SequentException.of(ErrorCode.CORRUPT_MESSAGE, "x").isRetriable());
        assertFalse(SequentException.of(ErrorCode.INVALID_CONFIG, "x").isRetriable());
    }

    @Test
    void unknownKeysAreNamedAndIgnored() {
        final Properties p = properties("lingr.ms", "77", "acks", "1", "bootstrap.servers", "127.0.0.1:9999",
            "auto.offset.reset", "earliest", "num.partitons", "3");
        assertEquals(List.of("auto.offset.reset", "lingr.ms", "num.partitons"), ProducerConfig.unknownKeys(p));
        assertEquals(List.of("acks", "lingr.ms", "num.partitons"), ConsumerConfig.unknownKeys(p));
        assertEquals(List.of("acks", "auto.offset.reset", "lingr.ms", "num.partitons"), ClientConfig.unknownKeys(p));
        final ProducerConfig producer = ProducerConfig.fromProperties(p);
        assertEquals("1", producer.acks(), "the known keys are still read");
        assertEquals(5, producer.lingerMs(), "the misspelt key is not taken for linger.ms");
        assertEquals("earliest", ConsumerConfig.fromProperties(p).autoOffsetReset());
    }
}

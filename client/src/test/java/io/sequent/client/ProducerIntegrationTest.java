package io.sequent.client;

import static io.sequent.client.TestSupport.bytes;
import static io.sequent.client.TestSupport.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.ProduceRequestDecoder;

/**
 * The producer against the fake broker: partitioning, retries, idempotence, limits and failures.
 */
class ProducerIntegrationTest {
    private static FakeBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = new FakeBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static ProducerConfig config() {
        return new ProducerConfig(client(broker)).retryBackoffMs(20);
    }

    private static SequentException failure(final CompletableFuture<RecordMetadata> future) {
        final ExecutionException ex = assertThrows(ExecutionException.class, () -> future.get(20, TimeUnit.SECONDS));
        return assertInstanceOf(SequentException.class, ex.getCause());
    }

    private static List<ProducerIntegrationTest.Stored> stored(final String topic, final int partition) {
        final List<Stored> records = new ArrayList<>();
        try (BatchReader reader = new BatchReader()) {
            for (final FakeBroker.StoredBatch batch : broker.batches(topic, partition)) {
                assertEquals(BatchError.NONE, reader.wrap(new UnsafeBuffer(batch.frame()), 0, batch.frame().length));
                while (reader.next()) {
                    records.add(new Stored(reader.offset(), TestSupport.string(reader.keyBytes()),
                        TestSupport.string(reader.valueBytes()), reader.timestamp()));
                }
            }
        }
        return records;
    }

    private record Stored(long offset, String key, String value, long timestamp) {
    }

    @Test
    void keyedRecordsLandOnKafkasPartition() throws Exception {
        broker.createTopic("keyed", 3);
        try (Producer producer = new Producer(config())) {
            final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                futures.add(producer.send(new ProducerRecord("keyed", bytes("key-" + i), bytes("value-" + i))));
            }
            for (int i = 0; i < 60; i++) {
                final RecordMetadata metadata = futures.get(i).get(20, TimeUnit.SECONDS);
                assertEquals(Murmur2.partition(bytes("key-" + i), 3), metadata.partition());
                assertEquals("keyed", metadata.topic());
            }
        }
        int total = 0;
        for (int p = 0; p < 3; p++) {
            long expectedOffset = 0;
            for (final Stored record : stored("keyed", p)) {
                assertEquals(p, Murmur2.partition(bytes(record.key()), 3), record.key());
                assertEquals(expectedOffset++, record.offset());
                total++;
            }
        }
        assertEquals(60, total);
    }

    @Test
    void recordsWithoutKeyStickToOnePartitionPerBatch() throws Exception {
        broker.createTopic("sticky", 4);
        try (Producer producer = new Producer(config().lingerMs(200))) {
            final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(producer.send(new ProducerRecord("sticky", bytes("v" + i))));
            }
            producer.flush();
            final Set<Integer> partitions = new HashSet<>();
            for (final CompletableFuture<RecordMetadata> future : futures) {
                partitions.add(future.get().partition());
            }
            assertEquals(1, partitions.size(), "one batch, one partition: " + partitions);
        }
    }

    @Test
    void backPressureIsRetriedWithTheSameSequenceUntilAccepted() throws Exception {
        broker.createTopic("pushback", 1);
        try (Producer producer = new Producer(config())) {
            producer.send(new ProducerRecord("pushback", 0, null, null, bytes("warm"), null)).get(20, TimeUnit.SECONDS);
            broker.backPressureNext(3);
            final RecordMetadata metadata =
                producer.send(new ProducerRecord("pushback", 0, null, null, bytes("x"), null))
                .get(20, TimeUnit.SECONDS);
            assertEquals(1, metadata.offset());
        }
        final List<FakeBroker.ProduceEvent> events = broker.produceEvents().stream()
            .filter(e -> e.topic().equals("pushback") && e.baseSequence() == 1).toList();
        assertEquals(4, events.size(), events.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(ErrorCode.BACK_PRESSURED, events.get(i).answer());
        }
        assertEquals(ErrorCode.NONE, events.get(3).answer());
        assertEquals(2, broker.endOffset("pushback", 0), "stored once");
    }

    @Test
    void aResendOfABatchAlreadyWrittenIsNotWrittenTwice() throws Exception {
        broker.createTopic("dedup", 1);
        final ProducerConfig config = config();
        config.client().requestTimeout(Duration.ofMillis(700));
        try (Producer producer = new Producer(config)) {
            producer.send(new ProducerRecord("dedup", bytes("warm"))).get(20, TimeUnit.SECONDS);
            broker.swallowNext(ProduceRequestDecoder.TEMPLATE_ID, 1);
            final RecordMetadata metadata = producer.send(new ProducerRecord("dedup", bytes("once")))
                .get(20, TimeUnit.SECONDS);
            assertEquals(1, metadata.offset(), "the resend is answered with the original offset");
        }
        assertEquals(2, broker.endOffset("dedup", 0));
        assertEquals(List.of("warm", "once"), stored("dedup", 0).stream().map(Stored::value).toList());
    }

    @Test
    void aRecordLargerThanMaxRequestSizeFailsInTheFuture() {
        broker.createTopic("large", 1);
        final AtomicReference<Exception> callbackFailure = new AtomicReference<>();
        try (Producer producer = new Producer(config().maxRequestSize(2_000))) {
            producer.send(new ProducerRecord("large", new byte[5_000]), (metadata, ex) -> callbackFailure.set(ex));
            assertInstanceOf(RecordTooLargeException.class, callbackFailure.get(), "fails in send, at once");
            final CompletableFuture<RecordMetadata> future =
                producer.send(new ProducerRecord("large", new byte[5_000]));
            assertTrue(future.isDone(), "fails in send, without a round trip");
            final SequentException failure = failure(future);
            assertInstanceOf(RecordTooLargeException.class, failure);
            assertEquals(ErrorCode.RECORD_TOO_LARGE, failure.errorCode());
            assertEquals(ErrorCode.RECORD_TOO_LARGE, ((SequentException) callbackFailure.get()).errorCode());
        }
    }

    @Test
    void anUnknownTopicFailsWithUnknownTopicException() {
        try (Producer producer = new Producer(config())) {
            final SequentException failure = failure(producer.send(new ProducerRecord("no-such-topic", bytes("x"))));
            assertInstanceOf(UnknownTopicException.class, failure);
            assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, failure.errorCode());
            assertThrows(UnknownTopicException.class, () -> producer.partitionsFor("no-such-topic"));
        }
    }

    @Test
    void partitionsForListsThePartitions() {
        broker.createTopic("described", 3);
        try (Producer producer = new Producer(config())) {
            final List<PartitionInfo> partitions = producer.partitionsFor("described");
            assertEquals(List.of(new PartitionInfo("described", 0, 1), new PartitionInfo("described", 1, 1),
                new PartitionInfo("described", 2, 1)), partitions);
        }
    }

    @Test
    void sendBlocksWhenBufferMemoryIsFullThenFails() throws Exception {
        broker.createTopic("stuck", 1);
        final ProducerConfig config = config().bufferMemory(4_096).maxBlockMs(300);
        final Producer producer = new Producer(config);
        try {
            producer.send(new ProducerRecord("stuck", bytes("warm"))).get(20, TimeUnit.SECONDS);
            broker.dropNext(ProduceRequestDecoder.TEMPLATE_ID, 1_000);
            final List<CompletableFuture<RecordMetadata>> accepted = new ArrayList<>();
            CompletableFuture<RecordMetadata> refused = null;
            long blockedNs = 0;
            for (int i = 0; i < 10 && refused == null; i++) {
                final long start = System.nanoTime();
                final CompletableFuture<RecordMetadata> future =
                    producer.send(new ProducerRecord("stuck", new byte[1_000]));
                if (future.isCompletedExceptionally()) {
                    refused = future;
                    blockedNs = System.nanoTime() - start;
                } else {
                    accepted.add(future);
                }
            }
            assertTrue(refused != null, "buffer.memory of 4 KiB holds a few 1 KB records, not ten");
            assertInstanceOf(BufferExhaustedException.class, failure(refused));
            assertTrue(failure(refused).isRetriable());
            assertTrue(blockedNs >= TimeUnit.MILLISECONDS.toNanos(250), "send blocked " + blockedNs / 1_000_000
                + " ms");
            assertTrue(accepted.size() >= 2 && accepted.size() <= 4, "accepted " + accepted.size());
        } finally {
            producer.close(Duration.ZERO);
            broker.dropNext(ProduceRequestDecoder.TEMPLATE_ID, 0);
        }
    }

    @Test
    void anUnansweredRequestFailsAfterTheDeliveryTimeout() {
        broker.createTopic("silent", 1);
        final ProducerConfig config = config().deliveryTimeoutMs(1_500).retries(Integer.MAX_VALUE);
        config.client().requestTimeout(Duration.ofMillis(500));
        try (Producer producer = new Producer(config)) {
            broker.dropNext(ProduceRequestDecoder.TEMPLATE_ID, 1_000);
            final long start = System.nanoTime();
            final SequentException failure = failure(producer.send(new ProducerRecord("silent", bytes("lost"))));
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(RequestTimeoutException.class, failure);
            assertEquals(ErrorCode.REQUEST_TIMED_OUT, failure.errorCode());
            assertTrue(elapsedMs >= 1_400 && elapsedMs < 6_000, "failed after " + elapsedMs + " ms");
        } finally {
            broker.dropNext(ProduceRequestDecoder.TEMPLATE_ID, 0);
        }
    }

    @Test
    void flushSendsLingeringRecordsAndCloseFlushes() throws Exception {
        broker.createTopic("lingering", 1);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        try (Producer producer = new Producer(config().lingerMs(60_000))) {
            for (int i = 0; i < 5; i++) {
                futures.add(producer.send(new ProducerRecord("lingering", bytes("f" + i))));
            }
            Thread.sleep(100);
            assertTrue(futures.stream().noneMatch(CompletableFuture::isDone), "linger holds them");
            producer.flush();
            assertTrue(futures.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
            for (int i = 0; i < 5; i++) {
                futures.add(producer.send(new ProducerRecord("lingering", bytes("c" + i))));
            }
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(i, futures.get(i).get(0, TimeUnit.SECONDS).offset());
        }
    }

    @Test
    void acksZeroIsFireAndForget() throws Exception {
        broker.createTopic("fire", 1);
        try (Producer producer = new Producer(config().acks("0"))) {
            final RecordMetadata metadata =
                producer.send(new ProducerRecord("fire", bytes("x"))).get(20, TimeUnit.SECONDS);
            assertEquals(-1, metadata.offset());
        }
        TestSupport.await(() -> broker.endOffset("fire", 0) == 1, "the record to be stored");
        assertTrue(broker.produceEvents().stream().anyMatch(e -> e.topic().equals("fire") && e.acks() == Acks.NONE));
    }

    @Test
    void sendAfterCloseIsRefused() {
        final Producer producer = new Producer(config());
        producer.close();
        assertThrows(IllegalStateException.class, () -> producer.send(new ProducerRecord("any", bytes("x"))));
    }

    @Test
    void callbacksRunWithTheMetadata() throws Exception {
        broker.createTopic("callbacks", 2);
        final AtomicReference<RecordMetadata> seen = new AtomicReference<>();
        try (Producer producer = new Producer(config())) {
            final CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
            producer.send(
                new ProducerRecord("callbacks", 1, 123L, null, bytes("x"), null),
                (m, ex) -> {
                    assertNull(ex);
                    seen.set(m);
                    done.complete(m);
                });
            final RecordMetadata metadata = done.get(20, TimeUnit.SECONDS);
            assertEquals(new RecordMetadata("callbacks", 1, 0, 123L), metadata);
            assertEquals(metadata, seen.get());
        }
    }
}

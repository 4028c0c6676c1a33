package io.sequent.client;

import static io.sequent.client.TestSupport.bytes;
import static io.sequent.client.TestSupport.client;
import static io.sequent.client.TestSupport.pollUntil;
import static io.sequent.client.TestSupport.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The consumer against the fake broker, fed by a real producer: positions, seeks, lookups by time,
 * resets, partial frames, subscriptions.
 */
class ConsumerIntegrationTest {
    private static final long T0 = 1_600_000_000_000L;
    private static FakeBroker broker;
    private static Producer producer;

    @BeforeAll
    static void start() {
        broker = new FakeBroker();
        producer = new Producer(new ProducerConfig(client(broker)).lingerMs(0).compression("zstd"));
    }

    @AfterAll
    static void stop() {
        producer.close();
        broker.close();
    }

    private static ConsumerConfig config(final String reset) {
        return new ConsumerConfig(client(broker)).autoOffsetReset(reset).fetchMaxWaitMs(100);
    }

    /** Produces {@code count} records, one flush (so one or few batches) per {@code perBatch}. */
    private static void produce(final String topic, final int partition, final int from, final int count,
        final int perBatch) {
        for (int i = from; i < from + count; i++) {
            final List<Header> headers = i % 3 == 0 ? List.of(new Header("h" + i, bytes("hv" + i))) : null;
            producer.send(new ProducerRecord(topic, partition, T0 + i * 1_000L, bytes("k" + i),
                i % 5 == 4 ? null : bytes("v" + i), headers));
            if ((i - from + 1) % perBatch == 0) {
                producer.flush();
            }
        }
        producer.flush();
    }

    @Test
    void readsFromTheStartWithTimestampsKeysValuesAndHeaders() {
        broker.createTopic("all", 1);
        produce("all", 0, 0, 25, 10);
        final TopicPartition tp = new TopicPartition("all", 0);
        try (Consumer consumer = new Consumer(config("earliest"))) {
            consumer.assign(List.of(tp));
            final List<ConsumerRecord> records = pollUntil(consumer, 25);
            for (int i = 0; i < 25; i++) {
                final ConsumerRecord r = records.get(i);
                assertEquals(i, r.offset());
                assertEquals(T0 + i * 1_000L, r.timestamp(), "timestamps are preserved");
                assertEquals("k" + i, string(r.key()));
                assertEquals(i % 5 == 4 ? null : "v" + i, string(r.value()));
                assertEquals(i % 3 == 0 ? List.of(new Header("h" + i, bytes("hv" + i))) : List.of(), r.headers());
            }
            assertEquals(25, consumer.position(tp));
        }
    }

    @Test
    void latestStartsAtTheEndAndLongPollsForNewRecords() throws Exception {
        broker.createTopic("tail", 1);
        produce("tail", 0, 0, 5, 5);
        final TopicPartition tp = new TopicPartition("tail", 0);
        try (Consumer consumer = new Consumer(config("latest").fetchMaxWaitMs(2_000))) {
            consumer.assign(List.of(tp));
            assertTrue(consumer.poll(Duration.ofMillis(200)).isEmpty());
            assertEquals(5, consumer.position(tp));
            final Thread later = new Thread(() -> produce("tail", 0, 5, 3, 3));
            later.start();
            final List<ConsumerRecord> records = pollUntil(consumer, 3);
            later.join(10_000);
            assertEquals(List.of(5L, 6L, 7L), records.stream().map(ConsumerRecord::offset).toList());
        }
    }

    @Test
    void seekSeekToBeginningAndSeekToEnd() {
        broker.createTopic("seeks", 1);
        produce("seeks", 0, 0, 30, 30);
        final TopicPartition tp = new TopicPartition("seeks", 0);
        try (Consumer consumer = new Consumer(config("latest"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 10);
            assertEquals(10, consumer.position(tp));
            List<ConsumerRecord> records = pollUntil(consumer, 20);
            assertEquals(10, records.get(0).offset(), "records below the position inside a batch are skipped");
            assertEquals(29, records.get(19).offset());

            consumer.seekToBeginning(List.of(tp));
            assertEquals(0, consumer.position(tp));
            records = pollUntil(consumer, 30);
            assertEquals(0, records.get(0).offset());

            consumer.seek(tp, 3);
            consumer.seekToEnd(List.of());
            assertEquals(30, consumer.position(tp));
            assertTrue(consumer.poll(Duration.ofMillis(150)).isEmpty());

            assertThrows(IllegalStateException.class, () -> consumer.seek(new TopicPartition("seeks", 9), 0));
            assertThrows(IllegalArgumentException.class, () -> consumer.seek(tp, -1));
        }
    }

    @Test
    void offsetsForTimesAndBeginningAndEndOffsets() {
        broker.createTopic("times", 2);
        produce("times", 1, 0, 20, 7);
        final TopicPartition tp = new TopicPartition("times", 1);
        final TopicPartition empty = new TopicPartition("times", 0);
        try (Consumer consumer = new Consumer(config("latest"))) {
            final Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(
                Map.of(tp, T0 + 7_000L));
            assertEquals(new OffsetAndTimestamp(7, T0 + 7_000L), found.get(tp));
            assertEquals(new OffsetAndTimestamp(8, T0 + 8_000L), consumer.offsetsForTimes(Map.of(tp, T0 + 7_500L))
                .get(tp));
            final Map<TopicPartition, OffsetAndTimestamp> none = consumer.offsetsForTimes(Map.of(tp, T0 + 99_000L));
            assertTrue(none.containsKey(tp));
            assertNull(none.get(tp), "no record that recent");
            assertEquals(Map.of(tp, 0L, empty, 0L), consumer.beginningOffsets(List.of(tp, empty)));
            assertEquals(Map.of(tp, 20L, empty, 0L), consumer.endOffsets(List.of(tp, empty)));
            assertThrows(UnknownTopicException.class, () -> consumer.endOffsets(List.of(new TopicPartition("times",
                7))));
        }
    }

    @Test
    void pollReturnsAtMostMaxPollRecordsAndResumesInsideABatch() {
        broker.createTopic("chunks", 1);
        produce("chunks", 0, 0, 25, 25);
        try (Consumer consumer = new Consumer(config("earliest").maxPollRecords(7))) {
            consumer.assign(List.of(new TopicPartition("chunks", 0)));
            final List<Integer> sizes = new ArrayList<>();
            long expected = 0;
            final long deadline = System.nanoTime() + TestSupport.WAIT.toNanos();
            while (expected < 25 && System.nanoTime() < deadline) {
                final ConsumerRecords records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    sizes.add(records.count());
                }
                for (final ConsumerRecord r : records) {
                    assertEquals(expected++, r.offset());
                }
            }
            assertEquals(25, expected);
            assertTrue(sizes.stream().allMatch(s -> s <= 7), sizes.toString());
            assertEquals(7, sizes.get(0));
        }
    }

    @Test
    void partialTrailingFramesAreIgnoredAndOversizedBatchesStillArrive() {
        broker.createTopic("cut", 1);
        produce("cut", 0, 0, 40, 2);
        producer.send(new ProducerRecord("cut", 0, T0, null, new byte[3_000], null));
        producer.flush();
        produce("cut", 0, 41, 10, 2);
        final int partialBefore = broker.partialFrames();
        try (Consumer consumer = new Consumer(config("earliest").maxPartitionFetchBytes(300).fetchMaxBytes(300))) {
            consumer.assign(List.of(new TopicPartition("cut", 0)));
            final List<ConsumerRecord> records = pollUntil(consumer, 51);
            for (int i = 0; i < 51; i++) {
                assertEquals(i, records.get(i).offset());
            }
            assertEquals(3_000, records.get(40).value().length, "a batch larger than the fetch limit still arrives");
            assertTrue(broker.partialFrames() - partialBefore >= 2, "answers carried cut frames");
        }
    }

    @Test
    void theNextFetchGoesOutWhileTheLastAnswerIsStillBeingReturned() {
        broker.createTopic("ahead", 1);
        produce("ahead", 0, 0, 200, 10);
        final TopicPartition tp = new TopicPartition("ahead", 0);
        try (Consumer consumer = new Consumer(config("earliest").maxPollRecords(1).maxPartitionFetchBytes(600)
            .fetchMaxBytes(600))) {
            consumer.assign(List.of(tp));
            final List<ConsumerRecord> first = pollUntil(consumer, 1);
            assertEquals(0, first.get(0).offset());
            // no further poll: the fetch ahead was sent by the poll that returned the first record
            TestSupport.await(() -> broker.fetchOffsets("ahead", 0).size() >= 2, "a second fetch");
            final List<Long> offsets = broker.fetchOffsets("ahead", 0);
            final long ahead = offsets.get(1);
            assertTrue(ahead > 1 && ahead < 200 && broker.batches("ahead", 0).stream()
                .anyMatch(b -> b.baseOffset() == ahead),
                "the second fetch starts after the first answer's last whole batch: " + offsets);
            assertEquals(1, consumer.position(tp), "while the first answer's records are still being returned");

            final List<ConsumerRecord> rest = pollUntil(consumer, 199);
            for (int i = 0; i < 199; i++) {
                assertEquals(i + 1, rest.get(i).offset(), "every record once, in order");
            }
            assertEquals("v8", string(rest.get(7).value()));
        }
    }

    @Test
    void aSeekDropsTheAnswerFetchedAhead() {
        broker.createTopic("ahead-seek", 1);
        produce("ahead-seek", 0, 0, 200, 10);
        final TopicPartition tp = new TopicPartition("ahead-seek", 0);
        try (Consumer consumer = new Consumer(config("earliest").maxPollRecords(3).maxPartitionFetchBytes(600)
            .fetchMaxBytes(600))) {
            consumer.assign(List.of(tp));
            assertEquals(0, pollUntil(consumer, 3).get(0).offset());
            TestSupport.await(() -> broker.fetchOffsets("ahead-seek", 0).size() >= 2, "a fetch ahead");
            consumer.seek(tp, 150);
            final List<ConsumerRecord> after = pollUntil(consumer, 50);
            for (int i = 0; i < 50; i++) {
                assertEquals(150 + i, after.get(i).offset());
            }
            consumer.seek(tp, 5);
            final List<ConsumerRecord> again = pollUntil(consumer, 195);
            for (int i = 0; i < 195; i++) {
                assertEquals(5 + i, again.get(i).offset());
            }
        }
    }

    @Test
    void anOutOfRangeAnswerToTheFetchAheadWaitsUntilTheRecordsBeforeItAreReturned() {
        broker.createTopic("ahead-range", 1);
        produce("ahead-range", 0, 0, 200, 10);
        final TopicPartition tp = new TopicPartition("ahead-range", 0);
        try (Consumer consumer = new Consumer(config("none").maxPollRecords(1).maxPartitionFetchBytes(600)
            .fetchMaxBytes(600))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            assertEquals(0, pollUntil(consumer, 1).get(0).offset());
            broker.truncateHead("ahead-range", 0, 190);
            final List<ConsumerRecord> records = new ArrayList<>();
            records.add(null);
            OffsetOutOfRangeException thrown = null;
            final long deadline = System.nanoTime() + TestSupport.WAIT.toNanos();
            while (thrown == null && System.nanoTime() < deadline) {
                try {
                    for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(50))) {
                        records.add(record);
                    }
                } catch (final OffsetOutOfRangeException ex) {
                    thrown = ex;
                }
            }
            final long firstAhead = broker.fetchOffsets("ahead-range", 0).get(1);
            assertTrue(records.size() >= firstAhead, "every record of the first answer is returned ("
                + records.size() + " of at least " + firstAhead + ") before the error");
            for (int i = 1; i < records.size(); i++) {
                assertEquals(i, records.get(i).offset());
            }
            assertTrue(thrown != null && thrown.getMessage().contains("fetch position " + records.size() + " "),
                String.valueOf(thrown));
            assertEquals(records.size(), consumer.position(tp));
        }
    }

    @Test
    void anOutOfRangePositionIsResetOrReported() {
        broker.createTopic("truncated", 1);
        produce("truncated", 0, 0, 20, 5);
        broker.truncateHead("truncated", 0, 10);
        final TopicPartition tp = new TopicPartition("truncated", 0);
        try (Consumer consumer = new Consumer(config("earliest"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 2);
            final List<ConsumerRecord> records = pollUntil(consumer, 10);
            assertEquals(10, records.get(0).offset(), "earliest: restart at the log start");
        }
        try (Consumer consumer = new Consumer(config("latest"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 2);
            TestSupport.await(() -> {
                consumer.poll(Duration.ofMillis(50));
                return consumer.position(tp) == 20;
            }, "latest: restart at the end");
        }
        try (Consumer consumer = new Consumer(config("none"))) {
            consumer.assign(List.of(tp));
            assertThrows(NoOffsetForPartitionException.class, () -> consumer.poll(Duration.ofMillis(100)));
            assertThrows(NoOffsetForPartitionException.class, () -> consumer.position(tp));
            consumer.seek(tp, 2);
            final long deadline = System.nanoTime() + TestSupport.WAIT.toNanos();
            OffsetOutOfRangeException thrown = null;
            while (thrown == null && System.nanoTime() < deadline) {
                try {
                    assertTrue(consumer.poll(Duration.ofMillis(50)).isEmpty());
                } catch (final OffsetOutOfRangeException ex) {
                    thrown = ex;
                }
            }
            assertTrue(thrown != null && thrown.getMessage().contains("out of range"), String.valueOf(thrown));
            assertEquals(2, consumer.position(tp), "the position stays for the application to fix");
            consumer.seek(tp, 15);
            assertEquals(15, pollUntil(consumer, 5).get(0).offset());
        }
    }

    @Test
    void aPositionBeyondTheEndIsResetOrReported() {
        broker.createTopic("beyond", 1);
        produce("beyond", 0, 0, 10, 5);
        final TopicPartition tp = new TopicPartition("beyond", 0);
        try (Consumer consumer = new Consumer(config("earliest"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 50);
            assertEquals(0, pollUntil(consumer, 10).get(0).offset(), "earliest: restart at the log start");
        }
        try (Consumer consumer = new Consumer(config("latest"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 50);
            TestSupport.await(() -> {
                consumer.poll(Duration.ofMillis(50));
                return consumer.position(tp) == 10;
            }, "latest: restart at the end");
        }
        try (Consumer consumer = new Consumer(config("none"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 50);
            final long deadline = System.nanoTime() + TestSupport.WAIT.toNanos();
            OffsetOutOfRangeException thrown = null;
            while (thrown == null && System.nanoTime() < deadline) {
                try {
                    assertTrue(consumer.poll(Duration.ofMillis(50)).isEmpty());
                } catch (final OffsetOutOfRangeException ex) {
                    thrown = ex;
                }
            }
            assertTrue(thrown != null && thrown.getMessage().contains("fetch position 50 of beyond-0 is out of range"),
                String.valueOf(thrown));
        }
    }

    @Test
    void subscribeReadsEveryPartitionAndPicksUpNewTopics() {
        broker.createTopic("sub", 3);
        for (int p = 0; p < 3; p++) {
            produce("sub", p, 0, 4, 4);
        }
        try (Consumer consumer = new Consumer(config("earliest").retryBackoffMs(50))) {
            consumer.subscribe(List.of("sub", "later"));
            assertEquals(Set.of(new TopicPartition("sub", 0), new TopicPartition("sub", 1),
                new TopicPartition("sub", 2)), consumer.assignment());
            assertEquals(12, pollUntil(consumer, 12).size());
            broker.createTopic("later", 1);
            produce("later", 0, 0, 3, 3);
            final List<ConsumerRecord> records = pollUntil(consumer, 3);
            assertTrue(records.stream().allMatch(r -> r.topic().equals("later")));
            assertTrue(consumer.assignment().contains(new TopicPartition("later", 0)));
            assertEquals(Set.of("sub", "later"), consumer.subscription());
        }
    }

    @Test
    void anAssignedPartitionThatDoesNotExistIsReported() {
        try (Consumer consumer = new Consumer(config("earliest"))) {
            consumer.assign(List.of(new TopicPartition("ghost", 0)));
            assertThrows(UnknownTopicException.class, () -> {
                final long deadline = System.nanoTime() + TestSupport.WAIT.toNanos();
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100));
                }
            });
            assertEquals(List.of(), consumer.partitionsFor("ghost"));
        }
    }

    @Test
    void wakeupInterruptsPoll() throws Exception {
        broker.createTopic("quiet", 1);
        try (Consumer consumer = new Consumer(config("latest"))) {
            consumer.assign(List.of(new TopicPartition("quiet", 0)));
            final Thread waker = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (final InterruptedException ignored) {
                    return;
                }
                consumer.wakeup();
            });
            waker.start();
            final long start = System.nanoTime();
            assertThrows(WakeupException.class, () -> consumer.poll(Duration.ofSeconds(20)));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
            waker.join(5_000);
            assertTrue(consumer.poll(Duration.ZERO).isEmpty(), "one wakeup, one exception");
        }
    }

    @Test
    void pollNeedsAnAssignment() {
        try (Consumer consumer = new Consumer(config("earliest"))) {
            assertThrows(IllegalStateException.class, () -> consumer.poll(Duration.ZERO));
            assertEquals(List.of(new PartitionInfo("all-parts", 0, 1), new PartitionInfo("all-parts", 1, 1)),
                partitionsOfNewTopic(consumer));
        }
    }

    private static List<PartitionInfo> partitionsOfNewTopic(final Consumer consumer) {
        broker.createTopic("all-parts", 2);
        return consumer.partitionsFor("all-parts");
    }

    @Test
    void recordsRoundTripUncompressedToo() {
        broker.createTopic("plain", 1);
        try (Producer plain = new Producer(new ProducerConfig(client(broker)).compression("none"));
            Consumer consumer = new Consumer(config("earliest"))) {
            plain.send(new ProducerRecord("plain", 0, 5L, bytes("k"), new byte[] {1, 2, 3},
                List.of(new Header("a", null), new Header("b", bytes("2")))));
            plain.flush();
            consumer.assign(List.of(new TopicPartition("plain", 0)));
            final ConsumerRecord record = pollUntil(consumer, 1).get(0);
            assertArrayEquals(new byte[] {1, 2, 3}, record.value());
            assertEquals(5L, record.timestamp());
            assertEquals(List.of(new Header("a", new byte[0]), new Header("b", bytes("2"))), record.headers());
        }
    }
}

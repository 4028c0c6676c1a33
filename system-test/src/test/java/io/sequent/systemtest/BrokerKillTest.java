package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL the broker process while an idempotent producer writes at acks=all, restart it on the same
 * data directory, and check that every acknowledged record is there exactly once and offsets are dense.
 * The same producer lives through every restart, so the batches it had in flight at a kill are retried
 * against the restarted broker; those the killed broker had already written must not be written twice.
 * (A kill keeps the page cache, so this test says nothing about flush policies: see {@link PowerLossTest}.)
 */
class BrokerKillTest {
    private static final int CYCLES = 3;
    private static final String TOPIC = "durable";

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedRecordSurvivesKillMinusNine() throws Exception {
        final Path data = dir.resolve("data");
        final int port = Cli.freeUdpPort();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int nextValue = 0;

        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(data, port)) {
            try (Admin admin = Admin.create(client(broker.broker()))) {
                admin.createTopic(TOPIC, 3, Map.of());
            }
        }

        // One idempotent producer for the whole test: what it had in flight at a kill is retried against the
        // restarted broker, which must recognise the retries of batches it had already written.
        final AtomicInteger cycleNow = new AtomicInteger();
        final AtomicLong ackedAfterARestart = new AtomicLong();
        Cli.BrokerProcess running = new Cli.BrokerProcess(data, port);
        final Producer producer = new Producer(
            new ProducerConfig(client(running.broker()).requestTimeout(Duration.ofSeconds(2)))
                .acks("all").enableIdempotence(true).lingerMs(1).deliveryTimeoutMs(120_000));
        try {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                final int sentIn = cycle;
                final long killAt = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < killAt) {
                    final String value = "v" + nextValue++;
                    producer.send(new ProducerRecord(TOPIC, value.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)), (metadata, exception) -> {
                            if (exception == null) {
                                acknowledged.add(value);
                                if (cycleNow.get() > sentIn) {
                                    ackedAfterARestart.incrementAndGet();
                                }
                            }
                        });
                    if (nextValue % 1000 == 0) {
                        Thread.sleep(1);
                    }
                }
                running.kill();
                running.close();
                cycleNow.incrementAndGet();
                running = new Cli.BrokerProcess(data, port);
            }
            producer.close(Duration.ofSeconds(120));
        } finally {
            running.close();
        }
        assertTrue(ackedAfterARestart.get() > 0, "no record handed to the producer before a kill was acknowledged " +
            "after the restart: the retries across a restart were not exercised");
        assertTrue(acknowledged.size() > 1000, "too few acknowledged to mean anything: " + acknowledged.size());

        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(data, port);
            Consumer consumer = new Consumer(new ConsumerConfig(client(broker.broker())).autoOffsetReset("earliest"))) {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            final long total = end.values().stream().mapToLong(Long::longValue).sum();
            final Set<String> seen = new HashSet<>();
            final long[] expectedOffset = new long[3];
            final long deadline = System.nanoTime() + 120_000_000_000L;
            long read = 0;
            while (read < total && System.nanoTime() < deadline) {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(expectedOffset[record.partition()], record.offset(), "offsets are dense");
                    expectedOffset[record.partition()]++;
                    final String value = new String(record.value(), StandardCharsets.UTF_8);
                    assertTrue(seen.add(value), "duplicate record " + value);
                    read++;
                }
            }
            assertEquals(total, read, "read everything up to the end offsets");
            final Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(seen);
            assertTrue(lost.isEmpty(), lost.size() + " acknowledged records lost, e.g. " +
                lost.stream().limit(5).toList());
            System.out.printf("kill -9 x%d, one idempotent producer: %d acknowledged (%d of them handed to send() " +
                "before a kill and acknowledged after the restart), %d in the log, 0 lost, 0 duplicated%n", CYCLES,
                acknowledged.size(), ackedAfterARestart.get(), read);
        }
    }

    private static ClientConfig client(final String broker) {
        return new ClientConfig().bootstrap(broker).connectTimeout(Duration.ofSeconds(20));
    }
}

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL the broker process while an idempotent producer writes at acks=all, restart it on the same
 * data directory, and check that every acknowledged record is there exactly once and offsets are dense.
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

        for (int cycle = 0; cycle < CYCLES; cycle++) {
            final Cli.BrokerProcess broker = new Cli.BrokerProcess(data, port);
            try {
                final Producer producer = new Producer(
                    new ProducerConfig(client(broker.broker()).requestTimeout(Duration.ofSeconds(2)))
                        .acks("all").lingerMs(1).deliveryTimeoutMs(5_000));
                final long killAt = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < killAt) {
                    final String value = "v" + nextValue++;
                    producer.send(new ProducerRecord(TOPIC, value.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)), (metadata, exception) -> {
                            if (exception == null) {
                                acknowledged.add(value);
                            }
                        });
                    if (nextValue % 1000 == 0) {
                        Thread.sleep(1);
                    }
                }
                broker.kill();
                producer.close(Duration.ofSeconds(10));
            } finally {
                broker.close();
            }
        }
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
            System.out.printf("kill -9 x%d: %d acknowledged, %d in the log, 0 lost, 0 duplicated%n",
                CYCLES, acknowledged.size(), read);
        }
    }

    private static ClientConfig client(final String broker) {
        return new ClientConfig().bootstrap(broker).connectTimeout(Duration.ofSeconds(20));
    }
}

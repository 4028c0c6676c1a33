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

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Power loss of one broker: SIGKILL the broker under an acks=all producer, then cut every file of its data
 * directory back to the last position the broker had forced to disk (as a power cut loses what was only in the
 * page cache), restart, and count the acknowledged records that are gone. The broker runs with the log module's
 * durability trace ({@code -Dsequent.durability.trace}), which records each position it forced; a SIGKILL keeps
 * the page cache, so without the cut a kill -9 test would pass with any flush policy.
 *
 * <p>With flush {@code batch} (the default) no acknowledged record may be lost. The same run with flush
 * {@code none} is the control: it loses what was acknowledged since the last start, which shows that the test
 * can fail.
 */
class PowerLossTest {
    private static final int CYCLES = 3;
    private static final String TOPIC = "powered";

    @TempDir
    Path dir;

    @Test
    void flushBatchLosesNoAcknowledgedRecordAndFlushNoneDoes() throws Exception {
        final Outcome batch = run("batch");
        final Outcome none = run("none");
        System.out.printf("power loss x%d, flush batch: %d acknowledged, %d lost%n", CYCLES, batch.acknowledged,
            batch.lost);
        System.out.printf("power loss x%d, flush none (control): %d acknowledged, %d lost%n", CYCLES,
            none.acknowledged, none.lost);
        assertTrue(batch.acknowledged > 1000, "too few acknowledged to mean anything: " + batch.acknowledged);
        assertEquals(0, batch.lost, "acknowledged records lost with flush batch");
        assertTrue(none.lost > 0, "the control (flush none) lost nothing: the cut is not simulating a power loss");
    }

    private record Outcome(long acknowledged, long lost) {
    }

    private Outcome run(final String policy) throws Exception {
        final Path root = dir.resolve(policy);
        final Path data = root.resolve("data");
        Files.createDirectories(root);
        final Path config = root.resolve("broker.properties");
        Files.writeString(config, "log.flush.policy=" + policy + "\n");
        final int port = Cli.freeUdpPort();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int nextValue = 0;

        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(data, port, List.of(), "--config", config.toString())) {
            try (Admin admin = Admin.create(client(broker.broker()))) {
                admin.createTopic(TOPIC, 2, Map.of());
            }
        }
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            final Path trace = root.resolve("trace-" + cycle);
            final Cli.BrokerProcess broker = new Cli.BrokerProcess(data, port,
                List.of("-Dsequent.durability.trace=" + trace), "--config", config.toString());
            try {
                final Producer producer = new Producer(
                    new ProducerConfig(client(broker.broker()).requestTimeout(Duration.ofSeconds(2)))
                        .acks("all").lingerMs(1).deliveryTimeoutMs(5_000));
                final long killAt = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < killAt) {
                    final String value = policy + "-" + nextValue++;
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
            cutToForced(data, trace);
        }

        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(data, port, List.of(), "--config", config.toString());
            Consumer consumer = new Consumer(new ConsumerConfig(client(broker.broker())).autoOffsetReset("earliest"))) {
            final List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final long total = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            final Set<String> seen = new HashSet<>();
            final long[] expectedOffset = new long[2];
            final long deadline = System.nanoTime() + 120_000_000_000L;
            long read = 0;
            while (read < total && System.nanoTime() < deadline) {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(expectedOffset[record.partition()], record.offset(), "offsets are dense");
                    expectedOffset[record.partition()]++;
                    seen.add(new String(record.value(), StandardCharsets.UTF_8));
                    read++;
                }
            }
            assertEquals(total, read, "read everything up to the end offsets");
            final Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(seen);
            return new Outcome(acknowledged.size(), lost.size());
        }
    }

    /**
     * Cut each segment and group-sequence journal file back to the largest position the trace says was forced
     * (zeroing the rest, as the file was pre-allocated with zeros); a file with no record was created after the
     * last start and never forced, so only its zeros survive. A cut segment's index files go too: recovery
     * rebuilds them.
     */
    static void cutToForced(final Path data, final Path trace) throws IOException {
        final Map<Path, Long> forced = new HashMap<>();
        if (Files.exists(trace)) {
            for (final String line : Files.readAllLines(trace, StandardCharsets.UTF_8)) {
                final int space = line.lastIndexOf(' ');
                if (space > 0) {
                    forced.merge(Path.of(line.substring(0, space)).toAbsolutePath(),
                        Long.parseLong(line.substring(space + 1)), Math::max);
                }
            }
        }
        final List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(data)) {
            walk.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".seqj")).forEach(files::add);
        }
        for (final Path file : files) {
            final long keep = forced.getOrDefault(file.toAbsolutePath(), 0L);
            final long size = Files.size(file);
            if (keep >= size) {
                continue;
            }
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                final byte[] zeros = new byte[64 * 1024];
                for (long at = keep; at < size; at += zeros.length) {
                    raf.seek(at);
                    raf.write(zeros, 0, (int) Math.min(zeros.length, size - at));
                }
            }
            if (file.toString().endsWith(".log")) {
                final String base = file.toString().substring(0, file.toString().length() - ".log".length());
                Files.deleteIfExists(Path.of(base + ".index"));
                Files.deleteIfExists(Path.of(base + ".timeindex"));
            }
        }
    }

    private static ClientConfig client(final String broker) {
        return new ClientConfig().bootstrap(broker).connectTimeout(Duration.ofSeconds(20));
    }
}

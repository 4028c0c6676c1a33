package io.sequent.sql;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.PartitionInfo;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.RecordMetadata;
import io.sequent.client.TopicPartition;

/**
 * Pull-query scan throughput: rows/s of queries over a stream of JSON records, beside a plain consumer reading
 * the same records with the same fetch settings as the scans' consumers. Produces the records once (3
 * partitions), then runs each reader {@code rounds} times and prints every round and the best; asserts
 * nothing.
 *
 * <pre>
 * bin/bench-sql ScanThroughputBenchmark [records] [rounds] [--broker host:port]
 * </pre>
 * Without {@code --broker} it starts a broker in this JVM (a temporary data directory). Records: key
 * {@code u0..u999}, value {@code {"page":"/p0".."/p49","ms":i}} (about 30 bytes).
 */
public final class ScanThroughputBenchmark {
    private static final int PARTITIONS = 3;

    private ScanThroughputBenchmark() {
    }

    public static void main(final String[] args) throws Exception {
        int records = 1_000_000;
        int rounds = 3;
        String endpoint = null;
        int positional = 0;
        for (int i = 0; i < args.length; i++) {
            if ("--broker".equals(args[i])) {
                endpoint = args[++i];
            } else if (positional++ == 0) {
                records = Integer.parseInt(args[i]);
            } else {
                rounds = Integer.parseInt(args[i]);
            }
        }
        final Path dir = endpoint == null ? Files.createTempDirectory("sequent-scan-bench") : null;
        try {
            final SqlBroker broker = endpoint == null ? new SqlBroker(dir) : null;
            run(endpoint == null ? broker.endpoint() : endpoint, records, rounds);
            if (broker != null) {
                broker.close();
            }
        } catch (final Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(final String bootstrap, final int records, final int rounds) throws Exception {
        final String stream = "SCAN_" + System.currentTimeMillis();
        final String topic = stream.toLowerCase(Locale.ROOT);
        final ClientConfig client = new ClientConfig().bootstrap(bootstrap).driverIdleStrategy("backoff")
            .requestTimeout(Duration.ofSeconds(60));
        try (Connection c = DriverManager.getConnection(SequentDriver.HOST_PREFIX + bootstrap
                 + "?request.timeout.ms=60000");
             Statement s = c.createStatement();
             // Made once, as the scans' pooled consumers are: the rounds time reading, not starting a client.
             Consumer consumer = new Consumer(new ConsumerConfig(client).autoOffsetReset("earliest")
                 .fetchMaxWaitMs(100))) {
            s.executeUpdate("CREATE STREAM " + stream + " (user_id VARCHAR KEY, page VARCHAR, ms BIGINT) WITH "
                + "(KAFKA_TOPIC='" + topic + "', VALUE_FORMAT='JSON', PARTITIONS=" + PARTITIONS + ")");
            final long produced = produce(client, topic, records);
            System.out.printf(Locale.ROOT, "scan throughput: %,d JSON records in %d partitions of %s, produced in "
                + "%,d ms; %d rounds each, rows/s%n", records, PARTITIONS, topic, produced, rounds);

            final List<Reader> readers = List.of(
                new Reader("plain consumer (poll every record, no decoding)", () -> consume(consumer, topic)),
                new Reader("SELECT COUNT(*) FROM s", () -> count(s, "SELECT COUNT(*) FROM " + stream)),
                new Reader("SELECT user_id, page, ms FROM s (every row read)", () -> rows(s,
                    "SELECT user_id, page, ms FROM " + stream)),
                new Reader("SELECT COUNT(*) FROM s WHERE page = '/p7'", () -> count(s,
                    "SELECT COUNT(*) FROM " + stream + " WHERE page = '/p7'") * 50L));
            for (final Reader reader : readers) {
                double best = 0;
                final List<String> each = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    final long start = System.nanoTime();
                    final long rows = reader.task.run();
                    final double seconds = (System.nanoTime() - start) / 1e9;
                    if (Math.abs(rows - records) > records / 100) {
                        throw new IllegalStateException(reader.name + " saw " + rows + " rows of " + records);
                    }
                    final double rate = records / seconds;
                    best = Math.max(best, rate);
                    each.add(String.format(Locale.ROOT, "%,.0f", rate));
                }
                System.out.printf(Locale.ROOT, "  %-52s best %,12.0f rows/s   (rounds: %s)%n", reader.name, best,
                    String.join(", ", each));
            }
            s.executeUpdate("DROP STREAM " + stream + " DELETE TOPIC");
        }
    }

    /** A reader of the whole topic, giving the rows it saw. */
    private interface Task {
        long run() throws Exception;
    }

    private record Reader(String name, Task task) {
    }

    private static long produce(final ClientConfig client, final String topic, final int records)
        throws Exception {
        final long start = System.nanoTime();
        try (Producer producer = new Producer(new ProducerConfig(client).lingerMs(5))) {
            CompletableFuture<RecordMetadata> last = null;
            for (int i = 0; i < records; i++) {
                last = producer.send(new ProducerRecord(topic, ("u" + (i % 1000)).getBytes(StandardCharsets.UTF_8),
                    ("{\"page\":\"/p" + (i % 50) + "\",\"ms\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
                if (i % 20_000 == 19_999) {
                    last.get(60, TimeUnit.SECONDS);
                }
            }
            producer.flush();
            if (last != null) {
                last.get(60, TimeUnit.SECONDS);
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long consume(final Consumer consumer, final String topic) {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final PartitionInfo info : consumer.partitionsFor(topic)) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        final long total = end.values().stream().mapToLong(Long::longValue).sum();
        long seen = 0;
        long bytes = 0;
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (seen < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("consumer saw " + seen + " of " + total + " records in 5 min");
            }
            for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200))) {
                seen++;
                bytes += record.value().length;
            }
        }
        return bytes > 0 ? seen : 0;
    }

    private static long count(final Statement s, final String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long rows(final Statement s, final String sql) throws Exception {
        long n = 0;
        long check = 0;
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                check += rs.getString(1).length() + rs.getString(2).length() + rs.getLong(3);
                n++;
            }
        }
        return check > 0 ? n : 0;
    }
}

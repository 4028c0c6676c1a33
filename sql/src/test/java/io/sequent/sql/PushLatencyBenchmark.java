package io.sequent.sql;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.sequent.client.ClientConfig;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;

/**
 * Commit-to-row latency of a push query: a producer (acks=all) sends records at a fixed rate, a push query
 * ({@code SELECT ... EMIT CHANGES}) reads them through JDBC on another thread, and each row's delivery time is
 * compared with the time its record was due to be sent (so a stall delays every later record, no coordinated
 * omission) and with the time its acknowledgement reached the producer (the record is committed before the
 * broker acknowledges it, so the row may come first: those rows count as 0). Prints percentiles; asserts
 * nothing.
 *
 * <pre>
 * bin/bench-sql PushLatencyBenchmark [records] [rate/s] [--broker host:port]
 * </pre>
 * Without {@code --broker} it starts a broker in this JVM (a temporary data directory).
 */
public final class PushLatencyBenchmark {
    private PushLatencyBenchmark() {
    }

    public static void main(final String[] args) throws Exception {
        int records = 5_000;
        int rate = 500;
        String endpoint = null;
        int positional = 0;
        for (int i = 0; i < args.length; i++) {
            if ("--broker".equals(args[i])) {
                endpoint = args[++i];
            } else if (positional++ == 0) {
                records = Integer.parseInt(args[i]);
            } else {
                rate = Integer.parseInt(args[i]);
            }
        }
        final int warmup = Math.min(500, records / 5);
        final Path dir = endpoint == null ? Files.createTempDirectory("sequent-push-bench") : null;
        try {
            final SqlBroker broker = endpoint == null ? new SqlBroker(dir) : null;
            run(endpoint == null ? broker.endpoint() : endpoint, records, warmup, rate);
            if (broker != null) {
                broker.close();
            }
        } catch (final Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(final String bootstrap, final int records, final int warmup, final int rate)
        throws Exception {
        final String stream = "LAT_" + System.currentTimeMillis();
        final int total = warmup + records;
        final long[] dueNs = new long[total];
        final long[] ackNs = new long[total];
        final long[] rowNs = new long[total];
        try (Connection c = DriverManager.getConnection(SequentDriver.PREFIX + "bootstrap=" + bootstrap);
             Statement ddl = c.createStatement();
             Producer producer = new Producer(new ProducerConfig(new ClientConfig().bootstrap(bootstrap)
                 .driverIdleStrategy("backoff")).lingerMs(0))) {
            ddl.executeUpdate("CREATE STREAM " + stream + " (k VARCHAR KEY, seq BIGINT) WITH (KAFKA_TOPIC='"
                + stream.toLowerCase(Locale.ROOT) + "', PARTITIONS=1)");
            try (Statement push = c.createStatement();
                 ResultSet rs = push.executeQuery("SELECT seq FROM " + stream + " EMIT CHANGES LIMIT " + total)) {
                final CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                    int n = 0;
                    try {
                        while (rs.next()) {
                            final long now = System.nanoTime();
                            rowNs[(int) rs.getLong(1)] = now;
                            n++;
                        }
                    } catch (final Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return n;
                });
                final long intervalNs = 1_000_000_000L / rate;
                final long start = System.nanoTime() + 100_000_000L;
                for (int i = 0; i < total; i++) {
                    final long due = start + i * intervalNs;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    dueNs[i] = due;
                    final int seq = i;
                    producer.send(new ProducerRecord(stream.toLowerCase(Locale.ROOT), bytes("k" + (i % 16)),
                        bytes("{\"seq\":" + i + "}"))).whenComplete((m, e) -> ackNs[seq] = System.nanoTime());
                }
                producer.flush();
                final int rows = reader.get(60, TimeUnit.SECONDS);
                report(records, rate, rows - warmup, Arrays.copyOfRange(dueNs, warmup, total),
                    Arrays.copyOfRange(ackNs, warmup, total), Arrays.copyOfRange(rowNs, warmup, total));
            }
            ddl.executeUpdate("DROP STREAM " + stream + " DELETE TOPIC");
        }
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void report(final int records, final int rate, final int rows, final long[] due, final long[] ack,
        final long[] row) {
        final long[] sendToRow = new long[due.length];
        final long[] ackToRow = new long[due.length];
        for (int i = 0; i < due.length; i++) {
            sendToRow[i] = row[i] - due[i];
            ackToRow[i] = Math.max(0, row[i] - ack[i]);
        }
        System.out.printf(Locale.ROOT, "push query latency: %d records at %d/s (after warm-up), %d rows%n", records,
            rate, rows);
        print("send->row (upper bound of commit->row)", sendToRow);
        print("ack->row  (row after the producer saw the ack)", ackToRow);
    }

    private static void print(final String what, final long[] ns) {
        final long[] sorted = ns.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-48s p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  max %7.3f ms%n",
            what, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), ms(sorted, 0.999),
            sorted[sorted.length - 1] / 1e6);
    }

    private static double ms(final long[] sorted, final double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }
}

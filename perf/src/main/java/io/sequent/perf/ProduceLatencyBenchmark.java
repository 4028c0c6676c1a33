package io.sequent.perf;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Produce -> acknowledgement latency through the real client and broker over Aeron UDP on loopback,
 * one record per send at a fixed rate, measured from each record's intended send time (coordinated
 * omission corrected) to its callback.
 *
 * <p>Usage: {@code ProduceLatencyBenchmark [rate=10000] [records=200000] [size=100] [acks=all|1]
 * [flush=batch|none] [client.idle=backoff|yielding|...] [linger.ms=0]
 * [broker=HOST:PORT (default: an embedded broker in a temporary directory)]}
 */
public final class ProduceLatencyBenchmark {
    private final int rate;
    private final int records;
    private final int size;
    private final String acks;
    private final String flush;
    private final String broker;
    private final String clientIdle;
    private final long lingerMs;
    private final PrintStream out;

    ProduceLatencyBenchmark(final Args args, final PrintStream out) {
        this.rate = args.intValue("rate", 10_000);
        this.records = args.intValue("records", 200_000);
        this.size = args.intValue("size", 100);
        this.acks = args.value("acks", "all");
        this.flush = args.value("flush", "batch");
        this.broker = args.value("broker", null);
        this.clientIdle = args.value("client.idle", ClientConfig.DEFAULT_IDLE_STRATEGY);
        this.lingerMs = args.longValue("linger.ms", 0);
        this.out = out;
    }

    public static void main(final String[] argv) throws Exception {
        new ProduceLatencyBenchmark(new Args(argv), System.out).run();
    }

    void run() throws Exception {
        Path dir = null;
        Broker embedded = null;
        String bootstrap = broker;
        String aeronDir = null;
        if (bootstrap == null) {
            dir = Files.createTempDirectory("sequent-produce-bench-");
            embedded = Broker.launch(new BrokerContext().dataDir(dir).port(0).topicDefault("log.flush.policy", flush));
            bootstrap = embedded.ingressEndpoint();
            // One media driver per host, as Aeron is deployed: the client uses the broker's.
            aeronDir = embedded.aeronDirectoryName();
        }
        try {
            measure(bootstrap, aeronDir);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
            if (dir != null) {
                IoUtil.delete(dir.toFile(), true);
            }
        }
    }

    private void measure(final String bootstrap, final String aeronDir) throws Exception {
        final String topic = "latency-" + System.nanoTime();
        final ClientConfig client = new ClientConfig().bootstrap(bootstrap).aeronDirectory(aeronDir)
            .idleStrategy(clientIdle);
        try (Admin admin = Admin.create(client)) {
            admin.createTopic(topic, 1, Map.of());
        }
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final byte[] value = new byte[size];
        final int warmup = Math.min(records / 4, 50_000);
        try (Producer producer = new Producer(new ProducerConfig(client).acks(acks).lingerMs(lingerMs)
            .enableIdempotence("all".equals(acks)))) {
            final long interval = 1_000_000_000L / rate;
            long intended = System.nanoTime();
            for (int i = 0; i < warmup + records; i++) {
                intended += interval;
                long now;
                while ((now = System.nanoTime()) < intended) {
                    // Sleep until ~100 us before the send (a park wakes up to ~60 us late here) and spin the
                    // rest: the client and broker threads need the cores more than the load generator.
                    if (intended - now > 150_000) {
                        LockSupport.parkNanos(intended - now - 100_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                final long start = intended;
                final boolean record = i >= warmup;
                producer.send(new ProducerRecord(topic, null, value), (metadata, exception) -> {
                    if (exception != null) {
                        failed.incrementAndGet();
                    } else if (record) {
                        synchronized (histogram) {
                            histogram.recordValue(Math.max(1, System.nanoTime() - start));
                        }
                    }
                    acked.incrementAndGet();
                });
            }
            producer.flush();
        }
        out.printf(Locale.ROOT, "produce->ack acks=%s flush=%s %d B @ %,d records/s over Aeron UDP loopback, " +
            "client idle %s, linger %d ms, %d cores%n", acks, flush, size, rate, clientIdle, lingerMs,
            Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT,
            "  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  p99.99 %.1f  max %.1f us  (n=%,d, failed=%d)%n",
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
            histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
            histogram.getValueAtPercentile(99.99) / 1e3, histogram.getMaxValue() / 1e3,
            histogram.getTotalCount(), failed.get());
    }
}

package io.sequent.perf.jmh;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.Admin;
import io.sequent.client.Callback;
import io.sequent.client.ClientConfig;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.RecordMetadata;
import org.agrona.IoUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The producer's send path through the public API: {@code Producer.send(record, callback)} of one
 * {@code size}-byte record, keyless, to a one-partition topic on a broker in this JVM (its own media driver,
 * UDP on 127.0.0.1, a temporary data directory, flush {@code none}), with {@code acks}, {@code linger.ms} 0 and
 * the other producer defaults. The record and the callback are made once, and the callback overrides the
 * five-argument {@link Callback#onCompletion(String, int, long, long, Exception)}, so whatever a send allocates
 * is the producer's own.
 *
 * <p>The score is the rate the producer and the broker together sustain (a send blocks while
 * {@code buffer.memory} is full). Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is every thread of the
 * JVM (the broker's included) divided by the sends. At the end of each iteration the benchmark also prints the
 * bytes each thread allocated per send (from {@code ThreadMXBean.getThreadAllocatedBytes}), so the sending thread
 * and the producer's I/O thread ({@code sequent-bench-producer-io}) can be told apart from the broker's.
 *
 * <p>Why: a send that allocates per record makes garbage at the rate of the records, and the collections it
 * causes are latency outliers on every thread of the application; the producer is built to allocate nothing per
 * record in steady state, and this is where that is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(1)
public class ProducerSendBenchmark {
    private static final String TOPIC = "bench";
    private static final long FLUSH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    /** Record value size in bytes. */
    @Param({"100", "1024"})
    public int size;

    /** The producer's acks. */
    @Param({"1"})
    public String acks;

    private Path dataDir;
    private Broker broker;
    private Producer producer;
    private ProducerRecord record;
    private final Completions completions = new Completions();
    private long sent;
    private long sentAtIterationStart;
    private final Map<Long, Long> allocatedAtIterationStart = new HashMap<>();

    /** Counts completions on the producer's I/O thread, allocating nothing. */
    static final class Completions implements Callback {
        volatile long completed;
        volatile long failed;

        @Override
        public void onCompletion(final String topic, final int partition, final long offset, final long timestamp,
            final Exception exception) {
            if (exception != null) {
                failed++;
            }
            completed++;
        }

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception) {
            onCompletion(metadata.topic(), metadata.partition(), metadata.offset(), metadata.timestamp(), exception);
        }
    }

    /** Starts the broker, creates the topic, opens the producer and makes the record. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dataDir = Files.createTempDirectory("sequent-bench-producer-");
        broker = Broker.launch(new BrokerContext().dataDir(dataDir).port(0));
        final ClientConfig client = new ClientConfig().bootstrap(broker.ingressEndpoint())
            .aeronDirectory(broker.aeronDirectoryName());
        try (Admin admin = Admin.create(client.copy().clientId("bench-admin"))) {
            // Retention keeps a long run from filling the disk.
            admin.createTopic(TOPIC, 1, Map.of("retention.bytes", Long.toString(256L * 1024 * 1024)));
        }
        producer = new Producer(new ProducerConfig(client.copy().clientId("bench-producer")).acks(acks).lingerMs(0));
        record = new ProducerRecord(TOPIC, new byte[size]);
    }

    /** Notes each thread's allocated bytes and the sends so far. */
    @Setup(Level.Iteration)
    public void startIteration() {
        awaitCompletions();
        sentAtIterationStart = sent;
        allocatedAtIterationStart.clear();
        final com.sun.management.ThreadMXBean threads = threads();
        for (final long id : threads.getAllThreadIds()) {
            allocatedAtIterationStart.put(id, threads.getThreadAllocatedBytes(id));
        }
    }

    /** Waits for the iteration's sends and prints what each thread allocated per send. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        awaitCompletions();
        final long sends = sent - sentAtIterationStart;
        final com.sun.management.ThreadMXBean threads = threads();
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
            "%n  %,d sends, %d failed; bytes allocated per send by thread:", sends, completions.failed));
        for (final Map.Entry<Long, Long> start : allocatedAtIterationStart.entrySet()) {
            final long now = threads.getThreadAllocatedBytes(start.getKey());
            final java.lang.management.ThreadInfo info = threads.getThreadInfo(start.getKey());
            if (now > start.getValue() && info != null && sends > 0) {
                line.append(String.format(Locale.ROOT, " %s %.3f;", info.getThreadName(),
                    (double) (now - start.getValue()) / sends));
            }
        }
        System.out.println(line);
    }

    /** Closes the producer and the broker and deletes the data. */
    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (producer != null) {
                producer.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (dataDir != null) {
                IoUtil.delete(dataDir.toFile(), true);
            }
        }
    }

    /** One send. */
    @Benchmark
    public void send() {
        producer.send(record, completions);
        sent++;
    }

    private void awaitCompletions() {
        final long deadline = System.nanoTime() + FLUSH_TIMEOUT_NS;
        producer.flush();
        while (completions.completed < sent) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("sends not completed: " + (sent - completions.completed));
            }
            Thread.yield();
        }
    }

    private static com.sun.management.ThreadMXBean threads() {
        return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }
}

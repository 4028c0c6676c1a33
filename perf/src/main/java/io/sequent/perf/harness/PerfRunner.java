package io.sequent.perf.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs a {@link Workload} against one {@link Driver} and measures it.
 *
 * <p>Each producer thread sends at its share of the fixed rate. A record's <em>intended</em> send
 * time is its slot in that schedule, not the moment the thread got round to sending it, and every
 * latency is measured from the intended time: when the system stalls, the records that should have
 * been sent meanwhile are late, and their lateness counts (no coordinated omission). The intended
 * time travels in the record's first 8 bytes, so the consumer measures end-to-end latency the same
 * way. Unthrottled runs ({@code rate 0}) take the send call's time instead, and their latency is the
 * system's answer time under saturation, not a service-level figure.
 *
 * <p>Records whose intended time falls in the warm-up are sent and acknowledged but not measured.
 * Throughput is the measured records acknowledged, divided by the time from the end of warm-up to
 * the last measured acknowledgement.
 */
public final class PerfRunner {
    /** The largest latency recorded exactly; longer ones are recorded as this. */
    static final long MAX_LATENCY_NS = TimeUnit.MINUTES.toNanos(10);
    private static final long PROGRESS_INTERVAL_MS = 1000;
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Workload workload;
    private final NanoClock clock;
    private final PrintStream progress;

    /**
     * @param workload what to run.
     * @param clock    the clock (tests pass a manual one).
     * @param progress where to print a progress line each second, or null for none.
     */
    public PerfRunner(final Workload workload, final NanoClock clock, final PrintStream progress) {
        this.workload = workload;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * Runs the workload against the driver: creates a topic, starts the producers (and for
     * {@link Mode#E2E} a consumer), sends, waits for every acknowledgement and delivery, and returns
     * what was measured.
     *
     * @throws Exception when the system fails in a way the run cannot go on from (a failed send is
     *                   counted, not thrown).
     */
    public SystemResult run(final Driver driver) throws Exception {
        if (workload.mode() == Mode.CONSUME) {
            return consume(driver);
        }
        final String topic = "perf-" + workload.mode().label() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        driver.createTopic(topic, workload);
        final boolean endToEnd = workload.mode() == Mode.E2E && driver.hasConsumer();
        final State state = new State(endToEnd, workload.producers());

        final int producers = workload.producers();
        final Driver.Sender[] senders = new Driver.Sender[producers];
        Driver.Receiver receiver = null;
        try {
            if (endToEnd) {
                receiver = driver.consumer(topic, workload);
            }
            for (int i = 0; i < producers; i++) {
                senders[i] = driver.producer(topic, workload);
            }
            final long start = clock.nanoTime();
            state.measureStartNs = start + workload.warmup().toNanos();
            state.measureEndNs = workload.duration() == null ? Long.MAX_VALUE :
                state.measureStartNs + workload.duration().toNanos();

            final Thread consumerThread = endToEnd ? startConsumer(driver.system(), receiver, state) : null;
            final Thread[] producerThreads = new Thread[producers];
            final AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            for (int i = 0; i < producers; i++) {
                final Driver.Sender sender = senders[i];
                final Counters counters = state.producers[i];
                final long records = workload.records() / producers + (i < workload.records() % producers ? 1 : 0);
                final long intervalNs = workload.rate() == 0 ? 0 : producers * 1_000_000_000L / workload.rate();
                // Producers take turns: producer i's schedule is offset by i/producers of an interval.
                final long first = start + intervalNs * i / producers;
                producerThreads[i] = new Thread(() -> {
                    try {
                        sendLoop(sender, first, intervalNs, records, state, counters);
                        sender.flush();
                    } catch (final Throwable ex) {
                        producerFailure.compareAndSet(null, ex);
                    }
                }, "perf-producer-" + driver.system() + "-" + i);
                producerThreads[i].start();
            }
            for (final Thread thread : producerThreads) {
                while (thread.isAlive()) {
                    thread.join(PROGRESS_INTERVAL_MS);
                    report(driver.system(), state, start);
                }
            }
            if (producerFailure.get() != null) {
                throw new IllegalStateException(driver.system() + " producer failed: " + producerFailure.get(),
                    producerFailure.get());
            }
            if (consumerThread != null) {
                awaitDeliveries(driver.system(), state);
                state.stopConsumer = true;
                consumerThread.join();
                if (state.consumerFailure != null) {
                    throw new IllegalStateException(driver.system() + " consumer failed: " + state.consumerFailure,
                        state.consumerFailure);
                }
            }
        } finally {
            state.stopConsumer = true;
            for (final Driver.Sender sender : senders) {
                if (sender != null) {
                    sender.close();
                }
            }
            if (receiver != null) {
                receiver.close();
            }
        }
        state.collect();
        final long acked = state.sum(Counters.ACKED_MEASURED);
        long lastAck = Long.MIN_VALUE;
        for (final Counters counters : state.producers) {
            lastAck = Math.max(lastAck, counters.get(Counters.LAST_ACK_NS));
        }
        final long elapsed = acked == 0 ? 0 : lastAck - state.measureStartNs;
        return new SystemResult(driver.system(), driver.description(), state.produceAckTotal,
            endToEnd ? state.endToEndTotal : null, acked, acked * workload.size(), Math.max(0, elapsed),
            state.errors.sum());
    }

    /**
     * {@link Mode#CONSUME}: fills a new topic with {@code records} records (the producers each send their share
     * as fast as the system takes them; not measured), then a consumer reads them from the start for up to the
     * warm-up (JIT, page cache; not measured), then a new consumer reads all of them from the start. The read is
     * timed from its first poll to the delivery of the last record. Every value carries a sequence unique in
     * the topic, and the read checks it saw each one exactly once: a record read twice counts as an error, one
     * never read fails the run.
     */
    private SystemResult consume(final Driver driver) throws Exception {
        if (!driver.hasConsumer()) {
            throw new IllegalStateException(driver.system() + " has no consumer");
        }
        final String topic =
            "perf-consume-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        driver.createTopic(topic, workload);
        final long records = workload.records();
        final LongAdder fillErrors = new LongAdder();
        fill(driver, topic, fillErrors);
        if (fillErrors.sum() > 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s: %,d of %,d records could not be written " +
                "to fill the topic", driver.system(), fillErrors.sum(), records));
        }
        if (!workload.warmup().isZero()) {
            try (Driver.Receiver receiver = driver.consumer(topic, workload)) {
                read(driver.system(), receiver, records, clock.nanoTime() + workload.warmup().toNanos(), "warm-up");
            }
        }
        try (Driver.Receiver receiver = driver.consumer(topic, workload)) {
            final Read read = read(driver.system(), receiver, records, Long.MAX_VALUE, "read");
            if (read.distinct < records) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                    "%s: the consumer read %,d of the %,d records and nothing more in %d s", driver.system(),
                    read.distinct, records, TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS)));
            }
            return new SystemResult(driver.system(), driver.description(), null, null, read.distinct,
                read.distinct * workload.size(), read.elapsedNs, read.duplicates);
        }
    }

    /** Sends the workload's records to the topic, the producers each their share, and waits for every answer. */
    private void fill(final Driver driver, final String topic, final LongAdder errors) throws Exception {
        final int producers = workload.producers();
        final long records = workload.records();
        final Driver.Sender[] senders = new Driver.Sender[producers];
        final Thread[] threads = new Thread[producers];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final LongAdder acked = new LongAdder();
        final long start = clock.nanoTime();
        try {
            long first = 0;
            for (int i = 0; i < producers; i++) {
                senders[i] = driver.producer(topic, workload);
                final Driver.Sender sender = senders[i];
                final long from = first;
                final long to = from + records / producers + (i < records % producers ? 1 : 0);
                first = to;
                threads[i] = new Thread(() -> {
                    try {
                        for (long sequence = from; sequence < to; sequence++) {
                            final byte[] value = new byte[workload.size()];
                            putLong(value, 0, clock.nanoTime());
                            putLong(value, 8, sequence);
                            sender.send(value, ex -> {
                                if (ex != null) {
                                    errors.increment();
                                } else {
                                    acked.increment();
                                }
                            });
                        }
                        sender.flush();
                    } catch (final Throwable ex) {
                        failure.compareAndSet(null, ex);
                    }
                }, "perf-fill-" + driver.system() + "-" + i);
                threads[i].start();
            }
            for (final Thread thread : threads) {
                while (thread.isAlive()) {
                    thread.join(PROGRESS_INTERVAL_MS);
                    if (progress != null) {
                        progress.printf(Locale.ROOT, "[%s] %5.1f s  filling: %,d of %,d records written%n",
                            driver.system(), (clock.nanoTime() - start) / 1e9, acked.sum(), records);
                    }
                }
            }
        } finally {
            for (final Driver.Sender sender : senders) {
                if (sender != null) {
                    sender.close();
                }
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException(driver.system() + " producer failed: " + failure.get(), failure.get());
        }
    }

    /** What a read of the topic saw. */
    private static final class Read {
        long distinct;
        long duplicates;
        long elapsedNs;
    }

    /**
     * Polls until every record was read once, the deadline passed, or nothing came for the drain timeout.
     * Sequences outside {@code [0, records)} fail the run: they are not this run's records.
     */
    private Read read(final String system, final Driver.Receiver receiver, final long records, final long deadlineNs,
        final String phase) throws Exception {
        final long[] seen = new long[(int) ((records + 63) >>> 6)];
        final Read read = new Read();
        final long start = clock.nanoTime();
        final long[] lastDelivery = {start};
        final Driver.ValueSink sink = value -> {
            final long sequence = getLong(value, 8);
            if (sequence < 0 || sequence >= records) {
                throw new IllegalStateException(system + ": read a record that was not written (sequence " +
                    sequence + ")");
            }
            final int word = (int) (sequence >>> 6);
            final long bit = 1L << sequence;
            if ((seen[word] & bit) != 0) {
                read.duplicates++;
            } else {
                seen[word] |= bit;
                read.distinct++;
                lastDelivery[0] = clock.nanoTime();
            }
        };
        long lastProgress = start;
        long lastCount = 0;
        long lastReport = start;
        while (read.distinct < records) {
            receiver.poll(sink, 100);
            final long now = clock.nanoTime();
            if (read.distinct != lastCount) {
                lastCount = read.distinct;
                lastProgress = now;
            } else if (now - lastProgress > DRAIN_TIMEOUT_NS) {
                break;
            }
            if (now - deadlineNs >= 0) {
                break;
            }
            if (progress != null && now - lastReport >= PROGRESS_INTERVAL_MS * 1_000_000L) {
                lastReport = now;
                progress.printf(Locale.ROOT, "[%s] %5.1f s  %s: %,d of %,d records%n", system, (now - start) / 1e9,
                    phase, read.distinct, records);
            }
        }
        read.elapsedNs = lastDelivery[0] - start;
        return read;
    }

    private void sendLoop(final Driver.Sender sender, final long start, final long intervalNs, final long records,
        final State state, final Counters counters) {
        long intended = start;
        long measured = 0;
        long sequence = 0;
        while (true) {
            if (intervalNs > 0) {
                intended += intervalNs;
                sender.awaitUntil(clock, intended);
            } else {
                intended = clock.nanoTime();
            }
            final boolean measure = intended >= state.measureStartNs;
            if (measure && (workload.duration() == null ? measured >= records : intended >= state.measureEndNs)) {
                return;
            }
            final byte[] value = new byte[workload.size()];
            putLong(value, 0, intended);
            putLong(value, 8, sequence++);
            final long sentAt = intended;
            counters.increment(Counters.SENT);
            if (measure) {
                measured++;
            }
            sender.send(value, failure -> state.onAck(counters, sentAt, measure, failure, clock.nanoTime()));
        }
    }

    private Thread startConsumer(final String system, final Driver.Receiver receiver, final State state) {
        final Driver.ValueSink sink = value -> {
            final long intended = getLong(value, 0);
            if (intended >= state.measureStartNs) {
                state.endToEnd.recordValue(Math.min(MAX_LATENCY_NS, Math.max(0, clock.nanoTime() - intended)));
                state.deliveredMeasured.incrementAndGet();
            }
        };
        final Thread thread = new Thread(() -> {
            try {
                while (!state.stopConsumer) {
                    receiver.poll(sink, 100);
                }
            } catch (final Throwable ex) {
                state.consumerFailure = ex;
            }
        }, "perf-consumer-" + system);
        thread.start();
        return thread;
    }

    private void awaitDeliveries(final String system, final State state)
        throws InterruptedException {
        long last = state.deliveredMeasured.get();
        long lastProgressNs = System.nanoTime();
        while (state.deliveredMeasured.get() < state.sum(Counters.ACKED_MEASURED) && state.consumerFailure == null) {
            Thread.sleep(10);
            final long delivered = state.deliveredMeasured.get();
            if (delivered != last) {
                last = delivered;
                lastProgressNs = System.nanoTime();
            } else if (System.nanoTime() - lastProgressNs > DRAIN_TIMEOUT_NS) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                    "%s: the consumer received %,d of %,d acknowledged records and nothing more in %d s",
                    system, delivered, state.sum(Counters.ACKED_MEASURED),
                    TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS)));
            }
        }
    }

    private void report(final String system, final State state, final long start) {
        state.collect();
        if (progress == null) {
            return;
        }
        final long now = clock.nanoTime();
        final Histogram interval = state.lastInterval;
        progress.printf(Locale.ROOT, "[%s] %5.1f s  sent %,d  acked %,d%s  errors %d  last interval: %s%n", system,
            (now - start) / 1e9, state.sum(Counters.SENT), state.sum(Counters.ACKED),
            state.endToEndTotal != null ? String.format(Locale.ROOT, "  delivered %,d", state.deliveredMeasured.get())
                : "", state.errors.sum(), interval.getTotalCount() == 0 ? "no measured acks" :
                String.format(Locale.ROOT, "%,d acks, p50 %s, p99 %s", interval.getTotalCount(),
                Durations.format(interval.getValueAtPercentile(50)),
                Durations.format(interval.getValueAtPercentile(99))));
        progress.flush();
    }

    static void putLong(final byte[] array, final int offset, final long value) {
        for (int i = 0; i < 8; i++) {
            array[offset + i] = (byte) (value >>> (56 - 8 * i));
        }
    }

    static long getLong(final byte[] array, final int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (array[offset + i] & 0xFF);
        }
        return value;
    }

    /**
     * One producer's counts, each with a single writer: the producer thread counts sends, and the one
     * thread its sender acknowledges successes on (every driver has one) counts acknowledgements. The two
     * halves sit 128 bytes apart so the threads do not share a cache line; a shared atomic counter here
     * cost the client's I/O thread a sixth of its time in an unthrottled run.
     */
    static final class Counters {
        static final int SENT = 0;
        static final int ACKED = 16;
        static final int ACKED_MEASURED = 17;
        static final int LAST_ACK_NS = 18;
        private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

        /** Single writer too: the acknowledging thread (a shared, multi-writer recorder cost it ~10% more). */
        final SingleWriterRecorder produceAck = new SingleWriterRecorder(MAX_LATENCY_NS, 3);
        private final long[] slots = new long[40];

        Counters() {
            slots[LAST_ACK_NS] = Long.MIN_VALUE;
        }

        /** Single writer per slot. */
        void increment(final int slot) {
            SLOTS.setRelease(slots, slot, (long) SLOTS.getOpaque(slots, slot) + 1);
        }

        void set(final int slot, final long value) {
            SLOTS.setRelease(slots, slot, value);
        }

        long get(final int slot) {
            return (long) SLOTS.getAcquire(slots, slot);
        }
    }

    /** What the threads of one run share. */
    private static final class State {
        final Counters[] producers;
        final SingleWriterRecorder endToEnd = new SingleWriterRecorder(MAX_LATENCY_NS, 3);
        final Histogram produceAckTotal = new Histogram(MAX_LATENCY_NS, 3);
        final Histogram endToEndTotal;
        final LongAdder errors = new LongAdder();
        final AtomicLong deliveredMeasured = new AtomicLong();
        volatile long measureStartNs = Long.MAX_VALUE;
        volatile long measureEndNs = Long.MAX_VALUE;
        volatile boolean stopConsumer;
        volatile Throwable consumerFailure;
        private Histogram e2eScratch;
        Histogram lastInterval = new Histogram(MAX_LATENCY_NS, 3);

        State(final boolean endToEnd, final int producerCount) {
            endToEndTotal = endToEnd ? new Histogram(MAX_LATENCY_NS, 3) : null;
            producers = new Counters[producerCount];
            for (int i = 0; i < producerCount; i++) {
                producers[i] = new Counters();
            }
        }

        long sum(final int slot) {
            long sum = 0;
            for (final Counters counters : producers) {
                sum += counters.get(slot);
            }
            return sum;
        }

        /** A send completed: on the thread the sender acknowledges on (failures may come on the sending thread). */
        void onAck(final Counters counters, final long intended, final boolean measure, final Throwable failure,
            final long now) {
            if (failure != null) {
                errors.increment();
                return;
            }
            counters.increment(Counters.ACKED);
            if (measure) {
                counters.produceAck.recordValue(Math.min(MAX_LATENCY_NS, Math.max(0, now - intended)));
                counters.set(Counters.LAST_ACK_NS, now);
                counters.increment(Counters.ACKED_MEASURED);
            }
        }

        /** Moves what the recorders hold into the totals; keeps the latest interval for progress. Main thread. */
        synchronized void collect() {
            final Histogram interval = new Histogram(MAX_LATENCY_NS, 3);
            for (final Counters counters : producers) {
                interval.add(counters.produceAck.getIntervalHistogram());
            }
            produceAckTotal.add(interval);
            lastInterval = interval;
            if (endToEndTotal != null) {
                e2eScratch = endToEnd.getIntervalHistogram(e2eScratch);
                endToEndTotal.add(e2eScratch);
            }
        }
    }
}

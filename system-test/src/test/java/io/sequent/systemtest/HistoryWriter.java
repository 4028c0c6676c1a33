package io.sequent.systemtest;

import io.sequent.client.Producer;
import io.sequent.client.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A thread that writes unique values (key = value) to a topic through a producer, a steady few thousand a second,
 * recording each write's invocation and outcome in an {@link OpHistory}.
 */
final class HistoryWriter implements AutoCloseable {
    private final Producer producer;
    private final String topic;
    private final String prefix;
    private final OpHistory history;
    private final int padding;
    private final Thread thread;
    private volatile boolean running = true;

    HistoryWriter(final Producer producer, final String topic, final String prefix, final OpHistory history) {
        this(producer, topic, prefix, history, 0);
    }

    /** A writer whose values carry {@code padding} more bytes each, to fill a disk. */
    HistoryWriter(final Producer producer, final String topic, final String prefix, final OpHistory history,
        final int padding) {
        this.padding = padding;
        this.producer = producer;
        this.topic = topic;
        this.prefix = prefix;
        this.history = history;
        this.thread = new Thread(this::run, "history-writer-" + prefix);
        thread.start();
    }

    private void run() {
        long n = 0;
        while (running) {
            final String value = prefix + n++ + (padding > 0 ? "-" + "x".repeat(padding) : "");
            final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            history.invoke(value);
            try {
                producer.send(new ProducerRecord(topic, bytes, bytes), (metadata, exception) -> {
                    if (null == exception) {
                        history.ok(value, metadata.partition(), metadata.offset());
                    } else {
                        history.fail(value, exception);
                    }
                });
            } catch (final RuntimeException ex) {
                history.fail(value, ex);
            }
            if (n % 4 == 0) {
                try {
                    Thread.sleep(1); // a steady load, not a flood that fills the checker's heap
                } catch (final InterruptedException ex) {
                    return;
                }
            }
        }
    }

    /** Stops writing (the producer's in-flight writes still complete, on its close). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.MINUTES.toMillis(2));
    }

    /** @return ms from {@code since} to the first acknowledgement of a write invoked after it. */
    static long awaitAcknowledgementAfter(final OpHistory history, final long since, final long timeoutMs)
        throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            long first = Long.MAX_VALUE;
            for (final OpHistory.Op op : history.ops()) {
                if (op.outcome == OpHistory.Outcome.OK && op.invokedNs >= since) {
                    first = Math.min(first, op.completedNs);
                }
            }
            if (first != Long.MAX_VALUE) {
                return TimeUnit.NANOSECONDS.toMillis(first - since);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no write acknowledged within " + timeoutMs + " ms of " + since);
    }
}

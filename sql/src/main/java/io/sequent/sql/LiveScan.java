package io.sequent.sql;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.sequent.client.Consumer;
import io.sequent.client.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one push query's scan, handed to {@link TopicTable#scan} through the query's
 * {@link org.apache.calcite.DataContext} under {@link #KEY}: the consumer and the positions the scan starts
 * at (looked up when the query starts, so a record committed after {@code executeQuery} returned is never
 * missed), when it must stop (cancelled, or past its deadline), and the count of malformed records it
 * skipped.
 *
 * <p>The thread reading the query's rows drives the consumer; {@link #cancel()} may come from any thread
 * and is seen by the reader within one poll ({@link #POLL_MS} ms at most).
 */
final class LiveScan {
    /** The key of this object in the query's data context. */
    static final String KEY = "sequent.liveScan";
    /** The longest a poll of the live consumer waits before the reader checks for cancel and deadline. */
    static final long POLL_MS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(LiveScan.class);
    private static final long LOG_INTERVAL_NS = 10_000_000_000L;

    private final String query;
    private final Consumer consumer;
    private final Map<TopicPartition, Long> start;
    private final long deadlineNs;
    private final AtomicLong malformed = new AtomicLong();
    private volatile boolean cancelled;
    private long lastLogNs;
    private long loggedMalformed;

    /**
     * @param query      the query's id, for the log.
     * @param consumer   the consumer the scan reads with.
     * @param start      the offset each partition starts at.
     * @param deadlineNs the {@link System#nanoTime()} after which the scan fails with {@link TimeoutException},
     *                   or {@link Long#MAX_VALUE}.
     */
    LiveScan(final String query, final Consumer consumer, final Map<TopicPartition, Long> start,
        final long deadlineNs) {
        this.query = query;
        this.consumer = consumer;
        this.start = Map.copyOf(start);
        this.deadlineNs = deadlineNs;
    }

    Consumer consumer() {
        return consumer;
    }

    Map<TopicPartition, Long> start() {
        return start;
    }

    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** How long the next poll may wait, in ms; throws when the deadline has passed. */
    long pollMs() {
        if (deadlineNs == Long.MAX_VALUE) {
            return POLL_MS;
        }
        final long remainingNs = deadlineNs - System.nanoTime();
        if (remainingNs <= 0) {
            throw new TimeoutException("push query " + query + " reached its query timeout");
        }
        return Math.max(1, Math.min(POLL_MS, remainingNs / 1_000_000));
    }

    long malformed() {
        return malformed.get();
    }

    /** Counts a record that does not match the columns; logs it, at most once per 10 s per query. */
    void malformed(final RowCodecException e) {
        final long count = malformed.incrementAndGet();
        final long now = System.nanoTime();
        if (count == 1 || now - lastLogNs >= LOG_INTERVAL_NS) {
            LOG.warn("push query {}: skipped a malformed record ({} so far, {} since the last report): {}", query,
                count, count - loggedMalformed, e.getMessage());
            lastLogNs = now;
            loggedMalformed = count;
        }
    }

    /** The query's timeout passed while it waited for rows. */
    static final class TimeoutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimeoutException(final String message) {
            super(message);
        }
    }
}

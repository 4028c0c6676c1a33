package io.sequent.broker;

import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A warning that input from the network can repeat without bound (malformed requests, channels that cannot
 * be used): an occurrence after a quiet interval is logged as it comes (with its stack trace), the ones that
 * follow within the interval are only counted, and one summary line per interval says how many there were
 * and shows the latest. A flood of garbage thus costs a few log lines, while the counters
 * (see {@link BrokerCounters#malformedRequests}) count every one.
 *
 * <p>Cold path only (admin thread, media driver error handler); the methods are synchronized because the
 * media driver's thread and the admin thread may both report.
 */
final class RateLimitedLog {
    /** Interval between two lines of one kind unless told otherwise. */
    static final long DEFAULT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final BiConsumer<String, Throwable> sink;
    private final NanoClock clock;
    private final long intervalNs;
    private long nextLineNs;
    private boolean logged;
    private long suppressed;
    private String latest;
    private Throwable latestCause;

    /**
     * @param sink       writes one line (with the cause's stack trace for the first occurrence only).
     * @param clock      the time source.
     * @param intervalNs at most one line per this interval after the first.
     */
    RateLimitedLog(final BiConsumer<String, Throwable> sink, final NanoClock clock, final long intervalNs) {
        this.sink = sink;
        this.clock = clock;
        this.intervalNs = intervalNs;
    }

    /** Warnings to {@code log} every {@link #DEFAULT_INTERVAL_NS}. */
    static RateLimitedLog warnings(final Logger log, final NanoClock clock) {
        return new RateLimitedLog((message, cause) -> {
            if (null == cause) {
                log.warn(message);
            } else {
                log.warn(message, cause);
            }
        }, clock, DEFAULT_INTERVAL_NS);
    }

    /**
     * One occurrence.
     *
     * @param message the line, complete.
     * @param cause   the exception behind it, or null; its stack trace is printed only when the line is logged
     *                as it comes.
     */
    synchronized void warn(final String message, final Throwable cause) {
        final long nowNs = clock.nanoTime();
        if (!logged || suppressed == 0 && nowNs - nextLineNs >= 0) {
            logged = true;
            nextLineNs = nowNs + intervalNs;
            sink.accept(message, cause);
            return;
        }
        suppressed++;
        latest = message;
        latestCause = cause;
        poll(nowNs);
    }

    /**
     * Writes the summary line once the interval has passed since the last line, if anything was held back.
     *
     * @param nowNs the time.
     * @return 1 when a line was written, else 0.
     */
    synchronized int poll(final long nowNs) {
        if (suppressed == 0 || nowNs - nextLineNs < 0) {
            return 0;
        }
        return summarise(nowNs);
    }

    /**
     * Writes the summary line now if anything was held back (on close, so that no count is lost).
     *
     * @return 1 when a line was written, else 0.
     */
    synchronized int flush() {
        return suppressed == 0 ? 0 : summarise(clock.nanoTime());
    }

    private int summarise(final long nowNs) {
        sink.accept(suppressed + " more like this since the last such line (counted, not logged); the latest: " +
            latest + (null != latestCause ? ": " + latestCause : ""), null);
        suppressed = 0;
        latest = null;
        latestCause = null;
        nextLineNs = nowNs + intervalNs;
        return 1;
    }
}

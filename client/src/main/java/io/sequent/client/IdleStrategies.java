package io.sequent.client;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * Idle strategies by name, for the client's I/O thread and the embedded media driver.
 *
 * <p>{@code adaptive} (the default of both) spins 10 times, yields up to 1,000 times (about a
 * millisecond: a stream of requests and responses stays in the yield phase, with yielding latency),
 * then parks from 1 us doubling up to 10 ms: an idle client wakes about 100 times a second. The first
 * request after a quiet spell may wait up to one park. {@code backoff} spins 10 times, yields 1,000
 * times, then parks from 1 us doubling up to 1 ms: cheaper than yielding when idle, but it wakes 1,000
 * times a second. {@code yielding} never parks: best latency on a small machine without the starvation a
 * busy spinner causes, but it keeps a core busy while idle (the low-latency profile).
 */
final class IdleStrategies {
    static final String ADAPTIVE = "adaptive";
    static final String BACKOFF = "backoff";
    static final String YIELDING = "yielding";
    static final String SLEEPING = "sleeping";
    static final String BUSY_SPIN = "busy-spin";

    private IdleStrategies() {
    }

    static String validate(final String key, final String name) {
        return Settings.requireOneOf(key, name, ADAPTIVE, BACKOFF, YIELDING, SLEEPING, BUSY_SPIN);
    }

    static IdleStrategy create(final String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case YIELDING:
                return new YieldingIdleStrategy();
            case SLEEPING:
                return new SleepingMillisIdleStrategy(1);
            case BUSY_SPIN:
                return new BusySpinIdleStrategy();
            case BACKOFF:
                return new BackoffIdleStrategy(
                    10, 1_000, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
            case ADAPTIVE:
            default:
                return new BackoffIdleStrategy(
                    10, 1_000, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}

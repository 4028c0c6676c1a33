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
 * <p>{@code backoff} spins 10 times, yields 1,000 times (a few hundred microseconds of near-yielding
 * latency after each burst of work), then parks from 1 us doubling up to 1 ms: cheap when idle, and
 * a request/response exchange in progress stays in the yielding phase. {@code yielding} never parks:
 * best latency on a small machine without the starvation a busy spinner causes.
 */
final class IdleStrategies {
    static final String BACKOFF = "backoff";
    static final String YIELDING = "yielding";
    static final String SLEEPING = "sleeping";
    static final String BUSY_SPIN = "busy-spin";

    private IdleStrategies() {
    }

    static String validate(final String key, final String name) {
        return Settings.requireOneOf(key, name, BACKOFF, YIELDING, SLEEPING, BUSY_SPIN);
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
            default:
                return new BackoffIdleStrategy(
                    10, 1_000, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}

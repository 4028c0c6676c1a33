package io.sequent.sequencer;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * Names for the idle strategies an agent can use between duty cycles, as settings take them.
 *
 * <ul>
 *   <li>{@code adaptive} (default): after work, 10 spins and up to 1,000 {@code Thread.yield()}s (about a
 *   millisecond), then parks from 1 µs doubling up to 10 ms. While requests keep arriving (more than about
 *   one per millisecond) the thread never leaves the yield phase, so latency under load is that of
 *   {@code yielding}; after a quiet spell of a few tens of milliseconds it wakes about 100 times a second,
 *   so an idle process costs next to no CPU. The first request after a quiet spell waits up to one park
 *   (at most 10 ms) per hop. More yields (10,000 were tried) cost more idle CPU, because the media driver
 *   and the Aeron client do a little work a few times a second and each time the thread yields the whole
 *   phase again: an idle broker used 5.2% of a core with 10,000, 1.9% with 1,000.</li>
 *   <li>{@code yielding}: {@code Thread.yield()} when idle. The best latency measured on a 2-core machine
 *   without monopolising a core against the media driver, but it never rests: each yielding thread
 *   keeps a core busy while idle. The low-latency profile, for machines with a core to spare per
 *   thread.</li>
 *   <li>{@code backoff}: a few spins and yields, then parks from 1 µs up to 1 ms. Near-zero CPU when
 *   idle; costs ~50 µs of wake-up latency after a quiet spell (timer slack).</li>
 *   <li>{@code sleeping}: parks 1 ms every idle cycle; for tests and background work.</li>
 *   <li>{@code busy-spin}: never gives up the core. Only for the low-latency profile on machines with
 *   a spare core per spinning thread; on 2 cores it starves the other threads.</li>
 *   <li>{@code noop}: returns at once (the caller paces itself).</li>
 * </ul>
 */
public final class IdleStrategies {
    /** Name of the default strategy. */
    public static final String ADAPTIVE = "adaptive";
    /** The default: near-zero CPU when idle, yielding latency under load. */
    public static final String DEFAULT = ADAPTIVE;
    /** Spins after work before yielding. */
    public static final int ADAPTIVE_SPINS = 10;
    /** Yields after the spins before parking. */
    public static final int ADAPTIVE_YIELDS = 1_000;
    /** First park, doubled on every idle cycle up to {@link #ADAPTIVE_MAX_PARK_NS}. */
    public static final long ADAPTIVE_MIN_PARK_NS = 1_000;
    /** Longest park: an idle thread wakes about 100 times a second. */
    public static final long ADAPTIVE_MAX_PARK_NS = 10_000_000;

    private IdleStrategies() {
    }

    public static IdleStrategy parse(final String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case ADAPTIVE:
                return adaptive();
            case "yielding":
                return YieldingIdleStrategy.INSTANCE;
            case "backoff":
                return new BackoffIdleStrategy(10, 100, 1_000, 1_000_000);
            case "sleeping":
                return new SleepingMillisIdleStrategy(1);
            case "busy-spin":
                return BusySpinIdleStrategy.INSTANCE;
            case "noop":
                return NoOpIdleStrategy.INSTANCE;
            default:
                throw new IllegalArgumentException(
                    "unknown idle strategy '" + name +
                    "': use adaptive, yielding, backoff, sleeping, busy-spin or noop");
        }
    }

    /**
     * @return a new instance of the {@code adaptive} strategy (it has state: one per thread).
     */
    public static IdleStrategy adaptive() {
        return new BackoffIdleStrategy(
            ADAPTIVE_SPINS, ADAPTIVE_YIELDS, ADAPTIVE_MIN_PARK_NS, ADAPTIVE_MAX_PARK_NS);
    }
}

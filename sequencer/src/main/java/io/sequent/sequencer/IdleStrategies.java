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
 *   <li>{@code yielding} (default): {@code Thread.yield()} when idle. The best latency measured on a
 *   2-core machine without monopolising a core against the media driver.</li>
 *   <li>{@code backoff}: a few spins and yields, then parks from 1 µs up to 1 ms. Near-zero CPU when
 *   idle; costs ~50 µs of wake-up latency after a quiet spell (timer slack).</li>
 *   <li>{@code sleeping}: parks 1 ms every idle cycle; for tests and background work.</li>
 *   <li>{@code busy-spin}: never gives up the core. Only for the low-latency profile on machines with
 *   a spare core per spinning thread; on 2 cores it starves the other threads.</li>
 *   <li>{@code noop}: returns at once (the caller paces itself).</li>
 * </ul>
 */
public final class IdleStrategies {
    public static final String DEFAULT = "yielding";

    private IdleStrategies() {
    }

    public static IdleStrategy parse(final String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
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
                    "unknown idle strategy '" + name + "': use yielding, backoff, sleeping, busy-spin or noop");
        }
    }
}

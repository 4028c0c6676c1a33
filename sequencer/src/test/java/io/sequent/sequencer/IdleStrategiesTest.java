package io.sequent.sequencer;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default idle strategy must rest when there is no work: a thread idling on it is seen parked
 * ({@code TIMED_WAITING}), where a yielding or spinning thread is always runnable.
 */
class IdleStrategiesTest {
    @Test
    void defaultIsAdaptiveAndNeitherYieldingNorSpinning() {
        assertEquals("adaptive", IdleStrategies.DEFAULT);
        final IdleStrategy strategy = IdleStrategies.parse(IdleStrategies.DEFAULT);
        assertFalse(strategy instanceof YieldingIdleStrategy, strategy.toString());
        assertFalse(strategy instanceof BusySpinIdleStrategy, strategy.toString());
        assertNotSame(strategy, IdleStrategies.parse(IdleStrategies.DEFAULT), "one instance per thread");
    }

    @Test
    void idleThreadOnTheDefaultParks() throws InterruptedException {
        assertTrue(parksWithin(IdleStrategies.parse(IdleStrategies.DEFAULT), TimeUnit.SECONDS.toNanos(10)),
            "a thread idling on the default strategy was never seen parked");
    }

    @Test
    void idleThreadOnYieldingNeverParks() throws InterruptedException {
        // The control: the probe can tell a strategy that never rests.
        assertFalse(parksWithin(IdleStrategies.parse("yielding"), TimeUnit.MILLISECONDS.toNanos(300)));
    }

    @Test
    void unknownNameListsTheChoices() {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> IdleStrategies.parse("spinny"));
        assertTrue(ex.getMessage().contains("adaptive"), ex.getMessage());
    }

    /**
     * Runs a thread that idles on {@code strategy} with no work and samples its state until it is seen
     * {@code TIMED_WAITING} (parked) or the window ends.
     */
    static boolean parksWithin(final IdleStrategy strategy, final long windowNs) throws InterruptedException {
        final Thread idler = new Thread(() -> {
            strategy.reset();
            while (!Thread.currentThread().isInterrupted()) {
                strategy.idle(0);
            }
        }, "idle-probe");
        idler.setDaemon(true);
        idler.start();
        try {
            final long deadline = System.nanoTime() + windowNs;
            while (System.nanoTime() - deadline < 0) {
                if (idler.getState() == Thread.State.TIMED_WAITING) {
                    return true;
                }
                Thread.sleep(1);
            }
            return false;
        } finally {
            idler.interrupt();
            idler.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}

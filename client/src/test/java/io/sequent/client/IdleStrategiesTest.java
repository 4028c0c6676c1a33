package io.sequent.client;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's I/O thread and its embedded media driver rest when idle by default: a thread idling on
 * the default strategy is seen parked, where one on {@code yielding} never is.
 */
class IdleStrategiesTest {
    @Test
    void defaultsAreAdaptive() {
        final ClientConfig config = new ClientConfig();
        assertEquals(IdleStrategies.ADAPTIVE, config.idleStrategy());
        assertEquals(IdleStrategies.ADAPTIVE, config.driverIdleStrategy());
    }

    @Test
    void idleThreadOnTheDefaultsParks() throws InterruptedException {
        final ClientConfig config = new ClientConfig();
        assertTrue(parksWithin(IdleStrategies.create(config.idleStrategy()), TimeUnit.SECONDS.toNanos(10)));
        assertTrue(parksWithin(IdleStrategies.create(config.driverIdleStrategy()), TimeUnit.SECONDS.toNanos(10)));
    }

    @Test
    void idleThreadOnYieldingNeverParks() throws InterruptedException {
        assertFalse(parksWithin(IdleStrategies.create(IdleStrategies.YIELDING), TimeUnit.MILLISECONDS.toNanos(300)));
    }

    private static boolean parksWithin(final IdleStrategy strategy, final long windowNs) throws InterruptedException {
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

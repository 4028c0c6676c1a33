package io.sequent.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle broker on the default settings rests: its broker thread (which also runs the media driver in shared
 * mode) and its admin thread, and in dedicated mode each of its threads, are each seen parked within a few
 * seconds. (On the old yielding default the driver and broker threads were always runnable and an idle broker used
 * both cores.) How much CPU an idle broker uses is measured by {@code bin/idle-cpu}, not asserted here.
 */
class IdleThreadsTest {
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dataDir;

    @Test
    void idleDedicatedBrokerThreadsParkOnTheDefaults() throws InterruptedException {
        final BrokerContext ctx = TestSupport.context(dataDir).threadingMode(BrokerContext.ThreadingMode.DEDICATED);
        try (Broker broker = Broker.launch(ctx)) {
            for (final String name : List.of("sequent-ingress", "sequent-fetch", "sequent-admin",
                broker.aeronDirectoryName() + " [")) {
                final Thread thread = thread(name);
                assertTrue(seenParked(thread), thread.getName() + " was never seen parked while idle");
            }
        }
    }

    @Test
    void idleBrokerThreadsParkOnTheDefaults() throws InterruptedException {
        final BrokerContext ctx = TestSupport.context(dataDir).threadingMode(BrokerContext.ThreadingMode.SHARED);
        assertEquals("adaptive", ctx.idleStrategy());
        assertEquals("adaptive", ctx.driverIdleStrategy());
        try (Broker broker = Broker.launch(ctx)) {
            final List<Thread> threads = new ArrayList<>();
            threads.add(thread("sequent-broker"));
            threads.add(thread("sequent-admin"));
            for (final Thread thread : threads) {
                assertTrue(seenParked(thread), thread.getName() + " was never seen parked while idle");
            }
        }
    }

    private static Thread thread(final String namePrefix) {
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(namePrefix)) {
                return thread;
            }
        }
        throw new AssertionError("no thread named " + namePrefix + "...");
    }

    private static boolean seenParked(final Thread thread) throws InterruptedException {
        final long deadline = System.nanoTime() + WINDOW_NS;
        while (System.nanoTime() - deadline < 0) {
            final Thread.State state = thread.getState();
            if (state == Thread.State.TIMED_WAITING || state == Thread.State.WAITING) {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }
}

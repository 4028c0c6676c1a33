package io.sequent.client;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * Helpers shared by the tests that run clients against a {@link FakeBroker}; every wait is bounded.
 */
final class TestSupport {
    static final Duration WAIT = Duration.ofSeconds(15);

    private TestSupport() {
    }

    static ClientConfig client(final FakeBroker broker) {
        return new ClientConfig()
            .bootstrap(broker.bootstrap())
            .connectTimeout(Duration.ofSeconds(5))
            .requestTimeout(Duration.ofSeconds(5));
    }

    static byte[] bytes(final String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(final byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Polls until {@code count} records arrived (fails on more, or on the deadline). */
    static List<ConsumerRecord> pollUntil(final Consumer consumer, final int count) {
        final List<ConsumerRecord> records = new ArrayList<>();
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (records.size() < count) {
            if (System.nanoTime() > deadline) {
                fail("got " + records.size() + " of " + count + " records within " + WAIT);
            }
            for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(100))) {
                records.add(record);
            }
        }
        if (records.size() > count) {
            fail("expected " + count + " records, got " + records.size());
        }
        return records;
    }

    static void await(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** The embedded media driver directories this JVM has under /dev/shm. */
    static Set<String> driverDirectories() {
        final String prefix = EmbeddedDriver.DIR_PREFIX + ProcessHandle.current().pid() + "-";
        final String[] names = new File("/dev/shm").list((dir, name) -> name.startsWith(prefix));
        return names == null ? Set.of() : new TreeSet<>(List.of(names));
    }
}

package io.sequent.perf.harness;

import java.util.concurrent.locks.LockSupport;

/** The harness's clock: a monotonic nanosecond time and a way to wait for a moment (tests use a manual clock). */
public interface NanoClock {
    /** The system clock: {@link System#nanoTime()}, and a wait that parks, then yields the last ~100 µs. */
    NanoClock SYSTEM = new NanoClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(final long deadlineNs) {
            long now;
            while ((now = System.nanoTime()) < deadlineNs) {
                final long remaining = deadlineNs - now;
                // A park wakes up to ~60 µs late on a loaded small machine: park until ~100 µs before the moment,
                // then yield rather than spin, so the driver, broker and client threads get the cores.
                if (remaining > 150_000) {
                    LockSupport.parkNanos(remaining - 100_000);
                } else {
                    Thread.yield();
                }
            }
        }
    };

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    /** Returns at or after {@code deadlineNs}. */
    void sleepUntil(long deadlineNs);
}

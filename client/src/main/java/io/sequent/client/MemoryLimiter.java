package io.sequent.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer's {@code buffer.memory}: bytes held by batches not yet completed (each batch holds
 * its capacity, {@code batch.size}, or the size of the one record larger than that), and by records
 * waiting for their topic's metadata. Sending threads acquire when they open a batch (blocking up to
 * {@code max.block.ms} when full), not per record; the I/O thread releases when a batch completes.
 * Lock-free; a blocked sender parks briefly and looks again.
 */
final class MemoryLimiter {
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile java.util.function.IntSupplier whileWaiting;

    MemoryLimiter(final long limit) {
        this.limit = limit;
    }

    /**
     * @param bytes     bytes to take, at most the limit.
     * @param maxWaitNs how long to wait for room.
     * @return false when there was no room in time.
     */
    boolean acquire(final long bytes, final long maxWaitNs) {
        if (tryAcquire(bytes)) {
            return true;
        }
        final long deadline = System.nanoTime() + maxWaitNs;
        long parkNs = 1_000;
        waiters.incrementAndGet();
        try {
            while (true) {
                if (tryAcquire(bytes)) {
                    return true;
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                final java.util.function.IntSupplier step = whileWaiting;
                if (step != null && step.getAsInt() > 0) {
                    parkNs = 1_000;
                    continue;
                }
                LockSupport.parkNanos(Math.min(parkNs, remaining));
                parkNs = Math.min(parkNs * 2, MAX_PARK_NS);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        } finally {
            waiters.decrementAndGet();
        }
    }

    /**
     * In the producer's caller mode, a blocked sender frees room by running the I/O duty cycle
     * (which completes records) instead of only parking.
     *
     * @param step runs the duty cycle once, returns the work done.
     */
    void whileWaiting(final java.util.function.IntSupplier step) {
        whileWaiting = step;
    }

    /**
     * Runs the caller mode's duty cycle once, for a sender that waits for something the I/O frees.
     *
     * @return the work done; 0 in dedicated mode, where the I/O thread frees it.
     */
    int stepWhileWaiting() {
        final java.util.function.IntSupplier step = whileWaiting;
        return step == null ? 0 : step.getAsInt();
    }

    /**
     * Takes room without waiting, past the limit if need be: the I/O thread appending a record that
     * waited for its topic's metadata, which must not block the thread that frees the room.
     *
     * @param bytes bytes to take.
     */
    void take(final long bytes) {
        used.addAndGet(bytes);
    }

    void release(final long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }

    /**
     * @return true while a sender waits for room: batches then go out without lingering.
     */
    boolean hasWaiters() {
        return waiters.get() > 0;
    }

    private boolean tryAcquire(final long bytes) {
        while (true) {
            final long current = used.get();
            if (current + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }
}

package io.sequent.broker;

import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link PendingAcks} under its three writers at once: the ingress claims and offers, the release stage completes,
 * the admin thread times out. A tiny ring makes entries wrap around constantly, so a timeout scan that read an
 * entry and was overtaken by its release and a new claim would time out the wrong request. Every offered request
 * must be answered exactly once, and a timeout must carry the fields of the request it times out.
 */
class PendingAcksConcurrencyTest {
    private static final int REQUESTS = 60_000;

    @Test
    void everyRequestIsAnsweredExactlyOnceWhateverTheInterleaving() throws Exception {
        final PendingAcks acks = new PendingAcks(2);
        final AtomicIntegerArray answers = new AtomicIntegerArray(REQUESTS);
        final OneToOneConcurrentArrayQueue<long[]> toRelease = new OneToOneConcurrentArrayQueue<>(1024);
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicReference<String> problem = new AtomicReference<>();

        final Thread release = new Thread(() -> {
            while (!done.get() || !toRelease.isEmpty()) {
                final long[] item = toRelease.poll();
                if (null == item) {
                    Thread.yield();
                    continue;
                }
                final int index = (int) item[0];
                final long correlationId = acks.correlationId(index);
                if (correlationId != item[1] || acks.sessionId(index) != item[1] + 1) {
                    problem.compareAndSet(null, "release read " + correlationId + " for " + item[1]);
                }
                if (acks.complete(index)) {
                    answers.incrementAndGet((int) item[1]);
                }
            }
        }, "release");
        final Thread admin = new Thread(() -> {
            while (!done.get()) {
                acks.scanTimeouts(System.nanoTime(), (sessionId, correlationId, partition) -> {
                    if (sessionId != correlationId + 1 || partition != (int) (correlationId & 7)) {
                        problem.compareAndSet(null, "timeout of " + correlationId + " with session " + sessionId +
                            " partition " + partition);
                    }
                    answers.incrementAndGet((int) correlationId);
                });
            }
        }, "admin");
        release.start();
        admin.start();
        final long deadline = System.nanoTime() + 60_000_000_000L;
        int offered = 0;
        for (int n = 0; n < REQUESTS; n++) {
            int index;
            while ((index = acks.claim(n + 1, n, n & 7, System.nanoTime() + (n % 3) * 2_000)) < 0) {
                Thread.yield();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("stuck at request " + n);
                }
            }
            if (n % 10 == 9) {
                acks.onRefused(index);
                answers.incrementAndGet(n);
                continue;
            }
            acks.onOffered(index);
            offered++;
            while (!toRelease.offer(new long[]{index, n})) {
                Thread.yield();
            }
        }
        done.set(true);
        release.join(30_000);
        admin.join(30_000);
        assertNull(problem.get());
        int timedOutOrReleased = 0;
        for (int n = 0; n < REQUESTS; n++) {
            assertEquals(1, answers.get(n), "request " + n + " answered " + answers.get(n) + " times");
            timedOutOrReleased++;
        }
        assertEquals(REQUESTS, timedOutOrReleased);
        System.out.println(offered + " offered, all answered exactly once");
    }
}

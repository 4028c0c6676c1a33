package io.sequent.broker;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The acks=all produce requests in flight, so that one not committed within its timeout is answered
 * REQUEST_TIMED_OUT, exactly once, by whichever comes first: the release stage (committed or rejected) or
 * the admin thread's timeout scan.
 *
 * <p>An entry is claimed by the ingress before it offers the batch; the sequencer then carries the entry's
 * index in place of the session id, as {@code ~index} (negative, while real session ids are positive), and
 * the release stage finds it there. Entries are taken in order from a ring as large as the sequencer's ring:
 * at most that many batches are in flight, so the entry taken next is free unless a batch is still stuck.
 *
 * <pre>
 *   FREE --ingress claims--> CLAIMED --offer accepted--> PENDING --release stage--> FREE (answers)
 *     ^                         |                           |
 *     +----offer refused--------+                           +--timeout scan--> TIMED_OUT (answers REQUEST_TIMED_OUT)
 *     +-----------------------release stage (answers nothing)------------------------+
 *   CLAIMED --release stage (before the ingress marked it PENDING)--> FREE (answers)
 * </pre>
 *
 * <p>Writers: the ingress writes an entry's fields while it is FREE and publishes them with the state; the
 * release stage and the timeout scan read them after reading the state, and move the state by CAS.
 */
final class PendingAcks {
    static final int FREE = 0;
    static final int CLAIMED = 1;
    static final int PENDING = 2;
    static final int TIMED_OUT = 3;

    private final int mask;
    private final long[] sessionIds;
    private final long[] correlationIds;
    private final long[] deadlinesNs;
    private final int[] partitions;
    private final AtomicIntegerArray states;
    private long next;

    PendingAcks(final int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        mask = capacity - 1;
        sessionIds = new long[capacity];
        correlationIds = new long[capacity];
        deadlinesNs = new long[capacity];
        partitions = new int[capacity];
        states = new AtomicIntegerArray(capacity);
    }

    int capacity() {
        return mask + 1;
    }

    /**
     * Claims the next entry. Ingress thread.
     *
     * @return the entry's index, or -1 when it is still in use.
     */
    int claim(final long sessionId, final long correlationId, final int partition, final long deadlineNs) {
        final int index = (int) (next & mask);
        if (states.get(index) != FREE) {
            return -1;
        }
        sessionIds[index] = sessionId;
        correlationIds[index] = correlationId;
        deadlinesNs[index] = deadlineNs;
        partitions[index] = partition;
        states.lazySet(index, CLAIMED);
        return index;
    }

    /** The batch was accepted by the sequencer. Ingress thread. */
    void onOffered(final int index) {
        next++;
        states.compareAndSet(index, CLAIMED, PENDING);
    }

    /** The sequencer refused the batch; the entry is free again. Ingress thread. */
    void onRefused(final int index) {
        states.set(index, FREE);
    }

    long sessionId(final int index) {
        return sessionIds[index];
    }

    long correlationId(final int index) {
        return correlationIds[index];
    }

    int partition(final int index) {
        return partitions[index];
    }

    /**
     * The batch's outcome is final. Release stage; read the entry's fields before calling this.
     *
     * @return true when the caller must answer; false when the timeout scan already did.
     */
    boolean complete(final int index) {
        while (true) {
            final int state = states.get(index);
            if (state == PENDING || state == CLAIMED) {
                if (states.compareAndSet(index, state, FREE)) {
                    return true;
                }
            } else {
                states.set(index, FREE);
                return false;
            }
        }
    }

    /**
     * Marks every pending entry past its deadline as timed out and hands it to {@code onTimeout}. Admin thread.
     *
     * @return the number timed out.
     */
    int scanTimeouts(final long nowNs, final TimeoutHandler onTimeout) {
        int timedOut = 0;
        for (int i = 0, n = mask + 1; i < n; i++) {
            if (states.get(i) == PENDING) {
                final long sessionId = sessionIds[i];
                final long correlationId = correlationIds[i];
                final int partition = partitions[i];
                if (nowNs - deadlinesNs[i] > 0 && states.compareAndSet(i, PENDING, TIMED_OUT)) {
                    onTimeout.onTimeout(sessionId, correlationId, partition);
                    timedOut++;
                }
            }
        }
        return timedOut;
    }

    /** Receives an acks=all request that timed out. */
    @FunctionalInterface
    interface TimeoutHandler {
        void onTimeout(long sessionId, long correlationId, int partition);
    }
}

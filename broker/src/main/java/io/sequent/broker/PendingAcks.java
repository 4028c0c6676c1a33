package io.sequent.broker;

import java.util.concurrent.atomic.AtomicLongArray;

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
 * <p>Three writer threads, and why that is safe. The ingress is the only writer of an entry's fields, and writes
 * them only while the entry is FREE, publishing them with the CLAIMED state (release semantics). Every state
 * change is a compare-and-set on one word per entry that holds the state and a claim stamp, which the ingress
 * raises at each claim. The release stage moves CLAIMED or PENDING to FREE and answers; the timeout scan moves
 * PENDING to TIMED_OUT and answers; whichever CAS wins answers, the other sees the state moved and stays silent.
 * The stamp closes the one gap a bare state would leave: a scan that read an entry as PENDING, then was overtaken
 * by its release and a new claim of the same entry, would otherwise find it PENDING again and time out the new
 * request with the old one's fields; with the stamp its CAS fails. {@code PendingAcksConcurrencyTest} runs the
 * three writers at once on a two-entry ring and checks that every request is answered exactly once, with its
 * own fields.
 */
final class PendingAcks {
    static final int FREE = 0;
    static final int CLAIMED = 1;
    static final int PENDING = 2;
    static final int TIMED_OUT = 3;
    /** {@link #startNs} of an entry claimed without its arrival time: no latency is recorded for it. */
    static final long NO_START = Long.MIN_VALUE;

    private final int mask;
    private final long[] sessionIds;
    private final long[] correlationIds;
    private final long[] deadlinesNs;
    private final long[] startsNs;
    private final int[] partitions;
    /** Per entry: {@code claimStamp << 2 | state}. */
    private final AtomicLongArray states;
    private long next;

    PendingAcks(final int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        mask = capacity - 1;
        sessionIds = new long[capacity];
        correlationIds = new long[capacity];
        deadlinesNs = new long[capacity];
        startsNs = new long[capacity];
        partitions = new int[capacity];
        states = new AtomicLongArray(capacity);
    }

    private static int state(final long word) {
        return (int) (word & 3);
    }

    private static long withState(final long word, final int state) {
        return (word & ~3L) | state;
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
        return claim(sessionId, correlationId, partition, NO_START, deadlineNs);
    }

    /**
     * Claims the next entry, noting when the request arrived (for the produce -&gt; ack latency). Ingress thread.
     *
     * @return the entry's index, or -1 when it is still in use.
     */
    int claim(
        final long sessionId,
        final long correlationId,
        final int partition,
        final long startNs,
        final long deadlineNs) {
        final int index = (int) (next & mask);
        final long word = states.get(index);
        if (state(word) != FREE) {
            return -1;
        }
        sessionIds[index] = sessionId;
        correlationIds[index] = correlationId;
        deadlinesNs[index] = deadlineNs;
        startsNs[index] = startNs;
        partitions[index] = partition;
        states.lazySet(index, ((word >>> 2) + 1) << 2 | CLAIMED);
        return index;
    }

    /** The batch was accepted by the sequencer. Ingress thread. */
    void onOffered(final int index) {
        next++;
        final long word = states.get(index);
        if (state(word) == CLAIMED) {
            states.compareAndSet(index, word, withState(word, PENDING));
        }
    }

    /** The sequencer refused the batch; the entry is free again. Ingress thread. */
    void onRefused(final int index) {
        states.set(index, withState(states.get(index), FREE));
    }

    long sessionId(final int index) {
        return sessionIds[index];
    }

    long correlationId(final int index) {
        return correlationIds[index];
    }

    /** When the request arrived, by the broker's clock; read before {@link #complete}. */
    long startNs(final int index) {
        return startsNs[index];
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
            final long word = states.get(index);
            final int state = state(word);
            if (state == PENDING || state == CLAIMED) {
                if (states.compareAndSet(index, word, withState(word, FREE))) {
                    return true;
                }
            } else {
                // TIMED_OUT: the scan answered; only this stage frees a timed-out entry.
                states.set(index, withState(word, FREE));
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
            final long word = states.get(i);
            if (state(word) == PENDING) {
                final long sessionId = sessionIds[i];
                final long correlationId = correlationIds[i];
                final int partition = partitions[i];
                // the CAS succeeds only if no new claim (new stamp) overwrote the fields just read
                if (nowNs - deadlinesNs[i] > 0 && states.compareAndSet(i, word, withState(word, TIMED_OUT))) {
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

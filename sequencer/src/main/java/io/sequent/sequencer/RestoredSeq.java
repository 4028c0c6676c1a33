package io.sequent.sequencer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The highest group sequence held by any partition opened so far: where the group sequence resumes after a
 * restart, whichever partition is written first.
 *
 * <p>Several writers, safely: {@link #raise} is called by whichever thread opens a partition (the launching
 * thread at start, the admin thread when a topic is created). It is a max register: each writer only ever
 * raises the value, by compare-and-set, so concurrent raises commute and the value is the maximum of all of
 * them whatever the interleaving ({@code RestoredSeqTest} checks this from several threads). The one write that
 * lowers it, {@link #lowerTo} after a truncation, runs on the journal stage while no partition opens. Readers: the
 * sequence stage, once per batch after the ring barrier, so that every partition opened before a batch was
 * offered is counted; the journal stage, to report the restored sequence as durable.
 */
final class RestoredSeq {
    private final AtomicLong value = new AtomicLong(BatchEvent.NO_GROUP_SEQ);
    private final AtomicInteger epoch = new AtomicInteger();

    long get() {
        return value.get();
    }

    /** The highest leader epoch held by any partition opened so far (a max register like the seq). */
    int epoch() {
        return epoch.get();
    }

    /** Raises the seq to at least {@code seq} and the epoch to at least {@code epoch}. Any thread. */
    void raise(final long seq, final int epoch) {
        raise(seq);
        int current;
        while ((current = this.epoch.get()) < epoch) {
            if (this.epoch.compareAndSet(current, epoch)) {
                return;
            }
        }
    }

    /**
     * Sets the value to {@code seq} after every partition was truncated to it. Journal stage only, while no
     * partition is being opened (the caller of a truncation guarantees it).
     */
    void lowerTo(final long seq, final int epoch) {
        if (value.get() > seq) {
            value.set(seq);
        }
        if (this.epoch.get() > epoch) {
            this.epoch.set(epoch);
        }
    }

    /** Raises the value to at least {@code seq}; never lowers it. Any thread. */
    void raise(final long seq) {
        long current;
        while ((current = value.get()) < seq) {
            if (value.compareAndSet(current, seq)) {
                return;
            }
        }
    }
}

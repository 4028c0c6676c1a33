package io.sequent.broker;

import io.sequent.sequencer.Partition;
import io.sequent.sequencer.SequencerResult;

/**
 * One batch offered to an internal partition (the metadata log, later the group coordinator's) through the
 * {@link InternalAppender}, and its outcome.
 *
 * <p>The submitting thread creates it and then only reads it. Its outcome has one writer at a time: the
 * ingress thread when the sequencer refuses the offer for good (the batch never entered the ring), otherwise
 * the sequencer's release stage once the batch is committed or rejected. {@code baseOffset} is written before
 * the volatile {@code result}, so a thread that sees {@link #isDone()} sees both.
 */
final class InternalAppend {
    /** {@link #result()} while the batch is not yet committed or refused. */
    static final int PENDING = Integer.MIN_VALUE;

    final Partition partition;
    final byte[] batch;
    private long baseOffset = -1;
    private volatile int result = PENDING;

    InternalAppend(final Partition partition, final byte[] batch) {
        this.partition = partition;
        this.batch = batch;
    }

    /** True once the batch is committed (as acks=all) or refused. */
    boolean isDone() {
        return result != PENDING;
    }

    /** A {@link SequencerResult} once {@link #isDone()}, else {@link #PENDING}. */
    int result() {
        return result;
    }

    /** True when the batch is committed. */
    boolean isCommitted() {
        return result == SequencerResult.OK;
    }

    /** Offset of the batch's first record once committed, else -1. */
    long baseOffset() {
        return baseOffset;
    }

    void complete(final int result, final long baseOffset) {
        this.baseOffset = baseOffset;
        this.result = result;
    }

    @Override
    public String toString() {
        return "InternalAppend{" + partition + ", " + SequencerResult.name(result) + " at " + baseOffset + "}";
    }
}

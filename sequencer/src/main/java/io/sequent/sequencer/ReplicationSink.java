package io.sequent.sequencer;

import org.agrona.DirectBuffer;

/**
 * Where the replicate stage ships each batch the leader has stamped and appended: the replication publication
 * of a leader, or nothing for a single node.
 *
 * <p>The replicate stage follows the journal's appends, not its force: a batch is offered as soon as it is in
 * the leader's log (the leader's fsync runs meanwhile), and a batch whose append failed, or that a storage
 * failure voided, is never offered. So the seqs a follower receives rise strictly but may skip the seqs of
 * voided batches, which no member holds. A follower's own appends (stamped batches) are not offered.
 *
 * <p>Called on the replicate stage's thread, in group-sequence order; must not block, allocate or throw on
 * the hot path.
 */
public interface ReplicationSink {
    /** A sink for a group of one: nothing to send. */
    ReplicationSink NONE = (buffer, offset, length, topicId, partitionId, epoch, groupSeq) -> true;

    /**
     * One batch, as stored: {@code buffer[offset, offset + length)} holds the whole frame, stamped with its
     * base offset, epoch and seq (the frame header repeats them).
     *
     * @return true when the batch was taken; false to be offered the same batch again on the next duty cycle
     * (back-pressure).
     */
    boolean offer(DirectBuffer buffer, int offset, int length, int topicId, int partitionId, int epoch, long groupSeq);

    /**
     * The end of a sequencer batch: called after a poll in which at least one batch was taken, with the seq of
     * the last one. A follower forces its log here and reports its position, as the leader's journal forces at
     * the end of its batch.
     */
    default void onBatchEnd(long lastGroupSeq) {
    }
}

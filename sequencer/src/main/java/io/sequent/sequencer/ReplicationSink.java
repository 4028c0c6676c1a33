package io.sequent.sequencer;

import org.agrona.DirectBuffer;

/**
 * Where the replicate stage sends each stamped batch: the replication publication of a leader, or
 * nothing for a single node. Called on the replicate stage's thread, in group-sequence order; must
 * not block, allocate or throw on the hot path.
 */
@FunctionalInterface
public interface ReplicationSink {
    /** A sink for a group of one: nothing to send. */
    ReplicationSink NONE = (buffer, offset, length, groupSeq) -> true;

    /**
     * @return true when the batch was taken; false to be offered the same batch again on the next
     * duty cycle (back-pressure).
     */
    boolean offer(DirectBuffer buffer, int offset, int length, long groupSeq);
}

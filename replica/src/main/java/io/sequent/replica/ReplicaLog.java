package io.sequent.replica;

import org.agrona.DirectBuffer;

/**
 * The replicated log as the protocol sees it: a sequence of batches numbered by the group sequence {@code seq}
 * (1, 2, 3, ... without gaps), each stamped with the epoch of the leader that created it, a topic id and a
 * partition, and carrying opaque bytes. Seq 0 is the empty log's end and has epoch 0.
 *
 * <p>Epochs never decrease along the log, so the log itself is the epoch history (epoch -> first seq): every
 * holder of a batch of epoch {@code e} also holds that epoch's first batch, its {@code EpochStart} control batch.
 * {@link #epochOf(long)} is all the protocol asks of it; it finds the end of an epoch by binary search on it.
 *
 * <p>Durability is asynchronous: {@link #append} makes a batch part of the log at once ({@link #lastSeq()} moves),
 * and the journal reports later through {@link ReplicaNode#onAppended(long)} and {@link ReplicaNode#onDurable(long)}
 * (flushed, survives a crash). A journal must never report as durable a seq it has truncated and not yet flushed
 * again. After a restart the log holds only what was durable, minus any torn tail that recovery cut.
 *
 * <p>Implemented over the partition logs and the group-sequence journal (seq -> partition, offset, epoch); called
 * only on the thread that runs the {@link ReplicaNode}.
 */
public interface ReplicaLog {
    /**
     * @return seq of the last batch held, 0 when the log is empty.
     */
    long lastSeq();

    /**
     * @return true while appends to this log fail (a full disk): a follower then asks its leader for one batch at a
     * time, once an election timeout, rather than for a replay of everything it lacks that it cannot store.
     */
    default boolean appendsFailing() {
        return false;
    }

    /**
     * @param seq in {@code [0, lastSeq()]}.
     * @return the epoch stamped on the batch at {@code seq}; 0 for seq 0.
     */
    int epochOf(long seq);

    /**
     * @return epoch of the last batch, 0 when empty.
     */
    default int lastEpoch() {
        return epochOf(lastSeq());
    }

    /**
     * Appends a batch at {@code seq == lastSeq() + 1}. The bytes are copied; the buffer is not kept.
     *
     * @param epoch     the epoch stamped on the batch.
     * @param seq       {@code lastSeq() + 1}.
     * @param topicId   catalog id of the topic, {@link ReplicaNode#CONTROL_TOPIC_ID} for a control batch.
     * @param partition partition of the topic.
     * @param buffer    holding the batch bytes.
     * @param offset    of the first byte.
     * @param length    of the batch.
     * @return true when appended; false when the journal cannot take it now (full, back-pressured).
     */
    boolean append(int epoch, long seq, int topicId, int partition, DirectBuffer buffer, int offset, int length);

    /**
     * Drops every batch with a seq above {@code seq} from every partition (divergence truncation).
     *
     * @param seq the last seq to keep; {@code 0 <= seq <= lastSeq()}.
     */
    void truncateTo(long seq);

    /**
     * Reads the batch at {@code seq} for replay and hands it to {@code handler} before returning.
     *
     * @param seq     in {@code [1, lastSeq()]}.
     * @param handler receives the batch; it must not keep the buffer.
     * @return true if the batch was read and handed over.
     */
    boolean read(long seq, BatchHandler handler);

    /** Receives a batch read from the log. */
    @FunctionalInterface
    interface BatchHandler {
        /**
         * @param epoch     stamped on the batch.
         * @param seq       of the batch.
         * @param topicId   of the batch.
         * @param partition of the batch.
         * @param buffer    holding the bytes, valid only during the call.
         * @param offset    of the first byte.
         * @param length    of the batch.
         */
        void onBatch(int epoch, long seq, int topicId, int partition, DirectBuffer buffer, int offset, int length);
    }
}

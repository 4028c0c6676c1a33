package io.sequent.replica;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

/**
 * Each partition's high watermark, derived from the commit seq: for every {@code (topicId, partition)}, the seq of
 * its last batch with {@code seq <= commitSeq}. The partition log (or the group-sequence journal) turns that seq
 * into the partition's end offset, which is the high watermark consumers read up to; they therefore never see a
 * record that is later truncated, since no committed batch ever is.
 *
 * <p>{@link #advance} reads the batches between the last commit seen and the new one from the {@link ReplicaLog}
 * (their headers only). Control batches ({@link ReplicaNode#CONTROL_TOPIC_ID}) are skipped. Allocation-free once
 * every partition has been seen. Single-threaded: the replica's thread.
 */
public final class PartitionHighWatermarks {
    /** {@link #committedSeq}: nothing of the partition is committed yet. */
    public static final long NONE = -1;

    private final Long2LongHashMap lastCommittedSeq = new Long2LongHashMap(NONE);
    private final ReplicaLog.BatchHandler handler = this::onBatch;
    private long commitSeq;

    /**
     * @param newCommitSeq the commit seq now known; ignored when not above the last one.
     * @param log          the log holding every batch up to it.
     * @return batches read.
     */
    public int advance(final long newCommitSeq, final ReplicaLog log) {
        int read = 0;
        while (commitSeq < newCommitSeq && log.read(commitSeq + 1, handler)) {
            commitSeq++;
            read++;
        }
        return read;
    }

    /**
     * @param topicId   catalog id of the topic.
     * @param partition partition.
     * @return seq of the partition's last committed batch, {@link #NONE} if none.
     */
    public long committedSeq(final int topicId, final int partition) {
        return lastCommittedSeq.get(key(topicId, partition));
    }

    /**
     * @return the commit seq the watermarks are at.
     */
    public long commitSeq() {
        return commitSeq;
    }

    private void onBatch(
        final int epoch, final long seq, final int topicId, final int partition, final DirectBuffer buffer,
        final int offset, final int length) {
        if (ReplicaNode.CONTROL_TOPIC_ID != topicId) {
            lastCommittedSeq.put(key(topicId, partition), seq);
        }
    }

    private static long key(final int topicId, final int partition) {
        return ((long) topicId << 32) | (partition & 0xFFFF_FFFFL);
    }
}

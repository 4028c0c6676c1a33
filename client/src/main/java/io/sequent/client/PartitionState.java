package io.sequent.client;

/**
 * A consumer's view of one assigned partition: its position (the next offset {@code poll} returns),
 * a pending reset, whether a fetch is in flight, and the fetched data not yet returned. Single
 * writer: the consumer's thread.
 *
 * <p>While fetched data is being returned, the partition's next fetch is already in flight from the offset after
 * that data's last whole batch (the fetch ahead), and its answer waits in {@link #ahead} until the data before it is
 * all returned; so reading a backlog does not stop for a round trip per answer.
 *
 * <p>{@link #epoch} changes whenever the position is set from outside the fetch flow (seek, reset,
 * reassignment): answers to fetches and lookups sent under an older epoch are ignored.
 */
final class PartitionState {
    /** No reset pending. */
    static final int RESET_NONE = 0;
    /** Reset to the log start. */
    static final int RESET_EARLIEST = 1;
    /** Reset to the high watermark. */
    static final int RESET_LATEST = 2;

    final TopicPartition tp;
    final String topic;
    final int partition;
    long position = -1;
    int reset = RESET_NONE;
    long epoch;
    boolean fetchInFlight;
    boolean resetInFlight;
    /** {@link Consumer#pause}d: not fetched, and what was fetched stays buffered until resumed. */
    boolean paused;
    long retryAtNs;
    long highWatermark = -1;
    long logStartOffset = -1;
    /** Since when fetches found the position above the serving member's high watermark, or -1. */
    long aheadSinceNs = -1;
    int partitionMaxBytes;

    // fetched data not yet returned: a region of a FetchCall's response
    FetchCall data;
    int dataPosition;
    int dataEnd;
    boolean dataConsumedAny;
    /** The offset after the last whole batch in {@link #data}: where the fetch ahead starts; -1 for none. */
    long dataNextOffset = -1;

    // the answer to the fetch ahead, when it came before data was all returned: it starts at aheadOffset
    FetchCall ahead;
    int aheadPosition;
    int aheadEnd;
    long aheadOffset = -1;

    PartitionState(final TopicPartition tp, final long epoch, final int partitionMaxBytes) {
        this.tp = tp;
        this.topic = tp.topic();
        this.partition = tp.partition();
        this.epoch = epoch;
        this.partitionMaxBytes = partitionMaxBytes;
        this.retryAtNs = System.nanoTime();
    }

    boolean hasData() {
        return data != null;
    }

    @Override
    public String toString() {
        return tp + "@" + position;
    }
}

package io.sequent.broker;

/**
 * Hands out idempotent producer ids that are never reused, across restarts too: ids come from blocks, and a
 * block's upper bound is a ProducerIdsRecord of the metadata log, committed before the first id of the block
 * is given out (see {@link TopicAdmin}). A restart resumes at the highest bound in the log, skipping what was
 * left of the last block.
 *
 * <p>Admin thread only.
 */
final class ProducerIdAllocator {
    static final long BLOCK_SIZE = 1000;

    private long next;
    private long limit;

    /**
     * @param limit the highest bound in the metadata log (0 when there is none).
     */
    ProducerIdAllocator(final long limit) {
        this.limit = limit;
        this.next = limit;
    }

    /** @return true when the current block has an id left. */
    boolean hasNext() {
        return next < limit;
    }

    /** @return a producer id never handed out before; only when {@link #hasNext()}. */
    long allocate() {
        if (next >= limit) {
            throw new IllegalStateException("no producer-id block in force: write the next block first");
        }
        return next++;
    }

    /** The bound of the block in force. */
    long limit() {
        return limit;
    }

    /** The bound the next block's record must name. */
    long nextBlockLimit() {
        return Math.max(next, limit) + BLOCK_SIZE;
    }

    /** The record of a new block with this bound is committed. */
    void onBlock(final long newLimit) {
        next = Math.max(next, limit);
        limit = Math.max(limit, newLimit);
    }

    /** Another member handed out ids below {@code newLimit} (a replicated block): this one never does. */
    void skipTo(final long newLimit) {
        limit = Math.max(limit, newLimit);
        next = Math.max(next, limit);
    }

    /** @return true when {@code producerId} may have been handed out by this broker. */
    boolean wasAllocated(final long producerId) {
        return producerId >= 0 && producerId < limit;
    }
}

package io.sequent.sequencer;

/**
 * The group sequence up to which batches are committed (held by a majority). A single node's
 * commit position is what its own journal has made durable; a replica group supplies the quorum
 * position. Read by the release stage; must be cheap and never decrease.
 */
@FunctionalInterface
public interface CommitPosition {
    long commitSeq();

    /**
     * The ring sequence up to which batches still waiting for their commit are given up: the release stage
     * answers them {@link SequencerResult#NOT_COMMITTED} (acks=all), leaves the high watermark where it is and
     * frees their slots, so a member that lost leadership, or must truncate a divergent tail, is not left with a
     * ring waiting for a commit that will never come. Never decreases; -1 (the default) gives up nothing.
     */
    default long abandonedThrough() {
        return -1;
    }
}

package io.sequent.sequencer;

/**
 * The group sequence up to which batches are committed (held by a majority). A single node's
 * commit position is what its own journal has made durable; a replica group supplies the quorum
 * position. Read by the release stage; must be cheap and never decrease.
 */
@FunctionalInterface
public interface CommitPosition {
    long commitSeq();
}

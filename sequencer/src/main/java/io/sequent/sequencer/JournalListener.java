package io.sequent.sequencer;

/**
 * Told by the journal stage, on its thread, how far this member's log has come: what a replica group member
 * reports to its leader (a follower acknowledges what is durable per its flush policy) and what a leader counts
 * as its own position. Must not block, allocate or throw.
 */
public interface JournalListener {
    JournalListener NONE = new JournalListener() {
    };

    /** The batch with {@code groupSeq} is in the log (not yet forced). */
    default void onAppended(long groupSeq) {
    }

    /** Every batch up to {@code groupSeq} is durable per the flush policy ({@link Sequencer#journaledSeq()}). */
    default void onDurable(long groupSeq) {
    }
}

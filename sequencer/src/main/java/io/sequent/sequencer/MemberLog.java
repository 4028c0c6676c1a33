package io.sequent.sequencer;

import org.agrona.DirectBuffer;

/**
 * What a replica group member's protocol core needs from its own log, and no more: the log end, the epoch to
 * stamp, follower appends, truncation to a seq and replay in seq order. {@link Sequencer} implements it; a
 * simulation can put its own behind it. Progress comes back through the {@link JournalListener}
 * ({@code onAppended}, {@code onDurable}), and the commit seq goes in through the {@link CommitPosition}.
 * Each method's threading is as documented on {@link Sequencer}.
 */
public interface MemberLog {
    /** Seq of the last batch held, -1 when none. */
    long lastSeq();

    /** Epoch of the last batch held, 0 when none. */
    int lastEpoch();

    /** Highest seq durable per the flush policy. */
    long journaledSeq();

    /** Sets the epoch stamped on the batches this member sequences as leader; never lower. */
    void leaderEpoch(int epoch);

    /** Appends a batch its leader stamped (follower mode); a ring sequence >= 0 or a {@link SequencerResult}. */
    long offerStamped(Partition partition, DirectBuffer buffer, int offset, int length);

    /** Drops every batch above {@code seq} from every partition; a {@code LogResult} code. */
    int truncateTo(long seq);

    /** Reads the batches held in seq order, from a seq. */
    GroupLogReader newGroupLogReader();
}

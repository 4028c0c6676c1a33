package io.sequent.broker;

import io.sequent.replica.ReplicationPublisher;
import io.sequent.sequencer.JournalListener;
import io.sequent.sequencer.ReplicationSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The leader's live batch stream and the journal's progress, on the sequencer's side.
 *
 * <p>As the {@link ReplicationSink}, on the replicate stage's thread: while this member leads an epoch
 * ({@link #startLeading}), each batch the journal appended is encoded as a {@code ReplicatedBatch} (replica seq =
 * group seq + 1) and offered once on the replication publication, a multi-destination-cast (or multicast)
 * publication that reaches every follower. The offer never waits: a refused offer (back-pressure, no follower
 * connected) is a lost message, which the protocol repairs by replay. A batch of another epoch, or any batch after
 * a seq gap (an append of this epoch failed or was voided), is not shipped: the gap is reported
 * ({@link #failedAfterGroupSeq()}) and the {@link ReplicaAgent} steps down and cuts the log back to it, so the seqs
 * of one epoch are dense in every log.
 *
 * <p>As the {@link JournalListener}, on the journal stage's thread: the appended and durable group seqs, published
 * with release semantics for the replica agent to poll.
 *
 * <p>Threads: the replicate stage writes {@code lastShipped} and the failure; the journal stage the positions; the
 * replica agent the leadership fields (volatile). In the broker's shared threading mode all three are one thread.
 */
final class LiveStream implements ReplicationSink, JournalListener {
    private final int selfIndex;
    private final AtomicCounter lost;
    private volatile ReplicationPublisher publisher;
    private volatile int leaderEpoch = -1;
    private volatile int generation;
    private volatile long firstGroupSeq;
    private volatile long commitSeq;
    private volatile long appendedGroupSeq = -1;
    private volatile long durableGroupSeq = -1;
    private volatile long failedAfterGroupSeq = Long.MIN_VALUE;
    private int seenGeneration;
    private long lastShipped;
    private boolean stopped;

    LiveStream(final int selfIndex, final AtomicCounter lost) {
        this.selfIndex = selfIndex;
        this.lost = lost;
    }

    /** The publication's encoder, once the Aeron side exists (none in a group of one). */
    void publisher(final ReplicationPublisher publisher) {
        this.publisher = publisher;
    }

    /**
     * This member leads {@code epoch}; its first batch to ship has group seq {@code firstGroupSeq}. Replica agent.
     */
    void startLeading(final int epoch, final long firstGroupSeq) {
        this.firstGroupSeq = firstGroupSeq;
        this.failedAfterGroupSeq = Long.MIN_VALUE;
        this.generation = generation + 1;
        this.leaderEpoch = epoch;
    }

    /** Ships nothing more. Replica agent. */
    void stopLeading() {
        leaderEpoch = -1;
    }

    /** The commit seq (replica numbering) the frames carry. Replica agent. */
    void commitSeq(final long commitSeq) {
        this.commitSeq = commitSeq;
    }

    /** @return the last group seq shipped before a gap in this epoch's seqs; {@link Long#MIN_VALUE} for none. */
    long failedAfterGroupSeq() {
        return failedAfterGroupSeq;
    }

    long appendedGroupSeq() {
        return appendedGroupSeq;
    }

    long durableGroupSeq() {
        return durableGroupSeq;
    }

    @Override
    public boolean offer(
        final DirectBuffer buffer, final int offset, final int length, final int topicId, final int partitionId,
        final int epoch, final long groupSeq) {
        final int leading = leaderEpoch;
        final int gen = generation;
        if (gen != seenGeneration) {
            seenGeneration = gen;
            lastShipped = firstGroupSeq - 1;
            stopped = false;
        }
        if (leading < 0 || epoch != leading || stopped) {
            return true;
        }
        if (groupSeq != lastShipped + 1) {
            stopped = true;
            failedAfterGroupSeq = lastShipped;
            return true;
        }
        lastShipped = groupSeq;
        final ReplicationPublisher out = publisher;
        if (null != out && !out.replicatedBatch(leading, selfIndex, commitSeq, epoch, groupSeq + 1, topicId,
            partitionId, buffer, offset, length)) {
            lost.incrementRelease();
        }
        return true;
    }

    @Override
    public void onAppended(final long groupSeq) {
        appendedGroupSeq = groupSeq;
    }

    @Override
    public void onDurable(final long groupSeq) {
        durableGroupSeq = groupSeq;
    }
}

package io.sequent.sequencer;

/**
 * One slot of the sequencer ring: where a batch's bytes sit in the {@link DataRing}, who asked for
 * it, and what each stage decided. Slots are pre-allocated and reused; nothing here is kept past
 * the release stage.
 *
 * <p>Writers, in ring order: the ingress thread (or, on a follower, the thread that offers stamped batches)
 * fills the request fields before publishing; the sequence stage writes {@code result}, {@code baseOffset},
 * {@code groupSeq}, {@code epoch}, {@code failureGeneration};
 * the journal stage may downgrade {@code result} to {@link SequencerResult#STORAGE_ERROR}. Each later
 * stage sees the earlier writes through the ring's sequence barriers.
 */
public final class BatchEvent {
    static final long NO_GROUP_SEQ = -1;

    int dataOffset;
    int length;
    long dataEnd;
    Partition partition;
    byte acks;
    long sessionId;
    long correlationId;
    boolean stamped;

    int result;
    long baseOffset;
    int recordCount;
    long groupSeq;
    int epoch;
    int failureGeneration;
    /** The journal stage's resume generation the sequence stage had seen when it checked this batch. */
    int resumeGeneration;

    void request(
        final int dataOffset,
        final int length,
        final long dataEnd,
        final Partition partition,
        final byte acks,
        final long sessionId,
        final long correlationId) {
        this.dataOffset = dataOffset;
        this.length = length;
        this.dataEnd = dataEnd;
        this.partition = partition;
        this.acks = acks;
        this.sessionId = sessionId;
        this.correlationId = correlationId;
        this.stamped = false;
        this.result = SequencerResult.OK;
        this.baseOffset = -1;
        this.recordCount = 0;
        this.groupSeq = NO_GROUP_SEQ;
        this.epoch = 0;
        this.failureGeneration = 0;
        this.resumeGeneration = 0;
    }

    /** A batch the leader already stamped, appended by a follower: no client waits for it. */
    void stampedRequest(final int dataOffset, final int length, final long dataEnd, final Partition partition) {
        request(dataOffset, length, dataEnd, partition, Acks.NONE, 0, 0);
        this.stamped = true;
    }

    public Partition partition() {
        return partition;
    }

    public byte acks() {
        return acks;
    }

    public long sessionId() {
        return sessionId;
    }

    public long correlationId() {
        return correlationId;
    }

    /** A {@link SequencerResult} code; {@link SequencerResult#DUPLICATE} counts as success. */
    public int result() {
        return result;
    }

    /** Offset of the batch's first record, or -1 when it was rejected. */
    public long baseOffset() {
        return baseOffset;
    }

    public int recordCount() {
        return recordCount;
    }

    /** The group-wide sequence number stamped on the batch, or -1 when it was rejected. */
    public long groupSeq() {
        return groupSeq;
    }

    /** The leader epoch stamped on the batch. */
    public int epoch() {
        return epoch;
    }

    /** True for a batch the leader stamped and this member appends as a follower. */
    public boolean stamped() {
        return stamped;
    }

    /** Offset into {@link Sequencer#dataBuffer()} of the batch bytes (valid until released). */
    public int dataOffset() {
        return dataOffset;
    }

    public int length() {
        return length;
    }
}

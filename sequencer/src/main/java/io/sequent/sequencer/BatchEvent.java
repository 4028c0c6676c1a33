package io.sequent.sequencer;

/**
 * One slot of the sequencer ring: where a batch's bytes sit in the {@link DataRing}, who asked for
 * it, and what each stage decided. Slots are pre-allocated and reused; nothing here is kept past
 * the release stage.
 *
 * <p>Writers, in ring order: the ingress thread fills the request fields before publishing; the
 * sequence stage writes {@code result}, {@code baseOffset}, {@code groupSeq}, {@code failureGeneration};
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

    int result;
    long baseOffset;
    int recordCount;
    long groupSeq;
    int failureGeneration;

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
        this.result = SequencerResult.OK;
        this.baseOffset = -1;
        this.recordCount = 0;
        this.groupSeq = NO_GROUP_SEQ;
        this.failureGeneration = 0;
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

    /** Offset into {@link Sequencer#dataBuffer()} of the batch bytes (valid until released). */
    public int dataOffset() {
        return dataOffset;
    }

    public int length() {
        return length;
    }
}

package io.sequent.sequencer;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Idempotent-producer state of one partition: for each producer id, its epoch and the last
 * {@link #WINDOW} batches it wrote (first and last sequence, base offset, group seq), so that a
 * retry of any of them is recognised as a duplicate and answered with the original offsets.
 *
 * <p>Rules, as Kafka's: a newer producer epoch resets the sequence and must start at 0; an older
 * epoch is fenced; in the current epoch the batch must start at last sequence + 1 (wrapping at
 * {@link Integer#MAX_VALUE}); a batch equal to a remembered one is a duplicate; anything else is out
 * of order. An unknown producer must start at sequence 0.
 *
 * <p>Single writer: the sequence stage (and the opening thread before the partition is published).
 * A producer's first batch allocates its entry; every later batch is allocation-free.
 */
final class ProducerStateTable {
    static final int WINDOW = 5;

    private final Long2ObjectHashMap<ProducerEntry> producers = new Long2ObjectHashMap<>();

    /** Outcome of {@link #check}; for a duplicate, {@link #duplicateBaseOffset} and seq are set. */
    long duplicateBaseOffset;
    long duplicateGroupSeq;

    int size() {
        return producers.size();
    }

    void clear() {
        producers.clear();
    }

    /**
     * Checks a batch against the producer's state without changing it.
     *
     * @return {@link SequencerResult#OK}, {@link SequencerResult#DUPLICATE} or a failure code.
     */
    int check(final long producerId, final short epoch, final int baseSequence, final int recordCount) {
        final ProducerEntry entry = producers.get(producerId);
        if (null == entry) {
            return baseSequence == 0 ? SequencerResult.OK : SequencerResult.UNKNOWN_PRODUCER_ID;
        }
        if (epoch < entry.epoch) {
            return SequencerResult.INVALID_PRODUCER_EPOCH;
        }
        if (epoch > entry.epoch) {
            return baseSequence == 0 ? SequencerResult.OK : SequencerResult.OUT_OF_ORDER_SEQUENCE;
        }
        final int lastSequence = lastSequence(baseSequence, recordCount);
        for (int i = 0; i < entry.count; i++) {
            if (entry.baseSequences[i] == baseSequence && entry.lastSequences[i] == lastSequence) {
                duplicateBaseOffset = entry.baseOffsets[i];
                duplicateGroupSeq = entry.groupSeqs[i];
                return SequencerResult.DUPLICATE;
            }
        }
        return baseSequence == nextSequence(entry.lastSequence) ?
            SequencerResult.OK : SequencerResult.OUT_OF_ORDER_SEQUENCE;
    }

    /** Records an accepted batch. */
    void record(
        final long producerId,
        final short epoch,
        final int baseSequence,
        final int recordCount,
        final long baseOffset,
        final long groupSeq) {
        ProducerEntry entry = producers.get(producerId);
        if (null == entry) {
            entry = new ProducerEntry();
            producers.put(producerId, entry);
        }
        if (epoch != entry.epoch) {
            entry.epoch = epoch;
            entry.count = 0;
            entry.next = 0;
        }
        final int slot = entry.next;
        entry.baseSequences[slot] = baseSequence;
        entry.lastSequences[slot] = lastSequence(baseSequence, recordCount);
        entry.baseOffsets[slot] = baseOffset;
        entry.groupSeqs[slot] = groupSeq;
        entry.next = (slot + 1) % WINDOW;
        entry.count = Math.min(entry.count + 1, WINDOW);
        entry.lastSequence = entry.lastSequences[slot];
    }

    static int lastSequence(final int baseSequence, final int recordCount) {
        final long last = (long) baseSequence + recordCount - 1;
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    static int nextSequence(final int sequence) {
        return sequence == Integer.MAX_VALUE ? 0 : sequence + 1;
    }

    private static final class ProducerEntry {
        short epoch = Short.MIN_VALUE;
        int lastSequence = -1;
        int count;
        int next;
        final int[] baseSequences = new int[WINDOW];
        final int[] lastSequences = new int[WINDOW];
        final long[] baseOffsets = new long[WINDOW];
        final long[] groupSeqs = new long[WINDOW];
    }
}

package io.sequent.sequencer;

import io.sequent.codec.BatchError;
import io.sequent.codec.Batches;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;

/**
 * Stage 1: validates each batch, applies the idempotent-producer rules, and stamps it with its
 * offsets, the leader epoch and the next group sequence number (then its CRC is recomputed).
 *
 * <p>A batch a follower appends arrives already stamped by its leader ({@link Sequencer#offerStamped}): it is
 * validated and checked to follow the partition's log (its base offset is the next offset), the group
 * sequence (its seq is above every seq so far) and the epoch (never lower), then recorded as it is, so the
 * producer windows and the group sequence a follower keeps are the leader's.
 *
 * <p>Single writer of every partition's next offset and producer table, and of the group sequence. The
 * group sequence resumes above {@link RestoredSeq} (the highest seq any open partition holds), and after a
 * truncation right after the seq the journal stage truncated to. The leader epoch is set by the replica
 * layer's thread ({@link #leaderEpoch(int)}) and read here once per batch.
 * A batch it rejects keeps its slot (so replies stay in order) but is skipped by the journal and
 * the replicator.
 */
final class SequenceStage implements Agent, StagePoller.Handler {
    private final StagePoller poller;
    private final AtomicBuffer data;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final SequencerCounters counters;
    private final RestoredSeq restoredSeq;
    private final JournalStage journal;
    private volatile int leaderEpoch;
    private long nextGroupSeq;
    private int lastEpoch;
    private int seenResumeGeneration;
    /** After a follower's append failed: the next stamped batch must be the one at {@link #nextGroupSeq}. */
    private boolean resumeExact;

    SequenceStage(
        final StagePoller poller,
        final AtomicBuffer data,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final SequencerCounters counters,
        final int leaderEpoch,
        final RestoredSeq restoredSeq,
        final JournalStage journal) {
        this.poller = poller;
        this.data = data;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.counters = counters;
        this.leaderEpoch = leaderEpoch;
        this.restoredSeq = restoredSeq;
        this.journal = journal;
        this.nextGroupSeq = restoredSeq.get() + 1;
    }

    @Override
    public int doWork() {
        return poller.poll(this);
    }

    @Override
    public String roleName() {
        return "sequencer-sequence";
    }

    long nextGroupSeq() {
        return nextGroupSeq;
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    /** Sets the epoch stamped on the batches sequenced from now on. One writer (the replica layer's thread). */
    void leaderEpoch(final int epoch) {
        leaderEpoch = epoch;
    }

    @Override
    public boolean onEvent(final BatchEvent event, final long sequence) {
        try {
            sequence(event);
        } catch (final Throwable ex) {
            event.result = SequencerResult.INTERNAL_ERROR;
            counters.internalErrors.increment();
            errorHandler.onError(ex);
        }
        return true;
    }

    private void sequence(final BatchEvent event) {
        final Partition partition = event.partition;
        final int resumeGeneration = journal.resumeGeneration();
        if (resumeGeneration != seenResumeGeneration) {
            // Every partition was truncated to a seq: the group sequence goes on right after it.
            seenResumeGeneration = resumeGeneration;
            nextGroupSeq = journal.resumeAfterSeq() + 1;
            lastEpoch = journal.resumeEpoch();
            resumeExact = journal.resumeExact();
        }
        final int generation = partition.failureGeneration;
        if (generation != partition.seenFailureGeneration) {
            partition.rebuildFromLog();
            partition.seenFailureGeneration = generation;
        }
        // Read after the ring barrier: every partition opened before this batch was offered is counted.
        final long restored = restoredSeq.get();
        if (restored >= nextGroupSeq) {
            nextGroupSeq = restored + 1;
        }
        if (partition.lastGroupSeq >= nextGroupSeq) {
            nextGroupSeq = partition.lastGroupSeq + 1;
        }
        final int restoredEpoch = restoredSeq.epoch();
        if (restoredEpoch > lastEpoch) {
            lastEpoch = restoredEpoch;
        }
        event.failureGeneration = generation;
        event.resumeGeneration = resumeGeneration;

        final int offset = event.dataOffset;
        if (event.stamped) {
            sequenceStamped(event, partition, offset);
            return;
        }
        if (Batches.validate(data, offset, event.length) != BatchError.NONE || Batches.isControl(data, offset)) {
            event.result = SequencerResult.CORRUPT;
            counters.rejected.increment();
            return;
        }

        final int recordCount = Batches.recordCount(data, offset);
        final long producerId = Batches.producerId(data, offset);
        final short producerEpoch = Batches.producerEpoch(data, offset);
        final int baseSequence = Batches.baseSequence(data, offset);
        event.recordCount = recordCount;
        if (producerId != Batches.NO_PRODUCER_ID) {
            final ProducerStateTable producers = partition.producers;
            final int check = producers.check(producerId, producerEpoch, baseSequence, recordCount);
            if (check == SequencerResult.DUPLICATE) {
                event.result = SequencerResult.DUPLICATE;
                event.baseOffset = producers.duplicateBaseOffset;
                event.groupSeq = producers.duplicateGroupSeq;
                counters.duplicates.increment();
                return;
            }
            if (check != SequencerResult.OK) {
                event.result = check;
                counters.rejected.increment();
                return;
            }
        }

        final int epoch = Math.max(leaderEpoch, lastEpoch);
        if (partition.logAppendTime()) {
            Batches.setLogAppendTime(data, offset, clock.time());
        }
        final long baseOffset = partition.nextOffset;
        final long groupSeq = nextGroupSeq++;
        Batches.stamp(data, offset, baseOffset, groupSeq, epoch);
        partition.nextOffset = baseOffset + recordCount;
        partition.lastGroupSeq = groupSeq;
        lastEpoch = epoch;
        if (producerId != Batches.NO_PRODUCER_ID) {
            partition.producers.record(producerId, producerEpoch, baseSequence, recordCount, baseOffset, groupSeq);
        }
        event.baseOffset = baseOffset;
        event.groupSeq = groupSeq;
        event.epoch = epoch;
        event.result = SequencerResult.OK;
    }

    private void sequenceStamped(final BatchEvent event, final Partition partition, final int offset) {
        if (Batches.validate(data, offset, event.length) != BatchError.NONE) {
            event.result = SequencerResult.CORRUPT;
            counters.rejected.increment();
            return;
        }
        final long baseOffset = Batches.baseOffset(data, offset);
        final long groupSeq = Batches.groupSeq(data, offset);
        final int epoch = Batches.leaderEpoch(data, offset);
        final int recordCount = Batches.recordCount(data, offset);
        if (baseOffset != partition.nextOffset || groupSeq < nextGroupSeq || epoch < lastEpoch ||
            (resumeExact && groupSeq != nextGroupSeq)) {
            event.result = SequencerResult.OUT_OF_ORDER_BATCH;
            counters.rejected.increment();
            return;
        }
        final long producerId = Batches.producerId(data, offset);
        if (producerId != Batches.NO_PRODUCER_ID) {
            partition.producers.record(producerId, Batches.producerEpoch(data, offset),
                Batches.baseSequence(data, offset), recordCount, baseOffset, groupSeq);
        }
        partition.nextOffset = baseOffset + recordCount;
        partition.lastGroupSeq = groupSeq;
        nextGroupSeq = groupSeq + 1;
        lastEpoch = epoch;
        resumeExact = false;
        event.recordCount = recordCount;
        event.baseOffset = baseOffset;
        event.groupSeq = groupSeq;
        event.epoch = epoch;
        event.result = SequencerResult.OK;
    }
}

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
 * <p>Single writer of every partition's next offset and producer table, and of the group sequence.
 * A batch it rejects keeps its slot (so replies stay in order) but is skipped by the journal and
 * the replicator.
 */
final class SequenceStage implements Agent, StagePoller.Handler {
    private final StagePoller poller;
    private final AtomicBuffer data;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final SequencerCounters counters;
    private int leaderEpoch;
    private long nextGroupSeq;

    SequenceStage(
        final StagePoller poller,
        final AtomicBuffer data,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final SequencerCounters counters,
        final int leaderEpoch,
        final long nextGroupSeq) {
        this.poller = poller;
        this.data = data;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.counters = counters;
        this.leaderEpoch = leaderEpoch;
        this.nextGroupSeq = nextGroupSeq;
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
        final int generation = partition.failureGeneration;
        if (generation != partition.seenFailureGeneration) {
            partition.rebuildFromLog();
            partition.seenFailureGeneration = generation;
        }
        if (partition.lastGroupSeq >= nextGroupSeq) {
            nextGroupSeq = partition.lastGroupSeq + 1;
        }
        event.failureGeneration = generation;

        final int offset = event.dataOffset;
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

        if (partition.logAppendTime()) {
            Batches.setLogAppendTime(data, offset, clock.time());
        }
        final long baseOffset = partition.nextOffset;
        final long groupSeq = nextGroupSeq++;
        Batches.stamp(data, offset, baseOffset, groupSeq, leaderEpoch);
        partition.nextOffset = baseOffset + recordCount;
        partition.lastGroupSeq = groupSeq;
        if (producerId != Batches.NO_PRODUCER_ID) {
            partition.producers.record(producerId, producerEpoch, baseSequence, recordCount, baseOffset, groupSeq);
        }
        event.baseOffset = baseOffset;
        event.groupSeq = groupSeq;
        event.result = SequencerResult.OK;
    }
}

package io.sequent.sequencer;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

/**
 * Stage 3: completes produce requests and moves the high watermarks, in ring order, in two passes.
 *
 * <ul>
 *   <li>The ack pass follows the journal and the replicator. It answers rejected batches at once and
 *   acks=1 batches once the journal has made them durable per policy; it steps over the rest.</li>
 *   <li>The commit pass follows the ack pass. It waits on each accepted batch until the commit
 *   position reaches its group sequence, then advances the partition's high watermark, answers
 *   acks=all, and frees the batch's slot and bytes. Only this pass gates the ring. A batch the commit
 *   position has given up ({@link CommitPosition#abandonedThrough()}) is answered NOT_COMMITTED and freed
 *   without moving the high watermark then; it is remembered (partition, end offset, seq), and the high
 *   watermark moves over it once the commit position covers its seq after all (a new leader kept it), unless a
 *   truncation removed it first.</li>
 * </ul>
 *
 * <p>Single writer of the partitions' high watermarks and of the data ring's head.
 */
final class ReleaseStage implements Agent {
    private final StagePoller ackPoller;
    private final StagePoller commitPoller;
    private final DataRing dataRing;
    private final JournalStage journal;
    private final CommitPosition commitPosition;
    private final ReleaseHandler releaseHandler;
    private final ErrorHandler errorHandler;
    private final SequencerCounters counters;
    private final StagePoller.Handler ackPass = this::onAck;
    private final StagePoller.Handler commitPass = this::onCommit;
    private long journaledSeq;
    private long commitSeq;
    private long abandonedThrough;
    // Given-up batches the log keeps: their high watermark moves once the commit position covers them after all.
    private final Partition[] deferredPartition;
    private final long[] deferredEnd;
    private final long[] deferredSeq;
    private final int deferredMask;
    private long deferredHead;
    private long deferredTail;
    private int seenResumeGeneration;

    ReleaseStage(
        final StagePoller ackPoller,
        final StagePoller commitPoller,
        final DataRing dataRing,
        final JournalStage journal,
        final CommitPosition commitPosition,
        final ReleaseHandler releaseHandler,
        final ErrorHandler errorHandler,
        final SequencerCounters counters) {
        this.ackPoller = ackPoller;
        this.commitPoller = commitPoller;
        this.dataRing = dataRing;
        this.journal = journal;
        this.commitPosition = commitPosition;
        this.releaseHandler = releaseHandler;
        this.errorHandler = errorHandler;
        this.counters = counters;
        final int capacity = Integer.highestOneBit(Math.max(16, ackPoller.bufferSize()));
        this.deferredPartition = new Partition[capacity];
        this.deferredEnd = new long[capacity];
        this.deferredSeq = new long[capacity];
        this.deferredMask = capacity - 1;
    }

    @Override
    public int doWork() {
        journaledSeq = journal.journaledSeq();
        commitSeq = commitPosition.commitSeq();
        abandonedThrough = commitPosition.abandonedThrough();
        int work = 0;
        if (deferredHead != deferredTail) {
            work += releaseDeferred();
        }
        return work + ackPoller.poll(ackPass) + commitPoller.poll(commitPass);
    }

    /**
     * Moves the high watermark over given-up batches that the commit position now covers (a new leader kept
     * them), and forgets those a truncation removed.
     */
    private int releaseDeferred() {
        final int generation = journal.resumeGeneration();
        if (generation != seenResumeGeneration) {
            seenResumeGeneration = generation;
            final long kept = journal.resumeAfterSeq();
            while (deferredTail != deferredHead && deferredSeq[(int) ((deferredTail - 1) & deferredMask)] > kept) {
                deferredTail--;
                deferredPartition[(int) (deferredTail & deferredMask)] = null;
            }
        }
        int work = 0;
        while (deferredHead != deferredTail) {
            final int i = (int) (deferredHead & deferredMask);
            if (deferredSeq[i] > commitSeq) {
                break;
            }
            deferredPartition[i].advanceHighWatermark(deferredEnd[i]);
            deferredPartition[i] = null;
            deferredHead++;
            work++;
        }
        return work;
    }

    private void defer(final BatchEvent event) {
        if (deferredTail - deferredHead == deferredPartition.length) {
            deferredPartition[(int) (deferredHead & deferredMask)] = null;
            deferredHead++;
        }
        final int i = (int) (deferredTail & deferredMask);
        deferredPartition[i] = event.partition;
        deferredEnd[i] = event.baseOffset + event.recordCount;
        deferredSeq[i] = event.groupSeq;
        deferredTail++;
    }

    @Override
    public String roleName() {
        return "sequencer-release";
    }

    private boolean onAck(final BatchEvent event, final long sequence) {
        if (event.acks == Acks.NONE) {
            return true;
        }
        if (event.result < 0) {
            release(event);
            return true;
        }
        if (event.acks == Acks.LEADER) {
            if (event.groupSeq > journaledSeq) {
                return false;
            }
            release(event);
        }
        return true;
    }

    private boolean onCommit(final BatchEvent event, final long sequence) {
        if (event.result >= 0) {
            if (event.groupSeq > commitSeq) {
                if (sequence > abandonedThrough) {
                    return false;
                }
                if (event.result == SequencerResult.OK) {
                    defer(event);
                }
                event.result = SequencerResult.NOT_COMMITTED;
                if (event.acks == Acks.ALL) {
                    release(event);
                }
                dataRing.release(event.dataEnd);
                return true;
            }
            if (event.result == SequencerResult.OK) {
                event.partition.advanceHighWatermark(event.baseOffset + event.recordCount);
            }
            if (event.acks == Acks.ALL) {
                release(event);
            }
        }
        dataRing.release(event.dataEnd);
        return true;
    }

    private void release(final BatchEvent event) {
        try {
            releaseHandler.onRelease(event);
        } catch (final Throwable ex) {
            counters.internalErrors.increment();
            errorHandler.onError(ex);
        }
    }
}

package io.sequent.sequencer;

import io.sequent.log.FlushPolicy;
import io.sequent.log.LogResult;
import io.sequent.log.PartitionLog;
import com.lmax.disruptor.Sequence;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;

/**
 * Stage 2a: appends each stamped batch to its partition's log and, at the end of every poll (the
 * Disruptor's natural batch), flushes the logs it wrote per their flush policy: one group-commit
 * fsync per written partition per batch under {@code batch}. The highest group sequence appended
 * and durable per policy is published as {@link #journaledSeq()}: under {@code batch} once forced,
 * under {@code none} and {@code interval} once written. A flush that fails is retried on the next
 * duty cycle and holds {@code journaledSeq} back until it succeeds.
 *
 * <p>When an append fails (disk full), the partition's offsets that the sequence stage already
 * handed out past that point are void: the stage publishes the offset to resume from and bumps the
 * partition's failure generation; batches stamped under the old generation are failed with
 * {@link SequencerResult#STORAGE_ERROR} (the producer retries), and the sequence stage re-derives the
 * partition's state from the log before stamping the next one.
 *
 * <p>Single writer of every partition log's write side.
 */
final class JournalStage implements Agent, StagePoller.Handler {
    private final StagePoller poller;
    private final AtomicBuffer data;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final SequencerCounters counters;
    private final ArrayList<Partition> pendingFlush = new ArrayList<>();
    private final Sequence journaledSeq = new Sequence(BatchEvent.NO_GROUP_SEQ);
    private long lastAppendedSeq = BatchEvent.NO_GROUP_SEQ;

    JournalStage(
        final StagePoller poller,
        final AtomicBuffer data,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final SequencerCounters counters) {
        this.poller = poller;
        this.data = data;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.counters = counters;
        pendingFlush.ensureCapacity(1024);
    }

    @Override
    public int doWork() {
        final int work = poller.poll(this);
        if (0 == work && !pendingFlush.isEmpty()) {
            return flushPending();
        }
        return work;
    }

    @Override
    public String roleName() {
        return "sequencer-journal";
    }

    /** Highest group sequence appended and made durable per the flush policy (any thread). */
    long journaledSeq() {
        return journaledSeq.get();
    }

    /**
     * Raises {@link #journaledSeq()} to at least {@code groupSeq}. The journal calls it after each
     * flush; opening a partition calls it (from any thread) with the last group sequence recovered
     * from that log, which is durable already. A max, so the two writers never move it backwards.
     */
    void advanceJournaledSeq(final long groupSeq) {
        long current;
        while ((current = journaledSeq.get()) < groupSeq) {
            if (journaledSeq.compareAndSet(current, groupSeq)) {
                return;
            }
        }
    }

    @Override
    public boolean onEvent(final BatchEvent event, final long sequence) {
        final Partition partition = event.partition;
        if (event.result < 0) {
            return true;
        }
        if (event.failureGeneration != partition.failureGeneration) {
            // Stamped (or matched as a duplicate) before the partition's last storage failure: void.
            event.result = SequencerResult.STORAGE_ERROR;
            return true;
        }
        if (event.result == SequencerResult.DUPLICATE) {
            return true;
        }
        final PartitionLog log = partition.log();
        final int result;
        try {
            result = log.append(data, event.dataOffset, event.length);
        } catch (final Throwable ex) {
            fail(event, partition, log);
            errorHandler.onError(ex);
            return true;
        }
        if (result == LogResult.OK) {
            lastAppendedSeq = event.groupSeq;
            counters.batchesAppended.incrementRelease();
            counters.recordsAppended.getAndAddRelease(event.recordCount);
            if (!partition.pendingFlush) {
                partition.pendingFlush = true;
                pendingFlush.add(partition);
            }
        } else {
            fail(event, partition, log);
        }
        return true;
    }

    private void fail(final BatchEvent event, final Partition partition, final PartitionLog log) {
        event.result = SequencerResult.STORAGE_ERROR;
        counters.storageErrors.incrementRelease();
        partition.resyncOffset = log.nextOffset();
        partition.failureGeneration = partition.failureGeneration + 1;
    }

    @Override
    public void onBatchEnd() {
        flushPending();
    }

    private int flushPending() {
        final long nowMs = clock.time();
        boolean allDurable = true;
        int flushed = 0;
        for (int i = pendingFlush.size() - 1; i >= 0; i--) {
            final Partition partition = pendingFlush.get(i);
            final PartitionLog log = partition.log();
            final int result = log.flushIfDue(true, nowMs);
            if (result != LogResult.OK) {
                counters.storageErrors.incrementRelease();
            }
            if (log.durableNextOffset() >= log.nextOffset()) {
                partition.pendingFlush = false;
                final int last = pendingFlush.size() - 1;
                pendingFlush.set(i, pendingFlush.get(last));
                pendingFlush.remove(last);
                flushed++;
            } else if (partition.flushPolicy() == FlushPolicy.BATCH) {
                allDurable = false;
            }
        }
        if (allDurable) {
            advanceJournaledSeq(lastAppendedSeq);
        }
        return flushed;
    }
}

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
import java.util.List;

/**
 * Stage 2: appends each stamped batch to its partition's log and, at the end of every poll (the Disruptor's
 * natural batch), forces the logs it wrote per their flush policy: one group-commit fsync per written partition
 * per batch under {@code batch}.
 *
 * <p>Append and force are two steps. The append step publishes the stage's ring sequence after every batch, once
 * that batch's outcome is final (appended, or failed with {@link SequencerResult#STORAGE_ERROR}); the replicate
 * stage follows that sequence, so it ships a batch as soon as it is appended, while the force is still to come,
 * and never ships one whose append failed. The force step ({@link #force()}) forces the logs written and the
 * group-sequence journal, then publishes the highest group sequence appended and durable per policy as
 * {@link #journaledSeq()}: under {@code batch} once forced, under {@code none} and {@code interval} once
 * written. A force that fails is retried on the next duty cycle and holds {@code journaledSeq} back until it
 * succeeds. With its own thread ({@link ThreadingMode#DEDICATED}) the stage forces at the end of each poll; when
 * the stages share a thread, the force step runs as its own agent after the replicate stage, so that the
 * batches of a poll are shipped before the fsync.
 *
 * <p>When an append fails (disk full), the partition's offsets that the sequence stage already handed out past
 * that point are void: the stage publishes the offset to resume from and bumps the partition's failure
 * generation; batches stamped under the old generation are failed with {@link SequencerResult#STORAGE_ERROR}
 * (the producer retries), and the sequence stage re-derives the partition's state from the log before stamping
 * the next one. A follower's (stamped) batch that fails voids more: every stamped batch the sequence stage checked
 * before it saw the failure, whatever its partition, and the group sequence resumes after the journal's last entry
 * with that very seq required next, so a follower's log never gets a hole (its leader replays the seq).
 *
 * <p>Recovered positions are reported durable only once the journal is reconciled with the logs
 * ({@link #requestReconcile}, or at the first batch): before that its end may be past what they hold.
 *
 * <p>Single writer of every partition log's write side, of the group-sequence journal and of
 * {@code journaledSeq}. Other threads ask it for a truncation through {@link #requestTruncation} and for the
 * reconciliation through {@link #requestReconcile} (one-slot commands it takes at the top of its duty cycle).
 */
final class JournalStage implements Agent, StagePoller.Handler {
    static final long NO_REQUEST = Long.MIN_VALUE;
    static final int RECONCILE_KEEP_ALL = 1;
    static final int RECONCILE_HELD_PREFIX = 2;

    private final StagePoller poller;
    private final AtomicBuffer data;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final SequencerCounters counters;
    private final RestoredSeq restoredSeq;
    private final GroupJournal groupJournal;
    private final JournalListener listener;
    private final List<Partition> partitions;
    private final boolean forceAtBatchEnd;
    private final ArrayList<Partition> pendingFlush = new ArrayList<>();
    private final Sequence journaledSeq = new Sequence(BatchEvent.NO_GROUP_SEQ);
    private final Agent forceStep = new Agent() {
        @Override
        public int doWork() {
            return pendingFlush.isEmpty() ? 0 : flushPending();
        }

        @Override
        public String roleName() {
            return "sequencer-journal-force";
        }
    };
    private long lastAppendedSeq = BatchEvent.NO_GROUP_SEQ;
    private volatile boolean reconciled;
    private boolean journalDirty;
    private boolean journalForceDue;

    // Truncation command: written by the requesting thread, taken and answered by this stage.
    private volatile int reconcileRequest;
    private volatile long truncateRequest = NO_REQUEST;
    private volatile long truncateDone = NO_REQUEST;
    private volatile int truncateResult;
    // Published to the sequence stage with the seq it must resume after, after a truncation.
    private volatile long resumeAfterSeq;
    private volatile int resumeEpoch;
    private volatile int resumeGeneration;
    private volatile boolean resumeExact;
    // Since when appends fail (epoch ms, 0 while they succeed): written here, read by any thread (status).
    private volatile long storageFailingSinceMs;
    private boolean storageFailing;

    JournalStage(
        final StagePoller poller,
        final AtomicBuffer data,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final SequencerCounters counters,
        final RestoredSeq restoredSeq,
        final GroupJournal groupJournal,
        final JournalListener listener,
        final List<Partition> partitions,
        final boolean forceAtBatchEnd) {
        this.poller = poller;
        this.data = data;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.counters = counters;
        this.restoredSeq = restoredSeq;
        this.groupJournal = groupJournal;
        this.listener = listener;
        this.partitions = partitions;
        this.forceAtBatchEnd = forceAtBatchEnd;
        pendingFlush.ensureCapacity(1024);
    }

    @Override
    public int doWork() {
        int work = 0;
        if (0 != reconcileRequest) {
            if (!reconciled) {
                reconcile(RECONCILE_HELD_PREFIX == reconcileRequest);
            }
            reconcileRequest = 0;
            work++;
        }
        final long restored = restoredSeq.get();
        if (restored > journaledSeq.get() && pendingFlush.isEmpty() && (reconciled || null == groupJournal)) {
            // Batches recovered when a partition opened are durable already (recovery forces what it keeps); with a
            // journal, only once it agrees with the logs: its own end may be past what they hold.
            publishJournaled(restored);
        }
        if (truncateRequest != NO_REQUEST) {
            work += truncate();
        }
        work += poller.poll(this);
        if (forceAtBatchEnd && 0 == work && !pendingFlush.isEmpty()) {
            work += flushPending();
        }
        return work;
    }

    @Override
    public String roleName() {
        return "sequencer-journal";
    }

    /** The force step as an agent of its own, for a composite that runs it after the replicate stage. */
    Agent forceStep() {
        return forceStep;
    }

    /** Highest group sequence appended and made durable per the flush policy (any thread). */
    long journaledSeq() {
        return journaledSeq.get();
    }

    private void publishJournaled(final long groupSeq) {
        if (groupSeq > journaledSeq.get()) {
            journaledSeq.set(groupSeq);
            listener.onDurable(groupSeq);
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
        if (event.stamped && event.resumeGeneration != resumeGeneration) {
            // A follower's batch checked before an earlier one failed: appending it would leave a hole.
            voidStamped(event, partition);
            return true;
        }
        if (event.result == SequencerResult.DUPLICATE) {
            return true;
        }
        if (!reconciled) {
            reconcile(false);
        }
        final PartitionLog log = partition.log();
        if (null != groupJournal) {
            final int entry = groupJournal.append(event);
            if (entry != LogResult.OK) {
                fail(event, partition, log);
                return true;
            }
            journalDirty = true;
        }
        final int result;
        try {
            result = log.append(data, event.dataOffset, event.length);
        } catch (final Throwable ex) {
            unappend(event);
            fail(event, partition, log);
            errorHandler.onError(ex);
            return true;
        }
        if (result == LogResult.OK) {
            lastAppendedSeq = event.groupSeq;
            if (storageFailing) {
                storageFailing = false;
                storageFailingSinceMs = 0;
            }
            counters.batchesAppended.incrementRelease();
            counters.recordsAppended.getAndAddRelease(event.recordCount);
            if (!partition.pendingFlush) {
                partition.pendingFlush = true;
                pendingFlush.add(partition);
            }
            // The journal is forced with the logs that are forced; under flush none it is left to the OS too.
            journalForceDue |= partition.flushPolicy() != FlushPolicy.NONE;
            listener.onAppended(event.groupSeq);
        } else {
            unappend(event);
            fail(event, partition, log);
        }
        return true;
    }

    private void unappend(final BatchEvent event) {
        if (null != groupJournal) {
            groupJournal.unappend(event.groupSeq);
        }
    }

    private void reconcile(final boolean heldPrefix) {
        if (null != groupJournal) {
            try {
                final List<Partition> truncated = groupJournal.reconcile(partitions, heldPrefix);
                if (null != truncated) {
                    resumeAfterCut(groupJournal.lastSeq(), truncated);
                }
            } catch (final RuntimeException ex) {
                counters.storageErrors.incrementRelease();
                errorHandler.onError(ex);
            }
        }
        reconciled = true;
    }

    /** Asks this stage to reconcile the journal with the logs now (see {@link Sequencer#reconcileJournal}). */
    void requestReconcile(final boolean heldPrefix) {
        reconcileRequest = heldPrefix ? RECONCILE_HELD_PREFIX : RECONCILE_KEEP_ALL;
    }

    /** @return true once the journal was reconciled with the logs (any thread). */
    boolean reconciled() {
        return reconciled && 0 == reconcileRequest;
    }

    /** After every partition was cut to {@code seq}: what follows from it, for every stage. Journal stage. */
    private void resumeAfterCut(final long seq, final List<Partition> truncated) {
        for (final Partition partition : truncated) {
            partition.resyncOffset = partition.log().nextOffset();
            partition.failureGeneration = partition.failureGeneration + 1;
        }
        lastAppendedSeq = Math.min(lastAppendedSeq, seq);
        if (journaledSeq.get() > seq) {
            journaledSeq.set(seq);
        }
        restoredSeq.lowerTo(seq, groupJournal.lastEpoch());
        resumeAfterSeq = seq;
        resumeEpoch = groupJournal.lastEpoch();
        resumeExact = false;
        resumeGeneration = resumeGeneration + 1;
    }

    private void fail(final BatchEvent event, final Partition partition, final PartitionLog log) {
        event.result = SequencerResult.STORAGE_ERROR;
        counters.storageErrors.incrementRelease();
        if (!storageFailing) {
            storageFailing = true;
            storageFailingSinceMs = clock.time();
        }
        partition.resyncOffset = log.nextOffset();
        partition.failureGeneration = partition.failureGeneration + 1;
        if (event.stamped) {
            // A follower's log must stay a prefix of its leader's: nothing after this batch may be appended until
            // this seq is, so the group sequence resumes here, and the next stamped batch must be this seq.
            resumeAfterSeq = null == groupJournal ? lastAppendedSeq : groupJournal.lastSeq();
            resumeEpoch = null == groupJournal ? event.epoch : groupJournal.lastEpoch();
            resumeExact = true;
            resumeGeneration = resumeGeneration + 1;
        }
    }

    /** Voids a follower's batch that was checked before an earlier batch failed; its partition re-derives. */
    private void voidStamped(final BatchEvent event, final Partition partition) {
        event.result = SequencerResult.STORAGE_ERROR;
        partition.resyncOffset = partition.log().nextOffset();
        partition.failureGeneration = partition.failureGeneration + 1;
    }

    @Override
    public void onBatchEnd() {
        if (forceAtBatchEnd) {
            flushPending();
        }
    }

    /** The force step: force what was appended and publish what is durable. */
    int force() {
        return pendingFlush.isEmpty() ? 0 : flushPending();
    }

    private int flushPending() {
        final long nowMs = clock.time();
        boolean allDurable = true;
        int flushed = 0;
        if (journalDirty && journalForceDue) {
            if (groupJournal.force() == LogResult.OK) {
                journalDirty = false;
                journalForceDue = false;
            } else {
                counters.storageErrors.incrementRelease();
                allDurable = false;
            }
        }
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
            publishJournaled(lastAppendedSeq);
        }
        return flushed;
    }

    // ---------------------------------------------------------------------------------------------------------
    // truncation (cold)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Asks this stage to truncate every partition to {@code seq}. Requesting thread; one request at a time.
     */
    void requestTruncation(final long seq) {
        truncateDone = NO_REQUEST;
        truncateRequest = seq;
    }

    /** @return the result of the request for {@code seq} once done ({@link LogResult}), or 1 while pending. */
    int truncationResult(final long seq) {
        return truncateDone == seq ? truncateResult : 1;
    }

    long resumeAfterSeq() {
        return resumeAfterSeq;
    }

    int resumeEpoch() {
        return resumeEpoch;
    }

    int resumeGeneration() {
        return resumeGeneration;
    }

    /** @return since when (epoch ms) every append has failed (disk full, I/O error); 0 while appends succeed. */
    long storageFailingSinceMs() {
        return storageFailingSinceMs;
    }

    /** True when the resume follows a follower's failed append: the next stamped batch must be the resumed seq. */
    boolean resumeExact() {
        return resumeExact;
    }

    private int truncate() {
        final long seq = truncateRequest;
        int result = LogResult.OK;
        if (null == groupJournal) {
            result = LogResult.INVALID_CONFIG;
        } else {
            if (!reconciled) {
                reconcile(false);
            }
            try {
                final List<Partition> truncated = groupJournal.truncateTo(seq, partitions);
                if (null == truncated) {
                    result = LogResult.IO_ERROR;
                } else {
                    resumeAfterCut(seq, truncated);
                }
            } catch (final RuntimeException ex) {
                errorHandler.onError(ex);
                result = LogResult.IO_ERROR;
            }
        }
        truncateResult = result;
        truncateRequest = NO_REQUEST;
        truncateDone = seq;
        return 1;
    }
}

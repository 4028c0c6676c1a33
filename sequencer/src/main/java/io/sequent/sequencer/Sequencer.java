package io.sequent.sequencer;

import com.lmax.disruptor.RingBuffer;
import io.sequent.log.LogConfig;
import io.sequent.log.LogResult;
import io.sequent.log.PartitionLog;
import io.sequent.log.SeqJournal;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * The single-writer write pipeline: every batch of every partition passes through one Disruptor
 * ring, in one order, through four stages.
 *
 * <pre>
 *   ingress --offer--> [ring] --> sequence --> journal append --+--> replicate ------+--> release (ack, commit)
 *                                                               +--> journal force --+
 * </pre>
 *
 * <ol>
 *   <li>sequence: validate, idempotent-producer check, stamp offsets, epoch and group sequence (a follower's
 *   stamped batches, {@link #offerStamped}, are checked and kept as the leader stamped them);</li>
 *   <li>journal: append to the partition log and the group-sequence journal, publishing each batch as it is
 *   appended; then force (group commit) at the end of each batch;</li>
 *   <li>replicate: ship each appended batch to the {@link ReplicationSink}, while the journal forces;</li>
 *   <li>release: answer acks=1 once journaled, acks=all once committed; move high watermarks.</li>
 * </ol>
 *
 * <p>The ring's slots are {@link BatchEvent}s; the batches' bytes live in an off-heap {@link DataRing}.
 * {@link #offer} never blocks: a full ring is {@link SequencerResult#BACK_PRESSURED}. Each stage is an
 * Agrona {@link Agent} reading the ring through a {@link StagePoller}; the {@link ThreadingMode}
 * decides whether they get a thread each, share one, or are stepped by the caller. A {@link LogJanitor}
 * on its own sleeping thread prepares segments ahead of the writer and applies retention.
 *
 * <p>{@link #offer} and {@link #offerStamped} are the ring's single producer: call them from one thread at a
 * time (the ingress on a leader; the replication receiver on a follower), switching only while the pipeline is
 * idle. {@link #leaderEpoch(int)} and {@link #truncateTo(long)} belong to the replica layer's thread.
 */
public final class Sequencer implements MemberLog, AutoCloseable {
    private final SequencerContext context;
    private final RingBuffer<BatchEvent> ring;
    private final DataRing dataRing;
    private final SequencerCounters counters;
    private final SequenceStage sequenceStage;
    private final JournalStage journalStage;
    private final ReplicateStage replicateStage;
    private final ReleaseStage releaseStage;
    private final StagePoller commitPoller;
    private final StagePoller sequencePoller;
    private final GroupJournal groupJournal;
    private final List<Partition> partitions = new CopyOnWriteArrayList<>();
    private final RestoredSeq restoredSeq = new RestoredSeq();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final AgentRunner janitorRunner;
    private final AgentInvoker invoker;
    private volatile boolean closed;

    private Sequencer(final SequencerContext context) {
        this.context = context;
        this.counters = context.counters();
        // The stages poll the ring from their agents, so the ring's own wait strategy is never used.
        this.ring = RingBuffer.createSingleProducer(BatchEvent::new, context.ringSize());
        this.dataRing = new DataRing(context.dataBufferBytes());
        final AtomicBuffer data = dataRing.buffer();

        sequencePoller = new StagePoller(ring);
        final StagePoller journalPoller = new StagePoller(true, ring, sequencePoller.sequence());
        final StagePoller replicatePoller = new StagePoller(ring, journalPoller.sequence());
        final StagePoller ackPoller = new StagePoller(ring, journalPoller.sequence(), replicatePoller.sequence());
        commitPoller = new StagePoller(ring, ackPoller.sequence());
        ring.addGatingSequences(commitPoller.sequence());

        groupJournal = null == context.groupJournalDir() ? null :
            new GroupJournal(SeqJournal.open(context.groupJournalDir(), context.groupJournalEntriesPerFile()));
        if (null != groupJournal) {
            // seqs and epochs the journal holds stay used, even if the topic that held them is gone
            restoredSeq.raise(groupJournal.lastSeq(), groupJournal.lastEpoch());
        }
        journalStage = new JournalStage(
            journalPoller, data, context.epochClock(), context.errorHandler(), counters, restoredSeq, groupJournal,
            context.journalListener(), partitions, context.threadingMode() == ThreadingMode.DEDICATED);
        sequenceStage = new SequenceStage(
            sequencePoller, data, context.epochClock(), context.errorHandler(), counters, context.leaderEpoch(),
            restoredSeq, journalStage);
        replicateStage = new ReplicateStage(
            replicatePoller, data, context.replicationSink(), context.errorHandler(), counters);
        final CommitPosition commitPosition = null != context.commitPosition() ?
            context.commitPosition() : journalStage::journaledSeq;
        releaseStage = new ReleaseStage(
            ackPoller, commitPoller, dataRing, journalStage, commitPosition, context.releaseHandler(),
            context.errorHandler(), counters);

        // The janitor has nothing to do between its intervals: it sleeps a whole interval, not 1 ms.
        janitorRunner = new AgentRunner(
            new SleepingMillisIdleStrategy(context.janitorIntervalMs()), context.errorHandler(),
            counters.internalErrors,
            new LogJanitor(partitions, null == groupJournal ? null : groupJournal.journal(), context.epochClock(),
                context.errorHandler(), context.janitorIntervalMs(), context.retentionCheckIntervalMs()));

        // Sharing a thread, the force runs after the replicate stage, so a poll's batches ship before the fsync.
        final Agent[] stages = {sequenceStage, journalStage, replicateStage, journalStage.forceStep(), releaseStage};
        switch (context.threadingMode()) {
            case DEDICATED:
                for (final Agent stage : new Agent[]{sequenceStage, journalStage, replicateStage, releaseStage}) {
                    runners.add(new AgentRunner(
                        IdleStrategies.parse(context.idleStrategy()), context.errorHandler(), counters.internalErrors,
                        stage));
                }
                invoker = null;
                break;
            case SHARED:
                runners.add(new AgentRunner(
                    IdleStrategies.parse(context.idleStrategy()), context.errorHandler(), counters.internalErrors,
                    new CompositeAgent(stages) {
                        @Override
                        public String roleName() {
                            return "sequencer";
                        }
                    }));
                invoker = null;
                break;
            default:
                invoker = new AgentInvoker(context.errorHandler(), counters.internalErrors, new CompositeAgent(stages));
                break;
        }
    }

    /** Builds the pipeline and starts its threads (none in INVOKER mode). */
    public static Sequencer launch(final SequencerContext context) {
        context.conclude();
        final Sequencer sequencer = new Sequencer(context);
        for (final AgentRunner runner : sequencer.runners) {
            AgentRunner.startOnThread(runner);
        }
        AgentRunner.startOnThread(sequencer.janitorRunner);
        if (null != sequencer.invoker) {
            sequencer.invoker.start();
        }
        return sequencer;
    }

    /**
     * Opens (recovering if needed) a partition's log and prepares it for writes. Cold path; may run
     * on any thread, before or after launch. The sequencer closes the partition when it closes.
     *
     * <p>The group sequence resumes above the highest one held by any open partition: every partition
     * that holds data must be opened before the first offer (to any partition) after a restart.
     */
    public Partition openPartition(
        final String topic,
        final int partitionId,
        final Path dir,
        final LogConfig logConfig,
        final boolean logAppendTime) {
        return openPartition(topic, Partition.provisionalTopicId(topic), partitionId, dir, logConfig, logAppendTime);
    }

    /**
     * As {@link #openPartition(String, int, Path, LogConfig, boolean)}, with the topic id the catalog assigned.
     *
     * @throws SequencerException if another open partition has the same topic id and partition id.
     */
    public synchronized Partition openPartition(
        final String topic,
        final int topicId,
        final int partitionId,
        final Path dir,
        final LogConfig logConfig,
        final boolean logAppendTime) {
        for (final Partition open : partitions) {
            if (open.topicId() == topicId && open.partitionId() == partitionId) {
                throw new SequencerException("topic id " + topicId + " partition " + partitionId + " of " + topic +
                    " is already open for " + open);
            }
        }
        final PartitionLog log = PartitionLog.open(dir, logConfig, context.epochClock());
        try {
            final Partition partition =
                new Partition(topic, topicId, partitionId, log, logConfig.flushPolicy(), logAppendTime);
            restoredSeq.raise(partition.lastGroupSeq, partition.lastEpoch);
            partitions.add(partition);
            return partition;
        } catch (final RuntimeException ex) {
            CloseHelper.quietClose(log);
            throw ex;
        }
    }

    /**
     * Copies a batch into the ring for sequencing (ingress thread only; never blocks or allocates).
     *
     * @return the ring sequence of the batch (>= 0), or {@link SequencerResult#BACK_PRESSURED},
     * {@link SequencerResult#TOO_LARGE} or {@link SequencerResult#CLOSED}.
     */
    public long offer(
        final Partition partition,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final byte acks,
        final long sessionId,
        final long correlationId) {
        final int dataOffset = claimData(length);
        if (dataOffset < 0) {
            return dataOffset;
        }
        final long sequence = ring.next();
        dataRing.buffer().putBytes(dataOffset, buffer, offset, length);
        ring.get(sequence).request(
            dataOffset, length, dataRing.claimEnd(), partition, acks, sessionId, correlationId);
        ring.publish(sequence);
        return sequence;
    }

    /**
     * Follower append mode: copies a batch the leader already stamped (base offset, epoch, seq) into the ring, to
     * go through the same sequence check, journal and release as a leader's batches, but not to the replication
     * sink. The sequence stage refuses it with {@link SequencerResult#OUT_OF_ORDER_BATCH} unless it follows the
     * partition's log and the group sequence. Called by the ring's producer thread (see the class comment); never
     * blocks or allocates. No client is answered: the member learns progress through its {@link JournalListener}.
     *
     * @return the ring sequence of the batch (>= 0), or {@link SequencerResult#BACK_PRESSURED},
     * {@link SequencerResult#TOO_LARGE} or {@link SequencerResult#CLOSED}.
     */
    @Override
    public long offerStamped(final Partition partition, final DirectBuffer buffer, final int offset, final int length) {
        final int dataOffset = claimData(length);
        if (dataOffset < 0) {
            return dataOffset;
        }
        final long sequence = ring.next();
        dataRing.buffer().putBytes(dataOffset, buffer, offset, length);
        ring.get(sequence).stampedRequest(dataOffset, length, dataRing.claimEnd(), partition);
        ring.publish(sequence);
        return sequence;
    }

    /**
     * Sets the leader epoch stamped on batches sequenced from now on (the replica layer, on winning an election).
     * One writer thread. An epoch below the current one is refused.
     *
     * @throws IllegalArgumentException if {@code epoch} is below the current epoch.
     */
    @Override
    public void leaderEpoch(final int epoch) {
        final int current = sequenceStage.leaderEpoch();
        if (epoch < current) {
            throw new IllegalArgumentException("leader epoch " + epoch + " is below the current " + current);
        }
        sequenceStage.leaderEpoch(epoch);
    }

    /** The epoch the sequence stage stamps (any thread). */
    public int leaderEpoch() {
        return sequenceStage.leaderEpoch();
    }

    /** Seq of the last batch in the group-sequence journal, -1 when empty or when there is no journal (any thread). */
    @Override
    public long lastSeq() {
        return null == groupJournal ? BatchEvent.NO_GROUP_SEQ : groupJournal.lastSeq();
    }

    /** Epoch of the last batch in the group-sequence journal, 0 when empty or without a journal (any thread). */
    @Override
    public int lastEpoch() {
        return null == groupJournal ? 0 : groupJournal.lastEpoch();
    }

    /**
     * Reads the journaled batches in group-sequence order from a seq (leader catch-up replay). One per thread.
     *
     * @throws SequencerException without a group-sequence journal.
     */
    @Override
    public GroupLogReader newGroupLogReader() {
        if (null == groupJournal) {
            throw new SequencerException("no group-sequence journal: set groupJournalDir");
        }
        return new GroupLogReader(groupJournal.journal().newCursor(), partitions);
    }

    /**
     * A cursor over the group-sequence journal (seq -> topic id, partition, base offset, epoch), for lookups such as
     * the epoch of a seq. One per thread.
     *
     * @throws SequencerException without a group-sequence journal.
     */
    public SeqJournal.Cursor newJournalCursor() {
        if (null == groupJournal) {
            throw new SequencerException("no group-sequence journal: set groupJournalDir");
        }
        return groupJournal.journal().newCursor();
    }

    /**
     * Reconciles the group-sequence journal with the partition logs now, after every partition that holds data is
     * open and before anything reads {@link #lastSeq()} as the log's end or offers a batch (without this call the
     * journal stage does it at the first batch). After a crash the journal, forced before the logs, may name
     * batches a log lost; until this is done the journal's end may be past what the logs hold, and the recovered
     * position is not reported durable ({@link JournalListener#onDurable}). Cold path: the pipeline must be idle;
     * the journal stage does the work and this call waits for it (stepping the stages itself in
     * {@link ThreadingMode#INVOKER} mode). Once reconciled, a later call does nothing.
     *
     * @param heldPrefix true for a member of a replica group of more than one: the log is cut back to the last seq
     *                   below the first batch a log lost, on every partition, so that it is a prefix of what the
     *                   member held (the leader supplies the rest). False keeps every batch the logs still hold.
     * @throws IllegalStateException if batches are in flight.
     * @throws SequencerException if the journal stage did not answer within the close timeout.
     */
    public void reconcileJournal(final boolean heldPrefix) {
        if (closed) {
            throw new SequencerException("closed");
        }
        if (!isIdle()) {
            throw new IllegalStateException("reconcileJournal needs an idle pipeline: batches are in flight");
        }
        journalStage.requestReconcile(heldPrefix);
        final long deadline = System.nanoTime() + context.closeTimeoutMs() * 1_000_000L;
        while (!journalStage.reconciled()) {
            if (null != invoker) {
                invoker.invoke();
            } else {
                LockSupport.parkNanos(100_000);
            }
            if (System.nanoTime() > deadline) {
                throw new SequencerException("reconcileJournal not done within " + context.closeTimeoutMs() + " ms");
            }
        }
    }

    /**
     * Truncates every partition to {@code seq}: drops every batch with a higher seq from every log and from the
     * group-sequence journal, durably; the group sequence then continues at {@code seq + 1}, and each truncated
     * partition's next offset and producer windows are re-derived from its log. The replica layer calls it when a
     * follower has found where its log diverges from its leader's. Cold path: the pipeline must be idle
     * ({@link #isIdle()}) and no partition may be opened meanwhile; the journal stage does the work, and this call
     * waits for it (stepping the stages itself in {@link ThreadingMode#INVOKER} mode).
     *
     * @return {@link LogResult#OK}; {@link LogResult#INVALID_CONFIG} without a journal; {@link LogResult#IO_ERROR}
     * when a log or the journal could not be cut (retry); {@link LogResult#CLOSED}.
     * @throws IllegalStateException if batches are in flight.
     */
    @Override
    public int truncateTo(final long seq) {
        if (closed) {
            return LogResult.CLOSED;
        }
        if (!isIdle()) {
            throw new IllegalStateException("truncateTo needs an idle pipeline: batches are in flight");
        }
        journalStage.requestTruncation(seq);
        final long deadline = System.nanoTime() + context.closeTimeoutMs() * 1_000_000L;
        int result;
        while ((result = journalStage.truncationResult(seq)) > 0) {
            if (null != invoker) {
                invoker.invoke();
            } else {
                LockSupport.parkNanos(100_000);
            }
            if (System.nanoTime() > deadline) {
                throw new SequencerException("truncateTo(" + seq + ") not done within " + context.closeTimeoutMs() +
                    " ms");
            }
        }
        return result;
    }

    /**
     * Claims {@code length} bytes of the byte ring for a batch about to take a ring slot: the data offset, or a
     * {@link SequencerResult} (negative) when the batch cannot be taken now. Ring producer thread.
     */
    private int claimData(final int length) {
        if (closed) {
            return SequencerResult.CLOSED;
        }
        if (length > context.maxBatchBytes() || length < 0) {
            return SequencerResult.TOO_LARGE;
        }
        if (!ring.hasAvailableCapacity(1)) {
            counters.backPressured.incrementRelease();
            return SequencerResult.BACK_PRESSURED;
        }
        final int dataOffset = dataRing.claim(length);
        if (dataOffset < 0) {
            counters.backPressured.incrementRelease();
            return SequencerResult.BACK_PRESSURED;
        }
        return dataOffset;
    }

    /** The buffer that {@link BatchEvent#dataOffset()} points into. */
    public DirectBuffer dataBuffer() {
        return dataRing.buffer();
    }

    /**
     * @return since when (epoch ms) the journal stage's appends have failed without one succeeding since (a full
     * disk, an I/O error), 0 while they succeed. Any thread.
     */
    public long storageFailingSinceMs() {
        return journalStage.storageFailingSinceMs();
    }

    /** Highest group sequence durable in this node's journal per the flush policy. */
    @Override
    public long journaledSeq() {
        return journalStage.journaledSeq();
    }

    /** The next group sequence the sequence stage will stamp (read from the sequence thread, or when idle). */
    public long nextGroupSeq() {
        return sequenceStage.nextGroupSeq();
    }

    public SequencerCounters counters() {
        return counters;
    }

    /** The stepper of the stages in {@link ThreadingMode#INVOKER} mode; null otherwise. */
    public AgentInvoker invoker() {
        return invoker;
    }

    /** The ring sequence of the last batch offered (ingress thread), -1 before the first. */
    public long lastOfferedSequence() {
        return ring.getCursor();
    }

    /** True once the batch offered at {@code ringSequence}, and every one before it, has been released. */
    public boolean isReleased(final long ringSequence) {
        return commitPoller.sequence().get() >= ringSequence;
    }

    /**
     * Closes a partition's log and forgets it. The caller first stops offering to it and waits until
     * {@link #isReleased} covers the last batch it offered to it, so no stage still refers to it.
     */
    public void closePartition(final Partition partition) {
        partitions.remove(partition);
        partition.log().close();
    }

    /**
     * True when the sequence stage has stamped (or refused) every batch offered so far: its group sequence and each
     * partition's next offset ({@link #nextOffset(Partition)}) are then final until the next offer. Producer thread.
     */
    public boolean isSequenced() {
        return sequencePoller.isCaughtUp();
    }

    /**
     * The offset the next batch of {@code partition} will get; read only once {@link #isSequenced()} (the replica
     * layer stamps its leader's control batch with it).
     */
    public long nextOffset(final Partition partition) {
        return partition.nextOffset;
    }

    /** True when every offered batch has been released. */
    public boolean isIdle() {
        return commitPoller.isCaughtUp();
    }

    public List<Partition> partitions() {
        return List.copyOf(partitions);
    }

    /**
     * Refuses new offers, waits up to {@code sequencer.close.timeout.ms} for in-flight batches to be
     * released, stops the stages and closes every partition (flush, clean-shutdown marker).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final long deadline = System.nanoTime() + context.closeTimeoutMs() * 1_000_000L;
        while (!commitPoller.isCaughtUp() && System.nanoTime() < deadline) {
            if (null != invoker) {
                invoker.invoke();
            } else {
                LockSupport.parkNanos(100_000);
            }
        }
        CloseHelper.closeAll(runners);
        CloseHelper.quietClose(invoker);
        CloseHelper.quietClose(janitorRunner);
        for (final Partition partition : partitions) {
            CloseHelper.quietClose(partition.log());
        }
        if (null != groupJournal) {
            CloseHelper.quietClose(groupJournal.journal());
        }
    }
}

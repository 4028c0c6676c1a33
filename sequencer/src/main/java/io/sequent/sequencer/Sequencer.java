package io.sequent.sequencer;

import com.lmax.disruptor.RingBuffer;
import io.sequent.log.LogConfig;
import io.sequent.log.PartitionLog;
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
 *   ingress --offer--> [ring] --> sequence --+--> journal ---+--> release (ack pass -> commit pass)
 *                                            +--> replicate -+
 * </pre>
 *
 * <ol>
 *   <li>sequence: validate, idempotent-producer check, stamp offsets, epoch and group sequence;</li>
 *   <li>journal: append to the partition log, group-commit flush at the end of each batch;</li>
 *   <li>replicate: offer the same bytes to the {@link ReplicationSink}, in parallel with the journal;</li>
 *   <li>release: answer acks=1 once journaled, acks=all once committed; move high watermarks.</li>
 * </ol>
 *
 * <p>The ring's slots are {@link BatchEvent}s; the batches' bytes live in an off-heap {@link DataRing}.
 * {@link #offer} never blocks: a full ring is {@link SequencerResult#BACK_PRESSURED}. Each stage is an
 * Agrona {@link Agent} reading the ring through a {@link StagePoller}; the {@link ThreadingMode}
 * decides whether they get a thread each, share one, or are stepped by the caller. A {@link LogJanitor}
 * on its own sleeping thread prepares segments ahead of the writer and applies retention.
 *
 * <p>{@link #offer} must be called from one thread only (the ingress).
 */
public final class Sequencer implements AutoCloseable {
    private final SequencerContext context;
    private final RingBuffer<BatchEvent> ring;
    private final DataRing dataRing;
    private final SequencerCounters counters;
    private final SequenceStage sequenceStage;
    private final JournalStage journalStage;
    private final ReplicateStage replicateStage;
    private final ReleaseStage releaseStage;
    private final StagePoller commitPoller;
    private final List<Partition> partitions = new CopyOnWriteArrayList<>();
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

        final StagePoller sequencePoller = new StagePoller(ring);
        final StagePoller journalPoller = new StagePoller(ring, sequencePoller.sequence());
        final StagePoller replicatePoller = new StagePoller(ring, sequencePoller.sequence());
        final StagePoller ackPoller = new StagePoller(ring, journalPoller.sequence(), replicatePoller.sequence());
        commitPoller = new StagePoller(ring, ackPoller.sequence());
        ring.addGatingSequences(commitPoller.sequence());

        sequenceStage = new SequenceStage(
            sequencePoller, data, context.epochClock(), context.errorHandler(), counters, context.leaderEpoch(), 0);
        journalStage = new JournalStage(journalPoller, data, context.epochClock(), context.errorHandler(), counters);
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
            new LogJanitor(partitions, context.epochClock(), context.errorHandler(), context.janitorIntervalMs(),
                context.retentionCheckIntervalMs()));

        final Agent[] stages = {sequenceStage, journalStage, replicateStage, releaseStage};
        switch (context.threadingMode()) {
            case DEDICATED:
                for (final Agent stage : stages) {
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
     */
    public Partition openPartition(
        final String topic,
        final int partitionId,
        final Path dir,
        final LogConfig logConfig,
        final boolean logAppendTime) {
        final PartitionLog log = PartitionLog.open(dir, logConfig, context.epochClock());
        try {
            final Partition partition = new Partition(topic, partitionId, log, logConfig.flushPolicy(), logAppendTime);
            journalStage.advanceJournaledSeq(partition.lastGroupSeq);
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
        final long sequence = ring.next();
        dataRing.buffer().putBytes(dataOffset, buffer, offset, length);
        ring.get(sequence).request(
            dataOffset, length, dataRing.claimEnd(), partition, acks, sessionId, correlationId);
        ring.publish(sequence);
        return sequence;
    }

    /** The buffer that {@link BatchEvent#dataOffset()} points into. */
    public DirectBuffer dataBuffer() {
        return dataRing.buffer();
    }

    /** Highest group sequence durable in this node's journal per the flush policy. */
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
    }
}

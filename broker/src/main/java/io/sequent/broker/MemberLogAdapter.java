package io.sequent.broker;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.Batches;
import io.sequent.codec.client.ErrorCode;
import io.sequent.log.LogResult;
import io.sequent.log.SeqJournal;
import io.sequent.replica.ReplicaLog;
import io.sequent.replica.ReplicaNode;
import io.sequent.sequencer.GroupLogReader;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.Sequencer;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The replicated log as the protocol core sees it ({@link ReplicaLog}), over the member's {@link Sequencer}: the
 * partition logs plus the group-sequence journal.
 *
 * <ul>
 *   <li><b>Seqs.</b> The protocol numbers batches from 1 (0 is the empty log's end), the sequencer's group
 *   sequence from 0: replica seq {@code s} is group seq {@code s - 1}.</li>
 *   <li><b>Log end.</b> The journal's last entry, or the last batch this adapter offered to the ring (a follower's
 *   appends are part of the log as soon as offered, as the protocol requires; the journal reports them later).
 *   A leader's own batches are stamped by the sequence stage and appear at the journal's append.</li>
 *   <li><b>Follower append.</b> {@code offerStamped} into the partition the (topic id, partition) names; a batch
 *   of the metadata partition is decoded first and a created topic's partitions are opened before the batch goes
 *   on ({@link ReplicatedMetadata}), so the topic's first data batch, which follows it, finds them.</li>
 *   <li><b>EpochStart.</b> The leader's control batch is stored like any batch: a control batch (attribute bit 4)
 *   of {@code __cluster_metadata-0} (topic id 0), one record whose value is the SBE {@code EpochStart} message of
 *   replication-schema.xml, stamped with the partition's next offset, the epoch and the seq. Followers receive it
 *   by replay as a batch of that partition. It is appended once the sequence stage has caught up with every batch
 *   offered (the partition's next offset is then final), while follower batches may still wait for their commit:
 *   they commit with it.</li>
 *   <li><b>Truncation.</b> Every batch still waiting for its commit is given up ({@link ClusterState#abandonThrough}:
 *   answered NOT_COMMITTED), the pipeline drains, then {@link Sequencer#truncateTo} cuts every partition.</li>
 *   <li><b>Replay.</b> {@link GroupLogReader} reads a seq's batch zero-copy from its partition's log; a seq that
 *   retention has removed cannot be read, and {@link #behindRetention()} says so.</li>
 * </ul>
 *
 * <p>Called only on the replica agent's thread, which is also the ring's producer thread (the ingress's).
 */
final class MemberLogAdapter implements ReplicaLog {
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Sequencer sequencer;
    private final Partition metadata;
    private final ClusterState state;
    private final ReplicatedMetadata replicatedMetadata;
    private final EpochClock clock;
    private final SeqJournal.Cursor cursor;
    private final GroupLogReader reader;
    private final int[] pendingEpochs;
    private final int pendingMask;
    private final Long2ObjectHashMap<Partition> partitions = new Long2ObjectHashMap<>();
    private final BatchBuilder builder = new BatchBuilder(1024);
    private final UnsafeBuffer control = new UnsafeBuffer(new byte[1024]);
    private long offeredSeq;
    private long ceiling = Long.MAX_VALUE;
    private long behindRetentionSeq = -1;

    MemberLogAdapter(
        final Sequencer sequencer,
        final Partition metadata,
        final ClusterState state,
        final ReplicatedMetadata replicatedMetadata,
        final EpochClock clock,
        final int ringSize) {
        this.sequencer = sequencer;
        this.metadata = metadata;
        this.state = state;
        this.replicatedMetadata = replicatedMetadata;
        this.clock = clock;
        this.cursor = sequencer.newJournalCursor();
        this.reader = sequencer.newGroupLogReader();
        this.pendingEpochs = new int[Integer.highestOneBit(Math.max(2, ringSize)) * 2];
        this.pendingMask = pendingEpochs.length - 1;
    }

    @Override
    public long lastSeq() {
        return Math.min(Math.max(sequencer.lastSeq() + 1, offeredSeq), ceiling);
    }

    @Override
    public boolean appendsFailing() {
        return 0 != sequencer.storageFailingSinceMs();
    }

    @Override
    public int epochOf(final long seq) {
        if (seq <= 0) {
            return 0;
        }
        if (seq > sequencer.lastSeq() + 1) {
            return pendingEpochs[(int) (seq & pendingMask)];
        }
        cursor.seek(seq - 1);
        return cursor.next() ? cursor.epoch() : pendingEpochs[(int) (seq & pendingMask)];
    }

    @Override
    public boolean append(
        final int epoch, final long seq, final int topicId, final int partition, final DirectBuffer buffer,
        final int offset, final int length) {
        if (ReplicaNode.CONTROL_TOPIC_ID == topicId) {
            return appendEpochStart(epoch, seq, buffer, offset, length);
        }
        final Partition target = partition(topicId, partition);
        if (null == target) {
            return false;
        }
        if (target == metadata && !Batches.isControl(buffer, offset)) {
            replicatedMetadata.beforeAppend(buffer, offset, length);
        }
        if (sequencer.offerStamped(target, buffer, offset, length) < 0) {
            return false;
        }
        offered(seq, epoch);
        return true;
    }

    private boolean appendEpochStart(
        final int epoch, final long seq, final DirectBuffer message, final int offset, final int length) {
        if (!awaitSequenced()) {
            return false;
        }
        final long groupSeq = seq - 1;
        if (sequencer.nextGroupSeq() > groupSeq) {
            // seqs an earlier leadership stamped and voided: cut back so the group sequence resumes here
            state.abandonThrough(sequencer.lastOfferedSequence());
            awaitIdle();
            if (LogResult.OK != sequencer.truncateTo(groupSeq - 1)) {
                return false;
            }
        }
        builder.control(true);
        builder.begin(control, 0, control.capacity(), Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH,
            Batches.NO_SEQUENCE);
        if (!builder.tryAppend(clock.time(), null, 0, -1, message, offset, length)) {
            return false;
        }
        final int batchLength = builder.finish();
        Batches.stamp(control, 0, sequencer.nextOffset(metadata), groupSeq, epoch);
        if (sequencer.offerStamped(metadata, control, 0, batchLength) < 0) {
            return false;
        }
        offered(seq, epoch);
        return true;
    }

    private void offered(final long seq, final int epoch) {
        pendingEpochs[(int) (seq & pendingMask)] = epoch;
        offeredSeq = seq;
    }

    @Override
    public void truncateTo(final long seq) {
        state.abandonThrough(sequencer.lastOfferedSequence());
        awaitIdle();
        final int result = sequencer.truncateTo(seq - 1);
        if (LogResult.OK != result) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR,
                "cannot truncate the log to seq " + seq + ": " + LogResult.name(result));
        }
        offeredSeq = Math.min(offeredSeq, seq);
        if (ceiling != Long.MAX_VALUE && seq <= ceiling) {
            ceiling = Long.MAX_VALUE;
        }
    }

    /**
     * The leader shipped nothing after {@code seq} (an append of its epoch failed): the log ends there for the
     * protocol until {@link #truncateTo} has cut what follows.
     */
    void capAt(final long seq) {
        ceiling = Math.min(ceiling, seq);
    }

    /** @return the seq the log is capped at by {@link #capAt}, {@link Long#MAX_VALUE} for none. */
    long ceiling() {
        return ceiling;
    }

    /**
     * Waits (stepping the stages when this thread runs them) until every batch offered so far is sequenced: the
     * metadata partition's next offset is then known even with follower batches still waiting for their commit.
     */
    private boolean awaitSequenced() {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!sequencer.isSequenced()) {
            if (null != sequencer.invoker()) {
                sequencer.invoker().invoke();
            } else {
                LockSupport.parkNanos(10_000);
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
        }
        return true;
    }

    /** Waits until the pipeline is idle (the caller has given up what waits for a commit). Cold path. */
    void awaitIdle() {
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (!sequencer.isIdle()) {
            if (null != sequencer.invoker()) {
                sequencer.invoker().invoke();
            } else {
                LockSupport.parkNanos(50_000);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR, "the write pipeline did not drain");
            }
        }
    }

    /**
     * Once the pipeline is idle, forgets offered batches that never reached the journal (a follower's stamped
     * append the sequence stage refused): the log end is the journal's again.
     */
    void reconcile() {
        final long journalEnd = sequencer.lastSeq() + 1;
        if (offeredSeq > journalEnd && sequencer.isIdle()) {
            offeredSeq = journalEnd;
        }
    }

    @Override
    public boolean read(final long seq, final BatchHandler handler) {
        reader.seek(seq - 1);
        if (!reader.next()) {
            return false;
        }
        if (reader.seq() != seq - 1) {
            behindRetentionSeq = seq;
            return false;
        }
        final Partition p = reader.partition();
        handler.onBatch(reader.epoch(), seq, p.topicId(), p.partitionId(), reader.buffer(), reader.offset(),
            reader.length());
        return true;
    }

    /** @return the last seq a replay asked for that this log no longer holds (retention), -1 for none. */
    long behindRetention() {
        return behindRetentionSeq;
    }

    /**
     * @param seq   a seq held.
     * @param limit most batches to count.
     * @return the bytes of the batches after {@code seq}, up to {@code limit} of them (cold path: status).
     */
    long bytesAfter(final long seq, final long limit) {
        long bytes = 0;
        long n = 0;
        reader.seek(seq);
        while (n++ < limit && reader.next()) {
            bytes += reader.length();
        }
        return bytes;
    }

    /** @return the first seq this log can replay (its journal's first readable entry), 1 when it holds all. */
    long firstSeq() {
        reader.seek(0);
        return reader.next() ? reader.seq() + 1 : lastSeq() + 1;
    }

    private Partition partition(final int topicId, final int partitionId) {
        final long key = ((long) topicId << 32) | (partitionId & 0xFFFF_FFFFL);
        Partition p = partitions.get(key);
        if (null == p) {
            for (final Partition open : sequencer.partitions()) {
                partitions.put(((long) open.topicId() << 32) | (open.partitionId() & 0xFFFF_FFFFL), open);
            }
            p = partitions.get(key);
        }
        return p;
    }
}

package io.sequent.sequencer;

import io.sequent.log.FrameDescriptor;
import io.sequent.log.LogReader;
import io.sequent.log.LogResult;
import io.sequent.log.PartitionLog;
import io.sequent.log.SeqJournal;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The write pipeline's side of the group-sequence journal ({@link SeqJournal}): one entry per journaled batch, in
 * group-sequence order, naming the partition and offset that hold it.
 *
 * <p>The journal stage writes the entry just before it appends the batch to its partition (and removes it again
 * if that append fails), forces the journal with the partition logs at the end of each poll, and runs the cold
 * operations here on its own thread: {@link #reconcile} once every partition is open and before the first batch
 * ({@link Sequencer#reconcileJournal}, or at the first batch), and {@link #truncateTo}.
 * Single writer: the journal stage. {@link #lastSeq()} and {@link #lastEpoch()} are published for any thread.
 *
 * <p>The journal is an index of the logs, so after a crash the two may disagree by what either lost unforced.
 * {@link #reconcile} makes them agree: it drops the journal's entries from the first one whose batch its
 * partition no longer holds, then adds entries, in seq order, for batches the logs hold above the journal's end
 * (a log that predates the journal, or a journal tail lost while the logs kept theirs). A member of a replica
 * group must not keep batches above such a hole: its log would then claim an end it does not hold, so there the
 * logs are cut back to the last seq below the hole instead.
 */
final class GroupJournal {
    private final SeqJournal journal;
    private volatile long lastSeq;
    private volatile int lastEpoch;

    GroupJournal(final SeqJournal journal) {
        this.journal = journal;
        publish();
    }

    SeqJournal journal() {
        return journal;
    }

    long lastSeq() {
        return lastSeq;
    }

    int lastEpoch() {
        return lastEpoch;
    }

    private void publish() {
        lastEpoch = journal.lastEpoch();
        lastSeq = journal.lastSeq();
    }

    static long key(final int topicId, final int partitionId) {
        return ((long) topicId << 32) | (partitionId & 0xFFFF_FFFFL);
    }

    /** The entry of a batch about to be appended. Journal stage; allocation-free. */
    int append(final BatchEvent event) {
        final Partition partition = event.partition;
        final int result = journal.append(
            event.groupSeq, partition.topicId(), partition.partitionId(), event.baseOffset, event.epoch);
        if (result == LogResult.OK) {
            lastEpoch = event.epoch;
            lastSeq = event.groupSeq;
        }
        return result;
    }

    /** Takes back the entry of a batch whose append failed (the last entry). Journal stage; cold. */
    void unappend(final long seq) {
        journal.truncateAfter(seq - 1);
        publish();
    }

    int force() {
        return journal.force();
    }

    /**
     * Brings the journal in line with the partition logs (see the class comment). Journal stage, before its first
     * batch; cold: reads the tail of every log that has batches the journal lacks.
     *
     * <p>With {@code heldPrefix} (a member of a replica group of more than one) the member's log must stay a prefix
     * of the group's: when an entry's batch is missing from its partition (the journal is forced before the logs,
     * so a crash can leave it past them), every batch from that seq on is cut from every partition too, and none is
     * added back, so the log ends at the last seq below the first hole and the member fetches the rest from the
     * leader. Without it (a group of one) the logs keep every batch they hold and the journal indexes them all.
     *
     * @return null when nothing was cut; otherwise the partitions whose logs were cut (possibly none: only the
     * journal went back), whose sequence-stage state must be re-derived.
     */
    List<Partition> reconcile(final List<Partition> partitions, final boolean heldPrefix) {
        final Map<Long, Partition> byKey = new HashMap<>();
        for (final Partition partition : partitions) {
            byKey.put(key(partition.topicId(), partition.partitionId()), partition);
        }
        // 1. Keep the prefix whose batches are all still in their logs; note each partition's last covered batch.
        final Map<Long, Long> lastCovered = new HashMap<>();
        final SeqJournal.Cursor cursor = journal.newCursor().seek(Long.MIN_VALUE);
        long keepUpTo = Long.MIN_VALUE;
        boolean hole = false;
        while (cursor.next()) {
            final long partitionKey = key(cursor.topicId(), cursor.partition());
            final Partition partition = byKey.get(partitionKey);
            if (null != partition && cursor.baseOffset() >= partition.log().nextOffset()) {
                hole = true;
                break;
            }
            lastCovered.put(partitionKey, cursor.baseOffset());
            keepUpTo = cursor.seq();
        }
        final boolean cut = hole && heldPrefix;
        final List<Partition> truncated = new ArrayList<>();
        if (cut) {
            // the journal still names every later batch of every partition: cut each at its first one
            final List<Partition> cutLogs = truncateTo(keepUpTo, partitions);
            if (null == cutLogs) {
                throw new SequencerException("cannot cut the logs back to group seq " + keepUpTo + " in " +
                    journal.directory());
            }
            truncated.addAll(cutLogs);
        } else if (hole) {
            journal.truncateAfter(keepUpTo);
        }
        // 2. Collect the batches each log holds past its last covered one.
        final long journalEnd = journal.lastSeq();
        final List<long[]> missing = new ArrayList<>();
        for (final Partition partition : partitions) {
            final long partitionKey = key(partition.topicId(), partition.partitionId());
            final Long covered = lastCovered.get(partitionKey);
            collect(partition, null == covered ? -1 : covered, journalEnd, missing);
        }
        missing.sort((a, b) -> Long.compare(a[0], b[0]));
        for (final long[] entry : missing) {
            if (cut) {
                // a batch past the hole that the journal did not name: cut its partition there too
                final Partition partition = byKey.get(entry[1]);
                if (entry[2] < partition.log().nextOffset()) {
                    if (partition.log().truncateTo(entry[2]) != LogResult.OK) {
                        throw new SequencerException("cannot cut " + partition + " back to offset " + entry[2]);
                    }
                    if (!truncated.contains(partition)) {
                        truncated.add(partition);
                    }
                }
                continue;
            }
            final int result =
                journal.append(entry[0], (int) (entry[1] >> 32), (int) entry[1], entry[2], (int) entry[3]);
            if (result != LogResult.OK && result != LogResult.INVALID_FRAME) {
                throw new SequencerException("cannot rebuild the group-sequence journal in " + journal.directory() +
                    ": " + LogResult.name(result));
            }
            // INVALID_FRAME: a seq already used by another partition (logs written before the group sequence was
            // restored on restart) or an epoch going back; such a batch is left out of the journal.
        }
        journal.force();
        publish();
        return cut ? truncated : null;
    }

    /** Adds {seq, key, baseOffset, epoch} of each batch after the one at {@code coveredOffset}, seq above end. */
    private static void collect(
        final Partition partition, final long coveredOffset, final long journalEnd, final List<long[]> out) {
        final PartitionLog log = partition.log();
        final long partitionKey = key(partition.topicId(), partition.partitionId());
        try (LogReader reader = log.newReader()) {
            long offset = coveredOffset < 0 ? log.startOffset() : coveredOffset;
            boolean skipFirst = coveredOffset >= 0;
            final long end = log.nextOffset();
            while (offset < end) {
                final int bytes = reader.read(offset, 1 << 20, Long.MAX_VALUE);
                if (bytes <= 0) {
                    break;
                }
                final DirectBuffer buffer = reader.buffer();
                int position = reader.bufferOffset();
                final int limit = position + bytes;
                while (position < limit) {
                    final int length = FrameDescriptor.frameLength(buffer, position);
                    if (length <= 0) {
                        break;
                    }
                    final long seq = FrameDescriptor.groupSeq(buffer, position);
                    if (!skipFirst && seq > journalEnd) {
                        out.add(new long[]{
                            seq, partitionKey, FrameDescriptor.baseOffset(buffer, position),
                            FrameDescriptor.leaderEpoch(buffer, position)});
                    }
                    skipFirst = false;
                    offset = FrameDescriptor.lastOffset(buffer, position) + 1;
                    position += FrameDescriptor.alignedLength(length);
                }
                reader.release();
            }
        }
    }

    /**
     * Truncates every partition to {@code seq}: each partition with batches above it is cut at its first such
     * batch, then the journal drops its entries above it. Journal stage; cold path.
     *
     * @return the partitions truncated (their sequence-stage state must be re-derived), or null when a log could
     * not be truncated (the journal is left as it was, so the operation can be retried).
     */
    List<Partition> truncateTo(final long seq, final List<Partition> partitions) {
        final Map<Long, Partition> byKey = new HashMap<>();
        for (final Partition partition : partitions) {
            byKey.put(key(partition.topicId(), partition.partitionId()), partition);
        }
        final Map<Long, Long> cutAt = new HashMap<>();
        final SeqJournal.Cursor cursor = journal.newCursor().seek(seq + 1);
        while (cursor.next()) {
            cutAt.putIfAbsent(key(cursor.topicId(), cursor.partition()), cursor.baseOffset());
        }
        final List<Partition> truncated = new ArrayList<>();
        for (final Map.Entry<Long, Long> cut : cutAt.entrySet()) {
            final Partition partition = byKey.get(cut.getKey());
            if (null == partition || cut.getValue() >= partition.log().nextOffset()) {
                continue;
            }
            if (partition.log().truncateTo(cut.getValue()) != LogResult.OK) {
                return null;
            }
            truncated.add(partition);
        }
        if (journal.truncateAfter(seq) < 0) {
            return null;
        }
        publish();
        return truncated;
    }
}

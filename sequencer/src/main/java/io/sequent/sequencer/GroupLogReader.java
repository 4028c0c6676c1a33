package io.sequent.sequencer;

import io.sequent.log.FrameDescriptor;
import io.sequent.log.LogReader;
import io.sequent.log.SeqJournal;
import org.agrona.DirectBuffer;

import java.util.List;

/**
 * Reads journaled batches in group-sequence order, from any seq: what a leader replays to a follower that is
 * behind. Each {@link #next()} finds the next entry of the group-sequence journal and reads that batch, whole and
 * zero-copy, from its partition's log; the batch stays valid until the next call or {@link #close()}. An entry
 * whose partition is no longer open (a deleted topic) or whose batch retention has removed is skipped.
 *
 * <p>One thread per reader. Reading allocates only when it first meets a partition (its log reader).
 */
public final class GroupLogReader implements AutoCloseable {
    private final SeqJournal.Cursor cursor;
    private final List<Partition> partitions;
    private Partition[] cached = new Partition[0];
    private LogReader[] readers = new LogReader[0];
    private Partition partition;
    private DirectBuffer buffer;
    private int offset;
    private int length;

    GroupLogReader(final SeqJournal.Cursor cursor, final List<Partition> partitions) {
        this.cursor = cursor;
        this.partitions = partitions;
    }

    /** Positions the reader before the first batch whose seq is at or above {@code seq}. */
    public GroupLogReader seek(final long seq) {
        cursor.seek(seq);
        return this;
    }

    /**
     * Reads the next batch in seq order.
     *
     * @return true with the batch in {@link #buffer()} at {@link #offset()}; false when there is none yet.
     */
    public boolean next() {
        while (cursor.next()) {
            final int index = readerIndex(cursor.topicId(), cursor.partition());
            if (index < 0) {
                continue;
            }
            final LogReader reader = readers[index];
            final int bytes = reader.read(cursor.baseOffset(), 1, Long.MAX_VALUE);
            if (bytes <= 0) {
                continue;
            }
            final DirectBuffer slice = reader.buffer();
            final int at = reader.bufferOffset();
            if (FrameDescriptor.baseOffset(slice, at) != cursor.baseOffset()) {
                continue;
            }
            partition = cached[index];
            buffer = slice;
            offset = at;
            length = FrameDescriptor.frameLength(slice, at);
            return true;
        }
        return false;
    }

    private int readerIndex(final int topicId, final int partitionId) {
        for (int i = 0; i < cached.length; i++) {
            final Partition p = cached[i];
            if (p.topicId() == topicId && p.partitionId() == partitionId && partitions.contains(p)) {
                return i;
            }
        }
        for (final Partition p : partitions) {
            if (p.topicId() == topicId && p.partitionId() == partitionId) {
                final int i = cached.length;
                cached = java.util.Arrays.copyOf(cached, i + 1);
                readers = java.util.Arrays.copyOf(readers, i + 1);
                cached[i] = p;
                readers[i] = p.log().newReader();
                return i;
            }
        }
        return -1;
    }

    public long seq() {
        return cursor.seq();
    }

    public int epoch() {
        return cursor.epoch();
    }

    public Partition partition() {
        return partition;
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    @Override
    public void close() {
        for (final LogReader reader : readers) {
            reader.close();
        }
    }
}

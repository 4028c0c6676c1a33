package io.sequent.replica;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The simulation's in-memory {@link ReplicaLog} of one member: it tells appended from durable bytes, so a crash can
 * lose every unflushed batch (keeping a random prefix of them, as a page cache partly written back would) and tear
 * the last one. Each batch of the simulation carries an 8-byte write id; control batches get id {@code -epoch}.
 * A prefix hash per seq lets the checker compare whole log prefixes in O(1) (log matching).
 */
final class SimLog implements ReplicaLog {
    /** Hooks the checker installs. */
    interface Listener {
        void onAppend(SimLog log, long seq);

        void onTruncate(SimLog log, long keepSeq);
    }

    final int memberId;
    /** Every append fails while set (a full disk). */
    boolean failAppends;
    private final Listener listener;
    private int[] epochs = new int[1024];
    private int[] topics = new int[1024];
    private int[] partitions = new int[1024];
    private long[] ids = new long[1024];
    private long[] offsets = new long[1024];
    private long[] prefixHash = new long[1024];
    private byte[][] bytes = new byte[1024][];
    private final long[] nextOffset = new long[Simulation.PARTITIONS];
    private final Long2LongHashMap seqById = new Long2LongHashMap(-1L);
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(new byte[0]);
    private long lastSeq;
    private long durableSeq;
    private int generation;
    boolean duplicateSeen;
    long duplicateId;

    SimLog(final int memberId, final Listener listener) {
        this.memberId = memberId;
        this.listener = listener;
    }

    public long lastSeq() {
        return lastSeq;
    }

    @Override
    public boolean appendsFailing() {
        return failAppends;
    }

    public int epochOf(final long seq) {
        if (seq < 0 || seq > lastSeq) {
            throw new IllegalArgumentException("seq " + seq + " outside [0, " + lastSeq + "]");
        }
        return seq == 0 ? 0 : epochs[(int) seq];
    }

    public boolean append(
        final int epoch, final long seq, final int topicId, final int partition, final DirectBuffer buffer,
        final int offset, final int length) {
        if (failAppends) {
            return false;
        }
        if (seq != lastSeq + 1) {
            throw new IllegalStateException("member " + memberId + " append at " + seq + " after " + lastSeq);
        }
        if (epoch < epochOf(lastSeq)) {
            throw new IllegalStateException("member " + memberId + " epoch goes back at " + seq);
        }
        final int i = (int) seq;
        grow(i);
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        final long id = ReplicaNode.CONTROL_TOPIC_ID == topicId ? -epoch : buffer.getLong(offset);
        epochs[i] = epoch;
        topics[i] = topicId;
        partitions[i] = partition;
        ids[i] = id;
        bytes[i] = copy;
        prefixHash[i] = mix(prefixHash[i - 1], epoch, id);
        if (ReplicaNode.CONTROL_TOPIC_ID != topicId) {
            offsets[i] = nextOffset[partition]++;
            if (seqById.containsKey(id)) {
                duplicateSeen = true;
                duplicateId = id;
            }
            seqById.put(id, seq);
        } else {
            offsets[i] = -1;
        }
        lastSeq = seq;
        listener.onAppend(this, seq);
        return true;
    }

    public void truncateTo(final long seq) {
        if (seq < 0 || seq > lastSeq) {
            throw new IllegalArgumentException("truncate to " + seq + " outside [0, " + lastSeq + "]");
        }
        listener.onTruncate(this, seq);
        cut(seq);
        durableSeq = Math.min(durableSeq, seq);
        generation++;
    }

    public boolean read(final long seq, final BatchHandler handler) {
        if (seq < 1 || seq > lastSeq) {
            return false;
        }
        final int i = (int) seq;
        readBuffer.wrap(bytes[i]);
        handler.onBatch(epochs[i], seq, topics[i], partitions[i], readBuffer, 0, bytes[i].length);
        return true;
    }

    /** Flush completed: everything up to {@code seq} (appended before the flush began) is durable. */
    long flush(final long seq, final int flushGeneration) {
        if (flushGeneration == generation) {
            durableSeq = Math.max(durableSeq, Math.min(seq, lastSeq));
        }
        return durableSeq;
    }

    /**
     * Power loss: durable batches survive; of the unflushed tail a random prefix survives and, when
     * {@code torn}, the batch after it was half written and is cut by recovery.
     *
     * @return batches lost.
     */
    long crash(final SplittableRandom random, final boolean torn) {
        final long unflushed = lastSeq - durableSeq;
        long keep = durableSeq + (unflushed > 0 ? random.nextLong(unflushed + 1) : 0);
        if (torn && keep > durableSeq) {
            keep--;
        }
        final long lost = lastSeq - keep;
        cut(keep);
        durableSeq = lastSeq;
        generation++;
        return lost;
    }

    int generation() {
        return generation;
    }

    long durableSeq() {
        return durableSeq;
    }

    long idAt(final long seq) {
        return ids[(int) seq];
    }

    int partitionAt(final long seq) {
        return partitions[(int) seq];
    }

    long offsetAt(final long seq) {
        return offsets[(int) seq];
    }

    long prefixHashAt(final long seq) {
        return prefixHash[(int) seq];
    }

    long seqOf(final long id) {
        return seqById.get(id);
    }

    String describe(final long from, final long to) {
        final StringBuilder sb = new StringBuilder();
        for (long s = Math.max(1, from); s <= Math.min(to, lastSeq); s++) {
            sb.append(' ').append(s).append(':').append(epochs[(int) s]).append('/').append(ids[(int) s]);
        }
        return sb.toString();
    }

    private void cut(final long keep) {
        for (long s = lastSeq; s > keep; s--) {
            final int i = (int) s;
            if (ReplicaNode.CONTROL_TOPIC_ID != topics[i]) {
                nextOffset[partitions[i]]--;
                if (seqById.get(ids[i]) == s) {
                    seqById.remove(ids[i]);
                }
            }
            bytes[i] = null;
        }
        lastSeq = keep;
    }

    private void grow(final int index) {
        if (index >= epochs.length) {
            final int length = epochs.length * 2;
            epochs = Arrays.copyOf(epochs, length);
            topics = Arrays.copyOf(topics, length);
            partitions = Arrays.copyOf(partitions, length);
            ids = Arrays.copyOf(ids, length);
            offsets = Arrays.copyOf(offsets, length);
            prefixHash = Arrays.copyOf(prefixHash, length);
            bytes = Arrays.copyOf(bytes, length);
        }
    }

    private static long mix(final long previous, final int epoch, final long id) {
        long h = previous * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + id;
        h ^= h >>> 31;
        return h * 0xBF58476D1CE4E5B9L;
    }
}

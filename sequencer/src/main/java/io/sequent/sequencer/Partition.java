package io.sequent.sequencer;

import io.sequent.codec.Batches;
import io.sequent.log.FlushPolicy;
import io.sequent.log.FrameDescriptor;
import io.sequent.log.LogReader;
import io.sequent.log.PartitionLog;
import org.agrona.DirectBuffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A partition as the write pipeline sees it: its log, the next offset to assign, its idempotent
 * producers, and the high watermark readers may read up to.
 *
 * <p>Writers: the sequence stage owns {@code nextOffset} and the producer table; the journal stage
 * owns the log's write side and publishes a failure generation with the offset to resume from; the
 * release stage publishes the high watermark. Opening (recovery, producer-state rebuild) happens on
 * the caller's thread before the partition is handed to the ring.
 */
public final class Partition {
    private final String topic;
    private final int topicId;
    private final int partitionId;
    private final PartitionLog log;
    private final boolean logAppendTime;
    private final FlushPolicy flushPolicy;
    private final AtomicLong highWatermark = new AtomicLong();

    // Sequence stage.
    final ProducerStateTable producers = new ProducerStateTable();
    long nextOffset;
    long lastGroupSeq = BatchEvent.NO_GROUP_SEQ;
    int lastEpoch;
    int seenFailureGeneration;

    // Journal stage (published to the sequence stage: resyncOffset before failureGeneration).
    volatile int failureGeneration;
    volatile long resyncOffset;
    boolean pendingFlush;

    Partition(
        final String topic,
        final int topicId,
        final int partitionId,
        final PartitionLog log,
        final FlushPolicy flushPolicy,
        final boolean logAppendTime) {
        this.topic = topic;
        this.topicId = topicId;
        this.partitionId = partitionId;
        this.log = log;
        this.flushPolicy = flushPolicy;
        this.logAppendTime = logAppendTime;
        rebuildFromLog();
        highWatermark.set(nextOffset);
    }

    public String topic() {
        return topic;
    }

    /**
     * The topic's id, carried with every replicated batch and recorded in the group-sequence journal. Set when the
     * partition opens: the broker passes the id its metadata log assigned; callers without a catalog (tests,
     * benchmarks) get {@link #provisionalTopicId(String)}.
     */
    public int topicId() {
        return topicId;
    }

    /**
     * A deterministic stand-in for a topic id, derived from the name (CRC-32C of its UTF-8 bytes, non-negative), so
     * that the same topic has the same id on every start, for callers without a catalog; two names with the same
     * value are refused when the second opens.
     */
    public static int provisionalTopicId(final String topic) {
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(topic.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) crc.getValue() & Integer.MAX_VALUE;
    }

    public int partitionId() {
        return partitionId;
    }

    /** The partition's log: readers use {@link PartitionLog#newReader()}; only the journal stage writes. */
    public PartitionLog log() {
        return log;
    }

    /** Whether the broker stamps record timestamps (LogAppendTime) instead of keeping the producer's. */
    public boolean logAppendTime() {
        return logAppendTime;
    }

    public FlushPolicy flushPolicy() {
        return flushPolicy;
    }

    /** Offsets below this are committed: consumers read up to here and no further. */
    public long highWatermark() {
        return highWatermark.get();
    }

    void advanceHighWatermark(final long nextCommittedOffset) {
        highWatermark.lazySet(nextCommittedOffset);
    }

    /**
     * Re-derives the sequence stage's state from the log: the next offset, the last group sequence,
     * and the idempotent producers' windows. Runs at open, and on the sequence stage after a journal
     * failure (a cold path: it reads the log).
     */
    void rebuildFromLog() {
        producers.clear();
        lastGroupSeq = BatchEvent.NO_GROUP_SEQ;
        lastEpoch = 0;
        try (LogReader reader = log.newReader()) {
            long offset = log.startOffset();
            final long end = log.nextOffset();
            while (offset < end) {
                final int bytes = reader.read(offset, 1 << 20, end);
                if (bytes <= 0) {
                    break;
                }
                final DirectBuffer buffer = reader.buffer();
                int position = reader.bufferOffset();
                final int limit = position + bytes;
                while (position < limit) {
                    final int frameLength = FrameDescriptor.frameLength(buffer, position);
                    if (frameLength <= 0) {
                        break;
                    }
                    replay(buffer, position);
                    offset = FrameDescriptor.lastOffset(buffer, position) + 1;
                    position += FrameDescriptor.alignedLength(frameLength);
                }
                reader.release();
            }
        }
        nextOffset = log.nextOffset();
    }

    private void replay(final DirectBuffer buffer, final int offset) {
        lastGroupSeq = Math.max(lastGroupSeq, Batches.groupSeq(buffer, offset));
        lastEpoch = Math.max(lastEpoch, FrameDescriptor.leaderEpoch(buffer, offset));
        final long producerId = Batches.producerId(buffer, offset);
        if (producerId != Batches.NO_PRODUCER_ID) {
            producers.record(
                producerId,
                Batches.producerEpoch(buffer, offset),
                Batches.baseSequence(buffer, offset),
                Batches.recordCount(buffer, offset),
                Batches.baseOffset(buffer, offset),
                Batches.groupSeq(buffer, offset));
        }
    }

    @Override
    public String toString() {
        return topic + "-" + partitionId;
    }
}

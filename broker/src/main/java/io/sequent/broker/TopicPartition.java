package io.sequent.broker;

import io.sequent.log.LogReader;
import io.sequent.log.PartitionLog;
import io.sequent.sequencer.Partition;

/**
 * One partition of a {@link Topic}: the sequencer's {@link Partition} (log and high watermark) and the
 * fetch thread's reader of it.
 *
 * <p>The reader and {@link #fetchMark} belong to the fetch thread: it creates the reader on first use and
 * closes it when the topic is deleted.
 */
final class TopicPartition {
    private final Topic topic;
    private final int id;
    private final Partition partition;
    private LogReader reader;
    long fetchMark;

    TopicPartition(final Topic topic, final int id, final Partition partition) {
        this.topic = topic;
        this.id = id;
        this.partition = partition;
    }

    /** The topic of this partition. */
    Topic topic() {
        return topic;
    }

    int id() {
        return id;
    }

    Partition partition() {
        return partition;
    }

    PartitionLog log() {
        return partition.log();
    }

    long highWatermark() {
        return partition.highWatermark();
    }

    /** @return the fetch thread's reader, created on first use. Fetch thread. */
    LogReader reader() {
        LogReader current = reader;
        if (null == current) {
            current = partition.log().newReader();
            reader = current;
        }
        return current;
    }

    /** Closes the fetch thread's reader, if any. Fetch thread. */
    void closeReader() {
        final LogReader current = reader;
        if (null != current) {
            reader = null;
            current.close();
        }
    }

    @Override
    public String toString() {
        return partition.toString();
    }
}

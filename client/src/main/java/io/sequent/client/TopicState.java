package io.sequent.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * What the producer's I/O thread knows of one topic: its partition count from metadata, the
 * per-partition queues, the sticky partition for records without key, and the records that wait
 * for the topic's metadata. Single writer: the I/O thread.
 */
final class TopicState {
    final String name;
    final byte[] nameBytes;
    final ArrayDeque<RecordFuture> waiting = new ArrayDeque<>();
    int partitionCount = -1;
    PartitionQueue[] queues = new PartitionQueue[0];
    int stickyPartition = -1;
    int lastSticky = -1;
    boolean metadataInFlight;
    long metadataUpdatedNs;

    TopicState(final String name) {
        this.name = name;
        nameBytes = name.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sets the partition count; queues of partitions that disappeared are kept until empty.
     *
     * @param count partitions, at least 1.
     */
    void partitionCount(final int count) {
        partitionCount = count;
        if (queues.length < count) {
            final PartitionQueue[] grown = new PartitionQueue[count];
            System.arraycopy(queues, 0, grown, 0, queues.length);
            queues = grown;
        }
        if (stickyPartition >= count) {
            stickyPartition = -1;
        }
    }

    PartitionQueue queue(final int partition) {
        PartitionQueue queue = queues[partition];
        if (queue == null) {
            queue = new PartitionQueue(this, partition);
            queues[partition] = queue;
        }
        return queue;
    }

    /**
     * A batch of {@code partition} was closed: records without key move to another partition.
     *
     * @param partition the partition whose batch closed.
     */
    void onBatchClosed(final int partition) {
        if (partition == stickyPartition) {
            stickyPartition = -1;
        }
    }
}

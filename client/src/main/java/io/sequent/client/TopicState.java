package io.sequent.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the producer knows of one topic: its partition count from metadata, the per-partition
 * queues, the sticky partition for records without key, and the records that wait for the topic's
 * metadata.
 *
 * <p>Threads: the I/O thread writes the partition count and the queues (both published through
 * volatile fields, the queues first) and owns {@link #waiting} and the metadata fields. Sending
 * threads read the partition count and queues, and read and write the sticky partition (a race
 * between two senders only picks one of two random partitions). {@link #unrouted} counts records
 * a sender handed to the I/O thread and the I/O thread has not yet appended or failed; while it is
 * not zero, every send of this topic takes the same hand-off, so that a thread's records keep their
 * order.
 */
final class TopicState {
    final String name;
    final byte[] nameBytes;
    final AtomicInteger unrouted = new AtomicInteger();
    volatile int partitionCount = -1;
    volatile PartitionQueue[] queues = new PartitionQueue[0];
    volatile int stickyPartition = -1;
    volatile int lastSticky = -1;

    // I/O thread only
    final ArrayDeque<WaitingRecord> waiting = new ArrayDeque<>();
    boolean registered;
    boolean metadataInFlight;
    long metadataUpdatedNs;

    TopicState(final String name) {
        this.name = name;
        nameBytes = name.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sets the partition count, creating the queues of new partitions first; queues of partitions
     * that disappeared are kept until empty. I/O thread.
     *
     * @param count partitions, at least 1.
     */
    void partitionCount(final int count) {
        final PartitionQueue[] current = queues;
        if (current.length < count) {
            final PartitionQueue[] grown = new PartitionQueue[count];
            System.arraycopy(current, 0, grown, 0, current.length);
            for (int i = current.length; i < count; i++) {
                grown[i] = new PartitionQueue(this, i);
            }
            queues = grown;
        }
        partitionCount = count;
    }

    PartitionQueue queue(final int partition) {
        return queues[partition];
    }

    /**
     * The partition of a record without key or partition: the sticky one, chosen at random (other
     * than the previous one) when none is set. Any thread.
     *
     * @param count the topic's partition count.
     * @return the partition.
     */
    int stickyPartition(final int count) {
        final int sticky = stickyPartition;
        if (sticky >= 0 && sticky < count) {
            return sticky;
        }
        int next;
        if (count == 1) {
            next = 0;
        } else {
            final int previous = lastSticky;
            if (previous < 0 || previous >= count) {
                next = ThreadLocalRandom.current().nextInt(count);
            } else {
                next = ThreadLocalRandom.current().nextInt(count - 1);
                if (next >= previous) {
                    next++;
                }
            }
        }
        lastSticky = next;
        stickyPartition = next;
        return next;
    }

    /**
     * A batch of {@code partition} was closed: records without key move to another partition. Any
     * thread.
     *
     * @param partition the partition whose batch closed.
     */
    void onBatchClosed(final int partition) {
        if (partition == stickyPartition) {
            stickyPartition = -1;
        }
    }
}

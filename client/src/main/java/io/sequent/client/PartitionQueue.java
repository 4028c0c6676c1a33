package io.sequent.client;

import java.util.ArrayDeque;

import io.sequent.codec.BatchBuilder;

/**
 * The batches of one partition on the producer's I/O thread: the open batch records are appended
 * to, the closed batches ready to be sent (in creation order, retries put back in place), and the
 * batches in flight (in send order), with the next producer sequence number and the retry backoff.
 * Single writer: the I/O thread.
 */
final class PartitionQueue {
    final TopicState topic;
    final int partition;
    final ArrayDeque<ProducerBatch> ready = new ArrayDeque<>(8);
    final ArrayDeque<ProducerBatch> inFlight = new ArrayDeque<>(8);
    BatchBuilder builder;
    ProducerBatch open;
    int nextSequence;
    long backoffUntilNs;
    boolean backingOff;
    /** The broker answered STORAGE_ERROR and it was logged; cleared by the next stored batch (I/O thread). */
    boolean storageErrorLogged;
    int openIndex = -1;
    int readyIndex = -1;

    PartitionQueue(final TopicState topic, final int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    /**
     * The sequence after {@code count} records from {@code sequence}, wrapping from
     * {@code Integer.MAX_VALUE} to 0 as Kafka's sequences do.
     *
     * @param sequence a sequence number.
     * @param count    records.
     * @return the next sequence.
     */
    static int nextSequence(final int sequence, final int count) {
        if (sequence > Integer.MAX_VALUE - count) {
            return count - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + count;
    }

    boolean isIdle() {
        return open == null && ready.isEmpty() && inFlight.isEmpty();
    }

    @Override
    public String toString() {
        return topic.name + "-" + partition;
    }
}

package io.sequent.client;

import java.util.ArrayDeque;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.RecordHeaders;

/**
 * The batches of one partition.
 *
 * <p>Two sides, two owners. The append side, guarded by this object's monitor (the partition's
 * append lock): the open batch sending threads append records to, the full batches they closed and
 * the I/O thread has not taken yet ({@link #closed}, in order), whether the partition is queued for
 * the I/O thread's attention, the failure that ends it, and the scratch for encoding record headers.
 * The send side, written by the I/O thread only: the batches ready to be sent (in creation order,
 * retries put back in place), the batches in flight (in send order), the next producer sequence
 * number, the retry backoff and the linger bookkeeping. Batches move from the append side to the
 * send side only on the I/O thread, under the lock, closed ones before the open one, so that a
 * partition's batches are sent in the order their records were appended.
 */
final class PartitionQueue {
    final TopicState topic;
    final int partition;

    // append side: guarded by this
    ProducerBatch open;
    final ArrayDeque<ProducerBatch> closed = new ArrayDeque<>(4);
    boolean notified;
    SequentException dead;
    RecordHeaders headers;
    ExpandableArrayBuffer headerKeyScratch;
    UnsafeBuffer headerValue;

    // send side: I/O thread only
    final ArrayDeque<ProducerBatch> ready = new ArrayDeque<>(8);
    final ArrayDeque<ProducerBatch> inFlight = new ArrayDeque<>(8);
    /** Creation time of the open batch as the I/O thread last saw it, for the linger. */
    long openSinceNs;
    int nextSequence;
    long backoffUntilNs;
    boolean backingOff;
    /** The broker answered STORAGE_ERROR and it was logged; cleared by the next stored batch. */
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

    /**
     * @return the failure that stopped the partition taking records, or null.
     */
    SequentException deadFailure() {
        synchronized (this) {
            return dead;
        }
    }

    @Override
    public String toString() {
        return topic.name + "-" + partition;
    }
}

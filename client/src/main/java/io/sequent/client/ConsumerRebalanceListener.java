package io.sequent.client;

import java.util.Collection;

/**
 * Told of the partitions a consumer of a group gains and gives up, as Kafka's listener of the same name.
 * Called on the thread that calls {@link Consumer#poll} (or {@link Consumer#close}), never concurrently.
 *
 * <p>The group moves partitions incrementally: {@link #onPartitionsRevoked} gets only the partitions leaving
 * this consumer and {@link #onPartitionsAssigned} only those arriving; the consumer keeps reading the rest.
 * A partition is revoked from its old owner (whose positions are committed first when auto-commit is on) before
 * the broker assigns it to a new one.
 */
public interface ConsumerRebalanceListener {
    /**
     * The partitions this consumer gives up, before it stops reading them; commit their offsets here when
     * auto-commit is off.
     *
     * @param partitions the partitions leaving this consumer; empty calls are not made.
     */
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    /**
     * The partitions this consumer gains; their positions are the group's committed offsets (or
     * {@code auto.offset.reset} where none is committed), unless the listener seeks.
     *
     * @param partitions the partitions arriving.
     */
    void onPartitionsAssigned(Collection<TopicPartition> partitions);

    /**
     * The partitions this consumer lost without giving them up (its membership was fenced: evicted after its
     * session timeout, or a stale member epoch); others may already read them, so do not commit.
     * Defaults to {@link #onPartitionsRevoked}, as in Kafka.
     *
     * @param partitions the partitions lost.
     */
    default void onPartitionsLost(final Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
    }
}

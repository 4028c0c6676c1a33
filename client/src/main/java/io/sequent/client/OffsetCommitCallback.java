package io.sequent.client;

import java.util.Map;

/**
 * Told how a {@link Consumer#commitAsync} ended, on the thread that calls {@link Consumer#poll} (or
 * {@link Consumer#commitSync}, {@link Consumer#close}), as Kafka's callback of the same name.
 */
@FunctionalInterface
public interface OffsetCommitCallback {
    /**
     * @param offsets   the offsets the commit carried.
     * @param exception null when every offset is durable on the broker, else why not.
     */
    void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception);
}

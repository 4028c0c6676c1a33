package io.sequent.client;

import java.util.Objects;

/**
 * A partition of a topic.
 *
 * @param topic     the topic name.
 * @param partition the partition number, from 0.
 */
public record TopicPartition(String topic, int partition) {
    /**
     * @param topic     the topic name, not null.
     * @param partition the partition number.
     */
    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}

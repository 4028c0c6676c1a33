package io.sequent.client;

/**
 * Where a sent record was stored.
 *
 * @param topic     the topic.
 * @param partition the partition, -1 when the record failed before a partition was chosen.
 * @param offset    the record's offset, -1 when unknown (acks=0, or a failure).
 * @param timestamp the record's timestamp: the broker's log append time when the topic uses it,
 *                  otherwise the producer's timestamp.
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {
}

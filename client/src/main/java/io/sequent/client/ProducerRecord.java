package io.sequent.client;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A record to send: as Kafka's {@code ProducerRecord}, without serializers (keys and values are bytes).
 *
 * @param topic     the topic, not null.
 * @param partition the partition, or null to let the partitioner choose (murmur2 of the key, or the
 *                  sticky partition for a null key).
 * @param timestamp the record's timestamp in epoch ms, or null for the time of {@code send}.
 * @param key       the key, or null.
 * @param value     the value, or null.
 * @param headers   the headers; null means none.
 */
public record ProducerRecord(
    String topic, Integer partition, Long timestamp, byte[] key, byte[] value, List<Header> headers) {

    /**
     * Checks the arguments: a topic, a non-negative partition and timestamp when given.
     */
    public ProducerRecord {
        Objects.requireNonNull(topic, "topic");
        if (partition != null && partition < 0) {
            throw new IllegalArgumentException("Invalid partition: " + partition + ", partitions are >= 0");
        }
        if (timestamp != null && timestamp < 0) {
            throw new IllegalArgumentException("Invalid timestamp: " + timestamp + ", timestamps are >= 0");
        }
        headers = headers == null ? List.of() : headers;
    }

    /**
     * A keyed record, partitioned by its key, stamped at send time, without headers.
     *
     * @param topic the topic.
     * @param key   the key, or null.
     * @param value the value, or null.
     */
    public ProducerRecord(final String topic, final byte[] key, final byte[] value) {
        this(topic, null, null, key, value, null);
    }

    /**
     * A record without key, partition, timestamp or headers.
     *
     * @param topic the topic.
     * @param value the value, or null.
     */
    public ProducerRecord(final String topic, final byte[] value) {
        this(topic, null, null, null, value, null);
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof ProducerRecord r
            && topic.equals(r.topic)
            && Objects.equals(partition, r.partition)
            && Objects.equals(timestamp, r.timestamp)
            && Arrays.equals(key, r.key)
            && Arrays.equals(value, r.value)
            && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, timestamp, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "ProducerRecord[topic=" + topic + ", partition=" + partition + ", timestamp=" + timestamp
            + ", key=" + (key == null ? "null" : key.length + " bytes")
            + ", value=" + (value == null ? "null" : value.length + " bytes")
            + ", headers=" + headers + "]";
    }
}

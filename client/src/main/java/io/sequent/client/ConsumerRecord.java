package io.sequent.client;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A record read by a {@link Consumer}. Equality compares the key and value bytes.
 *
 * @param topic     the topic.
 * @param partition the partition.
 * @param offset    the record's offset in its partition.
 * @param timestamp epoch ms: the producer's timestamp, or the broker's log append time when the
 *                  topic uses it.
 * @param key       the key, or null.
 * @param value     the value, or null.
 * @param headers   the headers, empty when none.
 */
public record ConsumerRecord(
    String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {

    @Override
    public boolean equals(final Object other) {
        return other instanceof ConsumerRecord r
            && topic.equals(r.topic)
            && partition == r.partition
            && offset == r.offset
            && timestamp == r.timestamp
            && Arrays.equals(key, r.key)
            && Arrays.equals(value, r.value)
            && Objects.equals(headers, r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, timestamp, Arrays.hashCode(key), Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "ConsumerRecord[topic=" + topic + ", partition=" + partition + ", offset=" + offset
            + ", timestamp=" + timestamp
            + ", key=" + (key == null ? "null" : key.length + " bytes")
            + ", value=" + (value == null ? "null" : value.length + " bytes")
            + ", headers=" + headers + "]";
    }
}

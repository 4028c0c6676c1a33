package io.sequent.client;

/**
 * A partition as the broker's metadata describes it.
 *
 * @param topic     the topic.
 * @param partition the partition number.
 * @param leader    the broker id of its leader, -1 when none is known.
 */
public record PartitionInfo(String topic, int partition, int leader) {
}

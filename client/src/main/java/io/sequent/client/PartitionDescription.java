package io.sequent.client;

/**
 * A partition of a described topic.
 *
 * @param partition   the partition number.
 * @param leader      the leader's broker id, -1 when none.
 * @param startOffset the log start offset (the earliest offset still held).
 * @param endOffset   the high watermark: the offset the next committed record will get.
 */
public record PartitionDescription(int partition, int leader, long startOffset, long endOffset) {
}

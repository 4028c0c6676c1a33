package io.sequent.client;

/**
 * An offset found by timestamp ({@link Consumer#offsetsForTimes}).
 *
 * @param offset    the first offset whose record timestamp is at or after the one asked for.
 * @param timestamp that record's timestamp.
 */
public record OffsetAndTimestamp(long offset, long timestamp) {
}

package io.sequent.client;

/**
 * A record whose topic's metadata the producer does not know yet: {@link Producer#send} hands it to
 * the I/O thread, which appends it once the metadata arrives (or fails it after {@code max.block.ms}).
 * The slow path of a send, taken by the first records of a topic only; the object is immutable
 * once published through the hand-off queue.
 */
final class WaitingRecord {
    final TopicState topic;
    final ProducerRecord record;
    final Callback callback;
    final long timestamp;
    final long createdNs;
    final int encodedSize;

    WaitingRecord(
        final TopicState topic,
        final ProducerRecord record,
        final Callback callback,
        final long timestamp,
        final long createdNs,
        final int encodedSize) {
        this.topic = topic;
        this.record = record;
        this.callback = callback;
        this.timestamp = timestamp;
        this.createdNs = createdNs;
        this.encodedSize = encodedSize;
    }

    void fail(final SequentException failure) {
        RecordFuture.complete(callback, record.topic(), record.partition() == null ? -1 : record.partition(), -1,
            timestamp, failure);
    }
}

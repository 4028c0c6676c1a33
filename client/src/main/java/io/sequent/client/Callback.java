package io.sequent.client;

/**
 * Called once when a sent record is acknowledged or has failed. Callbacks run on the producer's
 * I/O thread (or, for a record refused before it was accepted, on the sending thread): they must be
 * quick and must not block (hand work to another thread instead). Callbacks of records sent to the
 * same partition run in the order the batches are acknowledged, and within a batch in send order.
 *
 * <p>The producer calls {@link #onCompletion(String, int, long, long, Exception)}, which by default
 * wraps its arguments in a {@link RecordMetadata} for {@link #onCompletion(RecordMetadata, Exception)}.
 * A callback that overrides the five-argument form receives the fields as they are, and then
 * completing a record allocates nothing.
 */
@FunctionalInterface
public interface Callback {
    /**
     * @param metadata  where the record went; on failure the topic and partition (-1 when not yet
     *                  chosen) with offset -1.
     * @param exception null on success, else the failure (a {@link SequentException}).
     */
    void onCompletion(RecordMetadata metadata, Exception exception);

    /**
     * The completion as fields; override it to avoid the {@link RecordMetadata} per record.
     *
     * @param topic     the record's topic.
     * @param partition its partition, -1 when none was chosen.
     * @param offset    its offset, -1 when unknown (acks=0, or a failure).
     * @param timestamp the broker's log append time when the topic uses it, else the record's timestamp.
     * @param exception null on success, else the failure (a {@link SequentException}).
     */
    default void onCompletion(
        final String topic, final int partition, final long offset, final long timestamp, final Exception exception) {
        onCompletion(new RecordMetadata(topic, partition, offset, timestamp), exception);
    }
}

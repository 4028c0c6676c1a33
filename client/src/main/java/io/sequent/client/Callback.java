package io.sequent.client;

/**
 * Called once when a sent record is acknowledged or has failed. Callbacks run on the producer's
 * I/O thread: they must be quick and must not block (hand work to another thread instead). Callbacks
 * of records sent to the same partition run in the order the batches are acknowledged.
 */
@FunctionalInterface
public interface Callback {
    /**
     * @param metadata  where the record went; on failure the topic and partition (-1 when not yet
     *                  chosen) with offset -1.
     * @param exception null on success, else the failure (a {@link SequentException}).
     */
    void onCompletion(RecordMetadata metadata, Exception exception);
}

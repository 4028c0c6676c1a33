package io.sequent.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.BatchBuilder;

/**
 * The future {@link Producer#send(ProducerRecord)} returns: a {@link Callback} that completes itself,
 * so that a record sent for a future travels exactly as one sent with a callback.
 */
final class RecordFuture extends CompletableFuture<RecordMetadata> implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(RecordFuture.class);

    @Override
    public void onCompletion(final RecordMetadata metadata, final Exception exception) {
        if (exception == null) {
            complete(metadata);
        } else {
            completeExceptionally(exception);
        }
    }

    /**
     * Bytes the record takes inside an uncompressed batch.
     *
     * @param record the record.
     * @return its encoded length.
     */
    static int encodedSize(final ProducerRecord record) {
        final byte[] key = record.key();
        final byte[] value = record.value();
        long size = BatchBuilder.encodedRecordLength(
            key == null ? -1 : key.length, value == null ? -1 : value.length, null);
        final List<Header> headers = record.headers();
        for (int i = 0, n = headers.size(); i < n; i++) {
            final Header header = headers.get(i);
            size += 2 * Integer.BYTES + Utf8.encodedLength(header.key())
                + (header.value() == null ? 0 : header.value().length);
        }
        return size > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) size;
    }

    /**
     * Runs a callback, logging (never propagating) what it throws.
     *
     * @param callback  the callback, or null.
     * @param topic     the record's topic.
     * @param partition its partition, -1 when none was chosen.
     * @param offset    its offset, -1 when unknown.
     * @param timestamp its timestamp.
     * @param exception null on success, else the failure.
     */
    static void complete(
        final Callback callback,
        final String topic,
        final int partition,
        final long offset,
        final long timestamp,
        final Exception exception) {
        if (callback != null) {
            try {
                callback.onCompletion(topic, partition, offset, timestamp, exception);
            } catch (final RuntimeException ex) {
                LOG.error("producer callback for {} threw", topic, ex);
            }
        }
    }
}

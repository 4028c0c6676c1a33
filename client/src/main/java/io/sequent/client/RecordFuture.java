package io.sequent.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.BatchBuilder;

/**
 * The future {@link Producer#send} returns, which also carries the record to the I/O thread: the
 * one object allocated per send besides the user's record. Fields are written by the sending thread
 * before the hand-off queue publishes the future, then only read, except {@link #partition}, which
 * the I/O thread owns.
 */
final class RecordFuture extends CompletableFuture<RecordMetadata> {
    private static final Logger LOG = LoggerFactory.getLogger(RecordFuture.class);

    final ProducerRecord record;
    final Callback callback;
    final long timestamp;
    final long createdNs;
    final int encodedSize;
    int partition = -1;

    RecordFuture(final ProducerRecord record, final Callback callback, final long timestamp, final long createdNs) {
        this.record = record;
        this.callback = callback;
        this.timestamp = timestamp;
        this.createdNs = createdNs;
        this.encodedSize = encodedSize(record);
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

    void succeed(final int partition, final long offset, final long timestamp) {
        final RecordMetadata metadata = new RecordMetadata(record.topic(), partition, offset, timestamp);
        invokeCallback(metadata, null);
        complete(metadata);
    }

    void fail(final SequentException failure) {
        final RecordMetadata metadata = new RecordMetadata(record.topic(), partition, -1, timestamp);
        invokeCallback(metadata, failure);
        completeExceptionally(failure);
    }

    private void invokeCallback(final RecordMetadata metadata, final Exception failure) {
        if (callback != null) {
            try {
                callback.onCompletion(metadata, failure);
            } catch (final RuntimeException ex) {
                LOG.error("producer callback for {} threw", record.topic(), ex);
            }
        }
    }
}

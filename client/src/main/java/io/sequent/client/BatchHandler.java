package io.sequent.client;

import org.agrona.DirectBuffer;

/**
 * Receives the outcome of each {@link ProducerBatch} send on the I/O thread: the producer's sender.
 */
interface BatchHandler {
    /**
     * An acks=0 batch is in the publication: it is complete.
     *
     * @param batch the batch.
     * @param nowNs the I/O thread's clock.
     */
    void onBatchSent(ProducerBatch batch, long nowNs);

    /**
     * The broker's ProduceResponse.
     *
     * @param batch  the batch.
     * @param buffer holding the validated ProduceResponse.
     * @param offset first byte of its header.
     * @param nowNs  the I/O thread's clock.
     */
    void onBatchResponse(ProducerBatch batch, DirectBuffer buffer, int offset, long nowNs);

    /**
     * No ProduceResponse: error response, timeout, lost connection, closed client.
     *
     * @param batch   the batch.
     * @param failure what happened.
     * @param nowNs   the I/O thread's clock.
     */
    void onBatchFailure(ProducerBatch batch, SequentException failure, long nowNs);
}

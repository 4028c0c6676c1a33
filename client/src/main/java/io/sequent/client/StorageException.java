package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * The broker could not store a batch: its disk is full or failing (error code {@link ErrorCode#STORAGE_ERROR}).
 * Retriable: the producer sends the batch again until {@code delivery.timeout.ms}, and writing resumes as soon as
 * the broker's log can take data. The producer logs the first such answer per partition at once (WARN), so a full
 * disk is seen when it happens, not when the delivery timeout expires.
 */
public class StorageException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     */
    public StorageException(final String message) {
        super(ErrorCode.STORAGE_ERROR, message);
    }
}

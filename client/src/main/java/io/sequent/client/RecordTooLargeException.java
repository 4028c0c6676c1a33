package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * A record, or a fetched batch, is larger than the configured or the protocol's maximum (producer:
 * {@code max.request.size} or {@code buffer.memory}; broker: its maximum batch size).
 * Error code {@link ErrorCode#RECORD_TOO_LARGE}.
 */
public class RecordTooLargeException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     */
    public RecordTooLargeException(final String message) {
        super(ErrorCode.RECORD_TOO_LARGE, message);
    }
}

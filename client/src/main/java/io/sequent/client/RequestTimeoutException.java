package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * A request got no answer in time ({@code request.timeout.ms}), a record could not be delivered within
 * {@code delivery.timeout.ms}, or the broker itself gave up waiting (acks=all).
 * Error code {@link ErrorCode#REQUEST_TIMED_OUT}.
 */
public class RequestTimeoutException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     */
    public RequestTimeoutException(final String message) {
        super(ErrorCode.REQUEST_TIMED_OUT, message);
    }

    /**
     * @param message what failed.
     * @param cause   the last error seen before the time ran out (for example a {@link StorageException}), or null.
     */
    public RequestTimeoutException(final String message, final Throwable cause) {
        super(ErrorCode.REQUEST_TIMED_OUT, message, cause);
    }
}

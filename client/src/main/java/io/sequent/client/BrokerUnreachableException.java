package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * No broker could be reached: no address of {@code bootstrap.servers} connected and answered the
 * session handshake within {@code connect.timeout.ms}, or an established connection was lost.
 * Retriable; its error code is {@link ErrorCode#NULL_VAL} as the broker never answered.
 */
public class BrokerUnreachableException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what could not be reached.
     */
    public BrokerUnreachableException(final String message) {
        super(ErrorCode.NULL_VAL, message);
    }

    @Override
    public boolean isRetriable() {
        return true;
    }
}

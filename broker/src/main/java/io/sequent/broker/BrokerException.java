package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;

/**
 * The broker's unchecked exception for cold paths: bad configuration, a data directory that cannot be
 * used, a topic operation that fails. Hot paths never throw; they answer with an {@link ErrorCode}.
 * {@link #code()} carries the protocol error code a request failing this way is answered with.
 */
public class BrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code    the protocol error code of the failure.
     * @param message what went wrong, naming the key, file or topic involved.
     */
    public BrokerException(final ErrorCode code, final String message) {
        super(message);
        this.code = code;
    }

    /**
     * @param code    the protocol error code of the failure.
     * @param message what went wrong, naming the key, file or topic involved.
     * @param cause   the underlying failure.
     */
    public BrokerException(final ErrorCode code, final String message, final Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * @return the protocol error code of the failure.
     */
    public ErrorCode code() {
        return code;
    }

    static BrokerException invalidConfig(final String key, final Object value, final String rule) {
        return new BrokerException(ErrorCode.INVALID_CONFIG, key + " " + rule + ", was '" + value + "'");
    }
}

package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * The topic or partition does not exist: the broker's metadata does not list it.
 * Error code {@link ErrorCode#UNKNOWN_TOPIC_OR_PARTITION}.
 */
public class UnknownTopicException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     */
    public UnknownTopicException(final String message) {
        super(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message);
    }
}

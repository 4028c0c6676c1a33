package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * A topic of that name already exists.
 * Error code {@link ErrorCode#TOPIC_ALREADY_EXISTS}.
 */
public class TopicExistsException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     */
    public TopicExistsException(final String message) {
        super(ErrorCode.TOPIC_ALREADY_EXISTS, message);
    }
}

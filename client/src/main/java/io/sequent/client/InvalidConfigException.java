package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * A configuration value is missing, malformed or out of range; the message names the property key.
 * Also reported for a broker's {@link ErrorCode#INVALID_CONFIG} answer (a topic config it refuses).
 */
public class InvalidConfigException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the key.
     */
    public InvalidConfigException(final String message) {
        super(ErrorCode.INVALID_CONFIG, message);
    }

    /**
     * @param key    the property key.
     * @param value  the value given.
     * @param reason what the value must be.
     * @return a new exception for {@code key}.
     */
    static InvalidConfigException forKey(final String key, final Object value, final String reason) {
        return new InvalidConfigException("Invalid value '" + value + "' for configuration " + key + ": " + reason);
    }
}

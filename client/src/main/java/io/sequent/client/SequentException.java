package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * The one unchecked exception of the client: every failure a producer, consumer or admin reports
 * is a {@code SequentException} or one of its subclasses, carrying the protocol's {@link ErrorCode}.
 *
 * <p>{@link #errorCode()} is the broker's answer when the broker reported the failure, or the code
 * that best names a failure the client detected itself (for example {@link ErrorCode#REQUEST_TIMED_OUT}
 * for a request that got no answer in time). {@link ErrorCode#NULL_VAL} means the failure has no
 * protocol equivalent (a closed client, a wakeup).
 *
 * <p>{@link #isRetriable()} says whether the same operation may succeed if tried again later; the
 * producer retries retriable failures by itself until {@code delivery.timeout.ms}.
 */
public class SequentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    /**
     * @param errorCode the protocol error, never null ({@link ErrorCode#NULL_VAL} for none).
     * @param message   what failed, for people.
     */
    public SequentException(final ErrorCode errorCode, final String message) {
        this(errorCode, message, null);
    }

    /**
     * @param errorCode the protocol error, never null ({@link ErrorCode#NULL_VAL} for none).
     * @param message   what failed, for people.
     * @param cause     the underlying failure, or null.
     */
    public SequentException(final ErrorCode errorCode, final String message, final Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode == null ? ErrorCode.NULL_VAL : errorCode;
    }

    /**
     * The protocol error code of this failure.
     *
     * @return the code; {@link ErrorCode#NULL_VAL} when the failure has no protocol equivalent.
     */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /**
     * Whether trying the same operation again may succeed.
     *
     * @return true for transient conditions (back-pressure, timeouts, leader changes, storage errors).
     */
    public boolean isRetriable() {
        return isRetriable(errorCode);
    }

    /**
     * Whether a broker error code names a transient condition. These are the codes the protocol
     * (docs/protocol-sessions.md) lists as retriable, plus {@link ErrorCode#NOT_ENOUGH_REPLICAS}
     * (a replica group short of members may heal) and {@link ErrorCode#UNKNOWN_SESSION} (the client
     * reconnects by itself).
     *
     * @param code a protocol error code.
     * @return true when a retry may succeed.
     */
    public static boolean isRetriable(final ErrorCode code) {
        if (code == null) {
            return false;
        }
        switch (code) {
            case BACK_PRESSURED:
            case NOT_LEADER:
            case REQUEST_TIMED_OUT:
            case STORAGE_ERROR:
            case COORDINATOR_NOT_AVAILABLE:
            case NOT_ENOUGH_REPLICAS:
            case UNKNOWN_SESSION:
                return true;
            default:
                return false;
        }
    }

    /**
     * The exception for a broker's error code: the matching subclass where there is one.
     *
     * @param code    the broker's error code.
     * @param message what failed.
     * @return a new exception; never thrown by this method.
     */
    public static SequentException of(final ErrorCode code, final String message) {
        if (code == null) {
            return new SequentException(ErrorCode.NULL_VAL, message);
        }
        switch (code) {
            case UNKNOWN_TOPIC_OR_PARTITION:
                return new UnknownTopicException(message);
            case TOPIC_ALREADY_EXISTS:
                return new TopicExistsException(message);
            case RECORD_TOO_LARGE:
                return new RecordTooLargeException(message);
            case REQUEST_TIMED_OUT:
                return new RequestTimeoutException(message);
            case INVALID_CONFIG:
                return new InvalidConfigException(message);
            case OFFSET_OUT_OF_RANGE:
                return new OffsetOutOfRangeException(message);
            case STORAGE_ERROR:
                return new StorageException(message);
            case FENCED_INSTANCE_ID:
                return new FencedInstanceIdException(message);
            default:
                return new SequentException(code, message);
        }
    }
}

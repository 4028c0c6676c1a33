package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * Another consumer joined the group with this consumer's {@code group.instance.id}: this one is no longer a
 * member (the broker answers FENCED_INSTANCE_ID). Fatal for the consumer, as in Kafka: it does not join again,
 * and every later {@link Consumer#poll} throws it; close it.
 */
public class FencedInstanceIdException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which member and instance id.
     */
    public FencedInstanceIdException(final String message) {
        super(ErrorCode.FENCED_INSTANCE_ID, message);
    }
}

package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * Thrown by a blocking {@link Consumer} call that was interrupted by {@link Consumer#wakeup()}.
 * Its error code is {@link ErrorCode#NULL_VAL}.
 */
public class WakeupException extends SequentException {
    private static final long serialVersionUID = 1L;

    /** A wakeup. */
    public WakeupException() {
        super(ErrorCode.NULL_VAL, "woken up");
    }
}

package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * A fetch position lies outside the partition's [log start, high watermark] range and
 * {@code auto.offset.reset} is {@code none}.
 * Error code {@link ErrorCode#OFFSET_OUT_OF_RANGE}.
 */
public class OffsetOutOfRangeException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     */
    public OffsetOutOfRangeException(final String message) {
        super(ErrorCode.OFFSET_OUT_OF_RANGE, message);
    }
}

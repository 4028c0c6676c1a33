package io.sequent.client;

import io.sequent.codec.client.ErrorCode;

/**
 * A producer's {@code send} waited {@code max.block.ms} for room in its {@code buffer.memory} (or its
 * hand-off queue to the I/O thread) and found none: the producer is sending faster than the broker
 * takes records. Back-pressure, hence retriable, with error code {@link ErrorCode#BACK_PRESSURED}.
 */
public class BufferExhaustedException extends SequentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was exhausted.
     */
    public BufferExhaustedException(final String message) {
        super(ErrorCode.BACK_PRESSURED, message);
    }
}

package io.sequent.replica;

import org.agrona.DirectBuffer;

/** Where a {@link ReplicationPublisher} offers each encoded frame: an Aeron publication in the broker. */
@FunctionalInterface
public interface FrameSink {
    /**
     * @param buffer holding the frame, valid only during the call.
     * @param offset of the first byte (the SBE message header).
     * @param length of the frame.
     * @return true if the frame was taken; false on back-pressure or when not connected.
     */
    boolean offer(DirectBuffer buffer, int offset, int length);
}

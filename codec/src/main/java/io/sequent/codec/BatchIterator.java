package io.sequent.codec;

import org.agrona.DirectBuffer;

/**
 * Steps through batch frames laid back to back in a region: a segment slice, a FetchResponse's
 * {@code records}, a replay chunk. Each frame starts {@link Batches#alignedLength} of the previous
 * frame's length after it, alignment being relative to the region's start (which is a frame start).
 *
 * <p>Iteration stops cleanly, never throwing, at the first of:
 * <ul>
 *   <li>the end of the region, or a zero frame length (the unwritten, zero-filled tail of a
 *       pre-allocated segment) or zero padding: {@link #isTruncated()} and {@link #isMalformed()} false;</li>
 *   <li>a frame whose length runs past the end of the region, as a fetch cut at its byte limit leaves
 *       it: {@link #isTruncated()} true;</li>
 *   <li>a length that no frame can have (negative, or shorter than {@link Batches#MIN_FRAME_LENGTH}):
 *       {@link #isMalformed()} true.</li>
 * </ul>
 * The iterator checks lengths only; {@link Batches#validate} or {@link BatchReader#wrap} check each
 * frame. Reusable and allocation-free.
 */
public final class BatchIterator {
    private DirectBuffer buffer;
    private int start;
    private int limit;
    private int position;
    private int frameOffset;
    private int frameLength;
    private boolean truncated;
    private boolean malformed;
    private boolean done;

    /**
     * Starts iterating over {@code [offset, offset + length)}. A region outside the buffer is
     * reported as malformed at once.
     *
     * @param buffer holding the frames.
     * @param offset first byte of the first frame.
     * @param length bytes in the region.
     * @return this.
     */
    public BatchIterator reset(final DirectBuffer buffer, final int offset, final int length) {
        this.buffer = buffer;
        frameOffset = -1;
        frameLength = 0;
        truncated = false;
        final boolean inBounds = buffer != null && offset >= 0 && length >= 0 && offset <= buffer.capacity() - length;
        malformed = !inBounds;
        done = !inBounds;
        start = inBounds ? offset : 0;
        limit = inBounds ? offset + length : 0;
        position = start;
        return this;
    }

    /**
     * Moves to the next whole frame.
     *
     * @return true when {@link #frameOffset()} and {@link #frameLength()} name a frame that lies
     *     entirely inside the region.
     */
    public boolean next() {
        if (done) {
            return false;
        }
        final int remaining = limit - position;
        if (remaining < Integer.BYTES) {
            done = true;
            for (int i = position; i < limit; i++) {
                if (buffer.getByte(i) != 0) {
                    truncated = true;
                    break;
                }
            }
            return false;
        }
        final int length = Batches.frameLength(buffer, position);
        if (length == 0) {
            done = true;
            return false;
        }
        if (length < 0 || length < Batches.MIN_FRAME_LENGTH) {
            done = true;
            malformed = true;
            return false;
        }
        if (length > remaining) {
            done = true;
            truncated = true;
            return false;
        }
        frameOffset = position;
        frameLength = length;
        final long aligned = ((long) length + Batches.FRAME_ALIGNMENT - 1) & -Batches.FRAME_ALIGNMENT;
        position = aligned >= remaining ? limit : position + (int) aligned;
        return true;
    }

    /**
     * Start of the current frame.
     *
     * @return the offset in the buffer, or -1 before the first frame.
     */
    public int frameOffset() {
        return frameOffset;
    }

    public int frameLength() {
        return frameLength;
    }

    /**
     * Where the next frame would start (after iteration ends: where it stopped).
     *
     * @return an offset in the buffer.
     */
    public int position() {
        return position;
    }

    /**
     * Bytes of the region consumed by whole frames so far, padding included.
     *
     * @return position - start of the region.
     */
    public int consumed() {
        return position - start;
    }

    /**
     * Whether iteration stopped at a partial trailing frame.
     *
     * @return true when the region ends inside a frame.
     */
    public boolean isTruncated() {
        return truncated;
    }

    /**
     * Whether iteration stopped at an impossible length or the region was outside the buffer.
     *
     * @return true on corruption.
     */
    public boolean isMalformed() {
        return malformed;
    }
}

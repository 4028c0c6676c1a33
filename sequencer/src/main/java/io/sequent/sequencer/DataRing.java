package io.sequent.sequencer;

import com.lmax.disruptor.Sequence;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The off-heap byte ring that holds the batches referenced by the sequencer's ring slots, so that a
 * slot costs a few words and batches can be any size up to half the ring.
 *
 * <p>Space is claimed contiguously at the tail, in {@link #ALIGNMENT}-byte steps; a claim that would
 * straddle the end skips to the start (the skipped bytes count as used until released). Positions
 * are unwrapped byte counts. The ingress thread is the only writer of the tail; the release stage is
 * the only writer of the head, which it advances to a slot's {@code dataEnd} as it frees the slot.
 */
final class DataRing {
    static final int ALIGNMENT = 64;

    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int mask;
    private final Sequence head = new Sequence(0);
    private long tail;
    private long claimEnd;

    DataRing(final int capacity) {
        if (!BitUtil.isPowerOfTwo(capacity)) {
            throw new IllegalArgumentException("data ring capacity must be a power of two: " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity).order(java.nio.ByteOrder.LITTLE_ENDIAN));
    }

    UnsafeBuffer buffer() {
        return buffer;
    }

    /**
     * Claims {@code length} contiguous bytes (ingress thread only).
     *
     * @return the offset of the claimed bytes, or -1 when the ring has no room now.
     */
    int claim(final int length) {
        final int aligned = BitUtil.align(length, ALIGNMENT);
        final int index = (int) (tail & mask);
        final int padding = index + aligned > capacity ? capacity - index : 0;
        final long newTail = tail + padding + aligned;
        if (newTail - head.get() > capacity) {
            return -1;
        }
        tail = newTail;
        claimEnd = newTail;
        return padding == 0 ? index : 0;
    }

    /** The unwrapped end position of the last successful claim. */
    long claimEnd() {
        return claimEnd;
    }

    /** Frees every byte before {@code position} (release stage only). */
    void release(final long position) {
        head.set(position);
    }
}

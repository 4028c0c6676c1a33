package io.sequent.log;

import java.util.Arrays;

/**
 * The segments of a partition, oldest first, as an immutable array that is replaced, never changed in place.
 * Readers (any thread) take a snapshot with a single volatile read and search it without locking. Replacements
 * happen on cold paths only (roll and truncation on the writer thread, retention on the janitor thread, close),
 * under {@link #mutex()}, so that a compound change such as a truncation sees no concurrent retention.
 */
final class SegmentList {
    private static final Segment[] EMPTY = new Segment[0];

    private final Object mutex = new Object();
    private volatile Segment[] segments;

    SegmentList(final Segment[] initial) {
        this.segments = initial;
    }

    /** The lock held while a compound change reads and replaces the array. */
    Object mutex() {
        return mutex;
    }

    /** The current segments, oldest first. Any thread; allocation-free. */
    Segment[] snapshot() {
        return segments;
    }

    /** Replace the array. Caller holds {@link #mutex()}. */
    void replace(final Segment[] updated) {
        segments = updated;
    }

    /** Add a segment after the last. Writer thread. */
    void append(final Segment segment) {
        synchronized (mutex) {
            final Segment[] current = segments;
            final Segment[] updated = Arrays.copyOf(current, current.length + 1);
            updated[current.length] = segment;
            segments = updated;
        }
    }

    /** Replace the last segment. Writer thread. */
    void replaceLast(final Segment segment) {
        synchronized (mutex) {
            final Segment[] updated = segments.clone();
            updated[updated.length - 1] = segment;
            segments = updated;
        }
    }

    /** Empty the list, returning what it held. Closing thread. */
    Segment[] clear() {
        synchronized (mutex) {
            final Segment[] current = segments;
            segments = EMPTY;
            return current;
        }
    }

    /** The segment that holds {@code offset} (the last one whose base offset is at or below it), or null. */
    Segment floor(final long offset) {
        final Segment[] current = segments;
        final int index = floorIndex(current, offset);
        return index < 0 ? null : current[index];
    }

    /**
     * @return the index of the last segment whose base offset is at or below {@code offset}, or -1.
     */
    static int floorIndex(final Segment[] segments, final long offset) {
        int low = 0;
        int high = segments.length - 1;
        int found = -1;
        while (low <= high) {
            final int mid = (low + high) >>> 1;
            if (segments[mid].baseOffset() <= offset) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    /** Bytes of frames held. Any thread. */
    long sizeInBytes() {
        long size = 0;
        for (final Segment segment : segments) {
            size += segment.size();
        }
        return size;
    }
}

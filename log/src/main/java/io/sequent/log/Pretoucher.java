package io.sequent.log;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Touches the pages of a log's active segment ahead of its writer, off the write path, so that the writer's
 * first store to a page of a fresh mapping finds the page already mapped writable instead of taking the page
 * fault (and, for a shared file mapping, the file system's {@code page_mkwrite} call) itself.
 * <pre>
 *  0                  published   next untouched page                     published + lead       mapped length
 *  +------------------+-----------+---------------------------------------+-----------------------+
 *  | frames (writer)  | (writer)  | touched by earlier and by this call   | zeros, not yet touched |
 *  +------------------+-----------+---------------------------------------+-----------------------+
 *                     ^ the writer may be copying the next frame from here on, into any page
 * </pre>
 * A touch is an atomic compare-and-set of the int at the page's start from 0 to 0: a write access, so the
 * kernel maps the page writable (and dirty), that stores nothing but the zero already there, and stores nothing
 * at all when the writer got there first. It is therefore safe on any page, even one the writer is filling at
 * the same moment; only pages from the first page boundary at or above the writer's published end are touched
 * (the pages below hold frames and are mapped already). Each call touches up to {@code lead} bytes beyond the
 * published end, and only when the writer has moved since the previous call or the segment is new, so a quiet
 * partition costs two volatile reads per call and no dirty pages.
 * <p>
 * The segment's file must not shrink below a page being touched (a touch beyond the end of a file is SIGBUS):
 * each run of touches is bracketed by {@link Segment#beginTouch} and {@link Segment#endTouch}, which
 * {@link Segment#finish()} respects (see there).
 * <p>
 * Threads: one toucher thread (the janitor); this object's state is confined to it. The caller holds a reference
 * on the segment ({@link Segment#tryAcquire()}) for the duration of {@link #touch}, so the mapping stays valid.
 */
final class Pretoucher {
    /** Distance between touches: the smallest page size of the platforms the log runs on. */
    static final int PAGE_SIZE = 4096;

    private final int lead;
    private Segment segment;
    private int lastPublished = -1;
    private int touchedTo;
    private long pagesTouched;

    /**
     * @param lead bytes beyond the writer's published end to keep touched; see {@link LogConfig#pretouchBytes()}.
     */
    Pretoucher(final int lead) {
        this.lead = lead;
    }

    /**
     * Touch the pages of {@code active} from the writer's published end up to {@code lead} bytes beyond it (the
     * pages already touched by an earlier call are skipped). Toucher thread; allocation-free.
     *
     * @param active the log's active segment, referenced by the caller.
     * @return the number of pages touched by this call.
     */
    int touch(final Segment active) {
        if (0 == lead) {
            return 0;
        }
        final int published = active.publishedPosition();
        if (active != segment) {
            segment = active;
            touchedTo = 0;
        } else if (published == lastPublished) {
            return 0;
        }
        lastPublished = published;

        final int mappedLength = active.mappedLength();
        final int from = Math.max(touchedTo, pageCeiling(published));
        final int to = (int) Math.min(mappedLength, (long) published + lead);
        if (from >= to) {
            return 0;
        }
        if (!active.beginTouch(to)) {
            return 0;
        }
        int pages = 0;
        try {
            pages = touchPages(active.buffer(), from, to);
        } finally {
            active.endTouch();
        }
        touchedTo = from + pages * PAGE_SIZE;
        pagesTouched += pages;
        return pages;
    }

    /**
     * Touch every page that starts in {@code [from, to)} of a mapping nobody else writes yet or whose writer only
     * ever writes above a zero (see the class description).
     *
     * @param buffer the mapping.
     * @param from   a page boundary.
     * @param to     end of the range (exclusive).
     * @return the number of pages touched.
     */
    static int touchPages(final UnsafeBuffer buffer, final int from, final int to) {
        int pages = 0;
        final int limit = Math.min(to, buffer.capacity() - Integer.BYTES + 1);
        for (int position = from; position < limit; position += PAGE_SIZE) {
            buffer.compareAndSetInt(position, 0, 0);
            pages++;
        }
        return pages;
    }

    /** @return pages touched since this pretoucher was made. Toucher thread. */
    long pagesTouched() {
        return pagesTouched;
    }

    /** @return end of the range touched in the current segment (a page boundary). Toucher thread. */
    int touchedTo() {
        return touchedTo;
    }

    static int pageCeiling(final int position) {
        return (int) (((long) position + PAGE_SIZE - 1) & -PAGE_SIZE);
    }
}

package io.sequent.log;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sequent.log.FrameDescriptor.BASE_OFFSET_OFFSET;
import static io.sequent.log.FrameDescriptor.LENGTH_OFFSET;
import static io.sequent.log.FrameDescriptor.MIN_FRAME_LENGTH;
import static io.sequent.log.FrameDescriptor.RECORD_COUNT_OFFSET;
import static io.sequent.log.FrameDescriptor.alignedLength;

/**
 * Reads runs of whole frames from a {@link PartitionLog}, zero-copy: {@link #buffer()} is a view of the mapped
 * segment. Used by one thread at a time and reused across reads; a read allocates nothing and takes no lock.
 * <p>
 * A successful read holds the segment it read from (a reference count), so retention or truncation can unlink
 * the segment but not unmap it while the slice is in use. The hold ends with the next read, {@link #release()} or
 * {@link #close()}: copy what you need out of the slice before that.
 * <p>
 * The frames in a slice are laid out as in the segment: each starts on an 8-byte boundary relative to the slice
 * start (zero padding between frames), so a consumer steps by {@link FrameDescriptor#alignedLength(int) }; the
 * slice ends at the end of its last frame, without trailing padding.
 */
public final class LogReader implements AutoCloseable {
    private static final int MAX_ATTEMPTS = 16;
    private static final byte[] EMPTY = new byte[0];

    private final PartitionLog log;
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private Segment held;
    private boolean closed;

    LogReader(final PartitionLog log) {
        this.log = log;
    }

    /**
     * Find the frame holding {@code offset} (index lookup, then a scan) and return the length of the contiguous
     * run of whole frames starting there whose last offsets are all below {@code maxOffsetExclusive}, at most
     * {@code maxBytes} long, except that the first frame is returned whole whatever its size so that a consumer
     * can always make progress. A read never crosses a segment boundary: read again from the next offset.
     *
     * @param offset             the first offset wanted; the slice starts at the batch that holds it.
     * @param maxBytes           the most bytes wanted (the first frame is returned whole regardless).
     * @param maxOffsetExclusive frames whose last offset is at or above this are not returned (the high
     *                           watermark, or {@link Long#MAX_VALUE}).
     * @return the slice length (&gt; 0) with the slice in {@link #buffer()} at {@link #bufferOffset()}; 0 when
     * nothing is available yet; {@link LogResult#OFFSET_OUT_OF_RANGE} when {@code offset} is below
     * {@link PartitionLog#startOffset()} or above the visible end; {@link LogResult#CLOSED}.
     */
    public int read(final long offset, final int maxBytes, final long maxOffsetExclusive) {
        release();
        if (closed || log.isClosed()) {
            return LogResult.CLOSED;
        }
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            final long visibleEnd = log.highestOffsetVisible();
            if (offset < log.startOffset() || offset > visibleEnd) {
                return LogResult.OFFSET_OUT_OF_RANGE;
            }
            if (offset == visibleEnd || offset >= maxOffsetExclusive) {
                return 0;
            }
            final Segment segment = log.segmentFor(offset);
            if (null == segment || !segment.tryAcquire()) {
                // retention or truncation removed it meanwhile, or the log closed: look again
                if (log.isClosed()) {
                    return LogResult.CLOSED;
                }
                continue;
            }
            // The segment may already hold frames the log has not yet published as visible: stay below the end.
            final int length = readFrom(segment, offset, maxBytes, Math.min(maxOffsetExclusive, visibleEnd));
            if (length > 0) {
                held = segment;
            } else {
                segment.release();
            }
            return length;
        }
        return 0;
    }

    private int readFrom(final Segment segment, final long offset, final int maxBytes, final long maxOffsetExclusive) {
        final UnsafeBuffer buffer = segment.buffer();
        final long base = segment.baseOffset();
        final int limit = segment.publishedPosition();
        int position = segment.offsetIndex().lookupPosition(offset - base, buffer, limit, base);

        int length = 0;
        while (true) {
            if (position > limit - MIN_FRAME_LENGTH) {
                return 0;
            }
            length = buffer.getInt(position + LENGTH_OFFSET);
            if (length < MIN_FRAME_LENGTH || length > limit - position) {
                return 0;
            }
            final long lastOffset = buffer.getLong(position + BASE_OFFSET_OFFSET) +
                buffer.getInt(position + RECORD_COUNT_OFFSET) - 1;
            if (lastOffset >= offset) {
                if (lastOffset >= maxOffsetExclusive) {
                    return 0;
                }
                break;
            }
            position += alignedLength(length);
        }

        final int start = position;
        int end = position + length;
        position += alignedLength(length);
        while (position <= limit - MIN_FRAME_LENGTH) {
            final int frameLength = buffer.getInt(position + LENGTH_OFFSET);
            if (frameLength < MIN_FRAME_LENGTH || frameLength > limit - position) {
                break;
            }
            final long lastOffset = buffer.getLong(position + BASE_OFFSET_OFFSET) +
                buffer.getInt(position + RECORD_COUNT_OFFSET) - 1;
            final long runLength = (long) position + frameLength - start;
            if (lastOffset >= maxOffsetExclusive || runLength > maxBytes) {
                break;
            }
            end = position + frameLength;
            position += alignedLength(frameLength);
        }
        view.wrap(buffer.addressOffset() + start, end - start);
        return end - start;
    }

    /**
     * @return the slice of the last successful read: a view of the mapped segment, valid until the next read,
     * {@link #release()} or {@link #close()}.
     */
    public DirectBuffer buffer() {
        return view;
    }

    /**
     * @return where the slice starts in {@link #buffer()} (always 0: the view is wrapped around the slice).
     */
    public int bufferOffset() {
        return 0;
    }

    /**
     * Drop the hold on the segment of the last read; the slice must not be used afterwards.
     */
    public void release() {
        final Segment segment = held;
        if (null != segment) {
            held = null;
            view.wrap(EMPTY);
            segment.release();
        }
    }

    /**
     * Release any hold; further reads return {@link LogResult#CLOSED}.
     */
    @Override
    public void close() {
        release();
        closed = true;
    }
}

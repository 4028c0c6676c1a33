package io.sequent.log;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sequent.log.FrameDescriptor.BASE_OFFSET_OFFSET;
import static io.sequent.log.FrameDescriptor.CRC_OFFSET;
import static io.sequent.log.FrameDescriptor.LEADER_EPOCH_OFFSET;
import static io.sequent.log.FrameDescriptor.LENGTH_OFFSET;
import static io.sequent.log.FrameDescriptor.MAX_TIMESTAMP_OFFSET;
import static io.sequent.log.FrameDescriptor.MIN_FRAME_LENGTH;
import static io.sequent.log.FrameDescriptor.alignedLength;

/**
 * One segment of a partition log: the memory-mapped file {@code <base>.log} plus its {@link OffsetIndex} and
 * {@link TimeIndex}. The file is pre-allocated and zero-filled; frames (see {@link FrameDescriptor}) follow one
 * another from position 0, each starting on an 8-byte boundary, and the first zero length word ends the data:
 * <pre>
 *  position 0                                                        writePosition          capacity
 *  +-----------------+---+-------------------+-----+-- ... --+-----+--------------------------+
 *  | frame 0         |pad| frame 1           | pad |         | pad | 0 0 0 0 0 0 ... (zeros)  |
 *  +-----------------+---+-------------------+-----+-- ... --+-----+--------------------------+
 *  each frame: int32 length (written last, release) | CRC-32C | header ... | records ...
 * </pre>
 * When a segment rolls its file and indexes are trimmed to their data.
 * <p>
 * Threads. The log's writer thread is the only one that appends, truncates, forces and trims. It publishes each
 * frame in three ordered steps: copy the bytes after the length word, store the length with release semantics,
 * then publish the new end ({@link #publishedPosition()}). Readers on any thread acquire the published end and
 * never look past it, so they see only whole frames. The mapping's lifetime is governed by a reference count:
 * the log holds one reference while the segment belongs to it and each reader holds one while it uses the
 * segment's memory; the thread that drops the last reference unmaps the files (and deletes them if the segment
 * was removed by retention or truncation). The count never rises again after reaching zero. The janitor's
 * {@link Pretoucher} may touch pages above the published end (a compare-and-set of a zero int to zero, which never
 * changes a byte) while it holds a reference; {@link #finish()} never cuts the file below the pages it is touching.
 */
final class Segment {
    static final long NO_TIMESTAMP = Long.MIN_VALUE;
    static final long NO_TIME = Long.MIN_VALUE;

    private static final VarHandle PUBLISHED_POSITION;
    private static final VarHandle MAX_TIMESTAMP;
    private static final VarHandle REF_COUNT;
    private static final VarHandle TOUCH_LIMIT;
    private static final VarHandle SEALED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PUBLISHED_POSITION = lookup.findVarHandle(Segment.class, "publishedPosition", int.class);
            MAX_TIMESTAMP = lookup.findVarHandle(Segment.class, "maxTimestamp", long.class);
            REF_COUNT = lookup.findVarHandle(Segment.class, "refCount", int.class);
            TOUCH_LIMIT = lookup.findVarHandle(Segment.class, "touchLimit", int.class);
            SEALED = lookup.findVarHandle(Segment.class, "sealed", boolean.class);
        } catch (final ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long baseOffset;
    private int capacity;
    private final UnsafeBuffer buffer;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private MappedByteBuffer mapped;
    private Path logFile;
    private boolean deleteWhenFree;

    // writer thread state
    private int writePosition;
    private int flushedPosition;
    private int lastIndexedPosition;
    private long nextOffset;
    private int lastEpoch = Integer.MIN_VALUE;
    private long firstAppendMs = NO_TIME;
    private long writerMaxTimestamp = NO_TIMESTAMP;

    // published to other threads
    @SuppressWarnings("unused")
    private volatile int publishedPosition;
    @SuppressWarnings("unused")
    private volatile long maxTimestamp = NO_TIMESTAMP;
    @SuppressWarnings("unused")
    private volatile int refCount = 1;
    // toucher thread: end of the pages it is touching now, 0 when it is not touching
    @SuppressWarnings("unused")
    private volatile int touchLimit;
    // writer thread: set by finish() before the file shrinks
    @SuppressWarnings("unused")
    private volatile boolean sealed;

    Segment(
        final Path logFile,
        final MappedByteBuffer mapped,
        final long baseOffset,
        final OffsetIndex offsetIndex,
        final TimeIndex timeIndex) {
        this.logFile = logFile;
        this.mapped = mapped;
        this.baseOffset = baseOffset;
        this.capacity = mapped.capacity();
        this.buffer = new UnsafeBuffer(mapped);
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.nextOffset = baseOffset;
    }

    /**
     * Set the writer state of a segment loaded by recovery and publish it.
     */
    void restore(
        final int end,
        final long nextOffset,
        final int lastEpoch,
        final long maxTimestamp,
        final int lastIndexedPosition,
        final long firstAppendMs) {
        this.writePosition = end;
        this.flushedPosition = end;
        this.nextOffset = nextOffset;
        this.lastEpoch = lastEpoch;
        this.writerMaxTimestamp = maxTimestamp;
        this.lastIndexedPosition = lastIndexedPosition;
        this.firstAppendMs = firstAppendMs;
        MAX_TIMESTAMP.setRelease(this, maxTimestamp);
        PUBLISHED_POSITION.setRelease(this, end);
    }

    long baseOffset() {
        return baseOffset;
    }

    /** Bytes the writer may use: the mapping, or the data alone once the file has been trimmed. Writer thread. */
    int capacity() {
        return capacity;
    }

    /** Length of the file as mapped when the segment was opened; never changes. Any thread. */
    int mappedLength() {
        return buffer.capacity();
    }

    UnsafeBuffer buffer() {
        return buffer;
    }

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    Path logFile() {
        return logFile;
    }

    /** End of the frames visible to readers. Any thread (acquire). */
    int publishedPosition() {
        return (int) PUBLISHED_POSITION.getAcquire(this);
    }

    /** Largest batch maxTimestamp in the segment, {@link #NO_TIMESTAMP} when empty. Any thread (acquire). */
    long maxTimestamp() {
        return (long) MAX_TIMESTAMP.getAcquire(this);
    }

    /** Bytes of frames in the segment (including alignment padding). Any thread. */
    long size() {
        return publishedPosition();
    }

    int writePosition() {
        return writePosition;
    }

    int remaining() {
        return capacity - writePosition;
    }

    boolean isEmpty() {
        return 0 == writePosition;
    }

    long nextOffset() {
        return nextOffset;
    }

    int lastEpoch() {
        return lastEpoch;
    }

    long firstAppendMs() {
        return firstAppendMs;
    }

    boolean isDirty() {
        return flushedPosition != writePosition || offsetIndex.isDirty() || timeIndex.isDirty();
    }

    /**
     * Append a validated frame that fits. Writer thread only; allocation-free.
     */
    void append(
        final DirectBuffer src,
        final int srcOffset,
        final int length,
        final long frameBaseOffset,
        final long lastOffset,
        final int epoch,
        final long frameMaxTimestamp,
        final long nowMs,
        final int indexIntervalBytes) {
        final int position = writePosition;
        buffer.putBytes(position + CRC_OFFSET, src, srcOffset + CRC_OFFSET, length - CRC_OFFSET);
        buffer.putIntRelease(position + LENGTH_OFFSET, length);

        long maxTs = writerMaxTimestamp;
        if (frameMaxTimestamp > maxTs) {
            maxTs = frameMaxTimestamp;
            writerMaxTimestamp = maxTs;
            MAX_TIMESTAMP.setRelease(this, maxTs);
        }
        if (NO_TIME == firstAppendMs) {
            firstAppendMs = nowMs;
        }
        writePosition = position + alignedLength(length);
        nextOffset = lastOffset + 1;
        lastEpoch = epoch;
        PUBLISHED_POSITION.setRelease(this, writePosition);

        if (position > 0 && position - lastIndexedPosition >= indexIntervalBytes) {
            final int relativeOffset = (int) (frameBaseOffset - baseOffset);
            offsetIndex.append(relativeOffset, position);
            timeIndex.append(maxTs, relativeOffset);
            lastIndexedPosition = position;
        }
    }

    /**
     * Find the start of the frame whose baseOffset is {@code offset}. Writer thread only.
     *
     * @return its position, or -1 when no frame of the segment starts at that offset.
     */
    int findFrameStart(final long offset) {
        final int limit = writePosition;
        int position = offsetIndex.lookupPosition(offset - baseOffset, buffer, limit, baseOffset);
        while (position <= limit - MIN_FRAME_LENGTH) {
            final int length = buffer.getInt(position + LENGTH_OFFSET);
            if (length < MIN_FRAME_LENGTH || length > limit - position) {
                return -1;
            }
            final long frameBase = buffer.getLong(position + BASE_OFFSET_OFFSET);
            if (frameBase == offset) {
                return position;
            }
            if (frameBase > offset) {
                return -1;
            }
            position += alignedLength(length);
        }
        return -1;
    }

    /**
     * Drop every frame from {@code position} on: publish the shorter end first, then zero the dropped bytes and
     * index entries, recompute the writer state and force the zeroed ranges. Writer thread only; cold path.
     *
     * @param position          a frame boundary (or the current end).
     * @param newNextOffset     the offset of the first dropped batch.
     * @param previousLastEpoch epoch of the batch before this segment, for when every frame is dropped.
     * @throws java.io.UncheckedIOException if forcing the zeroed ranges fails.
     */
    void truncateTo(final int position, final long newNextOffset, final int previousLastEpoch) {
        final int oldEnd = writePosition;
        PUBLISHED_POSITION.setRelease(this, position);

        final int oldOffsetEntries = offsetIndex.entries();
        final int oldTimeEntries = timeIndex.entries();
        final int keepOffsetEntries = offsetIndex.entriesBelow(position);
        final int keepTimeEntries = timeIndex.entriesBelow(newNextOffset - baseOffset);
        offsetIndex.truncateToEntries(keepOffsetEntries);
        timeIndex.truncateToEntries(keepTimeEntries);
        if (oldEnd > position) {
            buffer.setMemory(position, oldEnd - position, (byte) 0);
        }

        writePosition = position;
        nextOffset = newNextOffset;
        flushedPosition = Math.min(flushedPosition, position);
        lastIndexedPosition = keepOffsetEntries > 0 ? offsetIndex.position(keepOffsetEntries - 1) : 0;

        long maxTs = NO_TIMESTAMP;
        int epoch = previousLastEpoch;
        int scanFrom = 0;
        if (keepTimeEntries > 0) {
            maxTs = timeIndex.timestamp(keepTimeEntries - 1);
            scanFrom = offsetIndex.lookupPosition(timeIndex.relativeOffset(keepTimeEntries - 1), buffer, position,
                baseOffset);
        }
        int p = scanFrom;
        while (p <= position - MIN_FRAME_LENGTH) {
            final int length = buffer.getInt(p + LENGTH_OFFSET);
            if (length < MIN_FRAME_LENGTH) {
                break;
            }
            maxTs = Math.max(maxTs, buffer.getLong(p + MAX_TIMESTAMP_OFFSET));
            epoch = buffer.getInt(p + LEADER_EPOCH_OFFSET);
            p += alignedLength(length);
        }
        writerMaxTimestamp = maxTs;
        MAX_TIMESTAMP.setRelease(this, maxTs);
        lastEpoch = epoch;
        if (0 == position) {
            firstAppendMs = NO_TIME;
        }

        if (oldEnd > position) {
            mapped.force(position, oldEnd - position);
        }
        offsetIndex.forceBytes(keepOffsetEntries * OffsetIndex.ENTRY_LENGTH,
            oldOffsetEntries * OffsetIndex.ENTRY_LENGTH);
        timeIndex.forceBytes(keepTimeEntries * TimeIndex.ENTRY_LENGTH, oldTimeEntries * TimeIndex.ENTRY_LENGTH);
    }

    /**
     * Force frames and index entries written since the last force. Writer thread only.
     *
     * @throws java.io.UncheckedIOException if the operating system reports a failure.
     */
    void force() {
        if (flushedPosition < writePosition) {
            mapped.force(flushedPosition, writePosition - flushedPosition);
            flushedPosition = writePosition;
        }
        offsetIndex.force();
        timeIndex.force();
    }

    /** Force a byte range of the log file regardless of the bookkeeping (recovery). */
    void forceRange(final int from, final int to) {
        if (to > from) {
            mapped.force(from, to - from);
        }
    }

    /**
     * The segment stops being the active one: shrink its files to their data so a partly filled segment holds
     * no pre-allocated space. Nothing reads past the published end, so the mappings stay valid. Writer thread
     * only; cold path. A failure leaves the files full size, which recovery handles. If the {@link Pretoucher}
     * is touching pages of this segment at this moment, the log file keeps them: it is cut at the end of the
     * pages being touched instead (zeros after the data, as after a crash before the cut); the writer never waits
     * for the toucher.
     */
    void finish() throws IOException {
        capacity = writePosition;
        SEALED.setVolatile(this, true);
        // Dekker with beginTouch: either the toucher sees the seal and touches nothing, or its limit is seen here
        // and the file keeps the pages it may be touching (zeros after the data, which recovery accepts).
        final int touching = (int) TOUCH_LIMIT.getVolatile(this);
        LogFiles.truncateFile(logFile, Math.max(writePosition, Math.min(touching, mappedLength())));
        offsetIndex.trimFile();
        timeIndex.trimFile();
    }

    /**
     * The toucher is about to touch the pages below {@code limit} ({@link Pretoucher}). Toucher thread.
     *
     * @return false when the segment has been sealed by {@link #finish()}: nothing may be touched.
     */
    boolean beginTouch(final int limit) {
        TOUCH_LIMIT.setVolatile(this, limit);
        if ((boolean) SEALED.getVolatile(this)) {
            TOUCH_LIMIT.setVolatile(this, 0);
            return false;
        }
        return true;
    }

    /** The toucher is done with the pages it announced in {@link #beginTouch}. Toucher thread. */
    void endTouch() {
        TOUCH_LIMIT.setVolatile(this, 0);
    }

    /**
     * Take a reference for reading. Any thread; allocation-free.
     *
     * @return false when the segment has already been freed (the caller must look the segment up again).
     */
    boolean tryAcquire() {
        while (true) {
            final int count = (int) REF_COUNT.getVolatile(this);
            if (count <= 0) {
                return false;
            }
            if (REF_COUNT.compareAndSet(this, count, count + 1)) {
                return true;
            }
        }
    }

    /** Drop a reference; the last one unmaps (and, if removed from the log, deletes) the files. Any thread. */
    void release() {
        if ((int) REF_COUNT.getAndAdd(this, -1) == 1) {
            free();
        }
    }

    int refCount() {
        return (int) REF_COUNT.getVolatile(this);
    }

    /**
     * Unlink the segment from the partition: rename its files to {@code *.deleted} at once (so their names can be
     * reused and recovery never sees them as part of the log), and delete them when the last reference goes.
     * Called with the log's segment lock held, before the log drops its own reference.
     */
    void markDeleted() {
        deleteWhenFree = true;
        logFile = renameOrDelete(logFile);
        renameOrDelete(offsetIndex);
        renameOrDelete(timeIndex);
    }

    private static Path renameOrDelete(final Path file) {
        final Path target = LogFiles.withSuffix(file, LogFiles.DELETED_SUFFIX);
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (final IOException ex) {
            // A mapped file may be unlinked on POSIX systems; the mapping stays valid until it is unmapped.
            LogFiles.deleteQuietly(file);
            return file;
        }
    }

    private static void renameOrDelete(final IndexFile index) {
        final Path file = index.file();
        if (null == file) {
            return;
        }
        try {
            index.renameTo(LogFiles.withSuffix(file, LogFiles.DELETED_SUFFIX));
        } catch (final IOException ex) {
            LogFiles.deleteQuietly(file);
        }
    }

    private void free() {
        final MappedByteBuffer m = mapped;
        mapped = null;
        LogFiles.unmap(m);
        offsetIndex.unmap();
        timeIndex.unmap();
        if (deleteWhenFree) {
            // a file that cannot be deleted stays as *.deleted and the next open removes it
            LogFiles.deleteQuietly(logFile);
            offsetIndex.deleteFileQuietly();
            timeIndex.deleteFileQuietly();
        }
    }

    @Override
    public String toString() {
        return "Segment{" + LogFiles.baseName(baseOffset) + ", end=" + publishedPosition() + ", capacity=" +
            capacity + '}';
    }
}

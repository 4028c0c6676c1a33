package io.sequent.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Prepares the files of the next segment: a zero-filled {@code .log} and zero-filled indexes sized for it, under
 * temporary {@code *.prealloc} names. Segments grow in steps so that disk use follows the data: a partition's first
 * segment is {@link #INITIAL_SEGMENT_BYTES} (or {@link LogConfig#segmentBytes()} when smaller), each next one twice
 * the one before, up to {@link LogConfig#segmentBytes()}, and always large enough for the frame that rolls it
 * ({@link #nextLength}). A near-empty partition so costs about 1 MiB of disk instead of a whole segment,
 * and a busy one at most twice its data in its newest segment. Writing real zeros (rather than
 * extending a sparse file) makes the file system reserve every block now, so a full disk fails here with an
 * {@link IOException} instead of later inside a mapped write.
 * <p>
 * Threads: the janitor may prepare a spare ahead of time ({@link #prepareSpare}), mapped and with its first pages
 * touched; the writer thread takes it
 * when the segment rolls ({@link #newSegment}) or prepares one inline, and installs it under the segment's final
 * names. The spare is handed over through an atomic reference. The writer also grows an emptied, trimmed segment
 * back to full size ({@link #regrow}).
 */
final class SegmentPreallocator {
    /** Size of a partition's first segment (unless {@link LogConfig#segmentBytes()} is smaller). */
    static final int INITIAL_SEGMENT_BYTES = 1024 * 1024;

    /** The three files of a prepared segment under their temporary names. */
    static final class Prepared {
        final Path log;
        final Path index;
        final Path timeIndex;
        final int length;
        MappedByteBuffer mapped;

        Prepared(final Path log, final Path index, final Path timeIndex, final int length) {
            this.log = log;
            this.index = index;
            this.timeIndex = timeIndex;
            this.length = length;
        }

        void deleteQuietly() {
            LogFiles.unmap(mapped);
            mapped = null;
            LogFiles.deleteQuietly(log);
            LogFiles.deleteQuietly(index);
            LogFiles.deleteQuietly(timeIndex);
        }
    }

    private final Path dir;
    private final LogConfig config;
    private final AtomicReference<Prepared> spare = new AtomicReference<>();
    private final AtomicLong sequence = new AtomicLong();

    SegmentPreallocator(final Path dir, final LogConfig config) {
        this.dir = dir;
        this.config = config;
    }

    int indexEntries(final int length) {
        return IndexFile.maxEntries(length, config.indexIntervalBytes());
    }

    /** @return the length of a partition's first segment. */
    int initialLength() {
        final int initial = Math.min(config.initialSegmentBytes(), config.segmentBytes());
        return Math.max(FrameDescriptor.MIN_FRAME_LENGTH, initial);
    }

    /**
     * @param previousLength the mapped length of the segment before (0 for none).
     * @param frameLength    the aligned length of the frame the new segment must hold (0 for none).
     * @return the length of the next segment: twice the previous one, at least the initial length and the frame,
     * at most {@link LogConfig#segmentBytes()} unless the frame needs more.
     */
    int nextLength(final int previousLength, final int frameLength) {
        final long doubled = Math.min((long) config.segmentBytes(), 2L * previousLength);
        return (int) Math.max(Math.max(doubled, initialLength()), frameLength);
    }

    /**
     * Create the files of a new segment under fresh temporary names. Any thread.
     *
     * @throws IOException when a file cannot be created or filled (the partial files are deleted).
     */
    Prepared prepare(final int length) throws IOException {
        return prepare(false, length);
    }

    /**
     * @param background true on the janitor: the zeros are forced in steps (see {@link LogFiles#createZeroFilled}).
     * @param length     the segment's length in bytes.
     */
    Prepared prepare(final boolean background, final int length) throws IOException {
        final String name = "next-" + sequence.getAndIncrement();
        final Prepared prepared = new Prepared(
            dir.resolve(name + LogFiles.LOG_SUFFIX + LogFiles.PREALLOC_SUFFIX),
            dir.resolve(name + LogFiles.INDEX_SUFFIX + LogFiles.PREALLOC_SUFFIX),
            dir.resolve(name + LogFiles.TIME_INDEX_SUFFIX + LogFiles.PREALLOC_SUFFIX), length);
        final int entries = indexEntries(length);
        boolean done = false;
        try {
            LogFiles.createZeroFilled(prepared.log, length, config.preallocate(), background);
            LogFiles.createZeroFilled(prepared.index, (long) entries * OffsetIndex.ENTRY_LENGTH, config.preallocate());
            LogFiles.createZeroFilled(prepared.timeIndex, (long) entries * TimeIndex.ENTRY_LENGTH,
                config.preallocate());
            done = true;
        } finally {
            if (!done) {
                prepared.deleteQuietly();
            }
        }
        return prepared;
    }

    /**
     * Prepare a spare segment if none is waiting: its files, its mapping (so the roll does not map it on the
     * writer thread) and, when {@link LogConfig#pretouchBytes()} is not 0, its first pages touched (so the
     * writer's first appends to it take no page faults). Janitor thread.
     *
     * @param length the segment's length.
     * @return true when a spare is ready.
     */
    boolean prepareSpare(final int length) {
        if (null != spare.get()) {
            return true;
        }
        final Prepared prepared;
        try {
            prepared = prepare(true, length);
        } catch (final IOException ex) {
            return false;
        }
        try {
            prepared.mapped = LogFiles.mapExisting(prepared.log);
        } catch (final IOException | RuntimeException ex) {
            prepared.deleteQuietly();
            return false;
        }
        // nobody else sees the mapping before it is handed over below
        Pretoucher.touchPages(new UnsafeBuffer(prepared.mapped), 0, Math.min(length, config.pretouchBytes()));
        if (!spare.compareAndSet(null, prepared)) {
            prepared.deleteQuietly();
        }
        return true;
    }

    /** True when a spare is waiting. Any thread. */
    boolean hasSpare() {
        return null != spare.get();
    }

    /** Take the waiting spare, if any. Writer thread. */
    Prepared takeSpare() {
        return spare.getAndSet(null);
    }

    /** Delete the waiting spare, if any. Closing thread. */
    void discardSpare() {
        final Prepared prepared = spare.getAndSet(null);
        if (null != prepared) {
            prepared.deleteQuietly();
        }
    }

    /**
     * A new, empty segment at {@code baseOffset}: the spare if one is ready and long enough, otherwise prepared now.
     * Writer thread; cold path.
     *
     * @param length the segment's length when it is prepared now; a spare must be at least {@code minLength}.
     * @param minLength the least length that will do (the frame that rolls the segment).
     * @throws IOException when the files cannot be created (a full disk among other causes).
     */
    Segment newSegment(final long baseOffset, final int length, final int minLength) throws IOException {
        Prepared prepared = takeSpare();
        if (null != prepared && prepared.length < minLength) {
            prepared.deleteQuietly();
            prepared = null;
        }
        if (null == prepared) {
            prepared = prepare(length);
        }
        return install(prepared, baseOffset);
    }

    /**
     * Grow the files of an empty segment to {@code length} with fresh indexes and map them again. The old
     * {@link Segment} object keeps its mapping until released; its files are not deleted. Writer thread; cold
     * path.
     *
     * @throws IOException when the file cannot be grown (the file is left at its old size).
     */
    Segment regrow(final Segment empty, final int length) throws IOException {
        final long baseOffset = empty.baseOffset();
        final Path log = LogFiles.logFile(dir, baseOffset);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            final long size = channel.size();
            try {
                if (config.preallocate()) {
                    LogFiles.writeZeros(channel, size, length);
                } else if (size < length) {
                    channel.write(ByteBuffer.allocate(1), length - 1L);
                }
            } catch (final IOException ex) {
                channel.truncate(size);
                throw ex;
            }
        }
        final int entries = indexEntries(length);
        final Path index = LogFiles.indexFile(dir, baseOffset);
        final Path timeIndex = LogFiles.timeIndexFile(dir, baseOffset);
        IndexFile.writeFile(index, ByteBuffer.allocate(0), entries * OffsetIndex.ENTRY_LENGTH, config.preallocate());
        IndexFile.writeFile(timeIndex, ByteBuffer.allocate(0), entries * TimeIndex.ENTRY_LENGTH,
            config.preallocate());
        final MappedByteBuffer mapped = LogFiles.mapExisting(log);
        try {
            final Segment segment = new Segment(log, mapped, baseOffset, new OffsetIndex(index, 0),
                new TimeIndex(timeIndex, 0));
            segment.restore(0, baseOffset, empty.lastEpoch(), Segment.NO_TIMESTAMP, 0, Segment.NO_TIME);
            return segment;
        } catch (final IOException | RuntimeException ex) {
            LogFiles.unmap(mapped);
            throw ex;
        }
    }

    /**
     * Rename prepared files to the names of segment {@code baseOffset} and map them. Writer thread.
     *
     * @throws IOException on failure, after deleting whatever was created.
     */
    Segment install(final Prepared prepared, final long baseOffset) throws IOException {
        final Path log = LogFiles.logFile(dir, baseOffset);
        final Path index = LogFiles.indexFile(dir, baseOffset);
        final Path timeIndex = LogFiles.timeIndexFile(dir, baseOffset);
        MappedByteBuffer mapped = null;
        OffsetIndex offsetIdx = null;
        try {
            Files.move(prepared.index, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(prepared.timeIndex, timeIndex, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
            Files.move(prepared.log, log, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // a spare mapped by the janitor stays valid across the rename (same file)
            mapped = null != prepared.mapped ? prepared.mapped : LogFiles.mapExisting(log);
            prepared.mapped = null;
            offsetIdx = new OffsetIndex(index, 0);
            final TimeIndex timeIdx = new TimeIndex(timeIndex, 0);
            return new Segment(log, mapped, baseOffset, offsetIdx, timeIdx);
        } catch (final IOException | RuntimeException ex) {
            LogFiles.unmap(mapped);
            if (null != offsetIdx) {
                offsetIdx.unmap();
            }
            prepared.deleteQuietly();
            LogFiles.deleteQuietly(log);
            LogFiles.deleteQuietly(index);
            LogFiles.deleteQuietly(timeIndex);
            throw ex;
        }
    }
}

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

/**
 * Prepares the files of the next segment: a zero-filled {@code .log} of {@link LogConfig#segmentBytes()} and
 * zero-filled indexes sized for it, under temporary {@code *.prealloc} names. Writing real zeros (rather than
 * extending a sparse file) makes the file system reserve every block now, so a full disk fails here with an
 * {@link IOException} instead of later inside a mapped write.
 * <p>
 * Threads: the janitor may prepare a spare ahead of time ({@link #prepareSpare()}); the writer thread takes it
 * when the segment rolls ({@link #newSegment}) or prepares one inline, and installs it under the segment's final
 * names. The spare is handed over through an atomic reference. The writer also grows an emptied, trimmed segment
 * back to full size ({@link #regrow}).
 */
final class SegmentPreallocator {
    /** The three files of a prepared segment under their temporary names. */
    static final class Prepared {
        final Path log;
        final Path index;
        final Path timeIndex;

        Prepared(final Path log, final Path index, final Path timeIndex) {
            this.log = log;
            this.index = index;
            this.timeIndex = timeIndex;
        }

        void deleteQuietly() {
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

    int indexEntries() {
        return IndexFile.maxEntries(config.segmentBytes(), config.indexIntervalBytes());
    }

    /**
     * Create the files of a new segment under fresh temporary names. Any thread.
     *
     * @throws IOException when a file cannot be created or filled (the partial files are deleted).
     */
    Prepared prepare() throws IOException {
        return prepare(false);
    }

    /**
     * @param background true on the janitor: the zeros are forced in steps (see {@link LogFiles#createZeroFilled}).
     */
    Prepared prepare(final boolean background) throws IOException {
        final String name = "next-" + sequence.getAndIncrement();
        final Prepared prepared = new Prepared(
            dir.resolve(name + LogFiles.LOG_SUFFIX + LogFiles.PREALLOC_SUFFIX),
            dir.resolve(name + LogFiles.INDEX_SUFFIX + LogFiles.PREALLOC_SUFFIX),
            dir.resolve(name + LogFiles.TIME_INDEX_SUFFIX + LogFiles.PREALLOC_SUFFIX));
        final int entries = indexEntries();
        boolean done = false;
        try {
            LogFiles.createZeroFilled(prepared.log, config.segmentBytes(), config.preallocate(), background);
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
     * Prepare a spare segment if none is waiting. Janitor thread.
     *
     * @return true when a spare is ready.
     */
    boolean prepareSpare() {
        if (null != spare.get()) {
            return true;
        }
        final Prepared prepared;
        try {
            prepared = prepare(true);
        } catch (final IOException ex) {
            return false;
        }
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
     * A new, empty segment at {@code baseOffset}: the spare if one is ready, otherwise prepared now. Writer
     * thread; cold path.
     *
     * @throws IOException when the files cannot be created (a full disk among other causes).
     */
    Segment newSegment(final long baseOffset) throws IOException {
        Prepared prepared = takeSpare();
        if (null == prepared) {
            prepared = prepare();
        }
        return install(prepared, baseOffset);
    }

    /**
     * Grow the files of an empty segment back to a full segment with fresh indexes and map them again. The old
     * {@link Segment} object keeps its mapping until released; its files are not deleted. Writer thread; cold
     * path.
     *
     * @throws IOException when the file cannot be grown (the file is left at its old size).
     */
    Segment regrow(final Segment empty) throws IOException {
        final long baseOffset = empty.baseOffset();
        final Path log = LogFiles.logFile(dir, baseOffset);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            final long size = channel.size();
            try {
                if (config.preallocate()) {
                    LogFiles.writeZeros(channel, size, config.segmentBytes());
                } else if (size < config.segmentBytes()) {
                    channel.write(ByteBuffer.allocate(1), config.segmentBytes() - 1L);
                }
            } catch (final IOException ex) {
                channel.truncate(size);
                throw ex;
            }
        }
        final int entries = indexEntries();
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
            mapped = LogFiles.mapExisting(log);
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

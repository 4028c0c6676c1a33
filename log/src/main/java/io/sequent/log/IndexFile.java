package io.sequent.log;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A memory-mapped file of fixed-length index entries, the common part of {@link OffsetIndex} and
 * {@link TimeIndex}. The file is pre-allocated (zero-filled) to its capacity; valid entries form a prefix.
 * <p>
 * Threads: one writer (the log's writer thread appends, truncates, trims and forces); any thread may search the
 * published prefix. The writer fills an entry and then publishes the new entry count with release semantics;
 * searchers read the count with acquire semantics and only look below it.
 */
abstract class IndexFile {
    private static final VarHandle PUBLISHED_ENTRIES;

    static {
        try {
            PUBLISHED_ENTRIES = MethodHandles.lookup().findVarHandle(IndexFile.class, "publishedEntries", int.class);
        } catch (final ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    protected final UnsafeBuffer buffer;
    private final int entryLength;
    private int capacityEntries;
    private Path file;
    private MappedByteBuffer mapped;
    private int entries;
    private int flushedEntries;
    @SuppressWarnings("unused")
    private volatile int publishedEntries;

    /**
     * Map an existing index file whose first {@code entries} entries are valid (the rest zero).
     *
     * @param file        the file, or null for an in-memory index with no capacity (when none could be made).
     * @param entryLength bytes per entry.
     * @param entries     number of valid entries already in the file.
     */
    IndexFile(final Path file, final int entryLength, final int entries) throws IOException {
        this.file = file;
        this.entryLength = entryLength;
        if (null == file) {
            this.mapped = null;
            this.buffer = new UnsafeBuffer(new byte[0]);
            this.capacityEntries = 0;
        } else {
            this.mapped = LogFiles.mapExisting(file);
            this.buffer = new UnsafeBuffer(mapped);
            this.capacityEntries = mapped.capacity() / entryLength;
        }
        if (entries < 0 || entries > capacityEntries) {
            LogFiles.unmap(mapped);
            throw new IOException(file + ": " + entries + " entries do not fit in " + capacityEntries);
        }
        this.entries = entries;
        this.flushedEntries = entries;
        PUBLISHED_ENTRIES.setRelease(this, entries);
    }

    /**
     * Largest number of entries a segment of {@code segmentBytes} can need: an entry is added only for a frame
     * starting at least {@code max(interval, smallest aligned frame)} bytes after the previous entry.
     */
    static int maxEntries(final int segmentBytes, final int indexIntervalBytes) {
        final int minStep = Math.max(indexIntervalBytes,
            FrameDescriptor.alignedLength(FrameDescriptor.MIN_FRAME_LENGTH));
        return segmentBytes / minStep + 1;
    }

    /**
     * Write a complete index file: {@code content} (entries, position 0 to limit), then zeros up to
     * {@code capacityEntries}, through a temporary file that is forced and renamed over {@code file}.
     */
    static void writeFile(
        final Path file, final ByteBuffer content, final int capacityBytes, final boolean preallocate)
        throws IOException {
        final Path tmp = LogFiles.withSuffix(file, LogFiles.TMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            final int contentLength = content.remaining();
            long position = 0;
            while (content.hasRemaining()) {
                position += channel.write(content, position);
            }
            if (capacityBytes > contentLength) {
                if (preallocate) {
                    LogFiles.writeZeros(channel, contentLength, capacityBytes);
                } else {
                    channel.write(ByteBuffer.allocate(1), capacityBytes - 1L);
                }
            }
            channel.force(true);
        } catch (final IOException ex) {
            LogFiles.deleteQuietly(tmp);
            throw ex;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    final Path file() {
        return file;
    }

    final int capacityEntries() {
        return capacityEntries;
    }

    /** Entry count as the writer knows it. Writer thread only. */
    final int entries() {
        return entries;
    }

    /** Entry count as published to other threads. Any thread. */
    final int publishedEntries() {
        return (int) PUBLISHED_ENTRIES.getAcquire(this);
    }

    final int entryLength() {
        return entryLength;
    }

    /**
     * @return byte offset of the next entry to fill, or -1 when the index is full. Writer thread only.
     */
    protected final int nextEntryOffset() {
        return entries < capacityEntries ? entries * entryLength : -1;
    }

    /** Publish the entry just filled at {@link #nextEntryOffset()}. Writer thread only. */
    protected final void commitEntry() {
        entries++;
        PUBLISHED_ENTRIES.setRelease(this, entries);
    }

    /** Drop entries from {@code count} on and zero their bytes. Writer thread only. */
    final void truncateToEntries(final int count) {
        if (count >= entries) {
            return;
        }
        PUBLISHED_ENTRIES.setRelease(this, count);
        buffer.setMemory(count * entryLength, (entries - count) * entryLength, (byte) 0);
        entries = count;
        flushedEntries = Math.min(flushedEntries, count);
    }

    /** True when entries were added since the last {@link #force()}. Writer thread only. */
    final boolean isDirty() {
        return flushedEntries != entries;
    }

    /**
     * Force the entries added since the last force. Writer thread only.
     *
     * @throws java.io.UncheckedIOException if the operating system reports a failure.
     */
    final void force() {
        if (flushedEntries < entries && null != mapped) {
            mapped.force(flushedEntries * entryLength, (entries - flushedEntries) * entryLength);
        }
        flushedEntries = entries;
    }

    /** Force a byte range of the file regardless of the entry bookkeeping (after truncation zeroed it). */
    final void forceBytes(final int from, final int to) {
        if (null != mapped && to > from) {
            mapped.force(from, to - from);
        }
    }

    /**
     * Shrink the file to its valid entries. The mapping stays (nothing reads past the entries), and the capacity
     * drops to match, so no later entry is written past the end of the file. Writer thread; cold path.
     */
    final void trimFile() throws IOException {
        capacityEntries = entries;
        if (null != file) {
            LogFiles.truncateFile(file, (long) entries * entryLength);
        }
    }

    final void renameTo(final Path target) throws IOException {
        if (null != file) {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            file = target;
        }
    }

    final void deleteFileQuietly() {
        if (null != file) {
            LogFiles.deleteQuietly(file);
        }
    }

    final void unmap() {
        final MappedByteBuffer m = mapped;
        mapped = null;
        LogFiles.unmap(m);
    }
}

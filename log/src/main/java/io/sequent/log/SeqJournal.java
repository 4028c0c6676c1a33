package io.sequent.log;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The group-sequence journal of a replica group member: one entry per batch in group-sequence order, saying
 * where the batch with that seq lives ({@code seq -> topic id, partition, base offset, epoch}). It makes the two
 * operations that replication needs cheap: "truncate every partition to seq S" reads the entries above S (the
 * first one of each partition gives the offset to truncate that partition to), and "replay from seq S in order"
 * walks the entries from S and reads each batch from its partition's log.
 * <p>
 * Seqs are strictly increasing along the journal but need not be dense: a seq the leader stamped and then voided
 * (its append failed) is in no log and has no entry. Epochs never decrease. The journal is an index of the
 * partition logs (every batch header carries its seq and epoch), so it is never the only copy of anything; the
 * sequencer reconciles it with the logs when it starts.
 * <pre>
 *  &lt;dir&gt;/
 *    00000000000000000000.seqj    entries [0, f)        pre-allocated, zero-filled files named by the index of
 *    00000000000000032768.seqj    entries [f, 3f)       their first entry: the first holds f = min(32768, n)
 *    00000000000000098304.seqj    ...                   entries, each next one twice as many, up to n (the
 *                                                       configured entries per file), then n each: disk use
 *                                                       follows the data, few files at a steady rate
 *
 *  entry (32 bytes, little-endian, at index * 32 in its file):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 seq (int64)                                   |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 base offset of the batch (int64)              |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 topic id (int32)                              | 16
 *  +---------------------------------------------------------------+
 *  |                 partition (int32)                             | 20
 *  +---------------------------------------------------------------+
 *  |                 leader epoch (int32)                          | 24
 *  +---------------------------------------------------------------+
 *  |                 CRC-32C of bytes [0, 28), written last        | 28
 *  +---------------------------------------------------------------+
 * </pre>
 * Recovery ({@link #open}) keeps the longest valid prefix: it stops at the first entry whose CRC fails (a zero
 * entry fails it too), whose seq does not rise or whose epoch falls, and zeroes everything after it, so a torn
 * tail never reads as entries later.
 *
 * <h2>Threads</h2>
 * One writer thread (the sequencer's journal stage): {@link #append}, {@link #force}, {@link #truncateAfter},
 * {@link #close}. It writes an entry, then its CRC, then publishes the entry count with release semantics, so a
 * {@link Cursor} on any thread sees whole entries only. {@link #prepareNextIfFilling()} is for one janitor thread:
 * it creates the next file off the write path. Files are never unmapped while the journal is open (truncation
 * zeroes entries and keeps the files), so a cursor never touches an unmapped file; close the journal only after
 * its readers have stopped.
 * <p>
 * Hot paths ({@link #append}, {@link #force}, cursor reads) return {@link LogResult} codes and never allocate,
 * except when a file fills and the next one must be mapped.
 */
public final class SeqJournal implements AutoCloseable {
    public static final int ENTRY_LENGTH = 32;
    /** Entries of the first file (1 MiB) when the configured entries per file are more. */
    public static final int FIRST_FILE_ENTRIES = 32_768;
    public static final int DEFAULT_ENTRIES_PER_FILE = 1 << 20;
    static final String SUFFIX = ".seqj";
    static final String PREPARE_SUFFIX = ".seqj.prealloc";

    private static final int SEQ_OFFSET = 0;
    private static final int BASE_OFFSET_OFFSET = 8;
    private static final int TOPIC_ID_OFFSET = 16;
    private static final int PARTITION_OFFSET = 20;
    private static final int EPOCH_OFFSET = 24;
    private static final int CRC_OFFSET = 28;

    private static final VarHandle ENTRY_COUNT;
    private static final VarHandle FILES;
    private static final VarHandle SPARE;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            ENTRY_COUNT = lookup.findVarHandle(SeqJournal.class, "entryCount", long.class);
            FILES = lookup.findVarHandle(SeqJournal.class, "files", UnsafeBuffer[].class);
            SPARE = lookup.findVarHandle(SeqJournal.class, "spare", MappedByteBuffer.class);
        } catch (final ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Path dir;
    /** Entries of every file from file {@link #growFiles} on. */
    private final int entriesPerFile;
    /** Entries of the first file; file f before {@link #growFiles} holds {@code firstEntries << f}. */
    private final int firstEntries;
    /** Files that are smaller than {@link #entriesPerFile}: log2(entriesPerFile / firstEntries). */
    private final int growFiles;
    private final List<MappedByteBuffer> mappings = new ArrayList<>();
    private final long droppedEntries;
    @SuppressWarnings("unused")
    private volatile long entryCount;
    @SuppressWarnings("unused")
    private volatile UnsafeBuffer[] files;
    @SuppressWarnings("unused")
    private volatile MappedByteBuffer spare;

    // writer thread state
    private long count;
    private long forcedCount;
    private long lastSeq = -1;
    private int lastEpoch;
    private boolean closed;

    private SeqJournal(final Path dir, final int firstEntries, final int entriesPerFile) {
        this.dir = dir;
        this.entriesPerFile = entriesPerFile;
        this.firstEntries = firstEntries;
        this.growFiles = Integer.numberOfTrailingZeros(entriesPerFile / firstEntries);
        this.droppedEntries = recover();
    }

    /** Entries of file {@code f}. */
    private int entriesOf(final int f) {
        return f >= growFiles ? entriesPerFile : firstEntries << f;
    }

    /** Index of the first entry of file {@code f}. */
    private long baseOf(final int f) {
        return f <= growFiles ? ((long) firstEntries << f) - firstEntries :
            (long) entriesPerFile - firstEntries + (long) (f - growFiles) * entriesPerFile;
    }

    /** The file that holds entry {@code index}. */
    private int fileOf(final long index) {
        final long grown = (long) entriesPerFile - firstEntries;
        if (index < grown) {
            return 63 - Long.numberOfLeadingZeros(index / firstEntries + 1);
        }
        return growFiles + (int) ((index - grown) / entriesPerFile);
    }

    /** Byte position of entry {@code index} in its file {@code f}. */
    private int positionIn(final int f, final long index) {
        return (int) (index - baseOf(f)) * ENTRY_LENGTH;
    }

    /**
     * Open (creating if needed) the journal in {@code dir} and recover it. Cold path.
     *
     * @param dir            the journal's directory; created if missing.
     * @param entriesPerFile entries per file for a new journal (a power of two, at least 64); an existing journal
     *                       keeps the size its files have.
     * @throws LogException if the file system fails or the files are inconsistent.
     */
    public static SeqJournal open(final Path dir, final int entriesPerFile) {
        Objects.requireNonNull(dir, "dir");
        if (entriesPerFile < 64 || Integer.bitCount(entriesPerFile) != 1) {
            throw new LogException(LogResult.INVALID_CONFIG,
                "entries per group-sequence journal file must be a power of two >= 64, not " + entriesPerFile);
        }
        try {
            Files.createDirectories(dir);
        } catch (final IOException ex) {
            throw new LogException(LogResult.IO_ERROR, "cannot create " + dir + ": " + ex, ex);
        }
        final int first = Math.min(FIRST_FILE_ENTRIES, entriesPerFile);
        final int existingFirst = existingFirstFileEntries(dir, first);
        return existingFirst == first ? new SeqJournal(dir, first, entriesPerFile) :
            new SeqJournal(dir, existingFirst, existingFirst); // files of one size, as an older journal wrote them
    }

    private static int existingFirstFileEntries(final Path dir, final int entriesPerFile) {
        final Path first = dir.resolve(LogFiles.baseName(0) + SUFFIX);
        try {
            if (Files.exists(first)) {
                final long size = Files.size(first);
                if (size < 64L * ENTRY_LENGTH || size % ENTRY_LENGTH != 0 ||
                    Long.bitCount(size / ENTRY_LENGTH) != 1 || size / ENTRY_LENGTH > Integer.MAX_VALUE) {
                    throw new LogException(LogResult.CORRUPTION, first + " has an impossible size " + size);
                }
                return (int) (size / ENTRY_LENGTH);
            }
        } catch (final IOException ex) {
            throw new LogException(LogResult.IO_ERROR, "cannot read " + first + ": " + ex, ex);
        }
        return entriesPerFile;
    }

    private long recover() {
        final List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (final Path file : stream) {
                final String name = file.getFileName().toString();
                if (name.endsWith(PREPARE_SUFFIX)) {
                    LogFiles.deleteQuietly(file);
                } else if (name.endsWith(SUFFIX) && name.length() == LogFiles.BASE_OFFSET_DIGITS + SUFFIX.length()) {
                    bases.add(Long.parseLong(name.substring(0, LogFiles.BASE_OFFSET_DIGITS)));
                }
            }
        } catch (final IOException | NumberFormatException ex) {
            throw new LogException(LogResult.IO_ERROR, "cannot list " + dir + ": " + ex, ex);
        }
        bases.sort(Long::compare);
        final List<UnsafeBuffer> buffers = new ArrayList<>();
        long dropped = 0;
        boolean valid = true;
        long index = 0;
        try {
            for (final long base : bases) {
                final Path file = file(base);
                final int f = buffers.size();
                final int entries = entriesOf(f);
                if (!valid || base != index || Files.size(file) != (long) entries * ENTRY_LENGTH) {
                    dropped += nonZeroEntries(Files.readAllBytes(file));
                    Files.delete(file);
                    valid = false;
                    continue;
                }
                final MappedByteBuffer mapped = LogFiles.mapExisting(file);
                mappings.add(mapped);
                final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
                buffers.add(buffer);
                int slot = 0;
                for (; slot < entries; slot++) {
                    final int at = slot * ENTRY_LENGTH;
                    if (!validEntry(buffer, at)) {
                        break;
                    }
                    lastSeq = buffer.getLong(at + SEQ_OFFSET);
                    lastEpoch = buffer.getInt(at + EPOCH_OFFSET);
                    index++;
                }
                if (slot < entries) {
                    valid = false;
                    for (int at = slot * ENTRY_LENGTH; at < entries * ENTRY_LENGTH; at += ENTRY_LENGTH) {
                        if (!isZero(buffer, at)) {
                            dropped++;
                            buffer.setMemory(at, ENTRY_LENGTH, (byte) 0);
                        }
                    }
                    mapped.force();
                }
            }
            if (dropped > 0) {
                LogFiles.fsyncDirectory(dir);
            }
        } catch (final IOException ex) {
            closeMappings();
            throw new LogException(LogResult.IO_ERROR, "cannot recover " + dir + ": " + ex, ex);
        }
        count = index;
        forcedCount = index;
        if (DurabilityTrace.ENABLED) {
            for (int f = 0; f < buffers.size(); f++) {
                DurabilityTrace.forced(file(baseOf(f)),
                    Math.max(0, Math.min(index - baseOf(f), entriesOf(f))) * ENTRY_LENGTH);
            }
        }
        FILES.setRelease(this, buffers.toArray(new UnsafeBuffer[0]));
        ENTRY_COUNT.setRelease(this, index);
        return dropped;
    }

    private boolean validEntry(final UnsafeBuffer buffer, final int at) {
        final int crc = Crc32c.INSTANCE.compute(buffer.addressOffset(), at, CRC_OFFSET);
        if (crc != buffer.getInt(at + CRC_OFFSET)) {
            return false;
        }
        final long seq = buffer.getLong(at + SEQ_OFFSET);
        final int epoch = buffer.getInt(at + EPOCH_OFFSET);
        return seq > lastSeq && (lastSeq < 0 || epoch >= lastEpoch) && buffer.getLong(at + BASE_OFFSET_OFFSET) >= 0;
    }

    private static long nonZeroEntries(final byte[] bytes) {
        long entries = 0;
        for (int at = 0; at + ENTRY_LENGTH <= bytes.length; at += ENTRY_LENGTH) {
            for (int i = at; i < at + ENTRY_LENGTH; i++) {
                if (bytes[i] != 0) {
                    entries++;
                    break;
                }
            }
        }
        return entries;
    }

    private static boolean isZero(final UnsafeBuffer buffer, final int at) {
        for (int i = 0; i < ENTRY_LENGTH; i += 8) {
            if (buffer.getLong(at + i) != 0) {
                return false;
            }
        }
        return true;
    }

    private Path file(final long base) {
        return dir.resolve(LogFiles.baseName(base) + SUFFIX);
    }

    /**
     * @return entries (not wholly zero) that recovery at open dropped after the valid prefix: a torn or damaged
     * tail.
     */
    public long droppedAtOpen() {
        return droppedEntries;
    }

    public Path directory() {
        return dir;
    }

    // ------------------------------------------------------------------------------------------------------------
    // writer thread
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Append the entry of the batch with {@code seq}. Writer thread only; allocation-free except when a file
     * fills.
     *
     * @return {@link LogResult#OK}; {@link LogResult#INVALID_FRAME} when {@code seq} is not above
     * {@link #lastSeq()}, the epoch is below {@link #lastEpoch()} or the offset is negative;
     * {@link LogResult#DISK_FULL} or {@link LogResult#IO_ERROR} when the next file cannot be created (nothing was
     * written); {@link LogResult#CLOSED}.
     */
    public int append(final long seq, final int topicId, final int partition, final long baseOffset, final int epoch) {
        if (closed) {
            return LogResult.CLOSED;
        }
        if (seq <= lastSeq || (count > 0 && epoch < lastEpoch) || baseOffset < 0) {
            return LogResult.INVALID_FRAME;
        }
        final int fileIndex = fileOf(count);
        UnsafeBuffer[] current = files;
        if (fileIndex >= current.length) {
            final int result = addFile(fileIndex);
            if (result != LogResult.OK) {
                return result;
            }
            current = files;
        }
        final UnsafeBuffer buffer = current[fileIndex];
        final int at = positionIn(fileIndex, count);
        buffer.putLong(at + SEQ_OFFSET, seq);
        buffer.putLong(at + BASE_OFFSET_OFFSET, baseOffset);
        buffer.putInt(at + TOPIC_ID_OFFSET, topicId);
        buffer.putInt(at + PARTITION_OFFSET, partition);
        buffer.putInt(at + EPOCH_OFFSET, epoch);
        buffer.putIntRelease(at + CRC_OFFSET, Crc32c.INSTANCE.compute(buffer.addressOffset(), at, CRC_OFFSET));
        count++;
        lastSeq = seq;
        lastEpoch = epoch;
        ENTRY_COUNT.setRelease(this, count);
        return LogResult.OK;
    }

    private int addFile(final int fileIndex) {
        final long base = baseOf(fileIndex);
        final long fileBytes = (long) entriesOf(fileIndex) * ENTRY_LENGTH;
        MappedByteBuffer mapped = (MappedByteBuffer) SPARE.getAndSet(this, null);
        if (null != mapped && mapped.capacity() != fileBytes) {
            LogFiles.unmap(mapped);
            LogFiles.deleteQuietly(dir.resolve(LogFiles.baseName(0) + PREPARE_SUFFIX));
            mapped = null;
        }
        try {
            final Path target = file(base);
            if (null != mapped) {
                Files.move(dir.resolve(LogFiles.baseName(0) + PREPARE_SUFFIX), target, StandardCopyOption.ATOMIC_MOVE);
            } else {
                LogFiles.createZeroFilled(target, fileBytes, true);
                mapped = LogFiles.mapExisting(target);
            }
            LogFiles.fsyncDirectory(dir);
        } catch (final IOException ex) {
            LogFiles.unmap(mapped);
            return LogFiles.isDiskFull(ex) ? LogResult.DISK_FULL : LogResult.IO_ERROR;
        }
        mappings.add(mapped);
        final UnsafeBuffer[] current = files;
        final UnsafeBuffer[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = new UnsafeBuffer(mapped);
        FILES.setRelease(this, next);
        return LogResult.OK;
    }

    /**
     * Force the entries appended since the last force to the storage device. Writer thread; allocation-free.
     *
     * @return {@link LogResult#OK} or {@link LogResult#IO_ERROR} (nothing new is known durable; retry).
     */
    public int force() {
        if (closed) {
            return LogResult.CLOSED;
        }
        if (forcedCount == count) {
            return LogResult.OK;
        }
        try {
            long from = forcedCount;
            while (from < count) {
                final int fileIndex = fileOf(from);
                final long fileEnd = Math.min(count, baseOf(fileIndex + 1));
                final int start = positionIn(fileIndex, from);
                final int length = (int) (fileEnd - from) * ENTRY_LENGTH;
                mappings.get(fileIndex).force(start, length);
                if (DurabilityTrace.ENABLED) {
                    DurabilityTrace.forced(file(baseOf(fileIndex)), (long) start + length);
                }
                from = fileEnd;
            }
        } catch (final RuntimeException | InternalError ex) {
            return LogResult.IO_ERROR;
        }
        forcedCount = count;
        return LogResult.OK;
    }

    /**
     * Drop every entry with a seq above {@code seq}: zero them and force the change. Writer thread; cold path.
     *
     * @return entries dropped, or {@link LogResult#IO_ERROR} when the change could not be forced (the journal is
     * truncated in memory).
     */
    public long truncateAfter(final long seq) {
        if (closed) {
            return LogResult.CLOSED;
        }
        final long keep = indexAbove(seq);
        if (keep >= count) {
            return 0;
        }
        final long dropped = count - keep;
        ENTRY_COUNT.setRelease(this, keep);
        final UnsafeBuffer[] current = files;
        long result = dropped;
        for (long i = keep; i < count; i++) {
            final int f = fileOf(i);
            current[f].setMemory(positionIn(f, i), ENTRY_LENGTH, (byte) 0);
        }
        try {
            for (int f = fileOf(keep), lastFile = fileOf(count - 1); f <= lastFile; f++) {
                mappings.get(f).force();
            }
        } catch (final RuntimeException | InternalError ex) {
            result = LogResult.IO_ERROR;
        }
        count = keep;
        forcedCount = Math.min(forcedCount, keep);
        if (keep > 0) {
            final int f = fileOf(keep - 1);
            final UnsafeBuffer last = current[f];
            final int at = positionIn(f, keep - 1);
            lastSeq = last.getLong(at + SEQ_OFFSET);
            lastEpoch = last.getInt(at + EPOCH_OFFSET);
        } else {
            lastSeq = -1;
            lastEpoch = 0;
        }
        return result;
    }

    /** The index of the first entry whose seq is above {@code seq} (binary search over the published entries). */
    private long indexAbove(final long seq) {
        final UnsafeBuffer[] current = files;
        long low = 0;
        long high = (long) ENTRY_COUNT.getAcquire(this);
        while (low < high) {
            final long mid = (low + high) >>> 1;
            if (seqAt(current, mid) <= seq) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private long seqAt(final UnsafeBuffer[] current, final long index) {
        final int f = fileOf(index);
        return current[f].getLong(positionIn(f, index));
    }

    /** Seq of the last entry, -1 when empty. Writer thread. */
    public long lastSeq() {
        return lastSeq;
    }

    /** Epoch of the last entry, 0 when empty. Writer thread. */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** Entries forced to disk. Writer thread. */
    public long forcedEntryCount() {
        return forcedCount;
    }

    /**
     * Close: force, unmap. Writer thread, after every cursor has stopped. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        force();
        closed = true;
        final MappedByteBuffer left = (MappedByteBuffer) SPARE.getAndSet(this, null);
        if (null != left) {
            LogFiles.unmap(left);
            LogFiles.deleteQuietly(dir.resolve(LogFiles.baseName(0) + PREPARE_SUFFIX));
        }
        closeMappings();
    }

    private void closeMappings() {
        for (final MappedByteBuffer mapped : mappings) {
            LogFiles.unmap(mapped);
        }
        mappings.clear();
    }

    // ------------------------------------------------------------------------------------------------------------
    // any thread
    // ------------------------------------------------------------------------------------------------------------

    /** Entries published. Any thread. */
    public long entryCount() {
        return (long) ENTRY_COUNT.getAcquire(this);
    }

    /** A new cursor; one per reading thread. */
    public Cursor newCursor() {
        return new Cursor();
    }

    /**
     * Prepare the next file once the last one is at least half full, so that the writer only renames it. Janitor
     * thread; cold path. A failure is not reported: the writer then creates the file itself.
     *
     * @return true when a file was prepared by this call.
     */
    public boolean prepareNextIfFilling() {
        if (closed || null != spare) {
            return false;
        }
        final long entries = entryCount();
        final int f = fileOf(entries);
        if (entries - baseOf(f) < entriesOf(f) / 2) {
            return false;
        }
        final Path file = dir.resolve(LogFiles.baseName(0) + PREPARE_SUFFIX);
        try {
            LogFiles.createZeroFilled(file, (long) entriesOf(f + 1) * ENTRY_LENGTH, true, true);
            SPARE.setRelease(this, LogFiles.mapExisting(file));
            return true;
        } catch (final IOException ex) {
            LogFiles.deleteQuietly(file);
            return false;
        }
    }

    @Override
    public String toString() {
        return "SeqJournal{" + dir + ", entries=" + entryCount() + '}';
    }

    /**
     * Reads entries in seq order from any thread: {@link #seek} to a seq, then {@link #next()} until false. Sees
     * the entries published when each {@code next()} runs. Allocation-free.
     */
    public final class Cursor {
        private long index;
        private long seq;
        private long baseOffset;
        private int topicId;
        private int partition;
        private int epoch;

        /** Position before the first entry whose seq is at or above {@code seq} (any seq: {@code MIN_VALUE} is all). */
        public Cursor seek(final long seq) {
            index = Long.MIN_VALUE == seq ? 0 : indexAbove(seq - 1);
            return this;
        }

        /** Move to the next entry; false at the end of the published entries. */
        public boolean next() {
            final long published = entryCount();
            if (index >= published) {
                return false;
            }
            final int f = fileOf(index);
            final UnsafeBuffer buffer = files[f];
            final int at = positionIn(f, index);
            seq = buffer.getLong(at + SEQ_OFFSET);
            baseOffset = buffer.getLong(at + BASE_OFFSET_OFFSET);
            topicId = buffer.getInt(at + TOPIC_ID_OFFSET);
            partition = buffer.getInt(at + PARTITION_OFFSET);
            epoch = buffer.getInt(at + EPOCH_OFFSET);
            index++;
            return true;
        }

        public long seq() {
            return seq;
        }

        public long baseOffset() {
            return baseOffset;
        }

        public int topicId() {
            return topicId;
        }

        public int partition() {
            return partition;
        }

        public int epoch() {
            return epoch;
        }
    }
}

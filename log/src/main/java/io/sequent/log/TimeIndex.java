package io.sequent.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The sparse time index of a segment ({@code <base>.timeindex}): for the same frames as the {@link OffsetIndex}
 * (one entry per index interval), the largest batch {@code maxTimestamp} of the segment so far, up to and
 * including that frame, and the frame's offset relative to the segment base. Since the timestamp column never
 * decreases, the last entry whose timestamp is below {@code t} marks a frame before which no batch reaches
 * {@code t}: a search for the first batch with {@code maxTimestamp >= t} starts scanning there.
 * <p>
 * Layout: a pre-allocated, zero-filled file of 12-byte little-endian entries; the valid entries are the prefix
 * before the first entry whose relative offset is 0.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   max timestamp so far (int64, epoch ms)                      |  entry 0, byte 0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   relative offset (int32) of the frame                        |  entry 0, byte 8
 *  +---------------------------------------------------------------+
 *  |   entry 1 ...                                                 |  byte 12
 * </pre>
 * A finished (rolled) segment's time index is trimmed to its entries. Threads: see {@link IndexFile}.
 */
final class TimeIndex extends IndexFile {
    static final int ENTRY_LENGTH = 12;
    static final int TIMESTAMP_OFFSET = 0;
    static final int RELATIVE_OFFSET_OFFSET = 8;

    TimeIndex(final Path file, final int entries) throws IOException {
        super(file, ENTRY_LENGTH, entries);
    }

    static TimeIndex create(final Path file, final int capacityEntries, final boolean preallocate)
        throws IOException {
        LogFiles.createZeroFilled(file, (long) capacityEntries * ENTRY_LENGTH, preallocate);
        return new TimeIndex(file, 0);
    }

    /**
     * Add an entry. Writer thread only.
     *
     * @return false when the index is full.
     */
    boolean append(final long maxTimestampSoFar, final int relativeOffset) {
        final int at = nextEntryOffset();
        if (at < 0) {
            return false;
        }
        buffer.putLong(at + TIMESTAMP_OFFSET, maxTimestampSoFar);
        buffer.putInt(at + RELATIVE_OFFSET_OFFSET, relativeOffset);
        commitEntry();
        return true;
    }

    long timestamp(final int entry) {
        return buffer.getLong(entry * ENTRY_LENGTH + TIMESTAMP_OFFSET);
    }

    int relativeOffset(final int entry) {
        return buffer.getInt(entry * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
    }

    /**
     * Any thread; allocation-free.
     *
     * @return the relative offset of the last entry whose timestamp is below {@code timestampMs}: no batch
     * before that frame, nor the frame itself, reaches {@code timestampMs}. -1 when there is no such entry.
     */
    long lastRelativeOffsetBelow(final long timestampMs) {
        int low = 0;
        int high = publishedEntries() - 1;
        int found = -1;
        while (low <= high) {
            final int mid = (low + high) >>> 1;
            if (timestamp(mid) < timestampMs) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found < 0 ? -1 : relativeOffset(found);
    }

    /**
     * @return how many entries name a relative offset below {@code relativeOffset}. Writer thread only.
     */
    int entriesBelow(final long relativeOffset) {
        int n = entries();
        while (n > 0 && relativeOffset(n - 1) >= relativeOffset) {
            n--;
        }
        return n;
    }

    /** The entries of a time index file as read from disk, checked for structure only. */
    static final class Image {
        final long[] timestamps;
        final int[] relativeOffsets;
        final int count;
        final int capacityEntries;
        final String problem;

        Image(final long[] timestamps, final int[] rels, final int count, final int capacity, final String problem) {
            this.timestamps = timestamps;
            this.relativeOffsets = rels;
            this.count = count;
            this.capacityEntries = capacity;
            this.problem = problem;
        }

        boolean usable() {
            return null == problem;
        }
    }

    /**
     * Read and structurally check a time index file without modifying it: relative offsets strictly increasing,
     * timestamps never decreasing, every byte after the entries zero.
     */
    static Image read(final Path file) {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (final NoSuchFileException ex) {
            return new Image(new long[0], new int[0], 0, 0, "missing");
        } catch (final IOException ex) {
            return new Image(new long[0], new int[0], 0, 0, "unreadable: " + ex);
        }
        if (bytes.length % ENTRY_LENGTH != 0) {
            return new Image(new long[0], new int[0], 0, 0, "size " + bytes.length + " is not a multiple of " +
                ENTRY_LENGTH);
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int capacity = bytes.length / ENTRY_LENGTH;
        final long[] timestamps = new long[capacity];
        final int[] rels = new int[capacity];
        int count = 0;
        int prevRel = 0;
        long prevTimestamp = Long.MIN_VALUE;
        while (count < capacity) {
            final long timestamp = buffer.getLong(count * ENTRY_LENGTH + TIMESTAMP_OFFSET);
            final int rel = buffer.getInt(count * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
            if (0 == rel) {
                break;
            }
            if (rel <= prevRel || timestamp < prevTimestamp) {
                return new Image(timestamps, rels, count, capacity, "entry " + count + " (" + timestamp + ", " + rel +
                    ") is out of order");
            }
            timestamps[count] = timestamp;
            rels[count] = rel;
            prevRel = rel;
            prevTimestamp = timestamp;
            count++;
        }
        for (int i = count * ENTRY_LENGTH; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return new Image(timestamps, rels, count, capacity, "non-zero bytes after its " + count + " entries");
            }
        }
        return new Image(timestamps, rels, count, capacity, null);
    }

    /** Serialise entries in file layout. */
    static ByteBuffer encode(final long[] timestamps, final int[] rels, final int count) {
        final ByteBuffer buffer = ByteBuffer.allocate(count * ENTRY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            buffer.putLong(timestamps[i]).putInt(rels[i]);
        }
        return buffer.flip();
    }
}

package io.sequent.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The sparse offset index of a segment ({@code <base>.index}): maps a batch's offset, relative to the segment's
 * base offset, to the file position of the frame holding it. An entry is added for the first frame that starts
 * at least {@link LogConfig#indexIntervalBytes()} bytes after the previous entry's frame (or after the start of
 * the segment), never for the frame at position 0, so a lookup scans at most about one interval of frames.
 * <p>
 * Layout: a pre-allocated, zero-filled file of 8-byte little-endian entries; the valid entries are the prefix
 * before the first entry whose relative offset is 0. Both columns strictly increase.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   relative offset (int32): batch baseOffset - segment base    |  entry 0, byte 0
 *  +---------------------------------------------------------------+
 *  |   position (int32) of the frame in the .log file              |  entry 0, byte 4
 *  +---------------------------------------------------------------+
 *  |   entry 1 ...                                                 |  byte 8
 * </pre>
 * A finished (rolled) segment's index is trimmed to its entries. Threads: see {@link IndexFile}.
 */
final class OffsetIndex extends IndexFile {
    static final int ENTRY_LENGTH = 8;
    static final int RELATIVE_OFFSET_OFFSET = 0;
    static final int POSITION_OFFSET = 4;

    OffsetIndex(final Path file, final int entries) throws IOException {
        super(file, ENTRY_LENGTH, entries);
    }

    static OffsetIndex create(final Path file, final int capacityEntries, final boolean preallocate)
        throws IOException {
        LogFiles.createZeroFilled(file, (long) capacityEntries * ENTRY_LENGTH, preallocate);
        return new OffsetIndex(file, 0);
    }

    /**
     * Add an entry. Writer thread only.
     *
     * @return false when the index is full (the entry is skipped: lookups then scan further).
     */
    boolean append(final int relativeOffset, final int position) {
        final int at = nextEntryOffset();
        if (at < 0) {
            return false;
        }
        buffer.putInt(at + RELATIVE_OFFSET_OFFSET, relativeOffset);
        buffer.putInt(at + POSITION_OFFSET, position);
        commitEntry();
        return true;
    }

    int relativeOffset(final int entry) {
        return buffer.getInt(entry * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
    }

    int position(final int entry) {
        return buffer.getInt(entry * ENTRY_LENGTH + POSITION_OFFSET);
    }

    /**
     * Find where to start scanning for a relative offset. Any thread; allocation-free. The entry found is checked
     * against the log (its position must hold a frame with the entry's offset, below {@code limit}), so a damaged
     * or concurrently truncated index costs a longer scan, never a wrong answer.
     *
     * @param relativeOffset the offset looked for, relative to the segment base.
     * @param log            the segment's buffer.
     * @param limit          the segment's published end.
     * @param baseOffset     the segment's base offset.
     * @return a frame position at or before the frame holding the offset (0 when no entry helps).
     */
    int lookupPosition(final long relativeOffset, final AtomicBuffer log, final int limit, final long baseOffset) {
        int low = 0;
        int high = publishedEntries() - 1;
        int found = -1;
        while (low <= high) {
            final int mid = (low + high) >>> 1;
            if (relativeOffset(mid) <= relativeOffset) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        // entries may run ahead of the end the caller saw: step back to one below it
        while (found >= 0 && position(found) > limit - FrameDescriptor.MIN_FRAME_LENGTH) {
            found--;
        }
        if (found < 0) {
            return 0;
        }
        final int position = position(found);
        if (position <= 0 || (position & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0 ||
            log.getLong(position + FrameDescriptor.BASE_OFFSET_OFFSET) != baseOffset + relativeOffset(found)) {
            return 0;
        }
        return position;
    }

    /**
     * @return how many entries point below {@code position}. Writer thread only.
     */
    int entriesBelow(final int position) {
        int n = entries();
        while (n > 0 && position(n - 1) >= position) {
            n--;
        }
        return n;
    }

    /** The entries of an index file as read from disk, checked for structure only. */
    static final class Image {
        final int[] relativeOffsets;
        final int[] positions;
        final int count;
        final int capacityEntries;
        final String problem;

        Image(final int[] rels, final int[] positions, final int count, final int capacity, final String problem) {
            this.relativeOffsets = rels;
            this.positions = positions;
            this.count = count;
            this.capacityEntries = capacity;
            this.problem = problem;
        }

        boolean usable() {
            return null == problem;
        }
    }

    /**
     * Read and structurally check an index file without modifying it: entries strictly increasing, positions
     * aligned and inside a log of {@code logLength} bytes, every byte after the entries zero.
     */
    static Image read(final Path file, final int logLength) {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (final NoSuchFileException ex) {
            return new Image(new int[0], new int[0], 0, 0, "missing");
        } catch (final IOException ex) {
            return new Image(new int[0], new int[0], 0, 0, "unreadable: " + ex);
        }
        if (bytes.length % ENTRY_LENGTH != 0) {
            return new Image(new int[0], new int[0], 0, 0, "size " + bytes.length + " is not a multiple of " +
                ENTRY_LENGTH);
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int capacity = bytes.length / ENTRY_LENGTH;
        final int[] rels = new int[capacity];
        final int[] positions = new int[capacity];
        int count = 0;
        int prevRel = 0;
        int prevPosition = 0;
        while (count < capacity) {
            final int rel = buffer.getInt(count * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
            final int position = buffer.getInt(count * ENTRY_LENGTH + POSITION_OFFSET);
            if (0 == rel) {
                break;
            }
            if (rel <= prevRel || position <= prevPosition || (position & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0 ||
                position > logLength - FrameDescriptor.MIN_FRAME_LENGTH) {
                return new Image(rels, positions, count, capacity, "entry " + count + " (" + rel + ", " + position +
                    ") is out of order or outside the segment");
            }
            rels[count] = rel;
            positions[count] = position;
            prevRel = rel;
            prevPosition = position;
            count++;
        }
        for (int i = count * ENTRY_LENGTH; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return new Image(rels, positions, count, capacity, "non-zero bytes after its " + count + " entries");
            }
        }
        return new Image(rels, positions, count, capacity, null);
    }

    /** Serialise entries in file layout. */
    static ByteBuffer encode(final int[] rels, final int[] positions, final int count) {
        final ByteBuffer buffer = ByteBuffer.allocate(count * ENTRY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            buffer.putInt(rels[i]).putInt(positions[i]);
        }
        return buffer.flip();
    }
}

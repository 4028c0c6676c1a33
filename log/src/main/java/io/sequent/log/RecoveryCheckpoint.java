package io.sequent.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The recovery checkpoint of a partition: a position in the log below which every byte is known to be on disk.
 * Recovery after a crash validates frames from the checkpoint's segment on; an invalid frame below the
 * checkpoint is corruption ({@link LogCorruptionException}), one at or above it is a torn tail to truncate.
 * <p>
 * File {@code recovery-checkpoint}, little-endian, written whole to {@code recovery-checkpoint.tmp}, forced,
 * renamed over the old file, and the directory forced, so a crash leaves either the old or the new checkpoint:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 magic 0x50435153 ("SQCP")                     |  0
 *  +---------------------------------------------------------------+
 *  |                 version (1)                                   |  4
 *  +---------------------------------------------------------------+
 *  |                 segment base offset (int64)                   |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 position in that segment (int32)              | 16
 *  +---------------------------------------------------------------+
 *  |                 reserved (0)                                  | 20
 *  +---------------------------------------------------------------+
 *  |                 next offset at that position (int64)          | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 CRC-32C of bytes [0, 32)                      | 32
 *  +---------------------------------------------------------------+
 * </pre>
 * Instances are immutable values. Written by the log's writer thread (flush, truncate, close) and by open.
 */
final class RecoveryCheckpoint {
    static final String FILE_NAME = "recovery-checkpoint";
    static final int MAGIC = 0x50435153;
    static final int VERSION = 1;
    static final int LENGTH = 36;

    private final long segmentBaseOffset;
    private final int position;
    private final long nextOffset;

    RecoveryCheckpoint(final long segmentBaseOffset, final int position, final long nextOffset) {
        this.segmentBaseOffset = segmentBaseOffset;
        this.position = position;
        this.nextOffset = nextOffset;
    }

    long segmentBaseOffset() {
        return segmentBaseOffset;
    }

    int position() {
        return position;
    }

    long nextOffset() {
        return nextOffset;
    }

    /**
     * @return true if (base, position) lies strictly below this checkpoint.
     */
    boolean isAbove(final long base, final int pos) {
        return base < segmentBaseOffset || (base == segmentBaseOffset && pos < position);
    }

    @Override
    public String toString() {
        return "(segment " + LogFiles.baseName(segmentBaseOffset) + ", position " + position + ", nextOffset " +
            nextOffset + ")";
    }

    /** The outcome of reading the checkpoint file. */
    enum State {
        MISSING, DAMAGED, VALID
    }

    /** What {@link #read(Path)} found. */
    static final class ReadResult {
        final State state;
        final RecoveryCheckpoint checkpoint;
        final String problem;

        ReadResult(final State state, final RecoveryCheckpoint checkpoint, final String problem) {
            this.state = state;
            this.checkpoint = checkpoint;
            this.problem = problem;
        }
    }

    static ReadResult read(final Path dir) {
        final Path file = dir.resolve(FILE_NAME);
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (final NoSuchFileException ex) {
            return new ReadResult(State.MISSING, null, null);
        } catch (final IOException ex) {
            return new ReadResult(State.DAMAGED, null, "cannot read " + file + ": " + ex);
        }
        if (bytes.length != LENGTH) {
            return new ReadResult(State.DAMAGED, null, file + " has " + bytes.length + " bytes, expected " + LENGTH);
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 32);
        if ((int) crc.getValue() != buffer.getInt(32)) {
            return new ReadResult(State.DAMAGED, null, file + " fails its CRC");
        }
        if (buffer.getInt(0) != MAGIC || buffer.getInt(4) != VERSION) {
            return new ReadResult(State.DAMAGED, null, file + " has an unknown magic or version");
        }
        final long base = buffer.getLong(8);
        final int position = buffer.getInt(16);
        final long nextOffset = buffer.getLong(24);
        if (base < 0 || position < 0 || nextOffset < base) {
            return new ReadResult(State.DAMAGED, null, file + " holds impossible values");
        }
        return new ReadResult(State.VALID, new RecoveryCheckpoint(base, position, nextOffset), null);
    }

    /**
     * Atomically replace the checkpoint: write a temporary file, force it, rename it over the old one, force the
     * directory.
     */
    static void write(final Path dir, final long segmentBaseOffset, final int position, final long nextOffset)
        throws IOException {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, MAGIC).putInt(4, VERSION).putLong(8, segmentBaseOffset).putInt(16, position)
            .putInt(20, 0).putLong(24, nextOffset);
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, 32);
        buffer.putInt(32, (int) crc.getValue());

        final Path file = dir.resolve(FILE_NAME);
        final Path tmp = LogFiles.withSuffix(file, LogFiles.TMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (final IOException ex) {
            LogFiles.deleteQuietly(tmp);
            throw ex;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LogFiles.fsyncDirectory(dir);
    }
}

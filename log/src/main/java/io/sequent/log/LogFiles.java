package io.sequent.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

import org.agrona.IoUtil;

/**
 * File names of a partition directory and the file operations the log needs (zero-filled pre-allocation,
 * mapping, directory fsync). Stateless; used on cold paths by whichever thread opens, rolls, retains or closes.
 * <p>
 * A segment is three files sharing a 20-digit, zero-padded base offset: {@code 00000000000000000000.log}
 * ({@link Segment}), {@code .index} ({@link OffsetIndex}) and {@code .timeindex} ({@link TimeIndex}). Files being
 * prepared end in {@code .prealloc}, files unlinked from the log but still mapped by a reader end in
 * {@code .deleted}, and half-written replacements end in {@code .tmp}; recovery deletes all three kinds.
 */
final class LogFiles {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String DELETED_SUFFIX = ".deleted";
    static final String PREALLOC_SUFFIX = ".prealloc";
    static final String TMP_SUFFIX = ".tmp";
    static final int BASE_OFFSET_DIGITS = 20;

    private static final int ZERO_CHUNK = 256 * 1024;
    static final long SYNC_STEP = 4L * 1024 * 1024;
    private static final boolean IS_WINDOWS =
        System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private LogFiles() {
    }

    static String baseName(final long baseOffset) {
        final String digits = Long.toString(baseOffset);
        final StringBuilder sb = new StringBuilder(BASE_OFFSET_DIGITS);
        for (int i = digits.length(); i < BASE_OFFSET_DIGITS; i++) {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    static Path logFile(final Path dir, final long baseOffset) {
        return dir.resolve(baseName(baseOffset) + LOG_SUFFIX);
    }

    static Path indexFile(final Path dir, final long baseOffset) {
        return dir.resolve(baseName(baseOffset) + INDEX_SUFFIX);
    }

    static Path timeIndexFile(final Path dir, final long baseOffset) {
        return dir.resolve(baseName(baseOffset) + TIME_INDEX_SUFFIX);
    }

    static Path withSuffix(final Path file, final String suffix) {
        return file.resolveSibling(file.getFileName().toString() + suffix);
    }

    /**
     * @param fileName a file name in a partition directory.
     * @return the base offset if the name is a segment log file name, otherwise -1.
     */
    static long parseLogFileName(final String fileName) {
        if (fileName.length() != BASE_OFFSET_DIGITS + LOG_SUFFIX.length() || !fileName.endsWith(LOG_SUFFIX)) {
            return -1;
        }
        for (int i = 0; i < BASE_OFFSET_DIGITS; i++) {
            final char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(fileName.substring(0, BASE_OFFSET_DIGITS));
        } catch (final NumberFormatException ex) {
            return -1;
        }
    }

    static boolean isLeftover(final String fileName) {
        return fileName.endsWith(DELETED_SUFFIX) || fileName.endsWith(PREALLOC_SUFFIX) ||
            fileName.endsWith(TMP_SUFFIX);
    }

    /**
     * Create (or replace) {@code file} with {@code length} bytes. With {@code preallocate} the bytes are really
     * written as zeros, chunk by chunk, so that the file system reserves every block now; otherwise the file is
     * sparse. On failure the partial file is deleted.
     */
    static void createZeroFilled(final Path file, final long length, final boolean preallocate) throws IOException {
        createZeroFilled(file, length, preallocate, false);
    }

    /**
     * As {@link #createZeroFilled(Path, long, boolean)}; with {@code syncInSteps}, the zeros are forced to disk
     * every {@link #SYNC_STEP} bytes. A janitor preparing a spare segment uses it so that hundreds of megabytes of
     * dirty zero pages never pile up: on a journaling file system they would otherwise be written out ahead of the
     * writer's next fsync, and their write-back throttles the writer's page faults.
     */
    static void createZeroFilled(
        final Path file, final long length, final boolean preallocate, final boolean syncInSteps) throws IOException {
        boolean done = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            if (preallocate && syncInSteps) {
                for (long from = 0; from < length; from += SYNC_STEP) {
                    writeZeros(channel, from, Math.min(length, from + SYNC_STEP));
                    channel.force(false);
                }
            } else if (preallocate) {
                writeZeros(channel, 0, length);
            } else if (length > 0) {
                channel.write(ByteBuffer.allocate(1), length - 1);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Write zeros to [from, to) of the channel's file. */
    static void writeZeros(final FileChannel channel, final long from, final long to) throws IOException {
        long position = from;
        while (position < to) {
            final ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(ZERO_CHUNK, to - position));
            while (zeros.hasRemaining()) {
                position += channel.write(zeros, position);
            }
        }
    }

    /**
     * Map the whole of an existing file read-write. The file is not modified (its exact size is mapped).
     *
     * @return the mapping; a zero-length file gives an empty buffer.
     */
    static MappedByteBuffer mapExisting(final Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }
    }

    static void unmap(final MappedByteBuffer buffer) {
        if (null != buffer && buffer.capacity() > 0) {
            IoUtil.unmap(buffer);
        }
    }

    static void truncateFile(final Path file, final long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (channel.size() > length) {
                channel.truncate(length);
            }
        }
    }

    /** Make a directory's entries (creations, renames, deletions) durable. */
    static void fsyncDirectory(final Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (final IOException ex) {
            // Windows cannot open a directory as a channel; everywhere else a failure here is real.
            if (ex instanceof NoSuchFileException || !IS_WINDOWS) {
                throw ex;
            }
        }
    }

    /**
     * @return true when the exception (or its cause) says the file system is out of space or quota.
     */
    static boolean isDiskFull(final Throwable error) {
        for (Throwable t = error; null != t; t = t.getCause()) {
            final String message = t.getMessage();
            if (null != message && (message.contains("No space left") || message.contains("Disk quota exceeded") ||
                message.contains("not enough space"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when the file system holding {@code dir} has less than {@code needed} bytes usable.
     */
    static boolean isLowOnSpace(final Path dir, final long needed) {
        try {
            return Files.getFileStore(dir).getUsableSpace() < needed;
        } catch (final IOException ex) {
            return false;
        }
    }

    /** Delete a file, ignoring a failure (used while cleaning up after another failure). */
    static void deleteQuietly(final Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (final IOException ignore) {
            // best effort
        }
    }
}

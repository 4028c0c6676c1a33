package io.sequent.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on the file {@code .lock} of a partition directory, held while a {@link PartitionLog} is
 * open, so that two logs (in this or another process) never write the same partition. The operating system
 * drops the lock when the process dies. Acquired and released by the thread that opens and closes the log.
 */
final class DirectoryLock implements AutoCloseable {
    static final String FILE_NAME = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(final FileChannel channel, final FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DirectoryLock acquire(final Path dir) {
        final Path file = dir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (null == lock) {
                throw new LogException(LogResult.IO_ERROR, "partition directory " + dir +
                    " is locked by another process");
            }
            return new DirectoryLock(channel, lock);
        } catch (final OverlappingFileLockException ex) {
            closeQuietly(channel);
            throw new LogException(LogResult.IO_ERROR, "partition directory " + dir + " is already open", ex);
        } catch (final IOException ex) {
            closeQuietly(channel);
            throw new LogException(LogResult.IO_ERROR, "cannot lock partition directory " + dir + ": " + ex, ex);
        } catch (final RuntimeException ex) {
            closeQuietly(channel);
            throw ex;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (final IOException ignore) {
            // closing the channel releases it anyway
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(final FileChannel channel) {
        if (null != channel) {
            try {
                channel.close();
            } catch (final IOException ignore) {
                // nothing more to do
            }
        }
    }
}

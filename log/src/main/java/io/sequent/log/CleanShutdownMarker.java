package io.sequent.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The empty file {@code clean-shutdown} in a partition directory: present only while the log is closed after a
 * complete {@link PartitionLog#close()} (everything forced, checkpoint at the end of the log). Open removes it,
 * durably, before it changes anything, so a crash at any later point leaves no marker and the next open runs a
 * full recovery. Written and removed by the thread that closes or opens the log.
 */
final class CleanShutdownMarker {
    static final String FILE_NAME = "clean-shutdown";

    private CleanShutdownMarker() {
    }

    static boolean exists(final Path dir) {
        return Files.exists(dir.resolve(FILE_NAME));
    }

    static void write(final Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.force(true);
        }
        LogFiles.fsyncDirectory(dir);
    }

    static void remove(final Path dir) throws IOException {
        if (Files.deleteIfExists(dir.resolve(FILE_NAME))) {
            LogFiles.fsyncDirectory(dir);
        }
    }
}

package io.sequent.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A test facility: records, for each file the log forces, the position up to which it is known to be on disk,
 * so that a power-loss test can cut every file back to what a real power cut would have left. Off unless the
 * JVM runs with {@code -Dsequent.durability.trace=<file>}; when off, every call is a test of a static final
 * field and nothing else.
 * <p>
 * Each record is one line, {@code <absolute path> <position>}, appended with one {@code write} (so it survives
 * SIGKILL of the process, which keeps the page cache): a segment file after {@link PartitionLog} forces it, every
 * segment file as recovery leaves it when a log opens (recovery forces what it keeps), and the group-sequence
 * journal's files likewise. The durable position of a file is the largest position recorded for it since the
 * process started; a file created since with none recorded holds only the zeros it was pre-allocated with.
 * <p>
 * Any thread; serialised on the trace file.
 */
public final class DurabilityTrace {
    /** The system property naming the trace file. */
    public static final String PROPERTY = "sequent.durability.trace";
    static final boolean ENABLED = null != System.getProperty(PROPERTY);
    private static final FileChannel CHANNEL = ENABLED ? open(Path.of(System.getProperty(PROPERTY))) : null;

    private DurabilityTrace() {
    }

    private static FileChannel open(final Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        } catch (final IOException ex) {
            throw new LogException(LogResult.IO_ERROR, "cannot open the durability trace " + file + ": " + ex, ex);
        }
    }

    /** Records that {@code file} is on disk up to {@code position}. */
    static void forced(final Path file, final long position) {
        if (!ENABLED) {
            return;
        }
        final ByteBuffer line = ByteBuffer.wrap(
            (file.toAbsolutePath() + " " + position + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (CHANNEL) {
            try {
                while (line.hasRemaining()) {
                    CHANNEL.write(line);
                }
            } catch (final IOException ex) {
                throw new LogException(LogResult.IO_ERROR, "cannot write the durability trace: " + ex, ex);
            }
        }
    }
}

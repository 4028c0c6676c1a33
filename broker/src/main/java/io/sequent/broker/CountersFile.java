package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The broker's counters (its own and the sequencer's) in a memory-mapped file that another process can map and
 * read while the broker runs, as Aeron's CnC file exposes a driver's counters. The broker is the only writer;
 * readers map the file read-only and use an Agrona {@link CountersReader} over the two regions.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 version (written last, release)               | 0
 *  |                 metadata length M                             | 4
 *  |                 values length V                               | 8
 *  |                 reserved                                      | 12
 *  |                 pid of the broker (int64)                     | 16
 *  |                 start time, epoch ms (int64)                  | 24
 *  |                 reserved up to the header length             | 32
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 counters metadata (M bytes: 512 per counter) | 128
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 counter values (V bytes: 128 per counter)    | 128 + M
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>A broker creates the file anew at every start ({@code <data.dir>/}{@value #FILE_NAME}); a reader that still
 * maps an older file keeps seeing that file's last values. The file is left behind on close, holding the final
 * values. Counter labels start with the broker id ({@code sequent broker 0: ...}) or {@code sequencer:}.
 */
public final class CountersFile implements AutoCloseable {
    /** Name of the file in the data directory. */
    public static final String FILE_NAME = "counters.dat";
    /** Layout version in the header. */
    public static final int VERSION = 1;
    static final int HEADER_LENGTH = 128;
    static final int VALUES_LENGTH = 256 * CountersReader.COUNTER_LENGTH;
    static final int METADATA_LENGTH = VALUES_LENGTH * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
    private static final int VERSION_OFFSET = 0;
    private static final int METADATA_LENGTH_OFFSET = 4;
    private static final int VALUES_LENGTH_OFFSET = 8;
    private static final int PID_OFFSET = 16;
    private static final int START_TIME_OFFSET = 24;

    private final MappedByteBuffer mapped;
    private final CountersReader reader;
    private final CountersManager manager;
    private final long pid;
    private final long startTimeMs;

    private CountersFile(
        final MappedByteBuffer mapped,
        final CountersReader reader,
        final CountersManager manager,
        final long pid,
        final long startTimeMs) {
        this.mapped = mapped;
        this.reader = reader;
        this.manager = manager;
        this.pid = pid;
        this.startTimeMs = startTimeMs;
    }

    /**
     * Creates (replacing any older one) and maps the file for the broker to write.
     */
    static CountersFile create(final Path dataDir, final long startTimeMs) {
        final Path file = dataDir.resolve(FILE_NAME);
        final MappedByteBuffer mapped;
        try {
            Files.deleteIfExists(file);
            mapped = IoUtil.mapNewFile(file.toFile(), HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH);
        } catch (final IOException | RuntimeException ex) {
            throw new BrokerException(
                ErrorCode.STORAGE_ERROR, "cannot create the counters file " + file + ": " + ex, ex);
        }
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final long pid = ProcessHandle.current().pid();
        header.putInt(METADATA_LENGTH_OFFSET, METADATA_LENGTH);
        header.putInt(VALUES_LENGTH_OFFSET, VALUES_LENGTH);
        header.putLong(PID_OFFSET, pid);
        header.putLong(START_TIME_OFFSET, startTimeMs);
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(mapped, HEADER_LENGTH, METADATA_LENGTH),
            new UnsafeBuffer(mapped, HEADER_LENGTH + METADATA_LENGTH, VALUES_LENGTH));
        header.putIntOrdered(VERSION_OFFSET, VERSION);
        return new CountersFile(mapped, manager, manager, pid, startTimeMs);
    }

    /**
     * Maps a broker's counters file to read it, from any process.
     *
     * @param file the file, {@code <data.dir>/}{@value #FILE_NAME}.
     * @return the mapped file; close it to unmap.
     * @throws BrokerException when the file is missing, too short or of another layout version.
     */
    public static CountersFile openForReading(final Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "no counters file " + file +
                " (is data.dir right, and has a broker started there?)");
        }
        final MappedByteBuffer mapped;
        try {
            mapped = IoUtil.mapExistingFile(file.toFile(), "counters");
        } catch (final RuntimeException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot map " + file + ": " + ex, ex);
        }
        final int length = mapped.capacity();
        if (length < HEADER_LENGTH) {
            IoUtil.unmap(mapped);
            throw new BrokerException(ErrorCode.INVALID_REQUEST, file + " is too short to be a counters file");
        }
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final int version = header.getIntVolatile(VERSION_OFFSET);
        final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
        if (version != VERSION || metadataLength < 0 || valuesLength < 0 ||
            (long) HEADER_LENGTH + metadataLength + valuesLength > length) {
            IoUtil.unmap(mapped);
            throw new BrokerException(ErrorCode.INVALID_REQUEST, file + " is not a counters file of version " +
                VERSION + " (version " + version + ")");
        }
        final CountersReader reader = new CountersReader(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength));
        return new CountersFile(
            mapped, reader, null, header.getLong(PID_OFFSET), header.getLong(START_TIME_OFFSET));
    }

    /** The writer's manager; null for a file opened for reading. */
    CountersManager manager() {
        return manager;
    }

    /** @return a reader of every counter in the file. */
    public CountersReader reader() {
        return reader;
    }

    /** @return the pid of the broker that created the file. */
    public long pid() {
        return pid;
    }

    /** @return when that broker started, epoch ms. */
    public long startTimeMs() {
        return startTimeMs;
    }

    /** Unmaps the file (the broker's values stay in it). */
    @Override
    public void close() {
        IoUtil.unmap(mapped);
    }
}

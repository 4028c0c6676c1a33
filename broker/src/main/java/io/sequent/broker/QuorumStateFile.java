package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import io.sequent.replica.QuorumStateStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The member's persistent quorum state {@code (currentEpoch, votedFor)}, a small file in the data directory:
 *
 * <pre>
 *   0        4        8          12         16
 *   +--------+--------+----------+----------+
 *   | magic  | epoch  | votedFor | CRC-32C  |   little-endian; the CRC covers bytes 0..11
 *   +--------+--------+----------+----------+
 * </pre>
 *
 * <p>{@link #store} writes {@value #FILE}.tmp, forces it, renames it over {@value #FILE} atomically and forces the
 * directory, so the pair on disk is always one whole write, old or new, and durable when the call returns (the
 * protocol stores before it grants a vote or acts in a new epoch). A file that fails its check stops the start:
 * a member that forgot its vote could vote twice in one epoch. One writer: the replica agent's thread.
 */
final class QuorumStateFile implements QuorumStateStore {
    /** Name of the file in the data directory. */
    static final String FILE = "quorum-state";
    private static final int MAGIC = 0x5153_0001;
    private static final int LENGTH = 16;

    private final Path dir;
    private final Path file;
    private final Path temp;
    private final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private int epoch;
    private int votedFor = -1;
    private long longestStoreNs;

    private QuorumStateFile(final Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.temp = dir.resolve(FILE + ".tmp");
    }

    /**
     * Reads the stored pair, or (0, -1) for a new member.
     *
     * @throws BrokerException (STORAGE_ERROR) when the file cannot be read or is damaged.
     */
    static QuorumStateFile open(final Path dir) {
        final QuorumStateFile state = new QuorumStateFile(dir);
        if (!Files.exists(state.file)) {
            return state;
        }
        try {
            final byte[] bytes = Files.readAllBytes(state.file);
            final ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            final CRC32C crc = new CRC32C();
            crc.update(bytes, 0, Math.min(bytes.length, LENGTH - 4));
            if (bytes.length != LENGTH || in.getInt(0) != MAGIC || in.getInt(12) != (int) crc.getValue()) {
                throw new BrokerException(ErrorCode.STORAGE_ERROR, state.file + " is damaged (" + bytes.length +
                    " bytes, failed its check): the member's vote cannot be trusted; restore it or remove the " +
                    "member's data directory to start it as a new member");
            }
            state.epoch = in.getInt(4);
            state.votedFor = in.getInt(8);
            return state;
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot read " + state.file + ": " + ex, ex);
        }
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public int votedFor() {
        return votedFor;
    }

    /** @return the longest {@link #store} since the last call, in ns (cold path: the role-change log line). */
    long takeLongestStoreNs() {
        final long longest = longestStoreNs;
        longestStoreNs = 0;
        return longest;
    }

    @Override
    public void store(final int epoch, final int votedFor) {
        final long startNs = System.nanoTime();
        buffer.clear();
        buffer.putInt(0, MAGIC).putInt(4, epoch).putInt(8, votedFor);
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, LENGTH - 4);
        buffer.putInt(12, (int) crc.getValue());
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            buffer.position(0).limit(LENGTH);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot write " + temp + ": " + ex, ex);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            TopicCatalog.fsync(dir);
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot replace " + file + ": " + ex, ex);
        }
        this.epoch = epoch;
        this.votedFor = votedFor;
        longestStoreNs = Math.max(longestStoreNs, System.nanoTime() - startNs);
    }
}

package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Hands out idempotent producer ids that are never reused, across restarts too: ids come from blocks whose
 * upper bound is made durable in {@code <data.dir>/producer-ids} before the first id of the block is given
 * out. A restart resumes at the stored bound, skipping what was left of the last block.
 *
 * <p>Admin thread only.
 */
final class ProducerIdAllocator {
    static final String FILE_NAME = "producer-ids";
    static final long BLOCK_SIZE = 1000;

    private final Path file;
    private final Path temp;
    private long next;
    private long limit;

    ProducerIdAllocator(final Path dataDir) {
        this.file = dataDir.resolve(FILE_NAME);
        this.temp = dataDir.resolve(FILE_NAME + ".tmp");
        if (Files.exists(file)) {
            try {
                limit = Long.parseLong(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim());
            } catch (final IOException | NumberFormatException ex) {
                throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot read " + file + ": " + ex, ex);
            }
            if (limit < 0) {
                throw new BrokerException(ErrorCode.STORAGE_ERROR, file + " holds a negative bound: " + limit);
            }
        }
        next = limit;
    }

    /** @return a producer id never handed out before. */
    long allocate() {
        if (next >= limit) {
            final long newLimit = next + BLOCK_SIZE;
            try {
                Files.write(temp, Long.toString(newLimit).getBytes(StandardCharsets.US_ASCII));
                TopicCatalog.fsync(temp);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                TopicCatalog.fsync(file.getParent());
            } catch (final IOException ex) {
                throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot write " + file + ": " + ex, ex);
            }
            limit = newLimit;
        }
        return next++;
    }

    /** @return true when {@code producerId} may have been handed out by this broker. */
    boolean wasAllocated(final long producerId) {
        return producerId >= 0 && producerId < limit;
    }
}

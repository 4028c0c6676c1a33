package io.sequent.log;

import java.nio.file.Path;

/**
 * Thrown by {@link PartitionLog#open} when data the recovery checkpoint declares durable fails validation: a bad
 * CRC, a broken offset sequence, missing bytes or a missing segment below the checkpoint. Recovery never
 * truncates such data silently (doing so would lose acknowledged records); it stops, modifies nothing, and names
 * the segment file, the byte position and the reason so an operator (or replication) can repair the partition.
 */
public final class LogCorruptionException extends LogException {
    private static final long serialVersionUID = 1L;

    private final transient Path segmentFile;
    private final int position;
    private final String reason;

    /**
     * @param segmentFile the segment file holding the bad data (or the file that is missing).
     * @param position    byte position of the bad frame inside the segment file.
     * @param reason      what failed validation.
     */
    public LogCorruptionException(final Path segmentFile, final int position, final String reason) {
        super(LogResult.CORRUPTION, "corrupt log below the recovery checkpoint: " + segmentFile + " at position " +
            position + ": " + reason);
        this.segmentFile = segmentFile;
        this.position = position;
        this.reason = reason;
    }

    /**
     * @return the segment file holding the bad data.
     */
    public Path segmentFile() {
        return segmentFile;
    }

    /**
     * @return byte position of the bad frame inside the segment file.
     */
    public int position() {
        return position;
    }

    /**
     * @return what failed validation.
     */
    public String reason() {
        return reason;
    }
}

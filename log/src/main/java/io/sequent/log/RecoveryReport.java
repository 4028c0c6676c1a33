package io.sequent.log;

import java.util.List;

/**
 * What {@link PartitionLog#open} found and did: whether the previous shutdown was clean, how much was validated,
 * where and why a torn tail was truncated, which segments were dropped and which indexes were rebuilt. An
 * immutable value built once by {@link Recovery}; safe to read from any thread.
 */
public final class RecoveryReport {
    /** Value of {@link #truncatedSegmentBaseOffset()} and {@link #truncatedPosition()} when nothing was cut. */
    public static final int NONE = -1;

    private final boolean cleanShutdown;
    private final boolean markerFound;
    private final String checkpoint;
    private final int segmentsFound;
    private final int segmentsScanned;
    private final long framesValidated;
    private final long bytesValidated;
    private final long truncatedSegmentBaseOffset;
    private final int truncatedPosition;
    private final String truncationReason;
    private final long bytesTruncated;
    private final List<Long> deletedSegments;
    private final List<Long> rebuiltIndexes;
    private final List<String> notes;
    private final long startOffset;
    private final long nextOffset;
    private final long durationNs;

    RecoveryReport(
        final boolean cleanShutdown,
        final boolean markerFound,
        final String checkpoint,
        final int segmentsFound,
        final int segmentsScanned,
        final long framesValidated,
        final long bytesValidated,
        final long truncatedSegmentBaseOffset,
        final int truncatedPosition,
        final String truncationReason,
        final long bytesTruncated,
        final List<Long> deletedSegments,
        final List<Long> rebuiltIndexes,
        final List<String> notes,
        final long startOffset,
        final long nextOffset,
        final long durationNs) {
        this.cleanShutdown = cleanShutdown;
        this.markerFound = markerFound;
        this.checkpoint = checkpoint;
        this.segmentsFound = segmentsFound;
        this.segmentsScanned = segmentsScanned;
        this.framesValidated = framesValidated;
        this.bytesValidated = bytesValidated;
        this.truncatedSegmentBaseOffset = truncatedSegmentBaseOffset;
        this.truncatedPosition = truncatedPosition;
        this.truncationReason = truncationReason;
        this.bytesTruncated = bytesTruncated;
        this.deletedSegments = List.copyOf(deletedSegments);
        this.rebuiltIndexes = List.copyOf(rebuiltIndexes);
        this.notes = List.copyOf(notes);
        this.startOffset = startOffset;
        this.nextOffset = nextOffset;
        this.durationNs = durationNs;
    }

    /**
     * @return true when the log was closed cleanly and found consistent, so only segment tails were checked.
     */
    public boolean cleanShutdown() {
        return cleanShutdown;
    }

    /**
     * @return true when the clean-shutdown marker was present (it may still have been overruled by damage).
     */
    public boolean markerFound() {
        return markerFound;
    }

    /**
     * @return the recovery checkpoint used, or a note that there was none or it was damaged.
     */
    public String checkpoint() {
        return checkpoint;
    }

    /**
     * @return number of segment files found.
     */
    public int segmentsFound() {
        return segmentsFound;
    }

    /**
     * @return number of segments validated frame by frame from their start.
     */
    public int segmentsScanned() {
        return segmentsScanned;
    }

    /**
     * @return frames whose length, CRC-32C, offsets and epoch were checked.
     */
    public long framesValidated() {
        return framesValidated;
    }

    /**
     * @return bytes of the frames validated.
     */
    public long bytesValidated() {
        return bytesValidated;
    }

    /**
     * @return true when damaged or stale bytes were cut from the log.
     */
    public boolean truncated() {
        return NONE != truncatedPosition;
    }

    /**
     * @return base offset of the segment where the log was cut, or {@link #NONE}.
     */
    public long truncatedSegmentBaseOffset() {
        return truncatedSegmentBaseOffset;
    }

    /**
     * @return position in that segment where the log now ends, or {@link #NONE}.
     */
    public int truncatedPosition() {
        return truncatedPosition;
    }

    /**
     * @return why the log was cut there (the first validation failure), or null.
     */
    public String truncationReason() {
        return truncationReason;
    }

    /**
     * @return non-zero bytes discarded (zeroed) from the cut on, in the segment that was cut.
     */
    public long bytesTruncated() {
        return bytesTruncated;
    }

    /**
     * @return base offsets of segments deleted because they lay after the cut.
     */
    public List<Long> deletedSegments() {
        return deletedSegments;
    }

    /**
     * @return base offsets of segments whose index files were missing or damaged and have been rebuilt.
     */
    public List<Long> rebuiltIndexes() {
        return rebuiltIndexes;
    }

    /**
     * @return other findings, in the order found (stale bytes zeroed, leftover files removed, ...).
     */
    public List<String> notes() {
        return notes;
    }

    /**
     * @return first offset of the recovered log.
     */
    public long startOffset() {
        return startOffset;
    }

    /**
     * @return next offset to assign after recovery.
     */
    public long nextOffset() {
        return nextOffset;
    }

    /**
     * @return how long recovery took, in nanoseconds.
     */
    public long durationNs() {
        return durationNs;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(256);
        sb.append("RecoveryReport{clean=").append(cleanShutdown)
            .append(", markerFound=").append(markerFound)
            .append(", checkpoint=").append(checkpoint)
            .append(", segmentsFound=").append(segmentsFound)
            .append(", segmentsScanned=").append(segmentsScanned)
            .append(", framesValidated=").append(framesValidated)
            .append(", bytesValidated=").append(bytesValidated);
        if (truncated()) {
            sb.append(", truncated at segment ").append(LogFiles.baseName(truncatedSegmentBaseOffset))
                .append(" position ").append(truncatedPosition)
                .append(" (").append(truncationReason).append("), bytesTruncated=").append(bytesTruncated);
        }
        if (!deletedSegments.isEmpty()) {
            sb.append(", deletedSegments=").append(deletedSegments);
        }
        if (!rebuiltIndexes.isEmpty()) {
            sb.append(", rebuiltIndexes=").append(rebuiltIndexes);
        }
        if (!notes.isEmpty()) {
            sb.append(", notes=").append(notes);
        }
        return sb.append(", offsets=[").append(startOffset).append(", ").append(nextOffset)
            .append("), durationMs=").append(durationNs / 1_000_000).append('}').toString();
    }
}

package io.sequent.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.sequent.log.SegmentScanner.Candidate;
import io.sequent.log.SegmentScanner.Entries;
import io.sequent.log.SegmentScanner.Problem;

/**
 * Brings a partition directory back to a consistent log when it is opened. Runs once, on the opening thread,
 * before the log is shared with any other thread.
 * <p>
 * <b>Clean open.</b> When the clean-shutdown marker is present, each segment is checked cheaply: its indexes for
 * structure, its last index entry against the frame it names, and the frames after that entry (length, CRC-32C,
 * offsets, epoch). The last segment must end exactly at the checkpoint. Any disagreement turns the open into a
 * full recovery.
 * <p>
 * <b>Recovery.</b> Without the marker, segments below the checkpoint's segment get the same cheap check, and
 * every frame from the start of the checkpoint's segment to the end of the last segment is validated as
 * {@link SegmentScanner} describes (length, CRC-32C, dense offsets, record count, non-decreasing epoch, zero
 * padding); after the last frame the rest of the file must be zero. The first failure decides:
 * <ul>
 * <li>below the checkpoint: the durable part of the log is damaged. {@link LogCorruptionException} names the
 * segment, position and reason, and nothing has been modified (all checks run before any change);</li>
 * <li>at or above it: a torn tail. The log is cut there: the rest of that segment file is zeroed (only non-zero
 * pages are written) so nothing stale can later pass for a frame, and later segments are deleted; except that
 * stale bytes after the end of a segment whose successor continues the offsets are zeroed and the successor
 * kept.</li>
 * </ul>
 * Indexes that are missing, damaged, or disagree with the frames scanned are rebuilt. Finally the recovered data
 * is forced and a checkpoint written at the end of the log. Every step is recorded in a {@link RecoveryReport}.
 * <p>
 * Segments wholly below the checkpoint's segment are not read in full (that would make every restart read the
 * whole log), so damage inside them, away from their tails, is not detected here; every batch still carries its
 * CRC-32C for consumers to check.
 */
final class Recovery {
    private static final System.Logger LOGGER = System.getLogger("io.sequent.log");
    private static final int PAGE = 4096;

    /** What recovery hands to {@link PartitionLog}. */
    static final class Result {
        final Segment[] segments;
        final long nextOffset;
        final int lastEpoch;
        final RecoveryReport report;

        Result(final Segment[] segments, final long nextOffset, final int lastEpoch, final RecoveryReport report) {
            this.segments = segments;
            this.nextOffset = nextOffset;
            this.lastEpoch = lastEpoch;
            this.report = report;
        }
    }

    private final Path dir;
    private final LogConfig config;
    private final SegmentScanner scanner;
    private final long nowMs;
    private final long startNs = System.nanoTime();
    private final List<Candidate> candidates = new ArrayList<>();
    private final List<Long> deletedSegments = new ArrayList<>();
    private final List<Long> rebuiltIndexes = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private RecoveryCheckpoint checkpoint;
    private String checkpointDescription;
    private int checkpointIndex = -1;
    private int segmentsFound;
    private boolean markerFound;
    private boolean clean;
    private int segmentsScanned;
    private long truncatedBase = RecoveryReport.NONE;
    private int truncatedPosition = RecoveryReport.NONE;
    private String truncationReason;
    private long bytesTruncated;

    private Recovery(final Path dir, final LogConfig config, final long nowMs) {
        this.dir = dir;
        this.config = config;
        this.nowMs = nowMs;
        this.scanner = new SegmentScanner(config.indexIntervalBytes());
    }

    /**
     * Recover the partition in {@code dir}. Cold path, opening thread.
     *
     * @throws LogCorruptionException when data below the checkpoint is damaged (nothing is modified).
     * @throws LogException           with {@link LogResult#IO_ERROR} when the directory cannot be read or written.
     */
    static Result recover(final Path dir, final LogConfig config, final long nowMs) {
        final Recovery recovery = new Recovery(dir, config, nowMs);
        try {
            return recovery.run();
        } catch (final IOException ex) {
            recovery.unmapAll();
            throw new LogException(LogResult.IO_ERROR, "recovery of " + dir + " failed: " + ex, ex);
        } catch (final RuntimeException | Error ex) {
            recovery.unmapAll();
            throw ex;
        }
    }

    private Result run() throws IOException {
        markerFound = CleanShutdownMarker.exists(dir);
        readCheckpoint();
        mapSegments();

        // ---- phase 1: read-only analysis ----
        int keep;
        if (candidates.isEmpty()) {
            if (null != checkpoint && checkpoint.position() > 0) {
                throw new LogCorruptionException(LogFiles.logFile(dir, checkpoint.segmentBaseOffset()),
                    checkpoint.position(), "segment file missing: the checkpoint says " + checkpoint +
                    " is durable");
            }
            keep = 0;
        } else {
            locateCheckpointSegment();
            clean = markerFound && null != checkpoint && checkpointIndex == candidates.size() - 1;
            keep = clean ? analyze(true) : -1;
            if (keep < 0) {
                if (clean) {
                    notes.add("clean-shutdown marker present but the log disagrees with it: full recovery");
                }
                clean = false;
                for (final Candidate c : candidates) {
                    c.reset();
                }
                keep = analyze(false);
            }
        }

        // ---- phase 2: apply ----
        boolean directoryChanged = false;
        if (markerFound) {
            CleanShutdownMarker.remove(dir);
        }
        directoryChanged |= deleteLeftovers();
        directoryChanged |= dropSegments(keep);
        final List<Candidate> kept = new ArrayList<>(candidates);
        zeroStaleBytes(kept);
        final Segment[] segments = new Segment[kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            final boolean isLast = i == kept.size() - 1;
            directoryChanged |= prepareIndexes(kept.get(i), isLast);
        }
        for (int i = 0; i < kept.size(); i++) {
            segments[i] = toSegment(kept.get(i), i == kept.size() - 1);
        }
        candidates.clear();

        long nextOffset = null == checkpoint ? 0 : checkpoint.segmentBaseOffset();
        int lastEpoch = Integer.MIN_VALUE;
        if (segments.length > 0) {
            final Segment last = segments[segments.length - 1];
            nextOffset = last.nextOffset();
            lastEpoch = last.lastEpoch();
            if (!clean) {
                forceRecovered(segments);
            }
        }
        if (directoryChanged) {
            LogFiles.fsyncDirectory(dir);
        }

        final RecoveryReport report = new RecoveryReport(clean, markerFound, checkpointDescription,
            segmentsFound, segmentsScanned, scanner.framesValidated(), scanner.bytesValidated(), truncatedBase,
            truncatedPosition, truncationReason, bytesTruncated, deletedSegments, rebuiltIndexes, notes,
            segments.length > 0 ? segments[0].baseOffset() : nextOffset, nextOffset, System.nanoTime() - startNs);
        if (report.truncated() || !report.deletedSegments().isEmpty() || !report.rebuiltIndexes().isEmpty()) {
            LOGGER.log(System.Logger.Level.WARNING, "{0}: {1}", dir, report);
        } else {
            LOGGER.log(System.Logger.Level.DEBUG, "{0}: {1}", dir, report);
        }
        return new Result(segments, nextOffset, lastEpoch, report);
    }

    private void readCheckpoint() {
        final RecoveryCheckpoint.ReadResult read = RecoveryCheckpoint.read(dir);
        switch (read.state) {
            case VALID:
                checkpoint = read.checkpoint;
                checkpointDescription = checkpoint.toString();
                break;
            case DAMAGED:
                checkpointDescription = "damaged, ignored: " + read.problem;
                notes.add("recovery checkpoint " + checkpointDescription);
                break;
            default:
                checkpointDescription = "none";
                break;
        }
    }

    private void mapSegments() throws IOException {
        final List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (final Path file : stream) {
                final long base = LogFiles.parseLogFileName(file.getFileName().toString());
                if (base >= 0 && Files.isRegularFile(file)) {
                    bases.add(base);
                }
            }
        }
        bases.sort(null);
        segmentsFound = bases.size();
        for (final long base : bases) {
            final Path file = LogFiles.logFile(dir, base);
            final long size = Files.size(file);
            if (size > Integer.MAX_VALUE) {
                throw new LogException(LogResult.IO_ERROR, file + " is larger than a segment can be: " + size);
            }
            candidates.add(new Candidate(base, file, LogFiles.mapExisting(file), (int) size));
        }
    }

    private void locateCheckpointSegment() {
        if (null == checkpoint) {
            return;
        }
        final long cpBase = checkpoint.segmentBaseOffset();
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).base == cpBase) {
                checkpointIndex = i;
                return;
            }
        }
        if (cpBase < candidates.get(0).base) {
            notes.add("checkpoint segment " + LogFiles.baseName(cpBase) +
                " no longer exists (retention); every segment validated");
            checkpoint = null;
            return;
        }
        throw new LogCorruptionException(LogFiles.logFile(dir, cpBase), checkpoint.position(),
            "segment file missing: the checkpoint says " + checkpoint + " is durable");
    }

    private boolean isBelowCheckpoint(final int segmentIndex, final int position) {
        return checkpointIndex >= 0 &&
            (segmentIndex < checkpointIndex || (segmentIndex == checkpointIndex && position < checkpoint.position()));
    }

    /**
     * @return number of segments to keep, or -1 (clean mode only) when the log disagrees with a clean shutdown.
     */
    private int analyze(final boolean cleanMode) {
        final int n = candidates.size();
        final int validateFrom = cleanMode ? n : Math.max(checkpointIndex, 0);
        long prevNext = -1;
        int prevEpoch = Integer.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            final Candidate c = candidates.get(i);
            final boolean trusted = i < validateFrom;
            if (i > 0 && c.base != prevNext) {
                final String reason = "segment base offset " + c.base + " does not continue the previous segment," +
                    " which ends before offset " + prevNext;
                if (cleanMode) {
                    return -1;
                }
                if (trusted || i <= checkpointIndex) {
                    // the previous segment, below the checkpoint, lost its tail (or this one is misnamed)
                    throw corruption(c, 0, reason);
                }
                c.zeroFrom = 0;
                recordTruncation(c, 0, reason);
                return i;
            }
            if (trusted) {
                final Problem problem = scanner.trustedScan(c, prevEpoch);
                if (null != problem) {
                    if (cleanMode) {
                        return -1;
                    }
                    throw corruption(c, problem.damageStart, problem.reason);
                }
            } else {
                final int checkPosition = i == checkpointIndex ? checkpoint.position() : -1;
                final Problem problem = scanner.fullScan(c, prevEpoch, true, checkPosition);
                segmentsScanned++;
                if (i == checkpointIndex) {
                    if ((null == problem || problem.damageStart >= checkPosition) && c.end < checkPosition) {
                        throw corruption(c, c.end, "the data ends at position " + c.end + ", below the checkpoint " +
                            checkpoint);
                    }
                    if (null == problem || problem.damageStart >= checkPosition) {
                        if (c.offsetAtCheckpoint != checkpoint.nextOffset()) {
                            throw corruption(c, checkPosition, "the checkpoint " + checkpoint + " does not fall on " +
                                "a frame boundary with that next offset (found " + c.offsetAtCheckpoint + ")");
                        }
                    }
                }
                if (null != problem) {
                    if (isBelowCheckpoint(i, problem.damageStart)) {
                        throw corruption(c, problem.damageStart, problem.reason);
                    }
                    final boolean continued = i + 1 < n && candidates.get(i + 1).base == c.nextOffset;
                    if (continued) {
                        notes.add("segment " + LogFiles.baseName(c.base) + ": stale bytes after position " + c.end +
                            " zeroed (" + problem.reason + ")");
                    } else {
                        recordTruncation(c, c.end, problem.reason);
                        return i + 1;
                    }
                }
            }
            prevNext = c.nextOffset;
            prevEpoch = c.lastEpoch;
        }
        if (cleanMode) {
            final Candidate last = candidates.get(n - 1);
            if (last.end != checkpoint.position() || last.nextOffset != checkpoint.nextOffset()) {
                return -1;
            }
        }
        return n;
    }

    private void recordTruncation(final Candidate c, final int position, final String reason) {
        truncatedBase = c.base;
        truncatedPosition = position;
        truncationReason = reason;
    }

    private LogCorruptionException corruption(final Candidate c, final int position, final String reason) {
        return new LogCorruptionException(c.logFile, position, reason);
    }

    private boolean deleteLeftovers() throws IOException {
        final List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (final Path file : stream) {
                final String name = file.getFileName().toString();
                if (LogFiles.isLeftover(name) || isOrphanIndex(name)) {
                    leftovers.add(file);
                }
            }
        }
        for (final Path file : leftovers) {
            Files.deleteIfExists(file);
        }
        if (!leftovers.isEmpty()) {
            notes.add("removed " + leftovers.size() + " leftover file(s)");
        }
        return !leftovers.isEmpty();
    }

    private boolean isOrphanIndex(final String name) {
        final String stem;
        if (name.endsWith(LogFiles.INDEX_SUFFIX)) {
            stem = name.substring(0, name.length() - LogFiles.INDEX_SUFFIX.length());
        } else if (name.endsWith(LogFiles.TIME_INDEX_SUFFIX)) {
            stem = name.substring(0, name.length() - LogFiles.TIME_INDEX_SUFFIX.length());
        } else {
            return false;
        }
        final long base = LogFiles.parseLogFileName(stem + LogFiles.LOG_SUFFIX);
        if (base < 0) {
            return false;
        }
        for (final Candidate c : candidates) {
            if (c.base == base) {
                return false;
            }
        }
        return true;
    }

    private boolean dropSegments(final int keep) throws IOException {
        int from = keep;
        // A segment cut at position 0 that is not the first one holds nothing: drop it too.
        if (keep > 1 && candidates.get(keep - 1).base == truncatedBase && 0 == truncatedPosition) {
            from = keep - 1;
        }
        boolean changed = false;
        while (candidates.size() > from) {
            final Candidate c = candidates.remove(candidates.size() - 1);
            LogFiles.unmap(c.mapped);
            Files.deleteIfExists(c.logFile);
            Files.deleteIfExists(LogFiles.indexFile(dir, c.base));
            Files.deleteIfExists(LogFiles.timeIndexFile(dir, c.base));
            deletedSegments.add(0, c.base);
            changed = true;
        }
        if (from < keep) {
            notes.add("segment " + LogFiles.baseName(truncatedBase) + " held no valid frame and was deleted");
        }
        return changed;
    }

    private void zeroStaleBytes(final List<Candidate> kept) {
        for (final Candidate c : kept) {
            if (c.zeroFrom < 0 || c.lastNonZero < c.zeroFrom) {
                continue;
            }
            final int from = c.zeroFrom;
            final int to = c.lastNonZero + 1;
            int chunkStart = from;
            while (chunkStart < to) {
                final int chunkEnd = Math.min(to, (chunkStart / PAGE + 1) * PAGE);
                if (SegmentScanner.lastNonZero(c.buffer, chunkStart, chunkEnd) >= chunkStart) {
                    c.buffer.setMemory(chunkStart, chunkEnd - chunkStart, (byte) 0);
                }
                chunkStart = chunkEnd;
            }
            c.mapped.force(from, to - from);
            if (c.base == truncatedBase) {
                bytesTruncated += to - from;
            }
        }
    }

    /**
     * Rewrite the index files of a kept segment when they are damaged, stale past a cut, or (for the last
     * segment) too small to index a whole segment.
     *
     * @return true when files were created or replaced.
     */
    private boolean prepareIndexes(final Candidate c, final boolean isLast) {
        final Entries entries = c.entries;
        final int target = isLast ?
            Math.max(IndexFile.maxEntries(c.capacity, config.indexIntervalBytes()), entries.count) : entries.count;
        final boolean tooSmall = isLast &&
            (c.offsetImage.capacityEntries < target || c.timeImage.capacityEntries < target);
        if (!c.rewriteIndex && !tooSmall) {
            return false;
        }
        if (null != c.indexProblem) {
            rebuiltIndexes.add(c.base);
            notes.add("segment " + LogFiles.baseName(c.base) + ": indexes rebuilt (" + c.indexProblem + ")");
        }
        final Path index = LogFiles.indexFile(dir, c.base);
        final Path timeIndex = LogFiles.timeIndexFile(dir, c.base);
        try {
            IndexFile.writeFile(index, OffsetIndex.encode(entries.rels, entries.positions, entries.count),
                target * OffsetIndex.ENTRY_LENGTH, config.preallocate());
            IndexFile.writeFile(timeIndex, TimeIndex.encode(entries.timestamps, entries.rels, entries.count),
                target * TimeIndex.ENTRY_LENGTH, config.preallocate());
        } catch (final IOException ex) {
            // Without space for an index the segment still works: lookups scan from the start.
            LogFiles.deleteQuietly(index);
            LogFiles.deleteQuietly(timeIndex);
            c.entries = new Entries();
            c.rewriteIndex = true;
            notes.add("segment " + LogFiles.baseName(c.base) + ": indexes could not be written (" + ex +
                "); running without them until the next open");
            LOGGER.log(System.Logger.Level.WARNING, "cannot write indexes of " + c.logFile, ex);
        }
        return true;
    }

    private Segment toSegment(final Candidate c, final boolean isLast) throws IOException {
        final Path index = LogFiles.indexFile(dir, c.base);
        final Path timeIndex = LogFiles.timeIndexFile(dir, c.base);
        final boolean haveFiles = Files.exists(index) && Files.exists(timeIndex);
        final int count = haveFiles ? c.entries.count : 0;
        OffsetIndex offsetIdx = null;
        try {
            offsetIdx = new OffsetIndex(haveFiles ? index : null, count);
            final TimeIndex timeIdx = new TimeIndex(haveFiles ? timeIndex : null, count);
            final Segment segment = new Segment(c.logFile, c.mapped, c.base, offsetIdx, timeIdx);
            long firstAppendMs = Segment.NO_TIME;
            if (isLast && c.end > 0) {
                firstAppendMs = Math.min(nowMs, c.firstFrameMaxTimestamp);
            }
            final int lastIndexed = count > 0 ? c.entries.positions[count - 1] : 0;
            segment.restore(c.end, c.nextOffset, c.lastEpoch, c.maxTimestamp, lastIndexed, firstAppendMs);
            return segment;
        } catch (final IOException ex) {
            if (null != offsetIdx) {
                offsetIdx.unmap();
            }
            throw ex;
        }
    }

    private void forceRecovered(final Segment[] segments) throws IOException {
        final int from = Math.max(0, checkpointIndex);
        for (int i = from; i < segments.length; i++) {
            final Segment segment = segments[i];
            final int start = i == checkpointIndex && null != checkpoint ?
                Math.min(checkpoint.position(), segment.writePosition()) : 0;
            segment.forceRange(start, segment.writePosition());
        }
        final Segment last = segments[segments.length - 1];
        try {
            RecoveryCheckpoint.write(dir, last.baseOffset(), last.writePosition(), last.nextOffset());
        } catch (final IOException ex) {
            notes.add("could not write a new checkpoint: " + ex);
            LOGGER.log(System.Logger.Level.WARNING, "cannot write recovery checkpoint in " + dir, ex);
        }
    }

    private void unmapAll() {
        for (final Candidate c : candidates) {
            LogFiles.unmap(c.mapped);
        }
        candidates.clear();
    }
}

package io.sequent.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sequent.log.FrameDescriptor.BASE_OFFSET_OFFSET;
import static io.sequent.log.FrameDescriptor.CRC_OFFSET;
import static io.sequent.log.FrameDescriptor.CRC_START;
import static io.sequent.log.FrameDescriptor.LEADER_EPOCH_OFFSET;
import static io.sequent.log.FrameDescriptor.LENGTH_OFFSET;
import static io.sequent.log.FrameDescriptor.MAX_TIMESTAMP_OFFSET;
import static io.sequent.log.FrameDescriptor.MIN_FRAME_LENGTH;
import static io.sequent.log.FrameDescriptor.RECORD_COUNT_OFFSET;
import static io.sequent.log.FrameDescriptor.alignedLength;

/**
 * The log of one partition: an ordered list of memory-mapped {@link Segment}s in one directory, appended to by a
 * single writer, read by any number of {@link LogReader}s, trimmed by retention, and recovered on open.
 * <pre>
 *  data/&lt;topic&gt;-&lt;partition&gt;/
 *    00000000000000000000.log        frames with offsets [0, 1234)            (rolled: trimmed to its data)
 *    00000000000000000000.index      sparse offset index  ({@link OffsetIndex})
 *    00000000000000000000.timeindex  sparse time index    ({@link TimeIndex})
 *    00000000000000001234.log        the active segment, pre-allocated and zero-filled ({@link Segment})
 *    00000000000000001234.index
 *    00000000000000001234.timeindex
 *    recovery-checkpoint             position known to be on disk ({@link RecoveryCheckpoint})
 *    clean-shutdown                  present only after a clean close ({@link CleanShutdownMarker})
 *    .lock                           held while open ({@link DirectoryLock})
 * </pre>
 * A segment's name is the base offset of its first batch. Each frame is one record batch whose layout the log
 * reads through {@link FrameDescriptor} and otherwise treats as opaque bytes.
 *
 * <h2>Threads</h2>
 * <ul>
 * <li><b>Writer</b> (one thread, the journal stage): {@link #append}, {@link #flush}, {@link #flushIfDue},
 * {@link #truncateTo}, {@link #nextOffset}, {@link #close}. Appends publish with release semantics: the frame's
 * length word last, then the segment's end, then {@link #highestOffsetVisible()}.</li>
 * <li><b>Any thread</b>: {@link #newReader}, {@link #offsetForTimestamp}, {@link #highestOffsetVisible},
 * {@link #startOffset}, {@link #durableNextOffset}, {@link #sizeInBytes}, {@link #recoveryReport}.</li>
 * <li><b>Janitor</b> (one thread): {@link #enforceRetention}, {@link #preallocateNext},
 * {@link #preallocateNextIfFilling}, {@link #pretouch}.</li>
 * </ul>
 * The segment list is an immutable array replaced on roll, truncation and retention under a lock that only those
 * cold paths take; readers and appends never lock. A segment removed from the list stays mapped until the last
 * reader holding it lets go (see {@link Segment}).
 *
 * <h2>Durability</h2>
 * Appended frames reach the page cache at once. {@link #flush()} forces the dirty ranges of the segments and
 * indexes and, at most once per {@link LogConfig#checkpointIntervalMs()}, records the durable end in the recovery
 * checkpoint; {@link #flushIfDue} applies the {@link FlushPolicy}. {@link #close()} forces everything, writes the
 * checkpoint and the clean-shutdown marker. {@link #open} recovers as {@link Recovery} describes.
 *
 * <h2>Errors</h2>
 * Hot paths return {@link LogResult} codes and never throw, allocate or log; cold paths throw
 * {@link LogException}.
 */
public final class PartitionLog implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger("io.sequent.log");
    private static final long ROLL_FAILURE_LOG_INTERVAL_MS = 60_000;

    private static final VarHandle VISIBLE_NEXT_OFFSET;
    private static final VarHandle DURABLE_NEXT_OFFSET;
    private static final VarHandle START_OFFSET;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            VISIBLE_NEXT_OFFSET = lookup.findVarHandle(PartitionLog.class, "visibleNextOffset", long.class);
            DURABLE_NEXT_OFFSET = lookup.findVarHandle(PartitionLog.class, "durableNextOffset", long.class);
            START_OFFSET = lookup.findVarHandle(PartitionLog.class, "startOffset", long.class);
        } catch (final ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Path dir;
    private final LogConfig config;
    private final EpochClock clock;
    private final DirectoryLock directoryLock;
    private final SegmentPreallocator preallocator;
    private final RecoveryReport recoveryReport;
    private final CRC32C heapCrc = new CRC32C();
    private final int maxFrameLength;
    private final int indexIntervalBytes;
    private final long segmentMs;
    private final FlushPolicy flushPolicy;
    private final long flushIntervalMs;
    private final long checkpointIntervalMs;
    private final boolean verifyCrcOnAppend;
    private final Pretoucher pretoucher;

    private final SegmentList segments;
    private volatile boolean closed;
    @SuppressWarnings("unused")
    private volatile long visibleNextOffset;
    @SuppressWarnings("unused")
    private volatile long durableNextOffset;
    @SuppressWarnings("unused")
    private volatile long startOffset;

    // writer thread state
    private Segment active;
    private long nextOffset;
    private int lastEpoch;
    private long flushedSegmentBase;
    private boolean directoryDirty;
    private long lastFlushMs;
    private long lastCheckpointMs;
    private long checkpointBase;
    private int checkpointPosition;
    private long checkpointFailures;
    private long rollFailures;
    private long rollFailuresLogged;
    private long lastRollFailureLogMs;

    private PartitionLog(
        final Path dir,
        final LogConfig config,
        final EpochClock clock,
        final DirectoryLock directoryLock,
        final Recovery.Result recovered) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.directoryLock = directoryLock;
        this.preallocator = new SegmentPreallocator(dir, config);
        this.recoveryReport = recovered.report;
        this.maxFrameLength = config.maxFrameLength();
        this.indexIntervalBytes = config.indexIntervalBytes();
        this.segmentMs = config.segmentMs();
        this.flushPolicy = config.flushPolicy();
        this.flushIntervalMs = config.flushIntervalMs();
        this.checkpointIntervalMs = config.checkpointIntervalMs();
        this.verifyCrcOnAppend = config.verifyCrcOnAppend();
        this.pretoucher = new Pretoucher(config.pretouchBytes());

        Segment[] initial = recovered.segments;
        if (0 == initial.length) {
            initial = new Segment[]{createFirstSegment(recovered.nextOffset)};
        }
        this.segments = new SegmentList(initial);
        this.active = initial[initial.length - 1];
        this.nextOffset = recovered.nextOffset;
        this.lastEpoch = recovered.lastEpoch;
        this.flushedSegmentBase = active.baseOffset();
        this.checkpointBase = active.baseOffset();
        this.checkpointPosition = active.writePosition();
        final long now = clock.time();
        this.lastFlushMs = now;
        this.lastCheckpointMs = now;
        if (DurabilityTrace.ENABLED) {
            for (final Segment segment : initial) {
                DurabilityTrace.forced(segment.logFile(), segment.writePosition());
            }
        }
        START_OFFSET.setRelease(this, initial[0].baseOffset());
        DURABLE_NEXT_OFFSET.setRelease(this, nextOffset);
        VISIBLE_NEXT_OFFSET.setRelease(this, nextOffset);
    }

    /**
     * Open (creating if needed) the partition log in {@code dir} and recover it. A torn tail is truncated and
     * reported in {@link #recoveryReport()}, never thrown.
     *
     * @param dir    the partition directory; created if missing.
     * @param config the settings; concluded and copied, later changes have no effect on this log.
     * @param clock  time source for segment age and flush and checkpoint intervals.
     * @return the open log.
     * @throws LogCorruptionException if data below the recovery checkpoint is damaged (nothing is modified).
     * @throws LogException           if the configuration is invalid, the directory is locked by another log, or
     *                                the file system fails.
     */
    public static PartitionLog open(final Path dir, final LogConfig config, final EpochClock clock) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(clock, "clock");
        final LogConfig settings = Objects.requireNonNull(config, "config").conclude().copy();
        try {
            Files.createDirectories(dir);
        } catch (final IOException ex) {
            throw new LogException(LogResult.IO_ERROR, "cannot create partition directory " + dir + ": " + ex, ex);
        }
        final DirectoryLock lock = DirectoryLock.acquire(dir);
        try {
            final Recovery.Result result = Recovery.recover(dir, settings, clock.time());
            try {
                return new PartitionLog(dir, settings, clock, lock, result);
            } catch (final RuntimeException ex) {
                for (final Segment segment : result.segments) {
                    segment.release();
                }
                throw ex;
            }
        } catch (final RuntimeException | Error ex) {
            lock.close();
            throw ex;
        }
    }

    private Segment createFirstSegment(final long baseOffset) {
        try {
            final int length = preallocator.initialLength();
            final Segment segment = preallocator.newSegment(baseOffset, length, length);
            LogFiles.fsyncDirectory(dir);
            return segment;
        } catch (final IOException ex) {
            throw new LogException(LogFiles.isDiskFull(ex) ? LogResult.DISK_FULL : LogResult.IO_ERROR,
                "cannot create the first segment in " + dir + ": " + ex, ex);
        }
    }

    /**
     * @return what recovery found and did when this log was opened.
     */
    public RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    /**
     * @return the partition directory.
     */
    public Path directory() {
        return dir;
    }

    /**
     * @return a copy of the configuration in force.
     */
    public LogConfig config() {
        return config.copy();
    }

    // ------------------------------------------------------------------------------------------------------------
    // writer thread
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Append one frame (record batch). Writer thread only. Never throws, allocates or logs (rolling a segment
     * does, and is rare).
     * <p>
     * The frame must have {@code frameLength == length}, {@code baseOffset == nextOffset()}, at least one record
     * and a leader epoch no lower than the previous batch's; its CRC is trusted unless
     * {@link LogConfig#verifyCrcOnAppend()}. The segment rolls first when the frame does not fit or the segment
     * is older than {@link LogConfig#segmentMs()}.
     *
     * @param buffer holding the frame.
     * @param offset of the frame in the buffer.
     * @param length of the frame.
     * @return {@link LogResult#OK}, or {@link LogResult#INVALID_FRAME}, {@link LogResult#FRAME_TOO_LARGE},
     * {@link LogResult#OFFSET_MISMATCH}, {@link LogResult#DISK_FULL} (a new segment could not be created; nothing
     * was written and a later append succeeds once space returns), {@link LogResult#IO_ERROR} or
     * {@link LogResult#CLOSED}.
     */
    public int append(final DirectBuffer buffer, final int offset, final int length) {
        if (closed) {
            return LogResult.CLOSED;
        }
        if (length < MIN_FRAME_LENGTH || offset < 0 || offset > buffer.capacity() - length) {
            return LogResult.INVALID_FRAME;
        }
        if (length > maxFrameLength) {
            return LogResult.FRAME_TOO_LARGE;
        }
        if (buffer.getInt(offset + LENGTH_OFFSET) != length) {
            return LogResult.INVALID_FRAME;
        }
        final int recordCount = buffer.getInt(offset + RECORD_COUNT_OFFSET);
        final int epoch = buffer.getInt(offset + LEADER_EPOCH_OFFSET);
        if (recordCount < 1 || epoch < lastEpoch) {
            return LogResult.INVALID_FRAME;
        }
        final long baseOffset = buffer.getLong(offset + BASE_OFFSET_OFFSET);
        if (baseOffset != nextOffset) {
            return LogResult.OFFSET_MISMATCH;
        }
        final long lastOffset = baseOffset + recordCount - 1;
        if (lastOffset < baseOffset) {
            return LogResult.INVALID_FRAME;
        }
        if (verifyCrcOnAppend && computeCrc(buffer, offset, length) != buffer.getInt(offset + CRC_OFFSET)) {
            return LogResult.INVALID_FRAME;
        }

        final long nowMs = clock.time();
        Segment segment = active;
        if (segment.remaining() < alignedLength(length) ||
            (!segment.isEmpty() && nowMs - segment.firstAppendMs() >= segmentMs) ||
            lastOffset - segment.baseOffset() > Integer.MAX_VALUE) {
            final int result = roll(alignedLength(length));
            if (LogResult.OK != result) {
                return result;
            }
            segment = active;
        }

        try {
            segment.append(buffer, offset, length, baseOffset, lastOffset, epoch,
                buffer.getLong(offset + MAX_TIMESTAMP_OFFSET), nowMs, indexIntervalBytes);
        } catch (final InternalError ex) {
            // A fault inside a mapped write (the file lost its blocks): nothing was published.
            return LogResult.IO_ERROR;
        }
        nextOffset = lastOffset + 1;
        lastEpoch = epoch;
        VISIBLE_NEXT_OFFSET.setRelease(this, nextOffset);
        return LogResult.OK;
    }

    private int computeCrc(final DirectBuffer buffer, final int offset, final int length) {
        final byte[] array = buffer.byteArray();
        if (null != array) {
            heapCrc.reset();
            heapCrc.update(array, buffer.wrapAdjustment() + offset + CRC_START, length - CRC_START);
            return (int) heapCrc.getValue();
        }
        return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset + CRC_START, length - CRC_START);
    }

    /**
     * Force every byte appended so far (segments and indexes) to the storage device, and at most once per
     * {@link LogConfig#checkpointIntervalMs()} record the durable end in the recovery checkpoint. Writer thread
     * only. Forces only the dirty ranges; allocates only when it writes the checkpoint or after a roll.
     *
     * @return {@link LogResult#OK}, {@link LogResult#IO_ERROR} (nothing is known durable beyond the previous
     * flush) or {@link LogResult#CLOSED}.
     */
    public int flush() {
        if (closed) {
            return LogResult.CLOSED;
        }
        final int result = forceAll();
        if (LogResult.OK == result) {
            final long nowMs = clock.time();
            if (0 == checkpointIntervalMs || nowMs - lastCheckpointMs >= checkpointIntervalMs) {
                lastCheckpointMs = nowMs;
                writeCheckpoint();
            }
        }
        return result;
    }

    private int forceAll() {
        final Segment current = active;
        try {
            if (flushedSegmentBase != current.baseOffset()) {
                for (final Segment segment : segments.snapshot()) {
                    if (segment != current && segment.baseOffset() >= flushedSegmentBase && segment.tryAcquire()) {
                        try {
                            segment.force();
                            if (DurabilityTrace.ENABLED) {
                                DurabilityTrace.forced(segment.logFile(), segment.writePosition());
                            }
                        } finally {
                            segment.release();
                        }
                    }
                }
                flushedSegmentBase = current.baseOffset();
            }
            current.force();
            if (DurabilityTrace.ENABLED) {
                DurabilityTrace.forced(current.logFile(), current.writePosition());
            }
            if (directoryDirty) {
                LogFiles.fsyncDirectory(dir);
                directoryDirty = false;
            }
        } catch (final UncheckedIOException | IOException | InternalError ex) {
            return LogResult.IO_ERROR;
        }
        DURABLE_NEXT_OFFSET.setRelease(this, nextOffset);
        return LogResult.OK;
    }

    private boolean writeCheckpoint() {
        final Segment current = active;
        try {
            RecoveryCheckpoint.write(dir, current.baseOffset(), current.writePosition(), nextOffset);
            checkpointBase = current.baseOffset();
            checkpointPosition = current.writePosition();
            checkpointFailures = 0;
            return true;
        } catch (final IOException ex) {
            // The data is durable; only recovery's starting point lags. Retried on the next due flush.
            if (0 == checkpointFailures++) {
                LOGGER.log(System.Logger.Level.WARNING, "cannot write the recovery checkpoint in " + dir, ex);
            }
            // The rename may have happened before the failure: assume the checkpoint moved.
            checkpointBase = current.baseOffset();
            checkpointPosition = current.writePosition();
            return false;
        }
    }

    /**
     * Apply the {@link FlushPolicy}: {@link FlushPolicy#BATCH} flushes at the end of a batch when anything is
     * dirty, {@link FlushPolicy#INTERVAL} when anything is dirty and the interval has passed,
     * {@link FlushPolicy#NONE} never. Writer thread only; allocation-free except as noted on {@link #flush()}.
     *
     * @param endOfBatch true at the end of a sequencer batch.
     * @param nowMs      the current time.
     * @return {@link LogResult#OK} or the result of {@link #flush()}.
     */
    public int flushIfDue(final boolean endOfBatch, final long nowMs) {
        switch (flushPolicy) {
            case BATCH:
                return endOfBatch && isDirty() ? flush() : LogResult.OK;
            case INTERVAL:
                if (isDirty() && nowMs - lastFlushMs >= flushIntervalMs) {
                    lastFlushMs = nowMs;
                    return flush();
                }
                return LogResult.OK;
            default:
                return closed ? LogResult.CLOSED : LogResult.OK;
        }
    }

    private boolean isDirty() {
        final Segment current = active;
        return flushedSegmentBase != current.baseOffset() || current.isDirty() || directoryDirty;
    }

    /**
     * @return the log end offset: the offset the next appended batch must start at. Writer thread.
     */
    public long nextOffset() {
        return nextOffset;
    }

    /**
     * @return the first offset still held (moves up with retention). Any thread.
     */
    public long startOffset() {
        return (long) START_OFFSET.getAcquire(this);
    }

    /**
     * @return every offset below this has been forced to disk; with {@link FlushPolicy#NONE}, every offset below
     * it has been written. Any thread.
     */
    public long durableNextOffset() {
        if (FlushPolicy.NONE == flushPolicy) {
            return (long) VISIBLE_NEXT_OFFSET.getAcquire(this);
        }
        return (long) DURABLE_NEXT_OFFSET.getAcquire(this);
    }

    /**
     * @return bytes of frames held (including alignment padding). Any thread.
     */
    public long sizeInBytes() {
        return segments.sizeInBytes();
    }

    /**
     * Drop every batch whose baseOffset is at or above {@code offset}: zero the dropped bytes and index entries,
     * delete segments that become empty, force the changes, and make sure the recovery checkpoint is not above the
     * new end first (so a crash cannot resurrect or misjudge the dropped bytes). Appends continue at
     * {@code offset}. Writer thread only; cold path (used by replication to remove a divergent tail).
     * <p>
     * Readers see the shorter log at once; a reader still using a slice of a dropped frame may see it zeroed, so
     * callers truncate only above the offsets consumers may read (the high watermark).
     *
     * @param offset a batch boundary in [startOffset, nextOffset].
     * @return {@link LogResult#OK}; {@link LogResult#OFFSET_MISMATCH} when no batch starts at {@code offset} or it
     * is above {@link #nextOffset()}; {@link LogResult#OFFSET_OUT_OF_RANGE} below the start;
     * {@link LogResult#IO_ERROR} when the checkpoint cannot be moved (nothing changed) or the changes cannot be
     * forced (the log is truncated in memory); {@link LogResult#CLOSED}.
     */
    public int truncateTo(final long offset) {
        if (closed) {
            return LogResult.CLOSED;
        }
        if (offset == nextOffset) {
            return LogResult.OK;
        }
        if (offset > nextOffset) {
            return LogResult.OFFSET_MISMATCH;
        }
        synchronized (segments.mutex()) {
            if (offset < startOffset()) {
                return LogResult.OFFSET_OUT_OF_RANGE;
            }
            final Segment[] current = segments.snapshot();
            final int index = SegmentList.floorIndex(current, offset);
            if (index < 0) {
                return LogResult.OFFSET_OUT_OF_RANGE;
            }
            final Segment segment = current[index];
            final int position = segment.findFrameStart(offset);
            if (position < 0) {
                return LogResult.OFFSET_MISMATCH;
            }
            final boolean dropWholeSegment = 0 == position && index > 0;
            final int keep = dropWholeSegment ? index : index + 1;
            final Segment newActive = current[keep - 1];
            final int cutPosition = dropWholeSegment ? newActive.writePosition() : position;

            if (checkpointBase > newActive.baseOffset() ||
                (checkpointBase == newActive.baseOffset() && checkpointPosition > cutPosition)) {
                try {
                    RecoveryCheckpoint.write(dir, newActive.baseOffset(), cutPosition, offset);
                } catch (final IOException ex) {
                    LOGGER.log(System.Logger.Level.WARNING, "truncateTo(" + offset + ") in " + dir +
                        ": cannot move the recovery checkpoint", ex);
                    return LogResult.IO_ERROR;
                }
                checkpointBase = newActive.baseOffset();
                checkpointPosition = cutPosition;
            }

            VISIBLE_NEXT_OFFSET.setRelease(this, offset);
            if ((long) DURABLE_NEXT_OFFSET.getAcquire(this) > offset) {
                DURABLE_NEXT_OFFSET.setRelease(this, offset);
            }
            segments.replace(Arrays.copyOf(current, keep));
            for (int i = keep; i < current.length; i++) {
                current[i].markDeleted();
            }

            int result = LogResult.OK;
            try {
                if (!dropWholeSegment) {
                    segment.truncateTo(position, offset, index > 0 ? current[index - 1].lastEpoch() :
                        Integer.MIN_VALUE);
                }
                if (keep < current.length) {
                    LogFiles.fsyncDirectory(dir);
                }
            } catch (final UncheckedIOException | IOException ex) {
                LOGGER.log(System.Logger.Level.WARNING, "truncateTo(" + offset + ") in " + dir +
                    ": cannot force the truncation", ex);
                result = LogResult.IO_ERROR;
            }
            for (int i = keep; i < current.length; i++) {
                current[i].release();
            }
            active = newActive;
            nextOffset = offset;
            lastEpoch = newActive.lastEpoch();
            flushedSegmentBase = Math.min(flushedSegmentBase, newActive.baseOffset());
            return result;
        }
    }

    /**
     * Move to a new segment, twice the length of the old one (up to {@link LogConfig#segmentBytes()}) and long
     * enough for the frame. Writer thread; cold path.
     *
     * @param frameLength the aligned length of the frame that rolls the segment.
     */
    private int roll(final int frameLength) {
        final Segment old = active;
        // An empty active segment too small for the frame (a partition's small first segment, one trimmed when it
        // rolled and then emptied by truncation, or one cut short by a crash) is grown instead: the new one would
        // take its name.
        final boolean regrow = old.isEmpty() && old.baseOffset() == nextOffset;
        final int nextLength = preallocator.nextLength(old.mappedLength(), frameLength);
        final Segment next;
        try {
            next = regrow ? preallocator.regrow(old, nextLength) :
                preallocator.newSegment(nextOffset, nextLength, frameLength);
        } catch (final IOException ex) {
            final boolean full = LogFiles.isDiskFull(ex) || LogFiles.isLowOnSpace(dir, nextLength);
            onRollFailure(ex, full);
            return full ? LogResult.DISK_FULL : LogResult.IO_ERROR;
        }
        if (0 != rollFailures) {
            LOGGER.log(System.Logger.Level.WARNING, "rolled a new segment in " + dir + " after " + rollFailures +
                " failed attempts");
            rollFailures = 0;
            rollFailuresLogged = 0;
        }
        active = next;
        directoryDirty = true;
        if (regrow) {
            segments.replaceLast(next);
            old.release();
        } else {
            segments.append(next);
            try {
                old.finish();
            } catch (final IOException ex) {
                LOGGER.log(System.Logger.Level.DEBUG, "cannot trim " + old.logFile(), ex);
            }
        }
        return LogResult.OK;
    }

    /**
     * Log a failed roll without flooding: a full disk fails every append that needs a new segment, thousands a
     * second. The first failure is logged with its exception; while the failures go on, one line with the count at
     * most every {@link #ROLL_FAILURE_LOG_INTERVAL_MS}; the roll that succeeds again logs the total.
     */
    private void onRollFailure(final IOException ex, final boolean full) {
        rollFailures++;
        final long nowMs = clock.time();
        if (1 == rollFailures) {
            lastRollFailureLogMs = nowMs;
            rollFailuresLogged = 1;
            LOGGER.log(System.Logger.Level.WARNING, "cannot roll a new segment in " + dir +
                (full ? ": disk full" : "") + " (appends to this partition fail until it can; repeats are counted)",
                ex);
        } else if (nowMs - lastRollFailureLogMs >= ROLL_FAILURE_LOG_INTERVAL_MS) {
            LOGGER.log(System.Logger.Level.WARNING, "still cannot roll a new segment in " + dir +
                (full ? ": disk full" : "") + ": " + (rollFailures - rollFailuresLogged) + " more failures in " +
                (nowMs - lastRollFailureLogMs) / 1000 + " s (" + rollFailures + " in all): " + ex.getMessage());
            lastRollFailureLogMs = nowMs;
            rollFailuresLogged = rollFailures;
        }
    }

    /**
     * @return failed attempts to roll a new segment since the last roll that succeeded. Writer thread.
     */
    long rollFailures() {
        return rollFailures;
    }

    /**
     * Force all data, write the recovery checkpoint and the clean-shutdown marker, then release the segments
     * (a segment a reader still holds is unmapped when the reader lets go) and the directory lock. Writer thread.
     * Idempotent.
     *
     * @throws LogException with {@link LogResult#IO_ERROR} if the data could not be forced; the log is closed
     *                      anyway and the next open recovers it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        final int forced = forceAll();
        boolean markerWritten = false;
        if (LogResult.OK == forced && writeCheckpoint()) {
            try {
                CleanShutdownMarker.write(dir);
                markerWritten = true;
            } catch (final IOException ex) {
                LOGGER.log(System.Logger.Level.WARNING, "cannot write the clean-shutdown marker in " + dir, ex);
            }
        }
        closed = true;
        for (final Segment segment : segments.clear()) {
            segment.release();
        }
        preallocator.discardSpare();
        directoryLock.close();
        if (LogResult.OK != forced) {
            throw new LogException(LogResult.IO_ERROR, "closed " + dir + " without forcing all data to disk");
        }
        if (!markerWritten) {
            LOGGER.log(System.Logger.Level.INFO, "{0} closed without a clean-shutdown marker; the next open " +
                "recovers it", dir);
        }
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------------------------------------
    // any thread
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @return a new reader; give each reading thread its own.
     */
    public LogReader newReader() {
        return new LogReader(this);
    }

    /**
     * @return the end of the frames readers may see: every batch below this offset is whole. Any thread.
     */
    public long highestOffsetVisible() {
        return (long) VISIBLE_NEXT_OFFSET.getAcquire(this);
    }

    /**
     * The base offset of the first batch whose maxTimestamp is at or after {@code timestampMs} (Kafka's
     * ListOffsets by timestamp). Any thread.
     *
     * @param timestampMs epoch milliseconds.
     * @return that batch's base offset, or -1 when no batch reaches {@code timestampMs}.
     */
    public long offsetForTimestamp(final long timestampMs) {
        for (final Segment segment : segments.snapshot()) {
            if (segment.maxTimestamp() < timestampMs || !segment.tryAcquire()) {
                continue;
            }
            try {
                final long found = searchTimestamp(segment, timestampMs);
                if (found >= 0) {
                    return found;
                }
            } finally {
                segment.release();
            }
        }
        return -1;
    }

    private static long searchTimestamp(final Segment segment, final long timestampMs) {
        final int limit = segment.publishedPosition();
        final long base = segment.baseOffset();
        final long rel = segment.timeIndex().lastRelativeOffsetBelow(timestampMs);
        int position = rel < 0 ? 0 : segment.offsetIndex().lookupPosition(rel, segment.buffer(), limit, base);
        final UnsafeBuffer buffer = segment.buffer();
        while (position <= limit - MIN_FRAME_LENGTH) {
            final int length = buffer.getInt(position + LENGTH_OFFSET);
            if (length < MIN_FRAME_LENGTH || length > limit - position) {
                return -1;
            }
            if (buffer.getLong(position + MAX_TIMESTAMP_OFFSET) >= timestampMs) {
                return buffer.getLong(position + BASE_OFFSET_OFFSET);
            }
            position += alignedLength(length);
        }
        return -1;
    }

    /** The segment holding {@code offset} (the last one whose base offset is at or below it), or null. */
    Segment segmentFor(final long offset) {
        return segments.floor(offset);
    }

    /**
     * @return number of segments. Any thread.
     */
    public int segmentCount() {
        return segments.snapshot().length;
    }

    /**
     * @return base offsets of the segments, oldest first. Any thread; allocates.
     */
    public long[] segmentBaseOffsets() {
        final Segment[] current = segments.snapshot();
        final long[] bases = new long[current.length];
        for (int i = 0; i < current.length; i++) {
            bases[i] = current[i].baseOffset();
        }
        return bases;
    }

    // ------------------------------------------------------------------------------------------------------------
    // janitor thread
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Delete the oldest whole segments, never the active one, while the oldest is eligible: its largest batch
     * timestamp is older than {@link LogConfig#retentionMs()} before {@code nowMs}, or the log without it still
     * holds at least {@link LogConfig#retentionBytes()}. The start offset moves at once; a segment a reader holds
     * is unmapped and its files (renamed {@code *.deleted}) removed when the last reader releases it. Janitor
     * thread; cold path.
     *
     * @param nowMs the current time.
     * @return number of segments deleted.
     */
    public int enforceRetention(final long nowMs) {
        final long retentionMs = config.retentionMs();
        final long retentionBytes = config.retentionBytes();
        if (retentionMs < 0 && retentionBytes < 0) {
            return 0;
        }
        final Segment[] current;
        final int deletable;
        synchronized (segments.mutex()) {
            if (closed) {
                return 0;
            }
            current = segments.snapshot();
            deletable = Retention.deletableCount(current, nowMs, retentionMs, retentionBytes);
            if (0 == deletable) {
                return 0;
            }
            segments.replace(Arrays.copyOfRange(current, deletable, current.length));
            START_OFFSET.setRelease(this, current[deletable].baseOffset());
            for (int i = 0; i < deletable; i++) {
                current[i].markDeleted();
            }
        }
        for (int i = 0; i < deletable; i++) {
            LOGGER.log(System.Logger.Level.DEBUG, "retention deletes {0}", current[i]);
            current[i].release();
        }
        return deletable;
    }

    /**
     * Prepare the next segment's files ahead of time, so the writer's next roll only renames and maps them.
     * Janitor thread; cold path. A failure (such as a full disk) is not reported here: the writer then prepares
     * the segment itself when it rolls and reports {@link LogResult#DISK_FULL} if it cannot.
     */
    public void preallocateNext() {
        if (!closed) {
            final Segment[] current = segments.snapshot();
            final int previous = 0 == current.length ? 0 : current[current.length - 1].mappedLength();
            preallocator.prepareSpare(preallocator.nextLength(previous, 0));
        }
    }

    /**
     * Prepare the next segment's files if none is ready and the active segment is at least half full, so that
     * the writer's roll finds them ready. Janitor thread; cold path; meant to be called periodically. Segments that
     * roll by age rather than size may still roll before this prepares anything; the roll then prepares inline.
     *
     * @return true when a spare segment was prepared by this call.
     */
    public boolean preallocateNextIfFilling() {
        if (closed || preallocator.hasSpare()) {
            return false;
        }
        final Segment[] current = segments.snapshot();
        if (0 == current.length) {
            return false;
        }
        final Segment last = current[current.length - 1];
        if (last.publishedPosition() < last.mappedLength() / 2) {
            return false;
        }
        return preallocator.prepareSpare(preallocator.nextLength(last.mappedLength(), 0));
    }

    /**
     * Touch the pages of the active segment up to {@link LogConfig#pretouchBytes()} beyond the writer's end, so
     * the writer's first store to each of them takes no page fault ({@link Pretoucher}). Never changes a byte the
     * writer wrote or will write. Janitor thread; allocation-free; meant to be called every janitor round (it
     * does nothing while the writer has not moved).
     *
     * @return the number of pages touched.
     */
    public int pretouch() {
        if (closed) {
            return 0;
        }
        final Segment[] current = segments.snapshot();
        if (0 == current.length) {
            return 0;
        }
        final Segment last = current[current.length - 1];
        if (!last.tryAcquire()) {
            return 0;
        }
        try {
            return pretoucher.touch(last);
        } finally {
            last.release();
        }
    }

    /** @return the newest segment of the list (the active one as readers see it). Any thread; tests. */
    Segment lastSegment() {
        final Segment[] current = segments.snapshot();
        return 0 == current.length ? null : current[current.length - 1];
    }

    /** @return pages touched by {@link #pretouch()} so far. Janitor thread. */
    long pagesPretouched() {
        return pretoucher.pagesTouched();
    }

    @Override
    public String toString() {
        return "PartitionLog{" + dir + ", offsets=[" + startOffset() + ", " + highestOffsetVisible() +
            "), segments=" + segmentCount() + '}';
    }
}

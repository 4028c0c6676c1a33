package io.sequent.log;

import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link PartitionLog}: a fluent, mutable object in the style of an Aeron {@code Context}. Setters
 * return {@code this}; {@link #conclude()} validates the whole set and throws a {@link LogException} with code
 * {@link LogResult#INVALID_CONFIG} naming the offending property. {@link PartitionLog#open} concludes the object
 * and keeps its own copy, so changes made after opening do not affect an open log.
 * <p>
 * Each setting is documented once, on its {@code *_PROP_NAME} constant, with its default beside it.
 * {@link #fromProperties(Properties)} reads the {@code log.*} keys listed here and ignores any other key.
 */
public final class LogConfig implements Cloneable {
    /** Smallest segment allowed (small segments are useful in tests). */
    public static final int MIN_SEGMENT_BYTES = 4096;

    /** Largest segment allowed: positions inside a segment are int32 and a mapping is at most 2 GiB. */
    public static final int MAX_SEGMENT_BYTES = 1 << 30;

    /**
     * Size of a segment file in bytes. Segments are pre-allocated to this size and memory-mapped; the segment
     * rolls when the next frame does not fit. Between {@link #MIN_SEGMENT_BYTES} and {@link #MAX_SEGMENT_BYTES},
     * a multiple of {@link FrameDescriptor#FRAME_ALIGNMENT}.
     */
    public static final String SEGMENT_BYTES_PROP_NAME = "log.segment.bytes";
    /** Default for {@link #SEGMENT_BYTES_PROP_NAME}: 256 MiB. */
    public static final int SEGMENT_BYTES_DEFAULT = 256 * 1024 * 1024;

    /**
     * Bytes of frames between two entries of the sparse offset and time indexes: an entry is added for a frame
     * that starts at least this many bytes after the previous entry's frame. Smaller values make lookups scan
     * less and indexes larger. 0 indexes every frame. At least 0.
     */
    public static final String INDEX_INTERVAL_BYTES_PROP_NAME = "log.index.interval.bytes";
    /** Default for {@link #INDEX_INTERVAL_BYTES_PROP_NAME}: 4096. */
    public static final int INDEX_INTERVAL_BYTES_DEFAULT = 4096;

    /**
     * Milliseconds after a segment's first append (per the log's clock) at which the next append rolls to a new
     * segment even if the segment is not full. At least 1.
     */
    public static final String SEGMENT_MS_PROP_NAME = "log.segment.ms";
    /** Default for {@link #SEGMENT_MS_PROP_NAME}: 7 days. */
    public static final long SEGMENT_MS_DEFAULT = TimeUnit.DAYS.toMillis(7);

    /**
     * Retention by time: {@link PartitionLog#enforceRetention} deletes whole non-active segments whose largest
     * batch timestamp is older than this many milliseconds. -1 keeps segments forever. At least -1.
     */
    public static final String RETENTION_MS_PROP_NAME = "log.retention.ms";
    /** Default for {@link #RETENTION_MS_PROP_NAME}: 7 days. */
    public static final long RETENTION_MS_DEFAULT = TimeUnit.DAYS.toMillis(7);

    /**
     * Retention by size: {@link PartitionLog#enforceRetention} deletes the oldest non-active segments as long as
     * the bytes left are still at least this many, so the log keeps at least this much data. -1 is unlimited.
     * At least -1.
     */
    public static final String RETENTION_BYTES_PROP_NAME = "log.retention.bytes";
    /** Default for {@link #RETENTION_BYTES_PROP_NAME}: -1 (unlimited). */
    public static final long RETENTION_BYTES_DEFAULT = -1;

    /** When frames are forced to disk: {@code batch}, {@code none} or {@code interval}; see {@link FlushPolicy}. */
    public static final String FLUSH_POLICY_PROP_NAME = "log.flush.policy";
    /** Default for {@link #FLUSH_POLICY_PROP_NAME}: {@link FlushPolicy#BATCH}. */
    public static final FlushPolicy FLUSH_POLICY_DEFAULT = FlushPolicy.BATCH;

    /** Milliseconds between forces with {@link FlushPolicy#INTERVAL}. At least 1. */
    public static final String FLUSH_INTERVAL_MS_PROP_NAME = "log.flush.interval.ms";
    /** Default for {@link #FLUSH_INTERVAL_MS_PROP_NAME}: 1000. */
    public static final long FLUSH_INTERVAL_MS_DEFAULT = 1000;

    /**
     * Pre-allocate segment and index files by writing zeros, so that blocks are reserved before the file is
     * mapped and a full disk shows as {@link LogResult#DISK_FULL} when a segment rolls. {@code false} creates
     * sparse files (fast, but a full disk then faults inside a mapped write and the frame is lost with
     * {@link LogResult#IO_ERROR} or worse): use it only where the disk cannot fill, such as tests.
     */
    public static final String PREALLOCATE_PROP_NAME = "log.preallocate";
    /** Default for {@link #PREALLOCATE_PROP_NAME}: true. */
    public static final boolean PREALLOCATE_DEFAULT = true;

    /**
     * Largest frame (record batch) accepted by {@link PartitionLog#append}, in bytes. At least
     * {@link FrameDescriptor#MIN_FRAME_LENGTH} and at most the segment size. 0 derives it: the segment size.
     */
    public static final String MAX_FRAME_LENGTH_PROP_NAME = "log.max.frame.bytes";
    /** Default for {@link #MAX_FRAME_LENGTH_PROP_NAME}: 0 (derived from the segment size). */
    public static final int MAX_FRAME_LENGTH_DEFAULT = 0;

    /**
     * Least milliseconds between two writes of the recovery checkpoint by {@link PartitionLog#flush} (each write
     * costs a file write, two fsyncs and a rename). Recovery after a crash validates from the checkpoint on, so a
     * longer interval means a longer recovery. 0 writes it on every flush. At least 0.
     */
    public static final String CHECKPOINT_INTERVAL_MS_PROP_NAME = "log.checkpoint.interval.ms";
    /** Default for {@link #CHECKPOINT_INTERVAL_MS_PROP_NAME}: 1000. */
    public static final long CHECKPOINT_INTERVAL_MS_DEFAULT = 1000;

    /**
     * Verify each frame's CRC-32C in {@link PartitionLog#append} and refuse a mismatch with
     * {@link LogResult#INVALID_FRAME}. Off by default because the leader's sequencer computes the CRC just before
     * appending; worth turning on where frames arrive from elsewhere (a follower appending replicated batches).
     * A frame stored with a bad CRC is treated by recovery as damage.
     */
    public static final String VERIFY_CRC_ON_APPEND_PROP_NAME = "log.append.verify.crc";
    /** Default for {@link #VERIFY_CRC_ON_APPEND_PROP_NAME}: false. */
    public static final boolean VERIFY_CRC_ON_APPEND_DEFAULT = false;

    /**
     * Bytes of the active segment beyond the writer's end that the janitor keeps touched ({@link Pretoucher}), so
     * the writer's first store to each page of a fresh mapping takes no page fault; the janitor also touches
     * this many bytes at the start of each spare segment it prepares. 0 turns pre-touching off. Between 0 and
     * {@link #MAX_SEGMENT_BYTES}. The pages touched are dirtied with the zeros they hold, so this is also the
     * most page cache, per partition being written, that holds zeros waiting to be written back.
     */
    public static final String PRETOUCH_BYTES_PROP_NAME = "log.pretouch.bytes";
    /**
     * Default for {@link #PRETOUCH_BYTES_PROP_NAME}: 4 MiB. A saturating producer here writes about 60 MB/s,
     * 0.6 MB per 10 ms janitor round: 4 MiB keeps the toucher several rounds ahead when its thread is late.
     */
    public static final int PRETOUCH_BYTES_DEFAULT = 4 * 1024 * 1024;

    private int segmentBytes = SEGMENT_BYTES_DEFAULT;
    private int indexIntervalBytes = INDEX_INTERVAL_BYTES_DEFAULT;
    private long segmentMs = SEGMENT_MS_DEFAULT;
    private long retentionMs = RETENTION_MS_DEFAULT;
    private long retentionBytes = RETENTION_BYTES_DEFAULT;
    private FlushPolicy flushPolicy = FLUSH_POLICY_DEFAULT;
    private long flushIntervalMs = FLUSH_INTERVAL_MS_DEFAULT;
    private boolean preallocate = PREALLOCATE_DEFAULT;
    private int initialSegmentBytes = SegmentPreallocator.INITIAL_SEGMENT_BYTES;
    private int maxFrameLength = MAX_FRAME_LENGTH_DEFAULT;
    private long checkpointIntervalMs = CHECKPOINT_INTERVAL_MS_DEFAULT;
    private boolean verifyCrcOnAppend = VERIFY_CRC_ON_APPEND_DEFAULT;
    private int pretouchBytes = PRETOUCH_BYTES_DEFAULT;

    /**
     * Read the {@code log.*} properties listed in this class; absent keys keep their defaults, other keys are
     * ignored. The result is concluded.
     *
     * @param properties the properties to read.
     * @return a new, concluded configuration.
     * @throws LogException with {@link LogResult#INVALID_CONFIG} naming the key of a value that does not parse
     *                      or is out of range.
     */
    public static LogConfig fromProperties(final Properties properties) {
        final LogConfig config = new LogConfig();
        final String segmentBytes = properties.getProperty(SEGMENT_BYTES_PROP_NAME);
        if (null != segmentBytes) {
            config.segmentBytes(parseInt(SEGMENT_BYTES_PROP_NAME, segmentBytes));
        }
        final String indexInterval = properties.getProperty(INDEX_INTERVAL_BYTES_PROP_NAME);
        if (null != indexInterval) {
            config.indexIntervalBytes(parseInt(INDEX_INTERVAL_BYTES_PROP_NAME, indexInterval));
        }
        final String segmentMs = properties.getProperty(SEGMENT_MS_PROP_NAME);
        if (null != segmentMs) {
            config.segmentMs(parseLong(SEGMENT_MS_PROP_NAME, segmentMs));
        }
        final String retentionMs = properties.getProperty(RETENTION_MS_PROP_NAME);
        if (null != retentionMs) {
            config.retentionMs(parseLong(RETENTION_MS_PROP_NAME, retentionMs));
        }
        final String retentionBytes = properties.getProperty(RETENTION_BYTES_PROP_NAME);
        if (null != retentionBytes) {
            config.retentionBytes(parseLong(RETENTION_BYTES_PROP_NAME, retentionBytes));
        }
        final String flushPolicy = properties.getProperty(FLUSH_POLICY_PROP_NAME);
        if (null != flushPolicy) {
            config.flushPolicy(parseFlushPolicy(flushPolicy));
        }
        final String flushInterval = properties.getProperty(FLUSH_INTERVAL_MS_PROP_NAME);
        if (null != flushInterval) {
            config.flushIntervalMs(parseLong(FLUSH_INTERVAL_MS_PROP_NAME, flushInterval));
        }
        final String preallocate = properties.getProperty(PREALLOCATE_PROP_NAME);
        if (null != preallocate) {
            config.preallocate(parseBoolean(PREALLOCATE_PROP_NAME, preallocate));
        }
        final String maxFrame = properties.getProperty(MAX_FRAME_LENGTH_PROP_NAME);
        if (null != maxFrame) {
            config.maxFrameLength(parseInt(MAX_FRAME_LENGTH_PROP_NAME, maxFrame));
        }
        final String checkpointInterval = properties.getProperty(CHECKPOINT_INTERVAL_MS_PROP_NAME);
        if (null != checkpointInterval) {
            config.checkpointIntervalMs(parseLong(CHECKPOINT_INTERVAL_MS_PROP_NAME, checkpointInterval));
        }
        final String verifyCrc = properties.getProperty(VERIFY_CRC_ON_APPEND_PROP_NAME);
        if (null != verifyCrc) {
            config.verifyCrcOnAppend(parseBoolean(VERIFY_CRC_ON_APPEND_PROP_NAME, verifyCrc));
        }
        final String pretouch = properties.getProperty(PRETOUCH_BYTES_PROP_NAME);
        if (null != pretouch) {
            config.pretouchBytes(parseInt(PRETOUCH_BYTES_PROP_NAME, pretouch));
        }
        return config.conclude();
    }

    /**
     * Validate every setting and derive {@link #maxFrameLength()} when it is 0. May be called more than once.
     *
     * @return this.
     * @throws LogException with {@link LogResult#INVALID_CONFIG} naming the first invalid property.
     */
    public LogConfig conclude() {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES ||
            (segmentBytes & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0) {
            throw invalid(SEGMENT_BYTES_PROP_NAME, segmentBytes, "must be between " + MIN_SEGMENT_BYTES + " and " +
                MAX_SEGMENT_BYTES + " and a multiple of " + FrameDescriptor.FRAME_ALIGNMENT);
        }
        if (indexIntervalBytes < 0) {
            throw invalid(INDEX_INTERVAL_BYTES_PROP_NAME, indexIntervalBytes, "must be >= 0");
        }
        if (segmentMs < 1) {
            throw invalid(SEGMENT_MS_PROP_NAME, segmentMs, "must be >= 1");
        }
        if (retentionMs < -1) {
            throw invalid(RETENTION_MS_PROP_NAME, retentionMs, "must be >= 0, or -1 to keep segments forever");
        }
        if (retentionBytes < -1) {
            throw invalid(RETENTION_BYTES_PROP_NAME, retentionBytes, "must be >= 0, or -1 for no size limit");
        }
        if (null == flushPolicy) {
            throw invalid(FLUSH_POLICY_PROP_NAME, "null", "must be one of batch, none, interval");
        }
        if (flushIntervalMs < 1) {
            throw invalid(FLUSH_INTERVAL_MS_PROP_NAME, flushIntervalMs, "must be >= 1");
        }
        if (checkpointIntervalMs < 0) {
            throw invalid(CHECKPOINT_INTERVAL_MS_PROP_NAME, checkpointIntervalMs, "must be >= 0");
        }
        if (maxFrameLength != 0 &&
            (maxFrameLength < FrameDescriptor.MIN_FRAME_LENGTH || maxFrameLength > segmentBytes)) {
            throw invalid(MAX_FRAME_LENGTH_PROP_NAME, maxFrameLength, "must be between " +
                FrameDescriptor.MIN_FRAME_LENGTH + " and " + SEGMENT_BYTES_PROP_NAME + " (" + segmentBytes +
                "), or 0 to use the segment size");
        }
        if (pretouchBytes < 0 || pretouchBytes > MAX_SEGMENT_BYTES) {
            throw invalid(PRETOUCH_BYTES_PROP_NAME, pretouchBytes, "must be between 0 (off) and " +
                MAX_SEGMENT_BYTES);
        }
        return this;
    }

    /**
     * @return size of a segment file in bytes; see {@link #SEGMENT_BYTES_PROP_NAME}.
     */
    public int segmentBytes() {
        return segmentBytes;
    }

    /**
     * @param segmentBytes size of a segment file in bytes; see {@link #SEGMENT_BYTES_PROP_NAME}.
     * @return this.
     */
    public LogConfig segmentBytes(final int segmentBytes) {
        this.segmentBytes = segmentBytes;
        return this;
    }

    /**
     * @return length of a partition's first segment before it is capped at {@link #segmentBytes()}; segments then
     * double up to {@link #segmentBytes()} (see {@link SegmentPreallocator}). Not a setting: 1 MiB.
     */
    int initialSegmentBytes() {
        return initialSegmentBytes;
    }

    /**
     * @param initialSegmentBytes length of a partition's first segment (tests that must not roll set it to
     *                            {@link #segmentBytes()}).
     * @return this.
     */
    LogConfig initialSegmentBytes(final int initialSegmentBytes) {
        this.initialSegmentBytes = initialSegmentBytes;
        return this;
    }

    /**
     * @return bytes between index entries; see {@link #INDEX_INTERVAL_BYTES_PROP_NAME}.
     */
    public int indexIntervalBytes() {
        return indexIntervalBytes;
    }

    /**
     * @param indexIntervalBytes bytes between index entries; see {@link #INDEX_INTERVAL_BYTES_PROP_NAME}.
     * @return this.
     */
    public LogConfig indexIntervalBytes(final int indexIntervalBytes) {
        this.indexIntervalBytes = indexIntervalBytes;
        return this;
    }

    /**
     * @return age at which a segment rolls; see {@link #SEGMENT_MS_PROP_NAME}.
     */
    public long segmentMs() {
        return segmentMs;
    }

    /**
     * @param segmentMs age at which a segment rolls; see {@link #SEGMENT_MS_PROP_NAME}.
     * @return this.
     */
    public LogConfig segmentMs(final long segmentMs) {
        this.segmentMs = segmentMs;
        return this;
    }

    /**
     * @return retention by time; see {@link #RETENTION_MS_PROP_NAME}.
     */
    public long retentionMs() {
        return retentionMs;
    }

    /**
     * @param retentionMs retention by time; see {@link #RETENTION_MS_PROP_NAME}.
     * @return this.
     */
    public LogConfig retentionMs(final long retentionMs) {
        this.retentionMs = retentionMs;
        return this;
    }

    /**
     * @return retention by size; see {@link #RETENTION_BYTES_PROP_NAME}.
     */
    public long retentionBytes() {
        return retentionBytes;
    }

    /**
     * @param retentionBytes retention by size; see {@link #RETENTION_BYTES_PROP_NAME}.
     * @return this.
     */
    public LogConfig retentionBytes(final long retentionBytes) {
        this.retentionBytes = retentionBytes;
        return this;
    }

    /**
     * @return when frames are forced; see {@link #FLUSH_POLICY_PROP_NAME}.
     */
    public FlushPolicy flushPolicy() {
        return flushPolicy;
    }

    /**
     * @param flushPolicy when frames are forced; see {@link #FLUSH_POLICY_PROP_NAME}.
     * @return this.
     */
    public LogConfig flushPolicy(final FlushPolicy flushPolicy) {
        this.flushPolicy = flushPolicy;
        return this;
    }

    /**
     * @return interval of {@link FlushPolicy#INTERVAL}; see {@link #FLUSH_INTERVAL_MS_PROP_NAME}.
     */
    public long flushIntervalMs() {
        return flushIntervalMs;
    }

    /**
     * @param flushIntervalMs interval of {@link FlushPolicy#INTERVAL}; see {@link #FLUSH_INTERVAL_MS_PROP_NAME}.
     * @return this.
     */
    public LogConfig flushIntervalMs(final long flushIntervalMs) {
        this.flushIntervalMs = flushIntervalMs;
        return this;
    }

    /**
     * @return whether files are pre-allocated; see {@link #PREALLOCATE_PROP_NAME}.
     */
    public boolean preallocate() {
        return preallocate;
    }

    /**
     * @param preallocate whether files are pre-allocated; see {@link #PREALLOCATE_PROP_NAME}.
     * @return this.
     */
    public LogConfig preallocate(final boolean preallocate) {
        this.preallocate = preallocate;
        return this;
    }

    /**
     * @return the largest frame accepted: the value set, or the segment size when it is 0; see
     * {@link #MAX_FRAME_LENGTH_PROP_NAME}.
     */
    public int maxFrameLength() {
        return 0 == maxFrameLength ? segmentBytes : maxFrameLength;
    }

    /**
     * @param maxFrameLength the largest frame accepted, 0 to derive it; see {@link #MAX_FRAME_LENGTH_PROP_NAME}.
     * @return this.
     */
    public LogConfig maxFrameLength(final int maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    /**
     * @return least interval between checkpoint writes; see {@link #CHECKPOINT_INTERVAL_MS_PROP_NAME}.
     */
    public long checkpointIntervalMs() {
        return checkpointIntervalMs;
    }

    /**
     * @param checkpointIntervalMs least interval between checkpoint writes; see
     *                             {@link #CHECKPOINT_INTERVAL_MS_PROP_NAME}.
     * @return this.
     */
    public LogConfig checkpointIntervalMs(final long checkpointIntervalMs) {
        this.checkpointIntervalMs = checkpointIntervalMs;
        return this;
    }

    /**
     * @return whether append verifies CRCs; see {@link #VERIFY_CRC_ON_APPEND_PROP_NAME}.
     */
    public boolean verifyCrcOnAppend() {
        return verifyCrcOnAppend;
    }

    /**
     * @param verifyCrcOnAppend whether append verifies CRCs; see {@link #VERIFY_CRC_ON_APPEND_PROP_NAME}.
     * @return this.
     */
    public LogConfig verifyCrcOnAppend(final boolean verifyCrcOnAppend) {
        this.verifyCrcOnAppend = verifyCrcOnAppend;
        return this;
    }

    /**
     * @return bytes kept touched ahead of the writer; see {@link #PRETOUCH_BYTES_PROP_NAME}.
     */
    public int pretouchBytes() {
        return pretouchBytes;
    }

    /**
     * @param pretouchBytes bytes kept touched ahead of the writer, 0 for none; see
     *                      {@link #PRETOUCH_BYTES_PROP_NAME}.
     * @return this.
     */
    public LogConfig pretouchBytes(final int pretouchBytes) {
        this.pretouchBytes = pretouchBytes;
        return this;
    }

    /**
     * @return an independent copy of this configuration.
     */
    public LogConfig copy() {
        try {
            return (LogConfig) super.clone();
        } catch (final CloneNotSupportedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public String toString() {
        return "LogConfig{" +
            SEGMENT_BYTES_PROP_NAME + "=" + segmentBytes +
            ", " + INDEX_INTERVAL_BYTES_PROP_NAME + "=" + indexIntervalBytes +
            ", " + SEGMENT_MS_PROP_NAME + "=" + segmentMs +
            ", " + RETENTION_MS_PROP_NAME + "=" + retentionMs +
            ", " + RETENTION_BYTES_PROP_NAME + "=" + retentionBytes +
            ", " + FLUSH_POLICY_PROP_NAME + "=" + flushPolicy +
            ", " + FLUSH_INTERVAL_MS_PROP_NAME + "=" + flushIntervalMs +
            ", " + PREALLOCATE_PROP_NAME + "=" + preallocate +
            ", " + MAX_FRAME_LENGTH_PROP_NAME + "=" + maxFrameLength() +
            ", " + CHECKPOINT_INTERVAL_MS_PROP_NAME + "=" + checkpointIntervalMs +
            ", " + VERIFY_CRC_ON_APPEND_PROP_NAME + "=" + verifyCrcOnAppend +
            ", " + PRETOUCH_BYTES_PROP_NAME + "=" + pretouchBytes +
            '}';
    }

    private static LogException invalid(final String key, final Object value, final String rule) {
        return new LogException(LogResult.INVALID_CONFIG, key + " " + rule + ", was " + value);
    }

    private static int parseInt(final String key, final String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (final NumberFormatException ex) {
            throw new LogException(LogResult.INVALID_CONFIG, key + " must be an integer, was '" + value + "'", ex);
        }
    }

    private static long parseLong(final String key, final String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (final NumberFormatException ex) {
            throw new LogException(LogResult.INVALID_CONFIG, key + " must be an integer, was '" + value + "'", ex);
        }
    }

    private static boolean parseBoolean(final String key, final String value) {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        if ("true".equals(v)) {
            return true;
        }
        if ("false".equals(v)) {
            return false;
        }
        throw new LogException(LogResult.INVALID_CONFIG, key + " must be true or false, was '" + value + "'");
    }

    private static FlushPolicy parseFlushPolicy(final String value) {
        try {
            return FlushPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException ex) {
            throw new LogException(LogResult.INVALID_CONFIG, FLUSH_POLICY_PROP_NAME +
                " must be one of batch, none, interval, was '" + value + "'", ex);
        }
    }
}

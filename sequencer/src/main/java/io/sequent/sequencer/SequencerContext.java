package io.sequent.sequencer;

import org.agrona.BitUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.util.Properties;

/**
 * Settings of the write pipeline. Each setting is documented once, here, with its property name and
 * default; {@link #fromProperties(Properties)} reads them and {@link #conclude()} validates them.
 */
public final class SequencerContext {
    /** Slots in the sequencer ring (batches in flight); a power of two. Default 4096. */
    public static final String RING_SIZE_PROP = "sequencer.ring.size";
    public static final int RING_SIZE_DEFAULT = 4096;

    /**
     * Bytes of the off-heap ring that holds in-flight batches; a power of two, at least twice the
     * largest batch. Default 64 MiB.
     */
    public static final String DATA_BUFFER_BYTES_PROP = "sequencer.data.buffer.bytes";
    public static final int DATA_BUFFER_BYTES_DEFAULT = 64 * 1024 * 1024;

    /** Largest batch accepted, in bytes; a larger one is refused as too large. Default 1 MiB. */
    public static final String MAX_BATCH_BYTES_PROP = "sequencer.max.batch.bytes";
    public static final int MAX_BATCH_BYTES_DEFAULT = 1024 * 1024;

    /**
     * {@code dedicated}, {@code shared} or {@code invoker} (see {@link ThreadingMode}). Default: shared on
     * machines with four cores or fewer, dedicated otherwise.
     */
    public static final String THREADING_MODE_PROP = "sequencer.threading.mode";

    /** Idle strategy of the stage threads (see {@link IdleStrategies}). Default {@code adaptive}. */
    public static final String IDLE_STRATEGY_PROP = "sequencer.idle.strategy";

    /** How long {@link Sequencer#close()} waits for in-flight batches to complete. Default 5000 ms. */
    public static final String CLOSE_TIMEOUT_MS_PROP = "sequencer.close.timeout.ms";
    public static final long CLOSE_TIMEOUT_MS_DEFAULT = 5_000;

    /**
     * How often the janitor looks for logs whose active segment is filling up and prepares their next
     * segment off the write path. Default 10 ms.
     */
    public static final String JANITOR_INTERVAL_MS_PROP = "sequencer.janitor.interval.ms";
    public static final long JANITOR_INTERVAL_MS_DEFAULT = 10;

    /** How often the janitor applies retention (log.retention.ms / log.retention.bytes). Default 30 s. */
    public static final String RETENTION_CHECK_INTERVAL_MS_PROP = "sequencer.retention.check.interval.ms";
    public static final long RETENTION_CHECK_INTERVAL_MS_DEFAULT = 30_000;

    /**
     * Entries per file of a new group-sequence journal (32 bytes each); a power of two >= 64. Default 1048576
     * (32 MiB files). The first file holds at most 32768 entries (1 MiB) and each next one twice as many, up to
     * this size, so an idle broker's journal takes 1 MiB. An existing journal keeps the sizes its files have.
     */
    public static final String GROUP_JOURNAL_ENTRIES_PER_FILE_PROP = "sequencer.group.journal.entries.per.file";
    public static final int GROUP_JOURNAL_ENTRIES_PER_FILE_DEFAULT = 1 << 20;

    private int ringSize = RING_SIZE_DEFAULT;
    private int dataBufferBytes = DATA_BUFFER_BYTES_DEFAULT;
    private int maxBatchBytes = MAX_BATCH_BYTES_DEFAULT;
    private ThreadingMode threadingMode = ThreadingMode.forCores(Runtime.getRuntime().availableProcessors());
    private String idleStrategy = IdleStrategies.DEFAULT;
    private long closeTimeoutMs = CLOSE_TIMEOUT_MS_DEFAULT;
    private long janitorIntervalMs = JANITOR_INTERVAL_MS_DEFAULT;
    private long retentionCheckIntervalMs = RETENTION_CHECK_INTERVAL_MS_DEFAULT;
    private int leaderEpoch;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private ReplicationSink replicationSink = ReplicationSink.NONE;
    private CommitPosition commitPosition;
    private ReleaseHandler releaseHandler = ReleaseHandler.NONE;
    private JournalListener journalListener = JournalListener.NONE;
    private java.nio.file.Path groupJournalDir;
    private int groupJournalEntriesPerFile = GROUP_JOURNAL_ENTRIES_PER_FILE_DEFAULT;
    private SequencerCounters counters;

    /** Reads the {@code sequencer.*} settings present in {@code properties}; others keep their defaults. */
    public static SequencerContext fromProperties(final Properties properties) {
        final SequencerContext context = new SequencerContext();
        context.ringSize(intProperty(properties, RING_SIZE_PROP, RING_SIZE_DEFAULT));
        context.dataBufferBytes(intProperty(properties, DATA_BUFFER_BYTES_PROP, DATA_BUFFER_BYTES_DEFAULT));
        context.maxBatchBytes(intProperty(properties, MAX_BATCH_BYTES_PROP, MAX_BATCH_BYTES_DEFAULT));
        context.closeTimeoutMs(intProperty(properties, CLOSE_TIMEOUT_MS_PROP, (int) CLOSE_TIMEOUT_MS_DEFAULT));
        context.janitorIntervalMs(intProperty(properties, JANITOR_INTERVAL_MS_PROP, (int) JANITOR_INTERVAL_MS_DEFAULT));
        context.retentionCheckIntervalMs(
            intProperty(properties, RETENTION_CHECK_INTERVAL_MS_PROP, (int) RETENTION_CHECK_INTERVAL_MS_DEFAULT));
        context.groupJournalEntriesPerFile(intProperty(
            properties, GROUP_JOURNAL_ENTRIES_PER_FILE_PROP, GROUP_JOURNAL_ENTRIES_PER_FILE_DEFAULT));
        final String mode = properties.getProperty(THREADING_MODE_PROP);
        if (null != mode) {
            try {
                context.threadingMode(ThreadingMode.valueOf(mode.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (final IllegalArgumentException ex) {
                throw new SequencerException(
                    THREADING_MODE_PROP + " must be dedicated, shared or invoker, not '" + mode + "'");
            }
        }
        final String idle = properties.getProperty(IDLE_STRATEGY_PROP);
        if (null != idle) {
            context.idleStrategy(idle);
        }
        return context;
    }

    private static int intProperty(final Properties properties, final String name, final int defaultValue) {
        final String value = properties.getProperty(name);
        if (null == value) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (final NumberFormatException ex) {
            throw new SequencerException(name + " must be a whole number, not '" + value + "'");
        }
    }

    /** Validates the settings; throws {@link SequencerException} naming the offending property. */
    public SequencerContext conclude() {
        if (ringSize < 2 || !BitUtil.isPowerOfTwo(ringSize)) {
            throw new SequencerException(RING_SIZE_PROP + " must be a power of two >= 2, not " + ringSize);
        }
        if (dataBufferBytes < 4096 || !BitUtil.isPowerOfTwo(dataBufferBytes)) {
            throw new SequencerException(
                DATA_BUFFER_BYTES_PROP + " must be a power of two >= 4096, not " + dataBufferBytes);
        }
        if (maxBatchBytes < 64 || maxBatchBytes > dataBufferBytes / 2) {
            throw new SequencerException(MAX_BATCH_BYTES_PROP + " must be between 64 and half of " +
                DATA_BUFFER_BYTES_PROP + " (" + dataBufferBytes / 2 + "), not " + maxBatchBytes);
        }
        if (closeTimeoutMs < 0) {
            throw new SequencerException(CLOSE_TIMEOUT_MS_PROP + " must be >= 0, not " + closeTimeoutMs);
        }
        if (janitorIntervalMs < 1) {
            throw new SequencerException(JANITOR_INTERVAL_MS_PROP + " must be >= 1, not " + janitorIntervalMs);
        }
        if (retentionCheckIntervalMs < 1) {
            throw new SequencerException(
                RETENTION_CHECK_INTERVAL_MS_PROP + " must be >= 1, not " + retentionCheckIntervalMs);
        }
        if (groupJournalEntriesPerFile < 64 || !BitUtil.isPowerOfTwo(groupJournalEntriesPerFile)) {
            throw new SequencerException(GROUP_JOURNAL_ENTRIES_PER_FILE_PROP + " must be a power of two >= 64, not " +
                groupJournalEntriesPerFile);
        }
        try {
            IdleStrategies.parse(idleStrategy);
        } catch (final IllegalArgumentException ex) {
            throw new SequencerException(IDLE_STRATEGY_PROP + ": " + ex.getMessage());
        }
        if (null == counters) {
            counters = SequencerCounters.onHeap();
        }
        return this;
    }

    public int ringSize() {
        return ringSize;
    }

    public SequencerContext ringSize(final int ringSize) {
        this.ringSize = ringSize;
        return this;
    }

    public int dataBufferBytes() {
        return dataBufferBytes;
    }

    public SequencerContext dataBufferBytes(final int dataBufferBytes) {
        this.dataBufferBytes = dataBufferBytes;
        return this;
    }

    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    public SequencerContext maxBatchBytes(final int maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    public ThreadingMode threadingMode() {
        return threadingMode;
    }

    public SequencerContext threadingMode(final ThreadingMode threadingMode) {
        this.threadingMode = threadingMode;
        return this;
    }

    public String idleStrategy() {
        return idleStrategy;
    }

    public SequencerContext idleStrategy(final String idleStrategy) {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public long closeTimeoutMs() {
        return closeTimeoutMs;
    }

    public SequencerContext closeTimeoutMs(final long closeTimeoutMs) {
        this.closeTimeoutMs = closeTimeoutMs;
        return this;
    }

    public long janitorIntervalMs() {
        return janitorIntervalMs;
    }

    public SequencerContext janitorIntervalMs(final long janitorIntervalMs) {
        this.janitorIntervalMs = janitorIntervalMs;
        return this;
    }

    public long retentionCheckIntervalMs() {
        return retentionCheckIntervalMs;
    }

    public SequencerContext retentionCheckIntervalMs(final long retentionCheckIntervalMs) {
        this.retentionCheckIntervalMs = retentionCheckIntervalMs;
        return this;
    }

    /**
     * The leader epoch stamped on every batch at launch (never below the highest epoch in the logs);
     * {@link Sequencer#leaderEpoch(int)} raises it at run time.
     */
    public int leaderEpoch() {
        return leaderEpoch;
    }

    public SequencerContext leaderEpoch(final int leaderEpoch) {
        this.leaderEpoch = leaderEpoch;
        return this;
    }

    public EpochClock epochClock() {
        return epochClock;
    }

    public SequencerContext epochClock(final EpochClock epochClock) {
        this.epochClock = epochClock;
        return this;
    }

    public ErrorHandler errorHandler() {
        return errorHandler;
    }

    public SequencerContext errorHandler(final ErrorHandler errorHandler) {
        this.errorHandler = errorHandler;
        return this;
    }

    public ReplicationSink replicationSink() {
        return replicationSink;
    }

    public SequencerContext replicationSink(final ReplicationSink replicationSink) {
        this.replicationSink = replicationSink;
        return this;
    }

    /** The commit position; null (default) means this node's own journal: a replica group of one. */
    public CommitPosition commitPosition() {
        return commitPosition;
    }

    public SequencerContext commitPosition(final CommitPosition commitPosition) {
        this.commitPosition = commitPosition;
        return this;
    }

    public ReleaseHandler releaseHandler() {
        return releaseHandler;
    }

    public SequencerContext releaseHandler(final ReleaseHandler releaseHandler) {
        this.releaseHandler = releaseHandler;
        return this;
    }

    /** Told how far the journal has appended and made durable (a replica's own position). Default none. */
    public JournalListener journalListener() {
        return journalListener;
    }

    public SequencerContext journalListener(final JournalListener journalListener) {
        this.journalListener = journalListener;
        return this;
    }

    /**
     * Directory of the group-sequence journal ({@link io.sequent.log.SeqJournal}); null (default) keeps none, and
     * then {@link Sequencer#truncateTo} and replay in seq order are unavailable. The broker puts it in its data
     * directory.
     */
    public java.nio.file.Path groupJournalDir() {
        return groupJournalDir;
    }

    public SequencerContext groupJournalDir(final java.nio.file.Path groupJournalDir) {
        this.groupJournalDir = groupJournalDir;
        return this;
    }

    public int groupJournalEntriesPerFile() {
        return groupJournalEntriesPerFile;
    }

    public SequencerContext groupJournalEntriesPerFile(final int groupJournalEntriesPerFile) {
        this.groupJournalEntriesPerFile = groupJournalEntriesPerFile;
        return this;
    }

    public SequencerCounters counters() {
        return counters;
    }

    public SequencerContext counters(final SequencerCounters counters) {
        this.counters = counters;
        return this;
    }
}

package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import io.sequent.log.FrameDescriptor;
import io.sequent.log.LogConfig;
import io.sequent.log.LogReader;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.Sequencer;
import io.sequent.sequencer.SequencerResult;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The metadata log: the internal partition {@value #TOPIC}-0 whose records (see {@link MetadataRecords}) are
 * the topic catalog and the producer-id bound. It is written through the sequencer like data (stamped with
 * offsets, epoch and group sequence, journaled, replicated, released as acks=all) by way of the
 * {@link InternalAppender}, and replayed at start into the {@link TopicCatalog}.
 *
 * <pre>
 *   &lt;data.dir&gt;/__cluster_metadata-0/   a partition log like any other (segments, indexes, checkpoint)
 * </pre>
 *
 * <p>Its settings do not follow the broker's topic defaults: records are never deleted by retention, the
 * journal forces every batch ({@code batch} flush policy), segments are {@value #SEGMENT_BYTES} bytes.
 * Clients cannot create, delete, alter or produce to it; it is listed in Metadata only when asked for by name,
 * and may be fetched (read-only).
 *
 * <p>{@link #open}, {@link #replay} and the migration run on the launching thread; {@link #append} on the admin
 * thread.
 */
final class MetadataLog {
    /** Name of the internal topic. */
    static final String TOPIC = "__cluster_metadata";
    /** Topic id of the metadata partition itself; created topics get ids above it. */
    static final int TOPIC_ID = 0;
    /** Directory of its single partition under the data directory. */
    static final String PARTITION_DIR = TOPIC + "-0";
    static final int SEGMENT_BYTES = 8 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(MetadataLog.class);
    private static final long STARTUP_APPEND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Partition partition;
    private final Topic topic;
    private final InternalAppender appender;
    private final MetadataRecords records;

    private MetadataLog(
        final Partition partition, final Topic topic, final InternalAppender appender, final MetadataRecords records) {
        this.partition = partition;
        this.topic = topic;
        this.appender = appender;
        this.records = records;
    }

    /** True for the names of internal topics, which clients may not create, delete or alter. */
    static boolean isInternal(final String name) {
        return TOPIC.equals(name) || OffsetsLog.TOPIC.equals(name);
    }

    /**
     * Opens (recovering if needed) the metadata partition through the sequencer.
     */
    static MetadataLog open(final BrokerContext ctx, final Sequencer sequencer, final InternalAppender appender) {
        final Map<String, String> settings = new TreeMap<>();
        settings.put(LogConfig.RETENTION_MS_PROP_NAME, "-1");
        settings.put(LogConfig.RETENTION_BYTES_PROP_NAME, "-1");
        settings.put(LogConfig.FLUSH_POLICY_PROP_NAME, "batch");
        settings.put(LogConfig.SEGMENT_BYTES_PROP_NAME, Integer.toString(SEGMENT_BYTES));
        settings.put(LogConfig.MAX_FRAME_LENGTH_PROP_NAME, Integer.toString(MetadataRecords.MAX_BATCH_BYTES));
        settings.put(TopicConfig.TIMESTAMP_TYPE, TopicConfig.CREATE_TIME);
        settings.put(TopicConfig.CLEANUP_POLICY, TopicConfig.CLEANUP_DELETE);
        final TopicConfig config = ctx.topicConfigDefaults().withOverrides(settings);
        final Partition partition = sequencer.openPartition(
            TOPIC, TOPIC_ID, 0, ctx.dataDir().resolve(PARTITION_DIR), config.logConfig(), false);
        final Topic topic = new Topic(
            TOPIC, TOPIC_ID, true, config, ctx.sequencerContext().maxBatchBytes(), new Partition[]{partition});
        return new MetadataLog(partition, topic, appender, new MetadataRecords(ctx.epochClock()));
    }

    Partition partition() {
        return partition;
    }

    /** The internal topic, as the topic table routes fetches to it. */
    Topic topic() {
        return topic;
    }

    /** The record encoder of the thread that appends (the admin thread once running). */
    MetadataRecords records() {
        return records;
    }

    /** True when the log holds no record yet. */
    boolean isEmpty() {
        return partition.log().nextOffset() == partition.log().startOffset();
    }

    /**
     * Applies every record of the log, in order, to {@code handler}. Launching thread.
     *
     * @return the number of batches replayed.
     */
    long replay(final MetadataRecords.Handler handler) {
        final MetadataRecords decoder = new MetadataRecords(() -> 0);
        long batches = 0;
        try (LogReader reader = partition.log().newReader()) {
            long offset = partition.log().startOffset();
            final long end = partition.log().nextOffset();
            while (offset < end) {
                final int bytes = reader.read(offset, 1 << 20, end);
                if (bytes <= 0) {
                    throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot read the metadata log " +
                        PARTITION_DIR + " at offset " + offset + " (result " + bytes + ")");
                }
                final DirectBuffer buffer = reader.buffer();
                int position = reader.bufferOffset();
                final int limit = position + bytes;
                while (position < limit) {
                    final int frameLength = FrameDescriptor.frameLength(buffer, position);
                    if (frameLength <= 0) {
                        break;
                    }
                    decoder.replay(buffer, position, frameLength, handler);
                    batches++;
                    offset = FrameDescriptor.lastOffset(buffer, position) + 1;
                    position += FrameDescriptor.alignedLength(frameLength);
                }
                reader.release();
            }
        }
        return batches;
    }

    /**
     * Queues a record batch (from {@link #records()}) for the sequencer. Admin thread.
     *
     * @return the append to watch, or null when the appender's queue is full (answer BACK_PRESSURED).
     */
    InternalAppend append(final byte[] batch) {
        final InternalAppend append = new InternalAppend(partition, batch);
        return appender.offer(append) ? append : null;
    }

    /**
     * Plans the move of a data directory written before the metadata log onto it, once: every topic of the old
     * {@code catalog/} files the log does not hold yet gets a TopicRecord (ids in name order), the producer-id
     * bound a ProducerIdsRecord. The records are applied to {@code catalog} at once, so the broker opens the
     * migrated topics' partitions (and its requests see them) before anything is offered to the sequencer;
     * {@link #completeMigration} then writes them. A broker stopped before they are committed does it all again
     * at its next start.
     *
     * @return the record batches to write, empty when there is nothing to migrate.
     */
    List<byte[]> planMigration(final LegacyCatalog legacy, final TopicCatalog catalog) {
        final List<byte[]> batches = new ArrayList<>();
        if (!legacy.exists()) {
            return batches;
        }
        for (final LegacyCatalog.OldTopic old : legacy.load()) {
            if (null != catalog.get(old.name)) {
                continue;
            }
            final int id = catalog.nextTopicId();
            batches.add(records.topic(id, old.name, old.partitions, old.overrides));
            catalog.onTopic(id, old.name, old.partitions, old.overrides);
        }
        final long producerIdLimit = legacy.producerIdLimit();
        if (producerIdLimit > catalog.producerIdLimit()) {
            batches.add(records.producerIds(producerIdLimit, producerIdLimit));
            catalog.onProducerIds(producerIdLimit, producerIdLimit);
        }
        return batches;
    }

    /**
     * Writes the planned migration records, then moves the old files aside once all are committed. Launching
     * thread, once the broker's threads run: the batches go through the {@link InternalAppender} like any other
     * metadata record (queued before any request can queue one), and this thread waits for them.
     */
    void completeMigration(final List<byte[]> batches, final LegacyCatalog legacy) {
        if (!legacy.exists()) {
            return;
        }
        final List<InternalAppend> appends = new ArrayList<>();
        for (final byte[] batch : batches) {
            final InternalAppend append = append(batch);
            if (null == append) {
                throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR, "the internal appender queue is full");
            }
            appends.add(append);
        }
        final long deadline = System.nanoTime() + STARTUP_APPEND_TIMEOUT_NS;
        for (final InternalAppend append : appends) {
            while (!append.isDone()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new BrokerException(ErrorCode.STORAGE_ERROR, "the migration's metadata records were not " +
                        "committed within " + TimeUnit.NANOSECONDS.toSeconds(STARTUP_APPEND_TIMEOUT_NS) + " s");
                }
                LockSupport.parkNanos(1_000_000);
            }
            if (!append.isCommitted()) {
                throw new BrokerException(ErrorCode.STORAGE_ERROR,
                    "cannot write to the metadata log: " + SequencerResult.name(append.result()));
            }
        }
        legacy.moveAside();
        LOG.info("migrated {}/ and {} into the metadata log {} ({} records); the old files are now *{}",
            LegacyCatalog.CATALOG_DIR, LegacyCatalog.PRODUCER_IDS_FILE, PARTITION_DIR, batches.size(),
            LegacyCatalog.MIGRATED_SUFFIX);
    }
}

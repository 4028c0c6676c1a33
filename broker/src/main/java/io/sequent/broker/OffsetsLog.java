package io.sequent.broker;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import io.sequent.codec.client.ErrorCode;
import io.sequent.log.FrameDescriptor;
import io.sequent.log.LogConfig;
import io.sequent.log.LogReader;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.Sequencer;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The committed offsets of consumer groups: the internal partition {@value #TOPIC}-0, written through the
 * sequencer by way of the {@link InternalAppender} (stamped, journaled, released as acks=all like any record),
 * and replayed at start into the {@link GroupCoordinator}. One OffsetCommit request is one record batch, so a
 * commit of several partitions is durable whole or not at all.
 *
 * <p>Each record is one committed offset (key version 1), or one group's membership (key version 2, layout in
 * {@link GroupStateRecord}); the latest record of a key wins. Little-endian layouts of the offset records:
 *
 * <pre>
 *   key                                         value (absent: the offset was deleted)
 *   0                   1                   2   0                   1                   2
 *   +-------------------+-------------------+   +---------------------------------------+
 *   | version (int16=1) | group length int16|   | version (int16 = 1)                   | 0
 *   +-------------------+-------------------+   +---------------------------------------+
 *   | group (UTF-8)                       ...   | committed offset (int64)              | 2
 *   +-------------------+-------------------+   +---------------------------------------+
 *   | topic length int16| topic (UTF-8)   ...   | committed leader epoch (int32)        | 10
 *   +-------------------+-------------------+   +---------------------------------------+
 *   | partition (int32)                     |   | commit timestamp, epoch ms (int64)    | 14
 *   +---------------------------------------+   +---------------------------------------+
 *                                               | metadata length (int16) | metadata ... | 22
 *                                               +---------------------------------------+
 * </pre>
 *
 * <p>Its settings do not follow the broker's topic defaults: no retention (expiry is the coordinator's, by
 * record), the {@code batch} flush policy, {@value #SEGMENT_BYTES}-byte segments. It is not listed, produced to
 * or fetched by clients. Encoding allocates (cold path). {@link #open} and {@link #replay} run on the launching
 * thread, {@link #append} on the admin thread.
 */
final class OffsetsLog {
    /** Name of the internal topic. */
    static final String TOPIC = "__consumer_offsets";
    static final String PARTITION_DIR = TOPIC + "-0";
    /**
     * Topic id of the offsets partition, fixed on every member like the metadata log's 0: the metadata log hands
     * out ids from 1 upwards, and never reaches this one.
     */
    static final int TOPIC_ID = Integer.MAX_VALUE;
    static final int SEGMENT_BYTES = 16 * 1024 * 1024;
    /** Largest batch, hence largest OffsetCommit request. */
    static final int MAX_BATCH_BYTES = 256 * 1024;
    /** Longest metadata string kept with an offset, in bytes (Kafka's offset.metadata.max.bytes default). */
    static final int MAX_METADATA_BYTES = 4096;
    static final short VERSION = 1;

    /** What replay calls for each record, in log order. */
    interface Handler {
        void onCommit(String group, GroupPartition partition, long offset, int leaderEpoch, long timestampMs,
            String metadata);

        void onDelete(String group, GroupPartition partition);

        /** A group-state record ({@link GroupStateRecord}): the group's membership at the time. */
        void onGroupState(String group, DirectBuffer value, int offset, int length);

        /** A group-state record without a value: the group was deleted. */
        void onGroupDeleted(String group);
    }

    /** One offset to commit. */
    static final class Commit {
        final GroupPartition partition;
        final long offset;
        final int leaderEpoch;
        final String metadata;

        Commit(final GroupPartition partition, final long offset, final int leaderEpoch, final String metadata) {
            this.partition = partition;
            this.offset = offset;
            this.leaderEpoch = leaderEpoch;
            this.metadata = metadata;
        }
    }

    private final Partition partition;
    private final InternalAppender appender;
    private final Sequencer sequencer;
    private final ExpandableArrayBuffer key = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer value = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer batch = new UnsafeBuffer(new byte[MAX_BATCH_BYTES]);
    private final BatchBuilder builder = new BatchBuilder(MAX_BATCH_BYTES);

    private OffsetsLog(final Partition partition, final InternalAppender appender, final Sequencer sequencer) {
        this.partition = partition;
        this.appender = appender;
        this.sequencer = sequencer;
    }

    /**
     * Whether a leader of {@code epoch} may load the coordinator from this log: its {@code EpochStart} is in the
     * group-sequence journal (so every batch of earlier epochs it keeps is in the partition's log too), and the
     * log is committed to its end (nothing in it can still be truncated). Any thread.
     *
     * @param epoch the epoch this member leads.
     * @return true when {@link #replay} now reads every record the group will ever hold from before the epoch.
     */
    boolean loadableIn(final int epoch) {
        return sequencer.lastEpoch() >= epoch && partition.highWatermark() >= partition.log().nextOffset();
    }

    /** The log's end: the offset the next record gets. Any thread. */
    long nextOffset() {
        return partition.log().nextOffset();
    }

    /** Opens (recovering if needed) the offsets partition through the sequencer. */
    static OffsetsLog open(final BrokerContext ctx, final Sequencer sequencer, final InternalAppender appender) {
        final Map<String, String> settings = new TreeMap<>();
        settings.put(LogConfig.RETENTION_MS_PROP_NAME, "-1");
        settings.put(LogConfig.RETENTION_BYTES_PROP_NAME, "-1");
        settings.put(LogConfig.FLUSH_POLICY_PROP_NAME, "batch");
        settings.put(LogConfig.SEGMENT_BYTES_PROP_NAME, Integer.toString(SEGMENT_BYTES));
        settings.put(LogConfig.MAX_FRAME_LENGTH_PROP_NAME, Integer.toString(MAX_BATCH_BYTES));
        settings.put(TopicConfig.TIMESTAMP_TYPE, TopicConfig.CREATE_TIME);
        settings.put(TopicConfig.CLEANUP_POLICY, TopicConfig.CLEANUP_DELETE);
        final TopicConfig config = ctx.topicConfigDefaults().withOverrides(settings);
        final Partition partition = sequencer.openPartition(
            TOPIC, TOPIC_ID, 0, ctx.dataDir().resolve(PARTITION_DIR), config.logConfig(), false);
        return new OffsetsLog(partition, appender, sequencer);
    }

    Partition partition() {
        return partition;
    }

    /**
     * Encodes the commits as one batch and queues it for the sequencer. Admin thread.
     *
     * @return the append to watch, or null when the appender's queue is full (answer BACK_PRESSURED).
     * @throws BrokerException (INVALID_REQUEST) when the commits do not fit one batch.
     */
    InternalAppend append(final String group, final List<Commit> commits, final long timestampMs) {
        builder.begin(batch, 0, batch.capacity(), Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH,
            Batches.NO_SEQUENCE);
        for (final Commit commit : commits) {
            final int keyLength = encodeKey(group, commit.partition);
            final int valueLength;
            if (commit.offset < 0) {
                valueLength = -1;
            } else {
                int at = 0;
                value.putShort(at, VERSION, ByteOrder.LITTLE_ENDIAN);
                at += Short.BYTES;
                value.putLong(at, commit.offset, ByteOrder.LITTLE_ENDIAN);
                at += Long.BYTES;
                value.putInt(at, commit.leaderEpoch, ByteOrder.LITTLE_ENDIAN);
                at += Integer.BYTES;
                value.putLong(at, timestampMs, ByteOrder.LITTLE_ENDIAN);
                at += Long.BYTES;
                valueLength = at + putString(value, at, commit.metadata);
            }
            if (!builder.tryAppend(timestampMs, key, 0, keyLength, valueLength < 0 ? null : value, 0, valueLength)) {
                throw new BrokerException(ErrorCode.INVALID_REQUEST, "an offset commit of " + commits.size() +
                    " partitions does not fit a " + MAX_BATCH_BYTES + "-byte batch; commit fewer at a time");
            }
        }
        final int length = builder.finish();
        final byte[] copy = new byte[length];
        batch.getBytes(0, copy);
        final InternalAppend append = new InternalAppend(partition, copy);
        return appender.offer(append) ? append : null;
    }

    /**
     * Queues a group-state record of the group's current membership. Admin thread.
     *
     * @return the append, or null when the appender's queue is full (try again later).
     * @throws BrokerException (INVALID_REQUEST) when the state does not fit one batch.
     */
    InternalAppend appendGroupState(final Group group, final long timestampMs) {
        builder.begin(batch, 0, batch.capacity(), Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH,
            Batches.NO_SEQUENCE);
        final int keyLength = GroupStateRecord.encodeKey(group.groupId, key);
        final int valueLength = GroupStateRecord.encodeValue(group, value);
        if (!builder.tryAppend(timestampMs, key, 0, keyLength, value, 0, valueLength)) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "the state of group '" + group.groupId + "' (" +
                valueLength + " bytes) does not fit a " + MAX_BATCH_BYTES + "-byte batch");
        }
        return offer();
    }

    /**
     * Queues the deletion of a group: deletion records of these offsets, then the group's tombstone, one batch.
     * Admin thread.
     *
     * @return the append, or null when the appender's queue is full.
     * @throws BrokerException (INVALID_REQUEST) when the deletions do not fit one batch.
     */
    InternalAppend appendGroupDeletion(final String group, final Iterable<GroupPartition> offsets,
        final long timestampMs) {
        builder.begin(batch, 0, batch.capacity(), Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH,
            Batches.NO_SEQUENCE);
        for (final GroupPartition tp : offsets) {
            final int keyLength = encodeKey(group, tp);
            if (!builder.tryAppend(timestampMs, key, 0, keyLength, null, 0, -1)) {
                throw new BrokerException(ErrorCode.INVALID_REQUEST, "the deletion of group '" + group +
                    "' does not fit a " + MAX_BATCH_BYTES + "-byte batch");
            }
        }
        final int keyLength = GroupStateRecord.encodeKey(group, key);
        if (!builder.tryAppend(timestampMs, key, 0, keyLength, null, 0, -1)) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "the deletion of group '" + group +
                "' does not fit a " + MAX_BATCH_BYTES + "-byte batch");
        }
        return offer();
    }

    private InternalAppend offer() {
        final int length = builder.finish();
        final byte[] copy = new byte[length];
        batch.getBytes(0, copy);
        final InternalAppend append = new InternalAppend(partition, copy);
        return appender.offer(append) ? append : null;
    }

    private int encodeKey(final String group, final GroupPartition tp) {
        int at = 0;
        key.putShort(at, VERSION, ByteOrder.LITTLE_ENDIAN);
        at += Short.BYTES;
        at += putString(key, at, group);
        at += putString(key, at, tp.topic);
        key.putInt(at, tp.partition, ByteOrder.LITTLE_ENDIAN);
        return at + Integer.BYTES;
    }

    private static int putString(final ExpandableArrayBuffer buffer, final int at, final String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        buffer.putShort(at, (short) bytes.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(at + Short.BYTES, bytes);
        return Short.BYTES + bytes.length;
    }

    private static String getString(final DirectBuffer buffer, final int at) {
        final int length = buffer.getShort(at, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final byte[] bytes = new byte[length];
        buffer.getBytes(at + Short.BYTES, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Applies every record of the log, in order, to {@code handler}: at launch, and on the admin thread when this
     * member becomes the leader (then only once {@link #loadableIn} holds, so the records read are committed).
     *
     * @return the number of records replayed.
     * @throws BrokerException (STORAGE_ERROR) when a batch or record cannot be read.
     */
    long replay(final Handler handler) {
        final BatchReader reader = new BatchReader(MAX_BATCH_BYTES);
        long records = 0;
        try (LogReader log = partition.log().newReader()) {
            long offset = partition.log().startOffset();
            final long end = partition.log().nextOffset();
            while (offset < end) {
                final int bytes = log.read(offset, 1 << 20, end);
                if (bytes <= 0) {
                    throw undecodable(offset, "read result " + bytes);
                }
                final DirectBuffer buffer = log.buffer();
                int position = log.bufferOffset();
                final int limit = position + bytes;
                while (position < limit) {
                    final int frameLength = FrameDescriptor.frameLength(buffer, position);
                    if (frameLength <= 0) {
                        break;
                    }
                    final int status = reader.wrap(buffer, position, frameLength);
                    if (status != BatchError.NONE) {
                        throw undecodable(Batches.baseOffset(buffer, position), "batch " + BatchError.name(status));
                    }
                    while (reader.next()) {
                        replayRecord(reader, handler);
                        records++;
                    }
                    offset = FrameDescriptor.lastOffset(buffer, position) + 1;
                    position += FrameDescriptor.alignedLength(frameLength);
                }
                log.release();
            }
        }
        return records;
    }

    private static void replayRecord(final BatchReader reader, final Handler handler) {
        if (!reader.hasKey()) {
            throw undecodable(reader.offset(), "record without a key");
        }
        try {
            final DirectBuffer k = reader.keyBuffer();
            int at = reader.keyOffset();
            final short keyVersion = k.getShort(at, ByteOrder.LITTLE_ENDIAN);
            if (keyVersion == GroupStateRecord.KEY_VERSION) {
                final String group = getString(k, at + Short.BYTES);
                if (reader.hasValue()) {
                    handler.onGroupState(group, reader.valueBuffer(), reader.valueOffset(), reader.valueLength());
                } else {
                    handler.onGroupDeleted(group);
                }
                return;
            }
            if (keyVersion != VERSION) {
                throw undecodable(reader.offset(), "key version " + keyVersion);
            }
            at += Short.BYTES;
            final String group = getString(k, at);
            at += Short.BYTES + (k.getShort(at, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
            final String topic = getString(k, at);
            at += Short.BYTES + (k.getShort(at, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
            final GroupPartition tp = new GroupPartition(topic, k.getInt(at, ByteOrder.LITTLE_ENDIAN));
            if (!reader.hasValue()) {
                handler.onDelete(group, tp);
                return;
            }
            final DirectBuffer v = reader.valueBuffer();
            final int base = reader.valueOffset();
            final short valueVersion = v.getShort(base, ByteOrder.LITTLE_ENDIAN);
            if (valueVersion != VERSION) {
                throw undecodable(reader.offset(), "value version " + valueVersion);
            }
            handler.onCommit(group, tp, v.getLong(base + 2, ByteOrder.LITTLE_ENDIAN),
                v.getInt(base + 10, ByteOrder.LITTLE_ENDIAN), v.getLong(base + 14, ByteOrder.LITTLE_ENDIAN),
                getString(v, base + 22));
        } catch (final BrokerException ex) {
            throw ex;
        } catch (final RuntimeException ex) {
            throw undecodable(reader.offset(), ex.toString());
        }
    }

    private static BrokerException undecodable(final long offset, final String why) {
        return new BrokerException(ErrorCode.STORAGE_ERROR, "offsets log record at offset " + offset + " of " +
            PARTITION_DIR + " cannot be read: " + why + " (was it written by a newer broker?)");
    }
}

package io.sequent.broker;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.metadata.MessageHeaderDecoder;
import io.sequent.codec.metadata.MessageHeaderEncoder;
import io.sequent.codec.metadata.ProducerIdsRecordDecoder;
import io.sequent.codec.metadata.ProducerIdsRecordEncoder;
import io.sequent.codec.metadata.TopicConfigRecordDecoder;
import io.sequent.codec.metadata.TopicConfigRecordEncoder;
import io.sequent.codec.metadata.TopicDeletedRecordDecoder;
import io.sequent.codec.metadata.TopicDeletedRecordEncoder;
import io.sequent.codec.metadata.TopicRecordDecoder;
import io.sequent.codec.metadata.TopicRecordEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes the metadata log's records into record batches, and decodes them back for replay.
 *
 * <p>Each batch holds one record: a null key and, as the value, one message of
 * {@code codec/src/main/resources/sbe/metadata-schema.xml} with its SBE header:
 *
 * <pre>
 *   record batch (batch-schema.xml, unstamped until the sequencer stamps it)
 *   +-- record 0: key = null, value =
 *       +--------------------------------------------------+
 *       | SBE header: blockLength, templateId, schema 103,  |
 *       | version                                           |
 *       +--------------------------------------------------+
 *       | TopicRecord | TopicDeletedRecord |                |
 *       | TopicConfigRecord | ProducerIdsRecord            |
 *       +--------------------------------------------------+
 * </pre>
 *
 * <p>Encoding allocates (a copy of the finished batch per record): metadata is a cold path. One instance per
 * thread; the admin thread encodes, the launching thread replays.
 */
final class MetadataRecords {
    /** Schema id of metadata-schema.xml. */
    static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    /** Largest metadata batch. */
    static final int MAX_BATCH_BYTES = 64 * 1024;

    /** What replay calls for each record, in log order. */
    interface Handler {
        void onTopic(int topicId, String name, int partitions, Map<String, String> overrides);

        void onTopicDeleted(int topicId, String name);

        void onTopicConfig(int topicId, String name, Map<String, String> overrides);

        void onProducerIds(long blockStart, long limit);
    }

    private final EpochClock clock;
    private final ExpandableArrayBuffer value = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer batch = new UnsafeBuffer(new byte[MAX_BATCH_BYTES]);
    private final BatchBuilder builder = new BatchBuilder(MAX_BATCH_BYTES);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final TopicRecordEncoder topicEncoder = new TopicRecordEncoder();
    private final TopicRecordDecoder topicDecoder = new TopicRecordDecoder();
    private final TopicDeletedRecordEncoder deletedEncoder = new TopicDeletedRecordEncoder();
    private final TopicDeletedRecordDecoder deletedDecoder = new TopicDeletedRecordDecoder();
    private final TopicConfigRecordEncoder configEncoder = new TopicConfigRecordEncoder();
    private final TopicConfigRecordDecoder configDecoder = new TopicConfigRecordDecoder();
    private final ProducerIdsRecordEncoder producerIdsEncoder = new ProducerIdsRecordEncoder();
    private final ProducerIdsRecordDecoder producerIdsDecoder = new ProducerIdsRecordDecoder();
    private final BatchReader reader = new BatchReader(MAX_BATCH_BYTES);

    MetadataRecords(final EpochClock clock) {
        this.clock = clock;
    }

    /** @return a batch holding a TopicRecord. */
    byte[] topic(final int topicId, final String name, final int partitions, final Map<String, String> overrides) {
        final TopicRecordEncoder encoder = topicEncoder.wrapAndApplyHeader(value, 0, headerEncoder)
            .topicId(topicId)
            .partitions(partitions);
        final TopicRecordEncoder.ConfigsEncoder configs = encoder.configsCount(overrides.size());
        for (final Map.Entry<String, String> entry : overrides.entrySet()) {
            configs.next().key(entry.getKey()).value(entry.getValue());
        }
        encoder.name(name);
        return toBatch(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /** @return a batch holding a TopicDeletedRecord. */
    byte[] topicDeleted(final int topicId, final String name) {
        final TopicDeletedRecordEncoder encoder = deletedEncoder.wrapAndApplyHeader(value, 0, headerEncoder)
            .topicId(topicId);
        encoder.name(name);
        return toBatch(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /** @return a batch holding a TopicConfigRecord: the topic's whole set of overrides. */
    byte[] topicConfig(final int topicId, final String name, final Map<String, String> overrides) {
        final TopicConfigRecordEncoder encoder = configEncoder.wrapAndApplyHeader(value, 0, headerEncoder)
            .topicId(topicId);
        final TopicConfigRecordEncoder.ConfigsEncoder configs = encoder.configsCount(overrides.size());
        for (final Map.Entry<String, String> entry : overrides.entrySet()) {
            configs.next().key(entry.getKey()).value(entry.getValue());
        }
        encoder.name(name);
        return toBatch(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /** @return a batch holding a ProducerIdsRecord. */
    byte[] producerIds(final long blockStart, final long limit) {
        producerIdsEncoder.wrapAndApplyHeader(value, 0, headerEncoder).blockLimit(limit).blockStart(blockStart);
        return toBatch(MessageHeaderEncoder.ENCODED_LENGTH + producerIdsEncoder.encodedLength());
    }

    private byte[] toBatch(final int valueLength) {
        builder.begin(batch, 0, batch.capacity(), Batches.NO_PRODUCER_ID, Batches.NO_PRODUCER_EPOCH,
            Batches.NO_SEQUENCE);
        if (!builder.tryAppend(clock.time(), null, 0, -1, value, 0, valueLength)) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST,
                "a metadata record of " + valueLength + " bytes does not fit a " + MAX_BATCH_BYTES + "-byte batch");
        }
        final int length = builder.finish();
        final byte[] copy = new byte[length];
        batch.getBytes(0, copy);
        return copy;
    }

    /**
     * Decodes every record of one stored batch and hands it to {@code handler}.
     *
     * @throws BrokerException (STORAGE_ERROR) when the batch or a record cannot be decoded: the catalog cannot be
     *                         built from a log this broker does not understand.
     */
    void replay(final DirectBuffer buffer, final int offset, final int length, final Handler handler) {
        final int status = reader.wrap(buffer, offset, length);
        if (status != BatchError.NONE) {
            throw undecodable(Batches.baseOffset(buffer, offset), "batch " + BatchError.name(status));
        }
        if (Batches.isControl(buffer, offset)) {
            return; // a replica group's EpochStart (see MemberLogAdapter): not a catalog record
        }
        while (reader.next()) {
            final long recordOffset = reader.offset();
            if (!reader.hasValue() || reader.valueLength() < MessageHeaderDecoder.ENCODED_LENGTH) {
                throw undecodable(recordOffset, "record without a message");
            }
            try {
                dispatch(reader.valueBuffer(), reader.valueOffset(), reader.valueLength(), handler);
            } catch (final BrokerException ex) {
                throw ex;
            } catch (final RuntimeException ex) {
                throw undecodable(recordOffset, ex.toString());
            }
        }
    }

    private void dispatch(final DirectBuffer buffer, final int offset, final int length, final Handler handler) {
        final UnsafeBuffer view = new UnsafeBuffer(buffer, offset, length);
        headerDecoder.wrap(view, 0);
        final int schemaId = headerDecoder.schemaId();
        final int version = headerDecoder.version();
        if (schemaId != SCHEMA_ID || version < 1 || version > MessageHeaderDecoder.SCHEMA_VERSION) {
            throw undecodable(reader.offset(), "schema " + schemaId + " version " + version + " (this broker reads " +
                SCHEMA_ID + " up to version " + MessageHeaderDecoder.SCHEMA_VERSION + ")");
        }
        switch (headerDecoder.templateId()) {
            case TopicRecordDecoder.TEMPLATE_ID: {
                final TopicRecordDecoder decoder = topicDecoder.wrapAndApplyHeader(view, 0, headerDecoder);
                final int topicId = decoder.topicId();
                final int partitions = decoder.partitions();
                final Map<String, String> overrides = new TreeMap<>();
                for (final TopicRecordDecoder.ConfigsDecoder config : decoder.configs()) {
                    overrides.put(config.key(), config.value());
                }
                handler.onTopic(topicId, decoder.name(), partitions, overrides);
                break;
            }
            case TopicDeletedRecordDecoder.TEMPLATE_ID: {
                final TopicDeletedRecordDecoder decoder = deletedDecoder.wrapAndApplyHeader(view, 0, headerDecoder);
                final int topicId = decoder.topicId();
                handler.onTopicDeleted(topicId, decoder.name());
                break;
            }
            case TopicConfigRecordDecoder.TEMPLATE_ID: {
                final TopicConfigRecordDecoder decoder = configDecoder.wrapAndApplyHeader(view, 0, headerDecoder);
                final int topicId = decoder.topicId();
                final Map<String, String> overrides = new TreeMap<>();
                for (final TopicConfigRecordDecoder.ConfigsDecoder config : decoder.configs()) {
                    overrides.put(config.key(), config.value());
                }
                handler.onTopicConfig(topicId, decoder.name(), overrides);
                break;
            }
            case ProducerIdsRecordDecoder.TEMPLATE_ID: {
                final ProducerIdsRecordDecoder decoder =
                    producerIdsDecoder.wrapAndApplyHeader(view, 0, headerDecoder);
                final long limit = decoder.blockLimit();
                handler.onProducerIds(decoder.blockStart(), limit);
                break;
            }
            default:
                throw undecodable(reader.offset(), "unknown record template " + headerDecoder.templateId());
        }
    }

    private static BrokerException undecodable(final long offset, final String why) {
        return new BrokerException(ErrorCode.STORAGE_ERROR, "metadata log record at offset " + offset + " of " +
            MetadataLog.PARTITION_DIR + " cannot be read: " + why + " (was it written by a newer broker?)");
    }
}

package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sequent.codec.batch.BatchAttributesEncoder;
import io.sequent.codec.batch.RecordAttributesEncoder;
import io.sequent.codec.batch.RecordBatchDecoder;
import io.sequent.codec.batch.RecordBatchEncoder;
import io.sequent.codec.batch.RecordEncoder;

/**
 * The constants that hot paths (and the log module's FrameDescriptor) use must be the offsets the
 * generated codecs use for batch-schema.xml.
 */
class BatchLayoutTest {
    @Test
    void headerFieldOffsetsMatchTheGeneratedEncoder() {
        assertEquals(0, RecordBatchEncoder.frameLengthEncodingOffset());
        assertEquals(4, RecordBatchEncoder.crcEncodingOffset());
        assertEquals(8, RecordBatchEncoder.baseOffsetEncodingOffset());
        assertEquals(16, RecordBatchEncoder.groupSeqEncodingOffset());
        assertEquals(24, RecordBatchEncoder.leaderEpochEncodingOffset());
        assertEquals(28, RecordBatchEncoder.recordCountEncodingOffset());
        assertEquals(32, RecordBatchEncoder.firstTimestampEncodingOffset());
        assertEquals(40, RecordBatchEncoder.maxTimestampEncodingOffset());
        assertEquals(48, RecordBatchEncoder.producerIdEncodingOffset());
        assertEquals(56, RecordBatchEncoder.baseSequenceEncodingOffset());
        assertEquals(60, RecordBatchEncoder.producerEpochEncodingOffset());
        assertEquals(62, RecordBatchEncoder.attributesEncodingOffset());
        assertEquals(63, RecordBatchEncoder.magicEncodingOffset());
        assertEquals(64, RecordBatchEncoder.BLOCK_LENGTH);
        assertEquals(64, RecordBatchDecoder.BLOCK_LENGTH);
    }

    @Test
    void documentedConstantsAreTheGeneratedOffsets() {
        assertEquals(RecordBatchEncoder.frameLengthEncodingOffset(), Batches.FRAME_LENGTH_OFFSET);
        assertEquals(RecordBatchEncoder.crcEncodingOffset(), Batches.CRC_OFFSET);
        assertEquals(RecordBatchEncoder.baseOffsetEncodingOffset(), Batches.BASE_OFFSET_OFFSET);
        assertEquals(RecordBatchEncoder.groupSeqEncodingOffset(), Batches.GROUP_SEQ_OFFSET);
        assertEquals(RecordBatchEncoder.leaderEpochEncodingOffset(), Batches.LEADER_EPOCH_OFFSET);
        assertEquals(RecordBatchEncoder.recordCountEncodingOffset(), Batches.RECORD_COUNT_OFFSET);
        assertEquals(RecordBatchEncoder.firstTimestampEncodingOffset(), Batches.FIRST_TIMESTAMP_OFFSET);
        assertEquals(RecordBatchEncoder.maxTimestampEncodingOffset(), Batches.MAX_TIMESTAMP_OFFSET);
        assertEquals(RecordBatchEncoder.producerIdEncodingOffset(), Batches.PRODUCER_ID_OFFSET);
        assertEquals(RecordBatchEncoder.baseSequenceEncodingOffset(), Batches.BASE_SEQUENCE_OFFSET);
        assertEquals(RecordBatchEncoder.producerEpochEncodingOffset(), Batches.PRODUCER_EPOCH_OFFSET);
        assertEquals(RecordBatchEncoder.attributesEncodingOffset(), Batches.ATTRIBUTES_OFFSET);
        assertEquals(RecordBatchEncoder.magicEncodingOffset(), Batches.MAGIC_OFFSET);
        assertEquals(RecordBatchEncoder.BLOCK_LENGTH, Batches.HEADER_LENGTH);
        assertEquals(RecordBatchEncoder.BLOCK_LENGTH, Batches.RECORDS_LENGTH_OFFSET);
        assertEquals(
            RecordBatchEncoder.BLOCK_LENGTH + RecordBatchEncoder.recordsHeaderLength(), Batches.RECORDS_OFFSET);
        final RecordBatchEncoder encoder = new RecordBatchEncoder().wrap(new UnsafeBuffer(new byte[128]), 0);
        assertThrows(IllegalStateException.class,
            () -> encoder.putRecords(new UnsafeBuffer(new byte[0]), 0, Batches.MAX_RECORDS_LENGTH + 1));
        assertEquals(Batches.HEADER_LENGTH + 4, Batches.MIN_FRAME_LENGTH);
        assertEquals(68, Batches.RECORDS_OFFSET);
        assertEquals(64, Batches.HEADER_LENGTH);
    }

    @Test
    void attributeBitsAreTheGeneratedSetChoices() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1]);
        final BatchAttributesEncoder attributes = new BatchAttributesEncoder().wrap(buffer, 0);

        attributes.clear().compression0(true).compression1(true).compression2(true);
        assertEquals(Batches.COMPRESSION_MASK, buffer.getByte(0) & 0xFF);
        attributes.clear().logAppendTime(true);
        assertEquals(Batches.LOG_APPEND_TIME_FLAG, buffer.getByte(0) & 0xFF);
        attributes.clear().control(true);
        assertEquals(Batches.CONTROL_FLAG, buffer.getByte(0) & 0xFF);
        assertEquals(0xFF, Batches.COMPRESSION_MASK | Batches.LOG_APPEND_TIME_FLAG | Batches.CONTROL_FLAG
            | Batches.RESERVED_ATTRIBUTES_MASK);

        attributes.clear().compression0(true);
        assertEquals(Compression.LZ4.id(), buffer.getByte(0) & Batches.COMPRESSION_MASK);
        attributes.clear().compression1(true);
        assertEquals(Compression.ZSTD.id(), buffer.getByte(0) & Batches.COMPRESSION_MASK);

        final RecordAttributesEncoder recordAttributes = new RecordAttributesEncoder().wrap(buffer, 0);
        recordAttributes.clear().nullKey(true);
        assertEquals(RecordSet.NULL_KEY_FLAG, buffer.getByte(0) & 0xFF);
        recordAttributes.clear().nullValue(true);
        assertEquals(RecordSet.NULL_VALUE_FLAG, buffer.getByte(0) & 0xFF);
    }

    @Test
    void recordLayoutMatchesTheGeneratedRecordEncoder() {
        assertEquals(RecordEncoder.offsetDeltaEncodingOffset(), RecordSet.OFFSET_DELTA_OFFSET);
        assertEquals(RecordEncoder.timestampDeltaEncodingOffset(), RecordSet.TIMESTAMP_DELTA_OFFSET);
        assertEquals(RecordEncoder.attributesEncodingOffset(), RecordSet.ATTRIBUTES_OFFSET);
        assertEquals(RecordEncoder.BLOCK_LENGTH, RecordSet.BLOCK_LENGTH);
        assertEquals(RecordEncoder.BLOCK_LENGTH, RecordSet.HEADERS_BLOCK_LENGTH_OFFSET);
        assertEquals(RecordEncoder.HeadersEncoder.sbeHeaderSize(), RecordSet.GROUP_HEADER_LENGTH);
        assertEquals(RecordEncoder.HeadersEncoder.countMaxValue(), RecordSet.MAX_HEADERS);
        assertEquals(RecordEncoder.keyHeaderLength(), RecordSet.LENGTH_PREFIX);
        assertEquals(RecordEncoder.valueHeaderLength(), RecordSet.LENGTH_PREFIX);
        assertEquals(RecordEncoder.HeadersEncoder.headerKeyHeaderLength(), RecordSet.LENGTH_PREFIX);
        assertEquals(21, RecordSet.MIN_RECORD_LENGTH);
    }

    @Test
    void recordWrittenByTheGeneratedEncoderHasTheDocumentedLayout() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final RecordEncoder encoder = new RecordEncoder().wrap(buffer, 0).offsetDelta(7).timestampDelta(-3);
        encoder.attributes().clear().nullValue(true);
        encoder.headersCount(1).next()
            .putHeaderKey(new byte[] {'h'}, 0, 1)
            .putHeaderValue(new byte[] {1, 2}, 0, 2);
        encoder.putKey(new byte[] {'k', 'e', 'y'}, 0, 3).putValue(new byte[0], 0, 0);

        assertEquals(7, buffer.getInt(0, Batches.ORDER));
        assertEquals(-3, buffer.getInt(4, Batches.ORDER));
        assertEquals(RecordSet.NULL_VALUE_FLAG, buffer.getByte(8));
        assertEquals(0, buffer.getShort(9, Batches.ORDER));
        assertEquals(1, buffer.getShort(11, Batches.ORDER));
        assertEquals(1, buffer.getInt(13, Batches.ORDER));
        assertEquals('h', buffer.getByte(17));
        assertEquals(2, buffer.getInt(18, Batches.ORDER));
        assertEquals(3, buffer.getInt(24, Batches.ORDER));
        assertEquals(0, buffer.getInt(31, Batches.ORDER));
        assertEquals(35, encoder.limit());
    }
}

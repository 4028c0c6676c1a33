package io.sequent.sequencer;

import io.sequent.codec.Batches;
import io.sequent.codec.batch.RecordBatchEncoder;
import io.sequent.log.FrameDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The log reads batch headers through its own FrameDescriptor; it must agree with the codec's schema. */
class LayoutAgreementTest {
    @Test
    void frameDescriptorMirrorsTheBatchSchema() {
        assertEquals(RecordBatchEncoder.frameLengthEncodingOffset(), FrameDescriptor.LENGTH_OFFSET);
        assertEquals(RecordBatchEncoder.crcEncodingOffset(), FrameDescriptor.CRC_OFFSET);
        assertEquals(RecordBatchEncoder.baseOffsetEncodingOffset(), FrameDescriptor.BASE_OFFSET_OFFSET);
        assertEquals(RecordBatchEncoder.groupSeqEncodingOffset(), FrameDescriptor.GROUP_SEQ_OFFSET);
        assertEquals(RecordBatchEncoder.leaderEpochEncodingOffset(), FrameDescriptor.LEADER_EPOCH_OFFSET);
        assertEquals(RecordBatchEncoder.recordCountEncodingOffset(), FrameDescriptor.RECORD_COUNT_OFFSET);
        assertEquals(RecordBatchEncoder.firstTimestampEncodingOffset(), FrameDescriptor.FIRST_TIMESTAMP_OFFSET);
        assertEquals(RecordBatchEncoder.maxTimestampEncodingOffset(), FrameDescriptor.MAX_TIMESTAMP_OFFSET);
        assertEquals(Batches.RECORDS_OFFSET, FrameDescriptor.MIN_FRAME_LENGTH);
    }

    @Test
    void aStampedBatchReadsTheSameThroughBothViews() {
        final UnsafeBuffer batch = TestBatches.batch(9, (short) 2, 0, "x", "y", "z");
        Batches.stamp(batch, 0, 1000, 77, 5);
        assertEquals(Batches.frameLength(batch, 0), FrameDescriptor.frameLength(batch, 0));
        assertEquals(1000, FrameDescriptor.baseOffset(batch, 0));
        assertEquals(1002, FrameDescriptor.lastOffset(batch, 0));
        assertEquals(77, FrameDescriptor.groupSeq(batch, 0));
        assertEquals(5, FrameDescriptor.leaderEpoch(batch, 0));
        assertEquals(Batches.maxTimestamp(batch, 0), FrameDescriptor.maxTimestamp(batch, 0));
        assertEquals(Batches.computeCrc(batch, 0, batch.capacity()), FrameDescriptor.crc(batch, 0));
    }
}

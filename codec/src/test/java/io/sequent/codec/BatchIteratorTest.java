package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchIteratorTest {
    private final BatchBuilder builder = new BatchBuilder(4096);
    private final BatchIterator iterator = new BatchIterator();
    private final UnsafeBuffer region = new UnsafeBuffer(new byte[8192]);
    private final List<Integer> offsets = new ArrayList<>();
    private final List<Integer> lengths = new ArrayList<>();
    private int end;

    @BeforeEach
    void threeFrames() {
        int position = 0;
        for (int i = 0; i < 3; i++) {
            final int length = TestBatches.build(builder, region, position,
                List.of(TestRecord.of(i, "key-" + i, "v".repeat(i * 3 + 1))));
            offsets.add(position);
            lengths.add(length);
            end = position + length;
            position += Batches.alignedLength(length);
        }
        assertTrue(lengths.stream().anyMatch(l -> l % 8 != 0), "some frames need padding");
    }

    @Test
    void walksAlignedFramesAndStopsAtZeroLength() {
        iterator.reset(region, 0, region.capacity());
        assertFrames(3);
        assertFalse(iterator.isTruncated());
        assertFalse(iterator.isMalformed());
        assertEquals(Batches.alignedLength(end), iterator.position());
    }

    @Test
    void regionEndingRightAfterTheLastFrameNeedsNoPadding() {
        iterator.reset(region, 0, end);
        assertFrames(3);
        assertFalse(iterator.isTruncated());
        assertEquals(end, iterator.consumed());
    }

    @Test
    void partialTrailingFrameStopsCleanly() {
        for (int cut = offsets.get(2) + 1; cut < end; cut++) {
            iterator.reset(region, 0, cut);
            assertFrames(2);
            assertTrue(iterator.isTruncated(), "cut at " + cut);
            assertFalse(iterator.isMalformed());
            assertEquals(offsets.get(2), iterator.position());
        }
    }

    @Test
    void impossibleLengthIsMalformed() {
        region.putInt(offsets.get(1), 12, Batches.ORDER);
        iterator.reset(region, 0, region.capacity());
        assertFrames(1);
        assertTrue(iterator.isMalformed());

        region.putInt(offsets.get(1), -8, Batches.ORDER);
        iterator.reset(region, 0, region.capacity());
        assertFrames(1);
        assertTrue(iterator.isMalformed());
    }

    @Test
    void regionOutsideTheBufferYieldsNothing() {
        iterator.reset(region, 8000, 500);
        assertFalse(iterator.next());
        assertTrue(iterator.isMalformed());
        iterator.reset(null, 0, 0);
        assertFalse(iterator.next());
    }

    @Test
    void emptyRegion() {
        iterator.reset(region, 16, 0);
        assertFalse(iterator.next());
        assertFalse(iterator.isTruncated());
        assertFalse(iterator.isMalformed());
        assertEquals(-1, iterator.frameOffset());
    }

    @Test
    void framesAreValidatedSeparately() {
        final BatchReader reader = new BatchReader();
        region.putByte(offsets.get(1) + 30, (byte) 0x55);
        iterator.reset(region, 0, end);
        final List<Integer> results = new ArrayList<>();
        while (iterator.next()) {
            results.add(reader.wrap(region, iterator.frameOffset(), iterator.frameLength()));
        }
        assertEquals(List.of(BatchError.NONE, BatchError.CRC_MISMATCH, BatchError.NONE), results);
    }

    private void assertFrames(final int expected) {
        for (int i = 0; i < expected; i++) {
            assertTrue(iterator.next(), "frame " + i);
            assertEquals(offsets.get(i), iterator.frameOffset());
            assertEquals(lengths.get(i), iterator.frameLength());
            assertEquals(BatchError.NONE, Batches.validate(region, iterator.frameOffset(), iterator.frameLength()));
        }
        assertFalse(iterator.next());
        assertFalse(iterator.next(), "stays stopped");
    }
}

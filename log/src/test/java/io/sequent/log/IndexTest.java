package io.sequent.log;

import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(LogTesting.scratchRoot(), "index-test");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(dir);
    }

    /** A fake segment: frames of 128 bytes, each holding 2 offsets, base offset 1000. */
    private static UnsafeBuffer fakeLog(final int frames) {
        final UnsafeBuffer log = new UnsafeBuffer(new byte[frames * 128]);
        for (int i = 0; i < frames; i++) {
            TestFrames.write(log, i * 128, new TestFrames.Spec(1000 + 2L * i, 2, 1, i, 10L * i, 60), 1);
        }
        return log;
    }

    @Test
    void offsetIndexFindsTheFloorEntryAndChecksItAgainstTheLog() throws Exception {
        final UnsafeBuffer log = fakeLog(64);
        final OffsetIndex index = OffsetIndex.create(dir.resolve("x.index"), 15, true);
        try {
            for (int i = 4; i < 64; i += 4) {
                assertTrue(index.append(2 * i, 128 * i));
            }
            assertEquals(15, index.publishedEntries());
            assertFalse(index.append(200, 128 * 100), "full");
            final int limit = 64 * 128;
            assertEquals(0, index.lookupPosition(0, log, limit, 1000));
            assertEquals(0, index.lookupPosition(7, log, limit, 1000));
            assertEquals(128 * 4, index.lookupPosition(8, log, limit, 1000));
            assertEquals(128 * 4, index.lookupPosition(15, log, limit, 1000));
            assertEquals(128 * 60, index.lookupPosition(500, log, limit, 1000));
            // an entry beyond the published end of the log is not used
            assertEquals(128 * 28, index.lookupPosition(2 * 32, log, 128 * 32, 1000));
            // an entry naming the wrong frame is not trusted
            log.putLong(128 * 8 + FrameDescriptor.BASE_OFFSET_OFFSET, 1);
            assertEquals(0, index.lookupPosition(17, log, limit, 1000));

            assertEquals(3, index.entriesBelow(128 * 16));
            index.truncateToEntries(3);
            assertEquals(3, index.entries());
            assertEquals(128 * 12, index.lookupPosition(500, log, limit, 1000));
            final OffsetIndex.Image image = OffsetIndex.read(dir.resolve("x.index"), limit);
            assertNull(image.problem);
            assertEquals(3, image.count);
            assertArrayEquals(new int[]{8, 16, 24}, java.util.Arrays.copyOf(image.relativeOffsets, 3));
        } finally {
            index.unmap();
        }
    }

    @Test
    void timeIndexFindsWhereToStartScanning() throws Exception {
        final TimeIndex index = TimeIndex.create(dir.resolve("x.timeindex"), 8, true);
        try {
            index.append(100, 4);
            index.append(100, 8);
            index.append(250, 12);
            index.append(300, 16);
            assertEquals(-1, index.lastRelativeOffsetBelow(100));
            assertEquals(8, index.lastRelativeOffsetBelow(101));
            assertEquals(8, index.lastRelativeOffsetBelow(250));
            assertEquals(12, index.lastRelativeOffsetBelow(251));
            assertEquals(16, index.lastRelativeOffsetBelow(Long.MAX_VALUE));
            assertEquals(2, index.entriesBelow(12));
        } finally {
            index.unmap();
        }
    }

    @Test
    void readRejectsDamagedFiles() throws Exception {
        final Path file = dir.resolve("y.index");
        Files.write(file, OffsetIndex.encode(new int[]{4, 8, 6}, new int[]{128, 256, 384}, 3).array());
        assertFalse(OffsetIndex.read(file, 4096).usable(), "out of order");
        Files.write(file, OffsetIndex.encode(new int[]{4, 8}, new int[]{128, 250}, 2).array());
        assertFalse(OffsetIndex.read(file, 4096).usable(), "misaligned");
        Files.write(file, OffsetIndex.encode(new int[]{4, 8}, new int[]{128, 8192}, 2).array());
        assertFalse(OffsetIndex.read(file, 4096).usable(), "outside the segment");
        Files.write(file, new byte[]{1, 2, 3});
        assertFalse(OffsetIndex.read(file, 4096).usable(), "size");
        final byte[] trailing = new byte[32];
        trailing[30] = 1;
        Files.write(file, trailing);
        assertFalse(OffsetIndex.read(file, 4096).usable(), "garbage after the entries");
        Files.delete(file);
        assertEquals("missing", OffsetIndex.read(file, 4096).problem);

        final Path timeFile = dir.resolve("y.timeindex");
        Files.write(timeFile, TimeIndex.encode(new long[]{5, 4}, new int[]{1, 2}, 2).array());
        assertFalse(TimeIndex.read(timeFile).usable(), "timestamps went down");
        Files.write(timeFile, TimeIndex.encode(new long[]{5, 5, 9}, new int[]{1, 2, 3}, 3).array());
        assertTrue(TimeIndex.read(timeFile).usable());
        assertEquals(3, TimeIndex.read(timeFile).count);
    }
}

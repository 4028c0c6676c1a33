package io.sequent.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.sequent.log.LogTesting.readAll;
import static io.sequent.log.LogTesting.smallConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionTest {
    static {
        LogTesting.quietLogs();
    }

    private static final long SEED = 11;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final UnsafeBuffer scratch = TestFrames.newBuffer(1 << 16);
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        clock.update(1_000_000);
        dir = Files.createTempDirectory(LogTesting.scratchRoot(), "retention-test");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(dir);
    }

    /** 120 frames of about 200 bytes: timestamps 1000 + offset * 10, so about 19 frames per 4 KiB segment. */
    private List<TestFrames.Spec> fill(final PartitionLog log) {
        final List<TestFrames.Spec> specs = new ArrayList<>();
        for (long offset = 0; offset < 120; offset++) {
            final long ts = 1000 + offset * 10;
            specs.add(new TestFrames.Spec(offset, 1, 1, ts, ts, 130));
        }
        return LogTesting.appendAll(log, specs, SEED, scratch);
    }

    @Test
    void retentionByTimeDeletesOnlyExpiredWholeSegmentsAndNeverTheActiveOne() {
        try (PartitionLog log = PartitionLog.open(dir, smallConfig().retentionMs(500), clock)) {
            fill(log);
            final long[] bases = log.segmentBaseOffsets();
            assertTrue(bases.length >= 5, "segments: " + bases.length);
            // now = 1000 + 60*10 + 500: batches with timestamp below 1600 (offsets < 60) are expired
            final long now = 1600 + 500;
            int expectedDeleted = 0;
            for (int i = 0; i < bases.length - 1; i++) {
                final long lastOffsetOfSegment = bases[i + 1] - 1;
                if (1000 + lastOffsetOfSegment * 10 < 1600) {
                    expectedDeleted++;
                } else {
                    break;
                }
            }
            assertTrue(expectedDeleted >= 2);
            assertEquals(expectedDeleted, log.enforceRetention(now));
            assertEquals(bases[expectedDeleted], log.startOffset());
            assertEquals(bases.length - expectedDeleted, log.segmentCount());
            for (int i = 0; i < expectedDeleted; i++) {
                assertGone(bases[i]);
            }
            assertTrue(Files.exists(LogFiles.logFile(dir, bases[expectedDeleted])));
            try (LogReader reader = log.newReader()) {
                assertEquals(LogResult.OFFSET_OUT_OF_RANGE, reader.read(0, 1000, Long.MAX_VALUE));
                assertEquals(LogResult.OFFSET_OUT_OF_RANGE, reader.read(bases[expectedDeleted] - 1, 1000,
                    Long.MAX_VALUE));
            }
            assertEquals(120 - bases[expectedDeleted], readAll(log, SEED).size());
            assertEquals(0, log.enforceRetention(now), "nothing more is eligible");

            // everything expired: all but the active segment go
            assertEquals(bases.length - expectedDeleted - 1, log.enforceRetention(Long.MAX_VALUE / 2));
            assertEquals(1, log.segmentCount());
            assertEquals(bases[bases.length - 1], log.startOffset());
            assertEquals(120, log.nextOffset());
            assertEquals(120 - bases[bases.length - 1], readAll(log, SEED).size());
        }
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            assertTrue(log.recoveryReport().cleanShutdown());
            assertEquals(log.segmentBaseOffsets()[0], log.startOffset());
            assertEquals(120, log.nextOffset());
        }
    }

    @Test
    void retentionBySizeKeepsAtLeastTheRetentionBytes() {
        final long retentionBytes = 10_000;
        try (PartitionLog log = PartitionLog.open(dir, smallConfig().retentionBytes(retentionBytes), clock)) {
            fill(log);
            final long before = log.sizeInBytes();
            final long[] bases = log.segmentBaseOffsets();
            final int deleted = log.enforceRetention(clock.time());
            assertTrue(deleted > 0);
            final long after = log.sizeInBytes();
            assertTrue(after >= retentionBytes, "kept " + after);
            // removing one more segment would go below the limit
            final long oldest = log.segmentFor(log.startOffset()).size();
            assertTrue(after - oldest < retentionBytes, "could have deleted more: " + after + " - " + oldest);
            assertTrue(before > after);
            for (int i = 0; i < deleted; i++) {
                assertGone(bases[i]);
            }
            assertEquals(0, log.enforceRetention(clock.time()));
        }
    }

    @Test
    void aSegmentHeldByAReaderStaysReadableUntilReleased() {
        try (PartitionLog log = PartitionLog.open(dir, smallConfig().retentionMs(0), clock)) {
            fill(log);
            final long[] bases = log.segmentBaseOffsets();
            final LogReader holder = log.newReader();
            final int length = holder.read(0, 1 << 20, Long.MAX_VALUE);
            assertTrue(length > 0);
            final byte[] copy = new byte[length];
            holder.buffer().getBytes(holder.bufferOffset(), copy);

            final LogReader secondHolder = log.newReader();
            assertTrue(secondHolder.read(bases[1], 1 << 20, Long.MAX_VALUE) > 0);

            assertEquals(bases.length - 1, log.enforceRetention(clock.time()));
            assertEquals(bases[bases.length - 1], log.startOffset());
            // unlinked from the log at once ...
            assertFalse(Files.exists(LogFiles.logFile(dir, bases[0])));
            assertFalse(Files.exists(LogFiles.indexFile(dir, bases[0])));
            try (LogReader other = log.newReader()) {
                assertEquals(LogResult.OFFSET_OUT_OF_RANGE, other.read(0, 1000, Long.MAX_VALUE));
            }
            // ... but its memory and files stay while the reader holds it
            assertTrue(Files.exists(deleted(LogFiles.logFile(dir, bases[0]))));
            final byte[] now = new byte[length];
            holder.buffer().getBytes(holder.bufferOffset(), now);
            assertArrayEquals(copy, now);
            int position = 0;
            while (position < length) {
                assertNull(TestFrames.verify(holder.buffer(), position, length - position, SEED));
                position += FrameDescriptor.alignedLength(FrameDescriptor.frameLength(holder.buffer(), position));
            }
            assertGone(bases[2]);

            holder.release();
            assertGone(bases[0]);
            assertTrue(Files.exists(deleted(LogFiles.logFile(dir, bases[1]))));
            secondHolder.close();
            assertGone(bases[1]);
            holder.close();
        }
    }

    private void assertGone(final long base) {
        for (final Path file : List.of(LogFiles.logFile(dir, base), LogFiles.indexFile(dir, base),
            LogFiles.timeIndexFile(dir, base))) {
            assertFalse(Files.exists(file), file + " still exists");
            assertFalse(Files.exists(deleted(file)), file + ".deleted still exists");
        }
    }

    private static Path deleted(final Path file) {
        return LogFiles.withSuffix(file, LogFiles.DELETED_SUFFIX);
    }
}

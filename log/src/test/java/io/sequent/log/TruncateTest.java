package io.sequent.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.sequent.log.LogTesting.appendAll;
import static io.sequent.log.LogTesting.randomSpecs;
import static io.sequent.log.LogTesting.readAll;
import static io.sequent.log.LogTesting.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TruncateTest {
    static {
        LogTesting.quietLogs();
    }

    private static final long SEED = 13;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final UnsafeBuffer scratch = TestFrames.newBuffer(1 << 16);
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        clock.update(1_000_000);
        dir = Files.createTempDirectory(LogTesting.scratchRoot(), "truncate-test");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(dir);
    }

    @Test
    void dropsExactlyTheBatchesAtAndAboveTheOffsetAndAppendsContinue() {
        final Random random = new Random(1);
        final List<TestFrames.Spec> specs = randomSpecs(random, 0, 200, 300, 1000);
        final int newEpoch;
        final long expectedEnd;
        final int expectedFrames;
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            appendAll(log, specs, SEED, scratch);
            assertEquals(LogResult.OK, log.flush());
            final long[] bases = log.segmentBaseOffsets();
            assertTrue(bases.length > 5);
            // a batch in the middle of a middle segment
            final long segmentBase = bases[bases.length / 2];
            final int cut = indexOfBase(specs, segmentBase) + 3;
            final long offset = specs.get(cut).baseOffset();
            final Segment segment = log.segmentFor(offset);
            final int position = segment.findFrameStart(offset);
            assertTrue(position > 0);

            assertEquals(LogResult.OK, log.truncateTo(offset));
            assertEquals(offset, log.nextOffset());
            assertEquals(offset, log.highestOffsetVisible());
            assertTrue(log.durableNextOffset() <= offset);
            assertEquals(cut, readAll(log, SEED).size());
            assertEquals(segmentBase, log.segmentBaseOffsets()[log.segmentCount() - 1]);
            for (final long base : bases) {
                assertEquals(base <= segmentBase, Files.exists(LogFiles.logFile(dir, base)), "segment " + base);
            }
            // dropped bytes and index entries are zero
            assertEquals(-1, SegmentScanner.lastNonZero(segment.buffer(), position, segment.capacity()));
            for (int i = 0; i < segment.offsetIndex().entries(); i++) {
                assertTrue(segment.offsetIndex().position(i) < position);
            }
            // the checkpoint is not above the new end
            final RecoveryCheckpoint checkpoint = RecoveryCheckpoint.read(dir).checkpoint;
            assertTrue(checkpoint.segmentBaseOffset() < segmentBase ||
                (checkpoint.segmentBaseOffset() == segmentBase && checkpoint.position() <= position), "" + checkpoint);

            try (LogReader reader = log.newReader()) {
                assertEquals(0, reader.read(offset, 1000, Long.MAX_VALUE));
                assertEquals(LogResult.OFFSET_OUT_OF_RANGE, reader.read(offset + 1, 1000, Long.MAX_VALUE));
            }
            // new batches (new epoch, different sizes) continue from the cut
            newEpoch = specs.get(cut - 1).epoch() + 1;
            final List<TestFrames.Spec> more = randomSpecs(random, offset, 100, 500, 2000, newEpoch);
            appendAll(log, more, SEED, scratch);
            final List<LogTesting.Frame> frames = readAll(log, SEED);
            assertEquals(cut + 100, frames.size());
            assertEquals(newEpoch, frames.get(cut).epoch());
            expectedEnd = log.nextOffset();
            expectedFrames = cut + 100;
        }
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            assertTrue(log.recoveryReport().cleanShutdown(), log.recoveryReport().toString());
            assertEquals(expectedEnd, log.nextOffset());
            final List<LogTesting.Frame> frames = readAll(log, SEED);
            assertEquals(expectedFrames, frames.size());
            assertEquals(newEpoch, frames.get(frames.size() - 100).epoch());
        }
    }

    @Test
    void appendsAfterTruncatingIntoARolledSegmentStayInsideItsTrimmedFiles() {
        // every frame gets an index entry, and the refill uses smaller frames: more entries than the trimmed
        // index file had room for, all of which must be skipped rather than written past the end of the file
        final LogConfig config = smallConfig().indexIntervalBytes(0);
        final List<TestFrames.Spec> specs = new ArrayList<>();
        for (long offset = 0; offset < 60; offset++) {
            specs.add(new TestFrames.Spec(offset, 1, 1, offset, offset, 300));
        }
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            appendAll(log, specs, SEED, scratch);
            final long[] bases = log.segmentBaseOffsets();
            assertTrue(bases.length >= 3);
            final long cut = bases[1] + 1;
            assertEquals(LogResult.OK, log.truncateTo(cut));
            final Segment segment = log.segmentFor(cut);
            final long indexFileBytes = size(LogFiles.indexFile(dir, bases[1]));
            final long logFileBytes = size(LogFiles.logFile(dir, bases[1]));
            long offset = cut;
            while (log.segmentFor(offset) == segment || offset == cut) {
                final int length = TestFrames.write(scratch, 0, new TestFrames.Spec(offset, 1, 1, offset, offset, 4),
                    SEED);
                assertEquals(LogResult.OK, log.append(scratch, 0, length));
                offset++;
                if (log.segmentCount() > bases.length) {
                    break;
                }
            }
            assertTrue(size(LogFiles.indexFile(dir, bases[1])) <= indexFileBytes, "index file grew");
            assertTrue(size(LogFiles.logFile(dir, bases[1])) <= logFileBytes, "log file grew");
            assertTrue((long) segment.offsetIndex().entries() * OffsetIndex.ENTRY_LENGTH <=
                size(LogFiles.indexFile(dir, bases[1])), "index entries beyond the end of the index file");
            assertEquals(offset, readAll(log, SEED).get(readAll(log, SEED).size() - 1).lastOffset() + 1);
        }
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            assertTrue(log.recoveryReport().cleanShutdown(), log.recoveryReport().toString());
            readAll(log, SEED);
        }
    }

    @Test
    void truncatingAtASegmentStartDropsThatSegment() {
        final Random random = new Random(2);
        final List<TestFrames.Spec> specs = randomSpecs(random, 0, 120, 300, 1000);
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            appendAll(log, specs, SEED, scratch);
            final long[] bases = log.segmentBaseOffsets();
            final long offset = bases[3];
            assertEquals(LogResult.OK, log.truncateTo(offset));
            assertEquals(3, log.segmentCount());
            assertFalse(Files.exists(LogFiles.logFile(dir, offset)));
            assertEquals(offset, log.nextOffset());
            assertEquals(indexOfBase(specs, offset), readAll(log, SEED).size());
            // the next append rolls a fresh segment with the same name
            appendAll(log, randomSpecs(random, offset, 30, 300, 2000, specs.get(specs.size() - 1).epoch()), SEED,
                scratch);
            assertTrue(Files.exists(LogFiles.logFile(dir, offset)));
            assertEquals(indexOfBase(specs, offset) + 30, readAll(log, SEED).size());
        }
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            assertTrue(log.recoveryReport().cleanShutdown());
            assertEquals(indexOfBase(specs, log.segmentBaseOffsets()[3]) + 30, readAll(log, SEED).size());
        }
    }

    @Test
    void truncatingEverythingLeavesAnEmptyLogThatStillAppends() {
        final Random random = new Random(3);
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            appendAll(log, randomSpecs(random, 0, 80, 300, 1000), SEED, scratch);
            assertEquals(LogResult.OK, log.truncateTo(0));
            assertEquals(0, log.nextOffset());
            assertEquals(0, log.sizeInBytes());
            assertEquals(1, log.segmentCount());
            assertEquals(0, readAll(log, SEED).size());
            // the emptied first segment was trimmed when it rolled; appending grows it back
            appendAll(log, randomSpecs(random, 0, 80, 300, 1000), SEED, scratch);
            assertEquals(80, readAll(log, SEED).size());
        }
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            assertEquals(80, readAll(log, SEED).size());
        }
    }

    @Test
    void rejectsOffsetsThatAreNotBatchBoundaries() {
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            appendAll(log, List.of(new TestFrames.Spec(0, 3, 1, 0, 0, 10), new TestFrames.Spec(3, 3, 1, 0, 0, 10)),
                SEED, scratch);
            assertEquals(LogResult.OFFSET_MISMATCH, log.truncateTo(1));
            assertEquals(LogResult.OFFSET_MISMATCH, log.truncateTo(5));
            assertEquals(LogResult.OFFSET_MISMATCH, log.truncateTo(7));
            assertEquals(LogResult.OK, log.truncateTo(6));
            assertEquals(6, log.nextOffset());
            assertEquals(LogResult.OK, log.truncateTo(3));
            assertEquals(3, log.nextOffset());
            assertEquals(1, readAll(log, SEED).size());
        }
    }

    @Test
    void aReaderHoldingADroppedSegmentKeepsValidMemory() {
        final Random random = new Random(4);
        final List<TestFrames.Spec> specs = randomSpecs(random, 0, 120, 300, 1000);
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock); LogReader reader = log.newReader()) {
            appendAll(log, specs, SEED, scratch);
            final long[] bases = log.segmentBaseOffsets();
            final long lastBase = bases[bases.length - 1];
            final int length = reader.read(lastBase, 1 << 20, Long.MAX_VALUE);
            assertTrue(length > 0);
            assertEquals(LogResult.OK, log.truncateTo(bases[1]));
            assertFalse(Files.exists(LogFiles.logFile(dir, lastBase)));
            assertTrue(Files.exists(LogFiles.withSuffix(LogFiles.logFile(dir, lastBase), LogFiles.DELETED_SUFFIX)));
            int position = 0;
            while (position < length) {
                assertNull(TestFrames.verify(reader.buffer(), position, length - position, SEED));
                position += FrameDescriptor.alignedLength(FrameDescriptor.frameLength(reader.buffer(), position));
            }
            reader.release();
            assertFalse(Files.exists(LogFiles.withSuffix(LogFiles.logFile(dir, lastBase), LogFiles.DELETED_SUFFIX)));
        }
    }

    @Test
    void aCrashAfterTruncationDoesNotResurrectDroppedBatches() throws Exception {
        final Random random = new Random(5);
        final List<TestFrames.Spec> specs = randomSpecs(random, 0, 150, 300, 1000);
        final Path image = Files.createTempDirectory(LogTesting.scratchRoot(), "truncate-crash-image");
        try {
            try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
                appendAll(log, specs, SEED, scratch);
                assertEquals(LogResult.OK, log.flush());
                final long offset = specs.get(40).baseOffset();
                assertEquals(LogResult.OK, log.truncateTo(offset));
                // the files as a crash right now would leave them (the page cache survives a process crash)
                LogTesting.deleteRecursively(image);
                LogTesting.copyDirectory(dir, image);
            }
            Files.deleteIfExists(image.resolve(DirectoryLock.FILE_NAME));
            try (PartitionLog log = PartitionLog.open(image, smallConfig(), clock)) {
                final RecoveryReport report = log.recoveryReport();
                assertFalse(report.cleanShutdown());
                assertEquals(specs.get(40).baseOffset(), log.nextOffset(), report.toString());
                assertEquals(40, readAll(log, SEED).size());
            }
        } finally {
            LogTesting.deleteRecursively(image);
        }
    }

    private static int indexOfBase(final List<TestFrames.Spec> specs, final long base) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).baseOffset() == base) {
                return i;
            }
        }
        throw new AssertionError("no batch at " + base);
    }

    private static long size(final Path file) {
        try {
            return Files.size(file);
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}

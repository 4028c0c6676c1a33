package io.sequent.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.sequent.log.LogTesting.appendAll;
import static io.sequent.log.LogTesting.randomSpecs;
import static io.sequent.log.LogTesting.readAll;
import static io.sequent.log.LogTesting.smallConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionLogTest {
    static {
        LogTesting.quietLogs();
    }

    private static final long SEED = 42;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final UnsafeBuffer scratch = TestFrames.newBuffer(1 << 20);
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        clock.update(1_000_000);
        dir = Files.createTempDirectory(LogTesting.scratchRoot(), "partition-log-test");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(dir);
    }

    @Test
    void appendsAndReadsBackAcrossSegmentRolls() {
        final Random random = new Random(1);
        final List<TestFrames.Spec> specs = randomSpecs(random, 0, 300, 600, 1000);
        final long end = specs.get(specs.size() - 1).lastOffset() + 1;
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            assertFalse(log.recoveryReport().truncated());
            appendAll(log, specs, SEED, scratch);
            assertEquals(end, log.nextOffset());
            assertEquals(end, log.highestOffsetVisible());
            assertTrue(log.segmentCount() > 10, "expected many rolls, got " + log.segmentCount());
            assertFrames(specs, readAll(log, SEED));

            long expectedSize = 0;
            for (final TestFrames.Spec spec : specs) {
                expectedSize += FrameDescriptor.alignedLength(spec.length());
            }
            assertEquals(expectedSize, log.sizeInBytes());

            // each segment starts with the batch following the previous segment's last
            final long[] bases = log.segmentBaseOffsets();
            for (final long base : bases) {
                assertTrue(specs.stream().anyMatch(s -> s.baseOffset() == base), "segment base " + base);
                assertTrue(Files.exists(LogFiles.logFile(dir, base)));
                assertTrue(Files.exists(LogFiles.indexFile(dir, base)));
                assertTrue(Files.exists(LogFiles.timeIndexFile(dir, base)));
            }
        }
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            final RecoveryReport report = log.recoveryReport();
            assertTrue(report.cleanShutdown(), report.toString());
            assertFalse(report.truncated());
            assertTrue(report.rebuiltIndexes().isEmpty(), report.toString());
            assertEquals(end, log.nextOffset());
            assertFrames(specs, readAll(log, SEED));
            // and the log continues
            appendAll(log, randomSpecs(random, end, 50, 600, 5000, specs.get(specs.size() - 1).epoch()), SEED,
                scratch);
            assertEquals(0, readAll(log, SEED).get(0).baseOffset());
        }
    }

    @Test
    void readFindsTheBatchHoldingAnyOffsetAndRespectsLimits() {
        final Random random = new Random(2);
        final List<TestFrames.Spec> specs = randomSpecs(random, 0, 400, 300, 1000);
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock); LogReader reader = log.newReader()) {
            appendAll(log, specs, SEED, scratch);
            final long end = log.nextOffset();
            for (final TestFrames.Spec spec : specs) {
                for (long offset = spec.baseOffset(); offset <= spec.lastOffset(); offset++) {
                    // maxBytes 1: only the frame holding the offset, always whole
                    final int length = reader.read(offset, 1, Long.MAX_VALUE);
                    assertEquals(spec.length(), length, "read at " + offset);
                    assertEquals(spec.baseOffset(), FrameDescriptor.baseOffset(reader.buffer(), 0));
                    assertNull(TestFrames.verify(reader.buffer(), 0, length, SEED));
                }
            }
            // a big read stops at the segment end, and never cuts a frame
            for (int i = 0; i < 200; i++) {
                final TestFrames.Spec spec = specs.get(random.nextInt(specs.size()));
                final int maxBytes = 1 + random.nextInt(3000);
                final int length = reader.read(spec.baseOffset(), maxBytes, Long.MAX_VALUE);
                assertTrue(length >= spec.length());
                assertTrue(length <= Math.max(maxBytes, spec.length()), "length " + length + " max " + maxBytes);
                final long segmentBase = log.segmentFor(spec.baseOffset()).baseOffset();
                int position = 0;
                long expected = spec.baseOffset();
                while (position < length) {
                    assertNull(TestFrames.verify(reader.buffer(), position, length - position, SEED));
                    assertEquals(expected, FrameDescriptor.baseOffset(reader.buffer(), position));
                    assertEquals(segmentBase, log.segmentFor(expected).baseOffset(), "read crossed a segment");
                    expected = FrameDescriptor.lastOffset(reader.buffer(), position) + 1;
                    position += FrameDescriptor.alignedLength(FrameDescriptor.frameLength(reader.buffer(), position));
                }
                assertTrue(position >= length && position - length < FrameDescriptor.FRAME_ALIGNMENT);
            }
            // maxOffsetExclusive: a batch is returned only when all of it is below the limit
            final TestFrames.Spec multi = specs.stream().filter(s -> s.recordCount() > 1).findFirst().orElseThrow();
            assertEquals(0, reader.read(multi.baseOffset(), 1 << 20, multi.lastOffset()));
            assertEquals(multi.length(), reader.read(multi.baseOffset(), 1 << 20, multi.lastOffset() + 1));
            assertEquals(0, reader.read(multi.baseOffset(), 1 << 20, multi.baseOffset()));

            assertEquals(0, reader.read(end, 1000, Long.MAX_VALUE));
            assertEquals(LogResult.OFFSET_OUT_OF_RANGE, reader.read(end + 1, 1000, Long.MAX_VALUE));
            assertEquals(LogResult.OFFSET_OUT_OF_RANGE, reader.read(-1, 1000, Long.MAX_VALUE));
        }
    }

    @Test
    void appendRejectsBadFramesWithResultCodes() {
        final LogConfig config = smallConfig().maxFrameLength(1000).verifyCrcOnAppend(true);
        final PartitionLog log = PartitionLog.open(dir, config, clock);
        try {
            int length = TestFrames.write(scratch, 0, new TestFrames.Spec(1, 1, 1, 0, 0, 10), SEED);
            assertEquals(LogResult.OFFSET_MISMATCH, log.append(scratch, 0, length));
            length = TestFrames.write(scratch, 0, new TestFrames.Spec(0, 1, 1, 0, 0, 10), SEED);
            assertEquals(LogResult.INVALID_FRAME, log.append(scratch, 0, length + 8), "length mismatch");
            assertEquals(LogResult.INVALID_FRAME, log.append(scratch, 0, 40), "too short");
            scratch.putInt(FrameDescriptor.CRC_OFFSET, scratch.getInt(FrameDescriptor.CRC_OFFSET) + 1);
            assertEquals(LogResult.INVALID_FRAME, log.append(scratch, 0, length), "bad CRC");
            length = TestFrames.write(scratch, 0, new TestFrames.Spec(0, 0, 1, 0, 0, 10), SEED);
            assertEquals(LogResult.INVALID_FRAME, log.append(scratch, 0, length), "no records");
            length = TestFrames.write(scratch, 0, new TestFrames.Spec(0, 1, 1, 0, 0, 1000), SEED);
            assertEquals(LogResult.FRAME_TOO_LARGE, log.append(scratch, 0, length));
            length = TestFrames.write(scratch, 0, new TestFrames.Spec(0, 2, 5, 0, 0, 10), SEED);
            assertEquals(LogResult.OK, log.append(scratch, 0, length));
            length = TestFrames.write(scratch, 0, new TestFrames.Spec(2, 1, 4, 0, 0, 10), SEED);
            assertEquals(LogResult.INVALID_FRAME, log.append(scratch, 0, length), "epoch went down");

            // a frame held in a heap buffer at an offset works as well
            final UnsafeBuffer heap = new UnsafeBuffer(new byte[4096]);
            length = TestFrames.write(heap, 24, new TestFrames.Spec(2, 1, 5, 0, 0, 100), SEED);
            assertEquals(LogResult.OK, log.append(heap, 24, length));
            assertEquals(3, log.nextOffset());
            assertEquals(2, readAll(log, SEED).size());
            log.close();
            assertEquals(LogResult.CLOSED, log.append(heap, 24, length));
            assertEquals(LogResult.CLOSED, log.flush());
            assertEquals(LogResult.CLOSED, log.newReader().read(0, 100, Long.MAX_VALUE));
        } finally {
            log.close();
        }
    }

    @Test
    void offsetIndexPointsAtFrameStartsAndLookupsStayCorrect() {
        final LogConfig config = smallConfig().segmentBytes(64 * 1024).indexIntervalBytes(512);
        final Random random = new Random(3);
        final List<TestFrames.Spec> specs = randomSpecs(random, 0, 300, 400, 1000);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            appendAll(log, specs, SEED, scratch);
            final Segment segment = log.segmentFor(0);
            final OffsetIndex index = segment.offsetIndex();
            final TimeIndex timeIndex = segment.timeIndex();
            assertTrue(index.publishedEntries() > 10, "entries: " + index.publishedEntries());
            assertEquals(index.publishedEntries(), timeIndex.publishedEntries());
            int previous = 0;
            long previousTs = Long.MIN_VALUE;
            for (int i = 0; i < index.publishedEntries(); i++) {
                final int position = index.position(i);
                assertTrue(position - previous >= 512, "entries at least one interval apart");
                assertEquals(segment.baseOffset() + index.relativeOffset(i),
                    FrameDescriptor.baseOffset(segment.buffer(), position), "entry names its frame");
                assertEquals(index.relativeOffset(i), timeIndex.relativeOffset(i));
                assertTrue(timeIndex.timestamp(i) >= previousTs);
                previous = position;
                previousTs = timeIndex.timestamp(i);
            }
            for (final TestFrames.Spec spec : specs) {
                if (log.segmentFor(spec.baseOffset()) != segment) {
                    break;
                }
                for (long offset = spec.baseOffset(); offset <= spec.lastOffset(); offset++) {
                    final int position = index.lookupPosition(offset - segment.baseOffset(), segment.buffer(),
                        segment.publishedPosition(), segment.baseOffset());
                    assertTrue(FrameDescriptor.baseOffset(segment.buffer(), position) <= offset);
                    assertTrue(spec.baseOffset() - FrameDescriptor.baseOffset(segment.buffer(), position) < 512);
                }
            }
        }
    }

    @Test
    void offsetForTimestampFindsTheFirstBatchReachingIt() {
        final Random random = new Random(4);
        final List<TestFrames.Spec> specs = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 500; i++) {
            final long ts = 10_000 + i * 10L + random.nextInt(40) - (random.nextInt(10) == 0 ? 300 : 0);
            final int records = 1 + random.nextInt(3);
            specs.add(new TestFrames.Spec(offset, records, 1, ts - 5, ts, random.nextInt(200)));
            offset += records;
        }
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            appendAll(log, specs, SEED, scratch);
            assertTrue(log.segmentCount() > 5);
            for (long ts = 9_000; ts < 16_000; ts += 7) {
                long expected = -1;
                for (final TestFrames.Spec spec : specs) {
                    if (spec.maxTimestamp() >= ts) {
                        expected = spec.baseOffset();
                        break;
                    }
                }
                assertEquals(expected, log.offsetForTimestamp(ts), "timestamp " + ts);
            }
        }
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            final long max = specs.stream().mapToLong(TestFrames.Spec::maxTimestamp).max().orElseThrow();
            assertEquals(-1, log.offsetForTimestamp(max + 1));
            assertEquals(0, log.offsetForTimestamp(Long.MIN_VALUE));
        }
    }

    @Test
    void rollsBySegmentAgeOnTheClock() {
        final LogConfig config = smallConfig().segmentBytes(1 << 20).segmentMs(1000);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            long offset = 0;
            for (int i = 0; i < 3; i++) {
                if (i > 0) {
                    clock.advance(400);
                }
                final int length = TestFrames.write(scratch, 0, new TestFrames.Spec(offset++, 1, 1, 0, 0, 50), SEED);
                assertEquals(LogResult.OK, log.append(scratch, 0, length));
            }
            // first append at t0; 800 ms later still one segment
            assertEquals(1, log.segmentCount());
            clock.advance(199);
            int length = TestFrames.write(scratch, 0, new TestFrames.Spec(offset++, 1, 1, 0, 0, 50), SEED);
            assertEquals(LogResult.OK, log.append(scratch, 0, length));
            assertEquals(1, log.segmentCount(), "999 ms: no roll yet");
            clock.advance(1);
            length = TestFrames.write(scratch, 0, new TestFrames.Spec(offset++, 1, 1, 0, 0, 50), SEED);
            assertEquals(LogResult.OK, log.append(scratch, 0, length));
            assertEquals(2, log.segmentCount(), "1000 ms: rolled");
            assertArrayEquals(new long[]{0, 4}, log.segmentBaseOffsets());
            // an idle log does not roll an empty segment
            clock.advance(10_000);
            assertEquals(2, log.segmentCount());
            assertEquals(5, readAll(log, SEED).size());
            // the rolled segment's file was trimmed to its data
            assertEquals(4L * FrameDescriptor.alignedLength(118), size(LogFiles.logFile(dir, 0)));
        }
    }

    @Test
    void flushPoliciesDriveTheDurableOffset() {
        try (PartitionLog log = PartitionLog.open(dir, smallConfig().flushPolicy(FlushPolicy.BATCH), clock)) {
            final int length = TestFrames.write(scratch, 0, new TestFrames.Spec(0, 3, 1, 0, 0, 50), SEED);
            assertEquals(LogResult.OK, log.append(scratch, 0, length));
            assertEquals(0, log.durableNextOffset());
            assertEquals(LogResult.OK, log.flushIfDue(false, clock.time()));
            assertEquals(0, log.durableNextOffset());
            assertEquals(LogResult.OK, log.flushIfDue(true, clock.time()));
            assertEquals(3, log.durableNextOffset());
            final RecoveryCheckpoint.ReadResult checkpoint = RecoveryCheckpoint.read(dir);
            assertEquals(RecoveryCheckpoint.State.VALID, checkpoint.state);
            assertEquals(3, checkpoint.checkpoint.nextOffset());
            assertEquals(FrameDescriptor.alignedLength(length), checkpoint.checkpoint.position());
        }
        LogTesting.deleteRecursively(dir);
        try (PartitionLog log = PartitionLog.open(dir, smallConfig().flushPolicy(FlushPolicy.NONE), clock)) {
            final int length = TestFrames.write(scratch, 0, new TestFrames.Spec(0, 3, 1, 0, 0, 50), SEED);
            assertEquals(LogResult.OK, log.append(scratch, 0, length));
            assertEquals(3, log.durableNextOffset());
            assertEquals(LogResult.OK, log.flushIfDue(true, clock.time()));
        }
        LogTesting.deleteRecursively(dir);
        final LogConfig interval = smallConfig().flushPolicy(FlushPolicy.INTERVAL).flushIntervalMs(100);
        try (PartitionLog log = PartitionLog.open(dir, interval, clock)) {
            final int length = TestFrames.write(scratch, 0, new TestFrames.Spec(0, 3, 1, 0, 0, 50), SEED);
            assertEquals(LogResult.OK, log.append(scratch, 0, length));
            assertEquals(LogResult.OK, log.flushIfDue(true, clock.time() + 99));
            assertEquals(0, log.durableNextOffset());
            assertEquals(LogResult.OK, log.flushIfDue(false, clock.time() + 100));
            assertEquals(3, log.durableNextOffset());
        }
    }

    @Test
    void preallocatedSegmentIsUsedByTheNextRoll() throws Exception {
        final Random random = new Random(5);
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            log.preallocateNext();
            try (var files = Files.list(dir)) {
                assertEquals(3, files.filter(f -> f.toString().endsWith(LogFiles.PREALLOC_SUFFIX)).count());
            }
            appendAll(log, randomSpecs(random, 0, 40, 300, 0), SEED, scratch);
            assertTrue(log.segmentCount() > 1);
            try (var files = Files.list(dir)) {
                assertEquals(0, files.filter(f -> f.toString().endsWith(LogFiles.PREALLOC_SUFFIX)).count());
            }
            log.preallocateNext();
        }
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.toString().endsWith(LogFiles.PREALLOC_SUFFIX)).count(),
                "close discards the spare");
        }
    }

    @Test
    void preallocatesOnlyOnceTheActiveSegmentIsFillingUp() {
        final LogConfig config = smallConfig().segmentBytes(64 * 1024);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            assertFalse(log.preallocateNextIfFilling(), "empty segment");
            long offset = 0;
            while (log.segmentFor(0).publishedPosition() < 32 * 1024) {
                final int length = TestFrames.write(scratch, 0, new TestFrames.Spec(offset++, 1, 1, 0, 0, 500), SEED);
                assertEquals(LogResult.OK, log.append(scratch, 0, length));
            }
            assertTrue(log.preallocateNextIfFilling(), "half full");
            assertFalse(log.preallocateNextIfFilling(), "a spare is already waiting");
            while (1 == log.segmentCount()) {
                final int length = TestFrames.write(scratch, 0, new TestFrames.Spec(offset++, 1, 1, 0, 0, 500), SEED);
                assertEquals(LogResult.OK, log.append(scratch, 0, length));
            }
            assertFalse(log.preallocateNextIfFilling(), "the new segment is empty");
            assertEquals(offset, readAll(log, SEED).get(readAll(log, SEED).size() - 1).lastOffset() + 1);
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() {
        try (PartitionLog first = PartitionLog.open(dir, smallConfig(), clock)) {
            assertEquals(0, first.nextOffset());
            final LogException ex =
                assertThrows(LogException.class, () -> PartitionLog.open(dir, smallConfig(), clock));
            assertEquals(LogResult.IO_ERROR, ex.code());
        }
        try (PartitionLog log = PartitionLog.open(dir, smallConfig(), clock)) {
            assertEquals(0, log.nextOffset());
        }
    }

    @Test
    void readersRunConcurrentlyWithTheWriter() throws Exception {
        final LogConfig config = smallConfig().segmentBytes(64 * 1024).flushPolicy(FlushPolicy.NONE);
        final int frames = 20_000;
        final Random random = new Random(6);
        final List<TestFrames.Spec> specs = randomSpecs(random, 0, frames, 200, 0);
        final long end = specs.get(frames - 1).lastOffset() + 1;
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            final List<Thread> readers = new ArrayList<>();
            final long[] framesSeen = new long[2];
            for (int r = 0; r < 2; r++) {
                final int id = r;
                final Thread reader = new Thread(() -> {
                    try (LogReader logReader = log.newReader()) {
                        long offset = 0;
                        while (offset < end) {
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError("reader timed out at " + offset);
                            }
                            final int length = logReader.read(offset, 1 + (int) (offset % 5000), Long.MAX_VALUE);
                            if (length < 0) {
                                throw new AssertionError("read " + offset + ": " + LogResult.name(length));
                            }
                            int position = 0;
                            while (position < length) {
                                final String problem = TestFrames.verify(logReader.buffer(), position,
                                    length - position, SEED);
                                if (null != problem) {
                                    throw new AssertionError("at " + offset + ": " + problem);
                                }
                                final long base = FrameDescriptor.baseOffset(logReader.buffer(), position);
                                if (base != offset) {
                                    throw new AssertionError("expected " + offset + " got " + base);
                                }
                                offset = FrameDescriptor.lastOffset(logReader.buffer(), position) + 1;
                                position += FrameDescriptor.alignedLength(
                                    FrameDescriptor.frameLength(logReader.buffer(), position));
                                framesSeen[id]++;
                            }
                            if (0 == length) {
                                Thread.onSpinWait();
                            }
                        }
                    } catch (final Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }, "reader-" + r);
                reader.start();
                readers.add(reader);
            }
            for (final TestFrames.Spec spec : specs) {
                final int length = TestFrames.write(scratch, 0, spec, SEED);
                assertEquals(LogResult.OK, log.append(scratch, 0, length));
            }
            for (final Thread reader : readers) {
                reader.join(TimeUnit.SECONDS.toMillis(70));
                assertFalse(reader.isAlive(), "reader did not finish");
            }
            assertNull(failure.get(), () -> "reader failed: " + failure.get());
            assertEquals(frames, framesSeen[0]);
            assertEquals(frames, framesSeen[1]);
            assertTrue(log.segmentCount() > 10);
        }
    }

    private static void assertFrames(final List<TestFrames.Spec> specs, final List<LogTesting.Frame> frames) {
        assertEquals(specs.size(), frames.size());
        for (int i = 0; i < specs.size(); i++) {
            final TestFrames.Spec spec = specs.get(i);
            final LogTesting.Frame frame = frames.get(i);
            assertEquals(spec.baseOffset(), frame.baseOffset());
            assertEquals(spec.recordCount(), frame.recordCount());
            assertEquals(spec.epoch(), frame.epoch());
            assertEquals(spec.maxTimestamp(), frame.maxTimestamp());
            assertEquals(spec.length(), frame.length());
        }
    }

    private static long size(final Path file) {
        try {
            return Files.size(file);
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}

package io.sequent.log;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Disk use follows the data: a partition starts with a 1 MiB segment, each next segment doubles up to
 * {@code log.segment.bytes}, and a frame larger than the next step still fits. Every segment is still really
 * zero-filled (pre-allocated) when created, so a full disk remains an error at roll time (see {@link DiskFullTest}).
 */
class SegmentGrowthTest {
    private static final int MIB = 1024 * 1024;

    private final CachedEpochClock clock = new CachedEpochClock();
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        clock.update(1_000_000);
        dir = Files.createTempDirectory(LogTesting.scratchRoot(), "growth-test");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(dir);
    }

    @Test
    void aNewPartitionTakesAboutOneMegabyteOnTheDefaults() throws IOException {
        final LogConfig config = new LogConfig();
        assertEquals(256 * MIB, config.segmentBytes());
        assertTrue(config.preallocate());
        final UnsafeBuffer frame = TestFrames.newBuffer(4096);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            for (int i = 0; i < 3; i++) {
                final int length = TestFrames.write(frame, 0, new TestFrames.Spec(i, 1, 1, 5, 5, 20), i);
                assertEquals(LogResult.OK, log.append(frame, 0, length));
            }
            assertEquals(LogResult.OK, log.flush());
            final long bytes = directoryBytes(dir);
            System.out.printf("partition directory after 3 records on the defaults: %,d bytes%n", bytes);
            assertTrue(bytes < 2L * MIB, bytes + " bytes");
            assertEquals(MIB, Files.size(LogFiles.logFile(dir, 0)), "first segment, really allocated");
        }
    }

    @Test
    void segmentsDoubleUpToTheSegmentSizeAndKeepGrowingAfterReopen() throws IOException {
        final LogConfig config = new LogConfig().segmentBytes(8 * MIB).retentionMs(-1);
        final UnsafeBuffer frame = TestFrames.newBuffer(64 * 1024);
        long next = 0;
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            while (log.segmentCount() < 4) {
                final int length = TestFrames.write(frame, 0, new TestFrames.Spec(next, 1, 1, 5, 5, 60_000), next);
                assertEquals(LogResult.OK, log.append(frame, 0, length));
                next++;
            }
        }
        final List<Long> sizes = segmentFileSizes(dir);
        assertEquals(4, sizes.size(), sizes.toString());
        for (int i = 0; i < 3; i++) {
            // segment i was (1 << i) MiB and rolled when the next 60 KB frame did not fit; then it was trimmed
            final long length = (long) MIB << i;
            assertTrue(sizes.get(i) <= length && sizes.get(i) > length - 64 * 1024, "segment " + i + ": " + sizes);
        }
        assertEquals(8L * MIB, sizes.get(3), "the active segment, doubled to log.segment.bytes: " + sizes);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            assertEquals(next, log.nextOffset());
            final int before = log.segmentCount();
            while (log.segmentCount() < before + 2) {
                final int length = TestFrames.write(frame, 0, new TestFrames.Spec(next, 1, 1, 5, 5, 60_000), next);
                assertEquals(LogResult.OK, log.append(frame, 0, length));
                next++;
            }
            final List<Long> after = segmentFileSizes(dir);
            assertEquals(8L * MIB, after.get(after.size() - 1), "capped at log.segment.bytes: " + after);
        }
    }

    @Test
    void aFrameLargerThanTheFirstSegmentStillFits() {
        final LogConfig config = new LogConfig().segmentBytes(16 * MIB);
        final UnsafeBuffer frame = TestFrames.newBuffer(3 * MIB);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            final int length = TestFrames.write(frame, 0, new TestFrames.Spec(0, 1, 1, 5, 5, 3 * MIB - 200), 7);
            assertEquals(LogResult.OK, log.append(frame, 0, length));
            final int second = TestFrames.write(frame, 0, new TestFrames.Spec(1, 1, 1, 5, 5, 3 * MIB - 200), 8);
            assertEquals(LogResult.OK, log.append(frame, 0, second));
            assertEquals(2, log.nextOffset());
        }
    }

    /** Sizes of the segment files, oldest first. Rolled segments are trimmed to their data. */
    private static List<Long> segmentFileSizes(final Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            final List<Path> logs = files.filter(p -> p.toString().endsWith(LogFiles.LOG_SUFFIX)).sorted().toList();
            final List<Long> sizes = new ArrayList<>();
            for (final Path log : logs) {
                sizes.add(Files.size(log));
            }
            return sizes;
        }
    }

    static long directoryBytes(final Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (final IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }).sum();
        }
    }
}

package io.sequent.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared test utilities: small configurations, appending generated frames, reading a whole log back and
 * checking every frame, and file helpers.
 */
final class LogTesting {
    /** Held so the logger (and its level) is not garbage collected. */
    private static final java.util.logging.Logger LOG_LOGGER = java.util.logging.Logger.getLogger("io.sequent.log");

    static {
        // Recovery reports every truncation at WARNING; thousands of generated cases would flood the output.
        LOG_LOGGER.setLevel(java.util.logging.Level.SEVERE);
    }

    private LogTesting() {
    }

    /** Touch this class so its static initialiser quiets the log module's logger. */
    static void quietLogs() {
        LOG_LOGGER.getLevel();
    }

    /** A frame as read back. */
    record Frame(long segmentBase, long baseOffset, int recordCount, int epoch, long maxTimestamp, int length) {
        long lastOffset() {
            return baseOffset + recordCount - 1;
        }
    }

    static LogConfig smallConfig() {
        return new LogConfig()
            .segmentBytes(4096)
            .indexIntervalBytes(256)
            .preallocate(true)
            .flushPolicy(FlushPolicy.BATCH)
            .checkpointIntervalMs(0)
            .retentionMs(-1)
            .retentionBytes(-1);
    }

    /** Fast scratch space: tmpfs when the machine has it (fsync is free there), else the temp dir. */
    static Path scratchRoot() {
        final Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Append frames from specs; fails the test on any non-OK result. */
    static List<TestFrames.Spec> appendAll(
        final PartitionLog log, final List<TestFrames.Spec> specs, final long seed, final UnsafeBuffer scratch) {
        for (final TestFrames.Spec spec : specs) {
            final int length = TestFrames.write(scratch, 0, spec, seed);
            final int result = log.append(scratch, 0, length);
            assertEquals(LogResult.OK, result, () -> "append of " + spec + ": " + LogResult.name(result));
        }
        return specs;
    }

    /** Random specs continuing from {@code nextOffset}. */
    static List<TestFrames.Spec> randomSpecs(
        final Random random, final long nextOffset, final int count, final int maxPayload, final long startTime) {
        return randomSpecs(random, nextOffset, count, maxPayload, startTime, 1);
    }

    /** Random specs continuing from {@code nextOffset} with epochs from {@code startEpoch} up. */
    static List<TestFrames.Spec> randomSpecs(
        final Random random,
        final long nextOffset,
        final int count,
        final int maxPayload,
        final long startTime,
        final int startEpoch) {
        final List<TestFrames.Spec> specs = new ArrayList<>(count);
        long offset = nextOffset;
        int epoch = startEpoch;
        long time = startTime;
        for (int i = 0; i < count; i++) {
            final int records = 1 + random.nextInt(5);
            if (random.nextInt(20) == 0) {
                epoch++;
            }
            time += random.nextInt(10);
            final long maxTs = time + random.nextInt(5);
            specs.add(new TestFrames.Spec(offset, records, epoch, time, maxTs, random.nextInt(maxPayload + 1)));
            offset += records;
        }
        return specs;
    }

    /**
     * Read the whole visible log with a reader, checking that every frame is whole and valid, offsets are dense
     * and start at {@code startOffset()}.
     */
    static List<Frame> readAll(final PartitionLog log, final Long seed) {
        final List<Frame> frames = new ArrayList<>();
        try (LogReader reader = log.newReader()) {
            long offset = log.startOffset();
            final long end = log.highestOffsetVisible();
            while (offset < end) {
                final long at = offset;
                final int length = reader.read(offset, 1 << 16, Long.MAX_VALUE);
                assertTrue(length > 0, () -> "read at " + at + " gave " + LogResult.name(length));
                final long segmentBase = log.segmentFor(offset).baseOffset();
                final DirectBuffer buffer = reader.buffer();
                int position = reader.bufferOffset();
                final int limit = reader.bufferOffset() + length;
                boolean first = true;
                while (position < limit) {
                    final String problem = TestFrames.verify(buffer, position, limit - position, seed);
                    assertNull(problem, problem);
                    final int frameLength = FrameDescriptor.frameLength(buffer, position);
                    final long base = FrameDescriptor.baseOffset(buffer, position);
                    if (first) {
                        assertTrue(base <= offset, "first frame starts after the offset read");
                        first = false;
                    } else {
                        assertEquals(offset, base, "offsets are not dense");
                    }
                    if (frames.isEmpty()) {
                        assertEquals(log.startOffset(), base, "log does not start at startOffset");
                    } else {
                        assertEquals(frames.get(frames.size() - 1).lastOffset() + 1, base, "offsets not dense");
                    }
                    final Frame frame = new Frame(segmentBase, base, FrameDescriptor.recordCount(buffer, position),
                        FrameDescriptor.leaderEpoch(buffer, position), FrameDescriptor.maxTimestamp(buffer, position),
                        frameLength);
                    frames.add(frame);
                    offset = frame.lastOffset() + 1;
                    position += FrameDescriptor.alignedLength(frameLength);
                }
            }
            assertEquals(end, offset, "read past or short of the visible end");
        }
        return frames;
    }

    static void deleteRecursively(final Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static void copyDirectory(final Path from, final Path to) {
        try {
            Files.createDirectories(to);
            try (var stream = Files.list(from)) {
                for (final Path file : (Iterable<Path>) stream::iterator) {
                    Files.copy(file, to.resolve(file.getFileName()));
                }
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] readFile(final Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static void writeFile(final Path file, final byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}

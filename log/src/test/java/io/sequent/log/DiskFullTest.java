package io.sequent.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reliability tier B4 in miniature: the partition lives on an 8 MiB tmpfs. Appends fill it until a roll cannot
 * pre-allocate the next segment; that must show as {@link LogResult#DISK_FULL}, never as an exception or a fault
 * inside a mapped write, leave the log consistent (it reopens with every frame valid), and appends must work again
 * once space is freed. Needs root on Linux to mount the tmpfs; skipped otherwise.
 */
class DiskFullTest {
    static {
        LogTesting.quietLogs();
    }

    private static final long SEED = 21;

    @Test
    void fullDiskIsAClearRetriableResult() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"), "needs Linux");
        final Path mount = Files.createTempDirectory("disk-full-test");
        final String mountFailure = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString());
        if (null != mountFailure) {
            Files.deleteIfExists(mount);
            System.out.println("DiskFullTest skipped: cannot mount a tmpfs (" + mountFailure + ")");
            assumeTrue(false, "cannot mount a tmpfs: " + mountFailure);
        }
        try {
            exercise(mount);
        } finally {
            final String unmountFailure = run("umount", mount.toString());
            if (null != unmountFailure) {
                run("umount", "-l", mount.toString());
            }
            Files.deleteIfExists(mount);
        }
    }

    private void exercise(final Path mount) throws IOException {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_000_000);
        final Path filler = mount.resolve("filler");
        Files.write(filler, new byte[3 * 1024 * 1024 / 2]);
        final Path dir = mount.resolve("partition");
        final LogConfig config = new LogConfig().segmentBytes(1024 * 1024).flushPolicy(FlushPolicy.BATCH)
            .checkpointIntervalMs(0).retentionMs(-1);
        final UnsafeBuffer buffer = TestFrames.newBuffer(1 << 16);
        final Random random = new Random(SEED);

        long next;
        int diskFullFrameLength;
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            int result = LogResult.OK;
            int appends = 0;
            while (LogResult.OK == result) {
                final long offset = log.nextOffset();
                final int length = TestFrames.write(buffer, 0,
                    new TestFrames.Spec(offset, 2, 1, offset, offset, 1000 + random.nextInt(3000)), SEED);
                try {
                    result = log.append(buffer, 0, length);
                } catch (final Throwable t) {
                    fail("append threw instead of returning a result", t);
                }
                if (LogResult.OK == result) {
                    appends++;
                    if (appends % 16 == 0) {
                        assertEquals(LogResult.OK, log.flushIfDue(true, clock.time()));
                    }
                }
                assertTrue(appends < 100_000, "the disk never filled");
            }
            assertEquals(LogResult.DISK_FULL, result, LogResult.name(result));
            assertTrue(log.segmentCount() >= 4, "segments: " + log.segmentCount());
            next = log.nextOffset();
            diskFullFrameLength = FrameDescriptor.frameLength(buffer, 0);
            // retrying while full keeps failing cleanly, changes nothing, and is logged once, not once per append
            final List<LogRecord> logged = new ArrayList<>();
            final Handler capture = new Handler() {
                @Override
                public void publish(final LogRecord record) {
                    logged.add(record);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            final Logger logger = Logger.getLogger("io.sequent.log");
            logger.addHandler(capture);
            try {
                for (int i = 0; i < 1_000; i++) {
                    assertEquals(LogResult.DISK_FULL, log.append(buffer, 0, diskFullFrameLength));
                }
            } finally {
                logger.removeHandler(capture);
            }
            assertEquals(1_001, log.rollFailures());
            assertEquals(List.of(), logged.stream().map(LogRecord::getMessage).toList(),
                "the first failure was logged; the 1,000 repeats within a minute are only counted");
            log.preallocateNext();
            assertEquals(next, log.nextOffset());
            assertEquals(LogResult.OK, log.flush());
            assertEquals(next, log.durableNextOffset());
            assertFrames(log, next);
        }

        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            assertEquals(next, log.nextOffset(), log.recoveryReport().toString());
            assertTrue(log.recoveryReport().deletedSegments().isEmpty());
            assertFrames(log, next);
            assertEquals(LogResult.DISK_FULL, log.append(buffer, 0, diskFullFrameLength), "still full");

            Files.delete(filler);
            final long start = System.nanoTime();
            assertEquals(LogResult.OK, log.append(buffer, 0, diskFullFrameLength), "space is back");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            for (int i = 0; i < 100; i++) {
                final long offset = log.nextOffset();
                final int length = TestFrames.write(buffer, 0,
                    new TestFrames.Spec(offset, 1, 1, offset, offset, random.nextInt(2000)), SEED);
                assertEquals(LogResult.OK, log.append(buffer, 0, length));
            }
            assertEquals(LogResult.OK, log.flush());
            next = log.nextOffset();
        }
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            assertTrue(log.recoveryReport().cleanShutdown(), log.recoveryReport().toString());
            assertEquals(next, log.nextOffset());
            assertFrames(log, next);
        }
    }

    private static void assertFrames(final PartitionLog log, final long end) {
        final List<LogTesting.Frame> frames = LogTesting.readAll(log, SEED);
        assertEquals(0, frames.get(0).baseOffset());
        assertEquals(end, frames.get(frames.size() - 1).lastOffset() + 1);
    }

    /** @return null on success, otherwise why the command failed. */
    private static String run(final String... command) {
        try {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return String.join(" ", command) + " timed out";
            }
            return 0 == process.exitValue() ? null :
                String.join(" ", command) + " exited " + process.exitValue() + ": " + new String(output).trim();
        } catch (final IOException ex) {
            return ex.toString();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return ex.toString();
        }
    }
}

package io.sequent.log;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a writer process with SIGKILL in the middle of appending, several times over the same log, and checks
 * after each kill that the reopened log holds only whole, CRC-valid frames with dense offsets from 0, that every
 * frame the child reported as appended survived (a process crash keeps the page cache), and that nothing past the
 * recovered end is visible.
 */
class CrashTest {
    static {
        LogTesting.quietLogs();
    }

    private static final long SEED = 99;
    private static final int KILLS = 5;
    private static final long STEP_TIMEOUT_MS = 30_000;

    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("crash-test");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(dir);
    }

    @Test
    void aKilledWriterLeavesOnlyWholeFrames() throws Exception {
        killRepeatedly(KILLS);
    }

    @Test
    @Tag("long")
    void aKilledWriterLeavesOnlyWholeFramesManyTimes() throws Exception {
        killRepeatedly(50);
    }

    private void killRepeatedly(final int kills) throws Exception {
        final Random random = new Random();
        long lastEnd = 0;
        int tornTails = 0;
        for (int kill = 0; kill < kills; kill++) {
            final long reported = runAndKill(random.nextInt(300));
            try (PartitionLog log = PartitionLog.open(dir, CrashWriter.config(), SystemEpochClock.INSTANCE)) {
                final RecoveryReport report = log.recoveryReport();
                assertFalse(report.cleanShutdown(), report.toString());
                final List<LogTesting.Frame> frames = LogTesting.readAll(log, SEED);
                assertFalse(frames.isEmpty());
                assertEquals(0, frames.get(0).baseOffset());
                final long end = log.nextOffset();
                assertEquals(frames.get(frames.size() - 1).lastOffset() + 1, end);
                assertTrue(end >= reported, "lost frames the writer had appended: end " + end + ", reported " +
                    reported + ", " + report);
                assertTrue(end > lastEnd, "no progress after kill " + kill);
                assertEquals(end, log.highestOffsetVisible());
                try (LogReader reader = log.newReader()) {
                    assertEquals(0, reader.read(end, 1 << 20, Long.MAX_VALUE));
                    assertEquals(LogResult.OFFSET_OUT_OF_RANGE, reader.read(end + 1, 1 << 20, Long.MAX_VALUE));
                }
                System.out.printf("kill %d: %d frames, end %d (reported %d), segments %d, %s%n", kill,
                    frames.size(), end, reported, log.segmentCount(), report.truncated() ?
                    "cut at " + report.truncatedPosition() + ": " + report.truncationReason() : "no torn frame");
                lastEnd = end;
                tornTails += report.truncated() ? 1 : 0;
            }
        }
        System.out.printf("%d kills, %d left a torn frame%n", kills, tornTails);
    }

    /**
     * Start the writer, let it append for a while, kill it.
     *
     * @return the highest next offset the writer reported.
     */
    private long runAndKill(final int extraMillis) throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java,
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "-Xmx128m", "-XX:+UseSerialGC",
            "-cp", System.getProperty("java.class.path"),
            CrashWriter.class.getName(), dir.toString(), Long.toString(SEED)));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                while (null != (line = reader.readLine())) {
                    lines.add(line);
                }
            } catch (final Exception ignore) {
                // the process was killed
            }
        }, "crash-writer-output");
        pump.setDaemon(true);
        pump.start();
        long reported = 0;
        try {
            final String ready = lines.poll(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(ready, "writer did not start");
            assertTrue(ready.startsWith("READY "), ready);
            // wait for some progress, then a little more, then kill mid-append
            final long deadline = System.currentTimeMillis() + STEP_TIMEOUT_MS;
            int progress = 0;
            while (progress < 20) {
                final String line = lines.poll(Math.max(1, deadline - System.currentTimeMillis()),
                    TimeUnit.MILLISECONDS);
                if (null == line) {
                    fail("writer made no progress: " + progress + " reports");
                }
                reported = Math.max(reported, parse(line));
                progress++;
            }
            Thread.sleep(extraMillis);
        } finally {
            process.destroyForcibly();
            assertTrue(process.waitFor(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS), "writer did not die");
        }
        pump.join(STEP_TIMEOUT_MS);
        for (String line = lines.poll(); null != line; line = lines.poll()) {
            reported = Math.max(reported, parse(line));
        }
        assertFalse(new File(dir.toFile(), CleanShutdownMarker.FILE_NAME).exists(), "a killed writer left a marker");
        return reported;
    }

    private static long parse(final String line) {
        if (line.startsWith("FAILED")) {
            fail("writer: " + line);
        }
        assertTrue(line.startsWith("APPENDED "), line);
        return Long.parseLong(line.substring("APPENDED ".length()));
    }
}

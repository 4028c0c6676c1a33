package io.sequent.log;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.sequent.log.Pretoucher.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pretoucher maps the pages ahead of the writer (seen in {@code /proc/self/pagemap}: a page is present in the
 * process's page table once touched), so the writer's appends there take no page faults (seen in the thread's
 * minor-fault count); it never changes a byte the writer wrote, even racing it; it follows the writer into the
 * next segment, whose first pages the janitor touched when it prepared it; and a roll while it is touching keeps
 * the file long enough for the touch (no SIGBUS) and reopens cleanly.
 */
class PretoucherTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final Path PAGEMAP = Path.of("/proc/self/pagemap");

    private final CachedEpochClock clock = new CachedEpochClock();
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        LogTesting.quietLogs();
        clock.update(1_000_000);
        dir = Files.createTempDirectory(LogTesting.scratchRoot(), "pretouch-test");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(dir);
    }

    @Test
    void touchesThePagesAheadOfTheWriterAndNoFurther() throws IOException {
        assumeTrue(Files.isReadable(PAGEMAP), "no /proc/self/pagemap here");
        final int lead = 256 * KIB;
        final LogConfig config = new LogConfig().segmentBytes(8 * MIB).pretouchBytes(lead);
        final UnsafeBuffer frame = TestFrames.newBuffer(64 * KIB);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            long next = appendFrames(log, frame, 0, 3, 10_000);
            final Segment segment = log.lastSegment();
            final int published = segment.publishedPosition();
            final int first = Pretoucher.pageCeiling(published);
            assertEquals(0, presentPages(segment, first, first + lead), "nothing touched ahead before pretouch");

            final int touched = log.pretouch();
            assertEquals((published + lead - first + PAGE_SIZE - 1) / PAGE_SIZE, touched);
            assertEquals(touched, presentPages(segment, first, published + lead), "every page in the lead");
            assertEquals(0, presentPages(segment, published + lead + PAGE_SIZE, segment.mappedLength()),
                "nothing beyond the lead");
            assertEquals(0, log.pretouch(), "the writer has not moved: nothing to do");

            next = appendFrames(log, frame, next, 2, 20_000);
            final int moved = log.segmentCount() == 1 ? log.pretouch() : -1;
            final int end = segment.publishedPosition() + lead;
            assertTrue(moved > 0 && moved <= (segment.publishedPosition() - published) / PAGE_SIZE + 1,
                "only the pages the lead moved over: " + moved);
            assertEquals((end - first + PAGE_SIZE - 1) / PAGE_SIZE, presentPages(segment, first, end));
            assertEquals(touched + moved, log.pagesPretouched());
            assertEquals(5, next);
        }
    }

    @Test
    void appendsIntoPretouchedPagesTakeNoPageFaults() throws IOException {
        final Path stat = Path.of("/proc/thread-self/stat");
        assumeTrue(Files.isReadable(stat), "no /proc/thread-self/stat here");
        final int pages = 200;
        final int payload = PAGE_SIZE - TestFrames.HEADER_LENGTH;
        final UnsafeBuffer frame = TestFrames.newBuffer(2 * PAGE_SIZE);

        final long without;
        try (PartitionLog log = PartitionLog.open(dir.resolve("off"), new LogConfig().pretouchBytes(0), clock)) {
            appendFrames(log, frame, 0, 4, payload);
            final long before = minorFaults(stat);
            appendFrames(log, frame, 4, pages, payload);
            without = minorFaults(stat) - before;
            assertEquals(0, log.pretouch(), "off");
        }
        final long with;
        try (PartitionLog log = PartitionLog.open(dir.resolve("on"), new LogConfig().pretouchBytes(MIB), clock)) {
            appendFrames(log, frame, 0, 4, payload);
            assertTrue(log.pretouch() >= pages);
            final long before = minorFaults(stat);
            appendFrames(log, frame, 4, pages, payload);
            with = minorFaults(stat) - before;
        }
        System.out.printf("minor page faults of the writer over %d pages of appends: %d without, %d with "
            + "pre-touching%n", pages, without, with);
        assertTrue(without >= pages / 2, "a fresh page faults on first write: " + without);
        assertTrue(with < pages / 10, "pre-touched pages do not: " + with);
    }

    @Test
    void neverChangesAByteTheWriterWrote() throws IOException {
        final LogConfig config = new LogConfig().segmentBytes(8 * MIB).pretouchBytes(MIB);
        final UnsafeBuffer frame = TestFrames.newBuffer(64 * KIB);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            appendFrames(log, frame, 0, 1, 1000);
            final Segment segment = log.lastSegment();
            final UnsafeBuffer mapping = segment.buffer();
            // the writer is copying a frame it has not published yet: its bytes are already on the next pages
            final int page = Pretoucher.pageCeiling(segment.publishedPosition());
            mapping.putInt(page, 0x5eed_f00d);
            mapping.putInt(page + PAGE_SIZE, 0x0000_0001);
            mapping.putByte(page + 2 * PAGE_SIZE + 3, (byte) 7);
            assertTrue(log.pretouch() > 3);
            assertEquals(0x5eed_f00d, mapping.getInt(page));
            assertEquals(1, mapping.getInt(page + PAGE_SIZE));
            assertEquals(7, mapping.getByte(page + 2 * PAGE_SIZE + 3));
            mapping.setMemory(page, 3 * PAGE_SIZE, (byte) 0);
        }
    }

    @Test
    void racingTheWriterAcrossRollsLosesNothing() throws Exception {
        final LogConfig config = new LogConfig().segmentBytes(2 * MIB).pretouchBytes(512 * KIB).retentionMs(-1);
        final Random random = new Random(42);
        final List<TestFrames.Spec> specs = LogTesting.randomSpecs(random, 0, 6000, 6000, 1_000);
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicLong touched = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            final Thread janitor = new Thread(() -> {
                try {
                    while (!done.get()) {
                        log.preallocateNextIfFilling();
                        touched.addAndGet(log.pretouch());
                        Thread.yield();
                    }
                } catch (final Throwable ex) {
                    failure.set(ex);
                }
            }, "pretouch-test-janitor");
            janitor.start();
            try {
                LogTesting.appendAll(log, specs, 42, TestFrames.newBuffer(64 * KIB));
            } finally {
                done.set(true);
                janitor.join();
            }
            assertNull(failure.get());
            assertTrue(log.segmentCount() > 5, "rolled: " + log.segmentCount());
            assertTrue(touched.get() > 0, "touched nothing");
            final List<LogTesting.Frame> frames = LogTesting.readAll(log, 42L);
            assertEquals(specs.size(), frames.size());
        }
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            assertFalse(log.recoveryReport().truncated(), log.recoveryReport().toString());
            assertEquals(specs.size(), LogTesting.readAll(log, 42L).size());
            assertEquals(specs.get(specs.size() - 1).lastOffset() + 1, log.nextOffset());
        }
    }

    @Test
    void followsTheWriterIntoTheNextSegmentWhoseFirstPagesTheJanitorTouched() throws IOException {
        assumeTrue(Files.isReadable(PAGEMAP), "no /proc/self/pagemap here");
        final int lead = 128 * KIB;
        final LogConfig config = new LogConfig().segmentBytes(8 * MIB).pretouchBytes(lead).retentionMs(-1);
        final UnsafeBuffer frame = TestFrames.newBuffer(64 * KIB);
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            long next = 0;
            while (log.lastSegment().publishedPosition() < MIB / 2) {
                next = appendFrames(log, frame, next, 1, 50_000);
            }
            assertTrue(log.preallocateNextIfFilling(), "the janitor prepares the next segment");
            while (1 == log.segmentCount()) {
                next = appendFrames(log, frame, next, 1, 50_000);
            }
            final Segment second = log.lastSegment();
            assertEquals(2 * MIB, second.mappedLength());
            final int written = second.publishedPosition();
            assertTrue(written < lead - PAGE_SIZE, "one frame in the new segment");
            assertEquals(lead / PAGE_SIZE, presentPages(second, 0, lead), "touched by the janitor when prepared");
            assertEquals(0, presentPages(second, lead, second.mappedLength()));

            assertEquals(lead / PAGE_SIZE, log.pretouch(), "the lead follows the writer into the new segment");
            assertEquals(0, presentPages(second, Pretoucher.pageCeiling(written + lead) + PAGE_SIZE,
                second.mappedLength()));
        }
    }

    @Test
    void aRollWhileTouchingKeepsTheTouchedPagesInTheFileAndReopensCleanly() throws IOException {
        final LogConfig config = new LogConfig().segmentBytes(8 * MIB).pretouchBytes(MIB).retentionMs(-1);
        final UnsafeBuffer frame = TestFrames.newBuffer(512 * KIB);
        final long next;
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            long offset = appendFrames(log, frame, 0, 3, 100_000);
            final Segment first = log.lastSegment();
            final int touching = 900 * KIB;
            assertTrue(first.beginTouch(touching));
            while (1 == log.segmentCount()) {
                offset = appendFrames(log, frame, offset, 1, 400_000);
            }
            assertTrue(first.writePosition() < touching, "the data ends below the pages being touched");
            assertEquals(touching, Files.size(first.logFile()), "cut at the end of the pages being touched");
            first.buffer().compareAndSetInt(touching - PAGE_SIZE, 0, 0);
            first.endTouch();
            assertFalse(first.beginTouch(touching), "a finished segment is not touched again");

            final Segment second = log.lastSegment();
            while (2 == log.segmentCount()) {
                offset = appendFrames(log, frame, offset, 1, 400_000);
            }
            assertEquals(second.publishedPosition(), Files.size(second.logFile()), "no toucher: cut at the data");
            next = log.nextOffset();
            assertEquals(offset, next);
        }
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            assertFalse(log.recoveryReport().truncated(), log.recoveryReport().toString());
            assertEquals(next, log.nextOffset());
            assertEquals(next, LogTesting.readAll(log, 5L).size());
        }
        // and after a crash (no clean-shutdown marker), the full recovery accepts the zeros after the data too
        assertTrue(Files.deleteIfExists(dir.resolve(CleanShutdownMarker.FILE_NAME)));
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
            assertFalse(log.recoveryReport().truncated(), log.recoveryReport().toString());
            assertEquals(next, LogTesting.readAll(log, 5L).size());
        }
    }

    @Test
    void theLeadIsASettingAndZeroTurnsItOff() {
        final Properties properties = new Properties();
        assertEquals(LogConfig.PRETOUCH_BYTES_DEFAULT, LogConfig.fromProperties(properties).pretouchBytes());
        properties.setProperty(LogConfig.PRETOUCH_BYTES_PROP_NAME, "0");
        assertEquals(0, LogConfig.fromProperties(properties).pretouchBytes());
        properties.setProperty(LogConfig.PRETOUCH_BYTES_PROP_NAME, "-1");
        final LogException negative = assertThrows(LogException.class, () -> LogConfig.fromProperties(properties));
        assertEquals(LogResult.INVALID_CONFIG, negative.code());
        assertTrue(negative.getMessage().contains(LogConfig.PRETOUCH_BYTES_PROP_NAME), negative.getMessage());
        properties.setProperty(LogConfig.PRETOUCH_BYTES_PROP_NAME, "4 MiB");
        assertThrows(LogException.class, () -> LogConfig.fromProperties(properties));
    }

    private long appendFrames(
        final PartitionLog log, final UnsafeBuffer frame, final long from, final int count, final int payload) {
        long next = from;
        for (int i = 0; i < count; i++) {
            final int length = TestFrames.write(frame, 0, new TestFrames.Spec(next, 1, 1, 5, 5, payload), 5);
            assertEquals(LogResult.OK, log.append(frame, 0, length));
            next++;
        }
        return next;
    }

    /** Pages of {@code [from, to)} of the segment's mapping present in this process's page table. */
    private static int presentPages(final Segment segment, final int from, final int to) throws IOException {
        final long base = segment.buffer().addressOffset();
        int present = 0;
        try (FileChannel pagemap = FileChannel.open(PAGEMAP, StandardOpenOption.READ)) {
            final ByteBuffer entry = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (long position = from & -PAGE_SIZE; position < Math.min(to, segment.mappedLength());
                position += PAGE_SIZE) {
                entry.clear();
                pagemap.read(entry, (base + position) / PAGE_SIZE * Long.BYTES);
                if (entry.getLong(0) < 0) {
                    present++;
                }
            }
        }
        return present;
    }

    private static long minorFaults(final Path stat) throws IOException {
        final String line = Files.readString(stat);
        final String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}

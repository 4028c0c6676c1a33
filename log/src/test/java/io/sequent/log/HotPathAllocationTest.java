package io.sequent.log;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * append, read and flushIfDue must not allocate: measured with the JVM's per-thread allocation counter over many
 * calls after warm-up (rolls and checkpoint writes, which may allocate, are kept out of the measured window).
 */
class HotPathAllocationTest {
    static {
        LogTesting.quietLogs();
    }

    /**
     * Rounds of 20,000 calls run until one after the warm-up allocates nothing. Code that allocates per call allocates
     * in every round; the JVM's own rare allocations (a deoptimisation that materialises a scalar-replaced object, a
     * compilation that lands late on a loaded machine) do not recur, so one clean round proves the path.
     */
    private static final int ROUNDS = 8;
    private static final int WARM_UP_ROUNDS = 2;

    private final CachedEpochClock clock = new CachedEpochClock();
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        clock.update(1_000_000);
        dir = Files.createTempDirectory(LogTesting.scratchRoot(), "allocation-test");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(dir);
    }

    @Test
    void appendReadAndFlushIfDueDoNotAllocate() {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no allocation counter on this JVM");
        threads.setThreadAllocatedMemoryEnabled(true);

        final LogConfig config = new LogConfig().segmentBytes(64 * 1024 * 1024).indexIntervalBytes(256)
            .flushPolicy(FlushPolicy.BATCH).checkpointIntervalMs(3_600_000).retentionMs(-1)
            .initialSegmentBytes(64 * 1024 * 1024); // one segment: no roll (rolls allocate, and are rare)
        final UnsafeBuffer frame = TestFrames.newBuffer(4096);
        final int length = TestFrames.write(frame, 0, new TestFrames.Spec(0, 2, 1, 5, 5, 200), 1);
        try (PartitionLog log = PartitionLog.open(dir, config, clock); LogReader reader = log.newReader()) {
            final long tid = Thread.currentThread().getId();
            long sink = 0;
            long leastAllocated = Long.MAX_VALUE;
            for (int round = 0; round < ROUNDS && 0 != leastAllocated; round++) {
                final long before = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 20_000; i++) {
                    frame.putLong(FrameDescriptor.BASE_OFFSET_OFFSET, log.nextOffset());
                    assertOk(log.append(frame, 0, length));
                    sink += reader.read(log.nextOffset() - 1, 4096, Long.MAX_VALUE);
                    sink += reader.read(i, 1024, log.nextOffset());
                    if ((i & 63) == 0) {
                        assertOk(log.flushIfDue(true, clock.time()));
                    }
                }
                final long allocated = threads.getThreadAllocatedBytes(tid) - before;
                if (round >= WARM_UP_ROUNDS) {
                    leastAllocated = Math.min(leastAllocated, allocated);
                }
            }
            assertEquals(0, leastAllocated, "least bytes allocated by 20,000 appends, 40,000 reads, 313 flushes");
            assertTrue(sink > 0);
        }
    }

    @Test
    void groupSeqJournalAppendForceAndCursorDoNotAllocate() {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no allocation counter on this JVM");
        threads.setThreadAllocatedMemoryEnabled(true);
        // files begin at entries 32,768 and 98,304 (rounds 1 and 4): rounds 2 and 3 create none
        try (SeqJournal journal = SeqJournal.open(dir, 1 << 17)) {
            final SeqJournal.Cursor cursor = journal.newCursor();
            final long tid = Thread.currentThread().getId();
            long sink = 0;
            long seq = 0;
            long leastAllocated = Long.MAX_VALUE;
            for (int round = 0; round < ROUNDS && 0 != leastAllocated; round++) {
                final long before = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 20_000; i++) {
                    assertOk(journal.append(seq, 1, i & 7, seq, 0));
                    seq += 2;
                    cursor.seek(seq - 2);
                    if (cursor.next()) {
                        sink += cursor.baseOffset();
                    }
                    if ((i & 63) == 0) {
                        assertOk(journal.force());
                    }
                }
                final long allocated = threads.getThreadAllocatedBytes(tid) - before;
                if (round >= WARM_UP_ROUNDS) {
                    leastAllocated = Math.min(leastAllocated, allocated);
                }
            }
            assertEquals(0, leastAllocated,
                "least bytes allocated by 20,000 journal appends, seeks, reads; 313 forces");
            assertTrue(sink > 0);
        }
    }

    private static void assertOk(final int result) {
        if (LogResult.OK != result) {
            throw new AssertionError(LogResult.name(result));
        }
    }
}

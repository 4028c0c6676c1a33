package io.sequent.log;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The group-sequence journal: append, seek, truncate, recover from torn tails and from a killed writer. */
class SeqJournalTest {
    static {
        LogTesting.quietLogs();
    }

    @TempDir
    Path dir;

    /** Entry i: seq 3i (gaps, as voided seqs leave), partition i % 3, offset i, epoch i / 50. */
    static void appendEntries(final SeqJournal journal, final int from, final int to) {
        for (int i = from; i < to; i++) {
            assertEquals(LogResult.OK, journal.append(3L * i, 7, i % 3, i, i / 50));
        }
    }

    static List<Long> seqsFrom(final SeqJournal journal, final long seq) {
        final List<Long> seqs = new ArrayList<>();
        final SeqJournal.Cursor cursor = journal.newCursor().seek(seq);
        while (cursor.next()) {
            seqs.add(cursor.seq());
        }
        return seqs;
    }

    static void assertEntries(final SeqJournal journal, final int count) {
        assertEquals(count, journal.entryCount());
        final SeqJournal.Cursor cursor = journal.newCursor().seek(0);
        for (int i = 0; i < count; i++) {
            assertTrue(cursor.next(), "entry " + i);
            assertEquals(3L * i, cursor.seq());
            assertEquals(7, cursor.topicId());
            assertEquals(i % 3, cursor.partition());
            assertEquals(i, cursor.baseOffset());
            assertEquals(i / 50, cursor.epoch());
        }
        assertFalse(cursor.next());
        assertEquals(count == 0 ? -1 : 3L * (count - 1), journal.lastSeq());
    }

    @Test
    void entriesSurviveAReopenAcrossFilesAndSeekFindsTheFirstSeqAtOrAbove() {
        try (SeqJournal journal = SeqJournal.open(dir, 64)) {
            appendEntries(journal, 0, 200);
            assertEquals(LogResult.OK, journal.force());
            assertEquals(200, journal.forcedEntryCount());
            assertEquals(List.of(594L, 597L), seqsFrom(journal, 593));
            assertEquals(List.of(597L), seqsFrom(journal, 597));
            assertEquals(List.of(), seqsFrom(journal, 598));
            assertEquals(200, seqsFrom(journal, Long.MIN_VALUE).size(), "the lowest seq seeks to the first entry");
            assertEquals(200, seqsFrom(journal, Long.MIN_VALUE + 1).size());
        }
        try (SeqJournal journal = SeqJournal.open(dir, 1024)) {
            assertEquals(0, journal.droppedAtOpen());
            assertEntries(journal, 200);
            assertEquals(3, journal.lastEpoch());
            appendEntries(journal, 200, 260);
            assertEntries(journal, 260);
        }
    }

    @Test
    void filesGrowFromTheFirstSizeToTheConfiguredOneAndEveryOperationSpansThem() throws Exception {
        final int first = SeqJournal.FIRST_FILE_ENTRIES;
        final int entries = 7 * first + 1000; // files of first, 2 first, 4 first, then the rest of a 4 first one
        try (SeqJournal journal = SeqJournal.open(dir, 4 * first)) {
            for (int i = 0; i < entries; i += 1000) {
                appendEntries(journal, i, Math.min(entries, i + 1000));
                journal.prepareNextIfFilling();
            }
            assertEquals(LogResult.OK, journal.force());
            assertEntries(journal, entries);
        }
        final long[] sizes;
        try (var files = Files.list(dir)) {
            sizes = files.filter(file -> file.toString().endsWith(".seqj")).sorted()
                .mapToLong(file -> file.toFile().length()).toArray();
        }
        final long bytes = SeqJournal.ENTRY_LENGTH;
        assertArrayEquals(new long[]{first * bytes, 2 * first * bytes, 4 * first * bytes, 4 * first * bytes}, sizes);
        assertTrue(Files.exists(dir.resolve(LogFiles.baseName(3L * first) + ".seqj")), "second file named by 3f");
        try (SeqJournal journal = SeqJournal.open(dir, 4 * first)) {
            assertEquals(0, journal.droppedAtOpen());
            assertEntries(journal, entries);
            final long cut = 3L * (2 * first); // the seq of the first entry of the second file's second half
            assertEquals(List.of(cut, cut + 3), seqsFrom(journal, cut - 1).subList(0, 2));
            assertEquals(entries - (2 * first + 1), journal.truncateAfter(cut));
            assertEntries(journal, 2 * first + 1);
            appendEntries(journal, 2 * first + 1, 5 * first);
        }
        try (SeqJournal journal = SeqJournal.open(dir, 4 * first)) {
            assertEntries(journal, 5 * first);
        }
    }

    @Test
    void refusesASeqThatDoesNotRiseAnEpochThatFallsAndANegativeOffset() {
        try (SeqJournal journal = SeqJournal.open(dir, 64)) {
            assertEquals(LogResult.OK, journal.append(10, 1, 0, 0, 2));
            assertEquals(LogResult.INVALID_FRAME, journal.append(10, 1, 0, 1, 2));
            assertEquals(LogResult.INVALID_FRAME, journal.append(9, 1, 0, 1, 2));
            assertEquals(LogResult.INVALID_FRAME, journal.append(11, 1, 0, 1, 1));
            assertEquals(LogResult.INVALID_FRAME, journal.append(11, 1, 0, -1, 2));
            assertEquals(1, journal.entryCount());
        }
        assertThrows(LogException.class, () -> SeqJournal.open(dir.resolve("x"), 100));
    }

    @Test
    void truncateAfterDropsTheEntriesAboveASeqDurably() {
        try (SeqJournal journal = SeqJournal.open(dir, 64)) {
            appendEntries(journal, 0, 150);
            journal.force();
            assertEquals(50, journal.truncateAfter(3L * 99 + 1));
            assertEntries(journal, 100);
            assertEquals(0, journal.truncateAfter(1000));
            appendEntries(journal, 100, 120);
            assertEntries(journal, 120);
        }
        try (SeqJournal journal = SeqJournal.open(dir, 64)) {
            assertEntries(journal, 120);
            assertEquals(120, journal.truncateAfter(-1));
            assertEntries(journal, 0);
            appendEntries(journal, 0, 3);
        }
        try (SeqJournal journal = SeqJournal.open(dir, 64)) {
            assertEntries(journal, 3);
        }
    }

    /** Cut, zero or scramble the tail at every byte of the last three entries: recovery keeps the whole prefix. */
    @Test
    void recoveryKeepsExactlyTheValidPrefixWhateverTheTornTail() throws Exception {
        final Path file = dir.resolve(LogFiles.baseName(0) + SeqJournal.SUFFIX);
        final Random random = new Random(42);
        int cases = 0;
        for (int cut = 7 * SeqJournal.ENTRY_LENGTH; cut < 10 * SeqJournal.ENTRY_LENGTH; cut++) {
            for (int mode = 0; mode < 3; mode++) {
                LogTesting.deleteRecursively(dir);
                try (SeqJournal journal = SeqJournal.open(dir, 64)) {
                    appendEntries(journal, 0, 10);
                }
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.seek(cut);
                    final byte[] tail = new byte[10 * SeqJournal.ENTRY_LENGTH - cut];
                    if (mode == 1) {
                        random.nextBytes(tail);
                    } else if (mode == 2 && tail.length > 0) {
                        raf.seek(cut);
                        final int b = raf.read();
                        raf.seek(cut);
                        raf.write(b ^ (1 << random.nextInt(8)));
                        tail[0] = (byte) (b ^ 0xff);
                    }
                    if (mode != 2) {
                        raf.write(tail);
                    }
                }
                final int whole = cut / SeqJournal.ENTRY_LENGTH;
                try (SeqJournal journal = SeqJournal.open(dir, 64)) {
                    assertEntries(journal, whole);
                    assertTrue(journal.droppedAtOpen() <= 10 - whole, "cut " + cut + " mode " + mode);
                    assertTrue(mode == 0 || journal.droppedAtOpen() >= 1, "cut " + cut + " mode " + mode);
                    appendEntries(journal, whole, 12);
                }
                try (SeqJournal journal = SeqJournal.open(dir, 64)) {
                    assertEntries(journal, 12);
                }
                cases++;
            }
        }
        System.out.println(cases + " torn-tail cases recovered to the valid prefix");
    }

    @Test
    void aDamagedEntryInAnEarlierFileDropsEveryLaterFile() throws Exception {
        try (SeqJournal journal = SeqJournal.open(dir, 64)) {
            appendEntries(journal, 0, 150);
        }
        try (RandomAccessFile raf = new RandomAccessFile(
            dir.resolve(LogFiles.baseName(0) + SeqJournal.SUFFIX).toFile(), "rw")) {
            raf.seek(40L * SeqJournal.ENTRY_LENGTH + 9);
            raf.write(0x5a);
        }
        try (SeqJournal journal = SeqJournal.open(dir, 64)) {
            assertEntries(journal, 40);
            assertEquals(110, journal.droppedAtOpen());
            assertFalse(Files.exists(dir.resolve(LogFiles.baseName(64) + SeqJournal.SUFFIX)));
            appendEntries(journal, 40, 140);
            assertEntries(journal, 140);
        }
    }

    @Test
    void aKilledWriterLeavesAValidPrefixHoldingEveryReportedEntry() throws Exception {
        long lastCount = 0;
        for (int kill = 0; kill < 3; kill++) {
            final long reported = runAndKill();
            try (SeqJournal journal = SeqJournal.open(dir, 64)) {
                final long count = journal.entryCount();
                assertTrue(count >= reported, "lost entries: " + count + " < reported " + reported);
                assertTrue(count > lastCount, "no progress");
                assertEntries(journal, (int) count);
                System.out.printf("kill %d: %d entries (reported %d), dropped %d%n", kill, count, reported,
                    journal.droppedAtOpen());
                lastCount = count;
            }
        }
    }

    private long runAndKill() throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(java,
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED", "-Xmx64m", "-XX:+UseSerialGC",
            "-cp", System.getProperty("java.class.path"), Writer.class.getName(), dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long reported = 0;
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            for (int lines = 0; lines < 30; lines++) {
                final String line = reader.readLine();
                assertNotNull(line, "writer stopped");
                reported = Long.parseLong(line.substring("APPENDED ".length()));
            }
        } finally {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "writer did not die");
        }
        return reported;
    }

    /** Child JVM: appends entries numbered as {@link #appendEntries} until killed, reporting the count. */
    public static final class Writer {
        private Writer() {
        }

        public static void main(final String[] args) {
            try (SeqJournal journal = SeqJournal.open(Path.of(args[0]), 64)) {
                long i = journal.entryCount();
                while (true) {
                    if (LogResult.OK != journal.append(3L * i, 7, (int) (i % 3), i, (int) (i / 50))) {
                        System.exit(2);
                    }
                    i++;
                    if (i % 17 == 0) {
                        System.out.println("APPENDED " + journal.entryCount());
                        System.out.flush();
                    }
                }
            }
        }
    }
}

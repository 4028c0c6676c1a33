package io.sequent.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Generated recovery cases (reliability tier A1). Small logs of a few segments are damaged in every way a crash or
 * a bad disk can damage them, reopened, and checked: the log must keep exactly the valid prefix (the frames
 * entirely before the damage), end at the right offset, read back exactly those frames, continue appending, and
 * report what it dropped; damage below the recovery checkpoint must be refused as corruption with every file left
 * unchanged.
 * <ul>
 * <li>torn tail: for every byte position within the last frames, zero the rest, cut the file there, or overwrite
 * the rest with garbage (later segments kept or deleted);</li>
 * <li>bit flips above the checkpoint;</li>
 * <li>garbage after the end of the data (inside the pre-allocated file or extending it);</li>
 * <li>index files deleted, cut, zeroed or overwritten, after a clean or an unclean shutdown;</li>
 * <li>bit flips below the checkpoint: {@link LogCorruptionException}, files unchanged.</li>
 * </ul>
 * The seed is random per run unless {@code -Dsequent.recovery.seed=N}; a failure names it.
 */
class RecoveryGeneratedTest {
    static {
        LogTesting.quietLogs();
    }

    private static final long FRAME_SEED = 7;
    private static final String LOCK = DirectoryLock.FILE_NAME;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final UnsafeBuffer scratch = TestFrames.newBuffer(1 << 16);
    private Path root;
    private int cases;
    private final Map<String, Integer> casesByKind = new TreeMap<>();

    /** A frame in the template: segment index, position, length, offsets. */
    record Loc(int seg, int pos, int len, long base, long last, int epoch) {
        int alignedEnd() {
            return pos + FrameDescriptor.alignedLength(len);
        }
    }

    /** A clean, closed log kept in memory, from which cases are made. */
    static final class Template {
        final long[] bases;
        final byte[][] logs;
        final byte[][] indexes;
        final byte[][] timeIndexes;
        final List<Loc> frames = new ArrayList<>();
        final List<List<Loc>> bySegment = new ArrayList<>();
        final List<TestFrames.Spec> specs;

        Template(final long[] bases, final byte[][] logs, final byte[][] indexes, final byte[][] timeIndexes,
            final List<TestFrames.Spec> specs) {
            this.bases = bases;
            this.logs = logs;
            this.indexes = indexes;
            this.timeIndexes = timeIndexes;
            this.specs = specs;
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
            for (int s = 0; s < bases.length; s++) {
                final List<Loc> segmentFrames = new ArrayList<>();
                buffer.wrap(logs[s]);
                int position = 0;
                while (position + 4 <= logs[s].length && buffer.getInt(position) != 0) {
                    final int length = buffer.getInt(position);
                    final Loc loc = new Loc(s, position, length, FrameDescriptor.baseOffset(buffer, position),
                        FrameDescriptor.lastOffset(buffer, position), FrameDescriptor.leaderEpoch(buffer, position));
                    segmentFrames.add(loc);
                    frames.add(loc);
                    position += FrameDescriptor.alignedLength(length);
                }
                bySegment.add(segmentFrames);
            }
        }

        int dataEnd(final int seg) {
            final List<Loc> f = bySegment.get(seg);
            return f.isEmpty() ? 0 : f.get(f.size() - 1).alignedEnd();
        }

        long nextOffsetAfter(final int keptFrames) {
            return 0 == keptFrames ? bases[0] : frames.get(keptFrames - 1).last + 1;
        }
    }

    /** A checkpoint to install: (segment index, position, next offset). */
    record Checkpoint(int seg, int pos, long nextOffset) {
    }

    /** What recovery must produce. */
    record Expected(int keptFrames, int cutSeg, int cutPos, boolean reported, int reportSeg, int reportPos,
        List<Long> deleted) {
    }

    @BeforeEach
    void setUp() throws IOException {
        clock.update(5_000_000);
        root = Files.createTempDirectory(LogTesting.scratchRoot(), "recovery-generated");
    }

    @AfterEach
    void tearDown() {
        LogTesting.deleteRecursively(root);
    }

    @Test
    void keepsExactlyTheValidPrefix() {
        final long seed = Long.getLong("sequent.recovery.seed", System.nanoTime());
        final long start = System.nanoTime();
        run(seed, 4, 3, 1200);
        System.out.printf("recovery generated cases: %d in %d ms, seed %d, by kind %s%n", cases,
            (System.nanoTime() - start) / 1_000_000, seed, casesByKind);
        assertTrue(cases >= 10_000, "only " + cases + " cases");
    }

    @Test
    @Tag("long")
    void keepsExactlyTheValidPrefixAtScale() {
        final long seed = Long.getLong("sequent.recovery.seed", System.nanoTime());
        final long start = System.nanoTime();
        run(seed, 80, 4, 8000);
        System.out.printf("recovery generated cases (long): %d in %d ms, seed %d, by kind %s%n", cases,
            (System.nanoTime() - start) / 1_000_000, seed, casesByKind);
        assertTrue(cases >= 200_000, "only " + cases + " cases");
    }

    private void run(final long seed, final int templates, final int sweptFrames, final int randomCasesPerKind) {
        final Random random = new Random(seed);
        for (int t = 0; t < templates; t++) {
            final long templateSeed = random.nextLong();
            final Template template;
            try {
                template = buildTemplate(templateSeed);
            } catch (final Throwable ex) {
                throw new AssertionError("building template failed, seed " + seed, ex);
            }
            final Random caseRandom = new Random(templateSeed);
            sweepTornTail(seed, t, template, caseRandom, sweptFrames);
            for (int i = 0; i < randomCasesPerKind / templates; i++) {
                guarded(seed, t, "flip-above #" + i, () -> flipAbove(template, caseRandom));
                guarded(seed, t, "garbage-after-end #" + i, () -> garbageAfterEnd(template, caseRandom));
                guarded(seed, t, "index #" + i, () -> damageIndexes(template, caseRandom));
                guarded(seed, t, "flip-below #" + i, () -> flipBelow(template, caseRandom));
            }
        }
    }

    private void guarded(final long seed, final int template, final String name, final Runnable body) {
        try {
            body.run();
        } catch (final Throwable ex) {
            throw new AssertionError("recovery case failed: seed " + seed + " (rerun with -Dsequent.recovery.seed=" +
                seed + "), template " + template + ", case " + name + ": " + ex.getMessage(), ex);
        }
    }

    private Template buildTemplate(final long templateSeed) throws IOException {
        final Random random = new Random(templateSeed);
        final Path dir = root.resolve("template");
        LogTesting.deleteRecursively(dir);
        final List<TestFrames.Spec> specs = LogTesting.randomSpecs(random, 0, 55 + random.nextInt(20), 300, 1000);
        try (PartitionLog log = PartitionLog.open(dir, LogTesting.smallConfig(), clock)) {
            LogTesting.appendAll(log, specs, FRAME_SEED, scratch);
        }
        final long[] bases;
        try (var files = Files.list(dir)) {
            bases = files.map(f -> LogFiles.parseLogFileName(f.getFileName().toString())).filter(b -> b >= 0)
                .mapToLong(Long::longValue).sorted().toArray();
        }
        assertTrue(bases.length >= 3, "template has " + bases.length + " segments");
        final byte[][] logs = new byte[bases.length][];
        final byte[][] indexes = new byte[bases.length][];
        final byte[][] timeIndexes = new byte[bases.length][];
        for (int s = 0; s < bases.length; s++) {
            logs[s] = LogTesting.readFile(LogFiles.logFile(dir, bases[s]));
            indexes[s] = LogTesting.readFile(LogFiles.indexFile(dir, bases[s]));
            timeIndexes[s] = LogTesting.readFile(LogFiles.timeIndexFile(dir, bases[s]));
        }
        LogTesting.deleteRecursively(dir);
        return new Template(bases, logs, indexes, timeIndexes, specs);
    }

    // ---------------------------------------------------------------------------------------------------------
    // case kinds
    // ---------------------------------------------------------------------------------------------------------

    private void sweepTornTail(
        final long seed, final int t, final Template template, final Random random, final int sweptFrames) {
        final List<Loc> frames = template.frames;
        for (int f = frames.size() - sweptFrames; f < frames.size(); f++) {
            final Loc loc = frames.get(f);
            for (int p = loc.pos; p <= loc.alignedEnd(); p++) {
                final int position = p;
                guarded(seed, t, "zero-from " + loc.seg + ":" + p, () -> tornTail(template, random, loc.seg,
                    position, 0));
                guarded(seed, t, "cut-at " + loc.seg + ":" + p, () -> tornTail(template, random, loc.seg, position,
                    1));
                guarded(seed, t, "garbage-from " + loc.seg + ":" + p, () -> tornTail(template, random, loc.seg,
                    position, 2));
            }
        }
    }

    /** mode 0: zero from p; 1: cut the file at p; 2: garbage from p. */
    private void tornTail(final Template t, final Random random, final int seg, final int p, final int mode) {
        final byte[][] logs = copy(t.logs);
        final boolean isLast = seg == t.bases.length - 1;
        final boolean dropLater = !isLast && random.nextBoolean();
        switch (mode) {
            case 0:
                Arrays.fill(logs[seg], Math.min(p, logs[seg].length), logs[seg].length, (byte) 0);
                break;
            case 1:
                logs[seg] = Arrays.copyOf(logs[seg], Math.min(p, logs[seg].length));
                break;
            default:
                final int end = isLast ?
                    Math.min(logs[seg].length, Math.max(p, t.dataEnd(seg)) + random.nextInt(100)) : logs[seg].length;
                for (int i = p; i < end; i++) {
                    logs[seg][i] = (byte) random.nextInt();
                }
                break;
        }
        if (dropLater) {
            for (int s = seg + 1; s < logs.length; s++) {
                logs[s] = null;
            }
        }
        final String kind = 0 == mode ? "zero" : 1 == mode ? "cut" : "garbage";
        runCrashCase(t, random, logs, copy(t.indexes), copy(t.timeIndexes), kind);
    }

    private void flipAbove(final Template t, final Random random) {
        final byte[][] logs = copy(t.logs);
        final Set<Long> bits = new HashSet<>();
        final int flips = 1 + random.nextInt(3);
        while (bits.size() < flips) {
            final Loc loc = t.frames.get(t.frames.size() / 2 + random.nextInt(t.frames.size() - t.frames.size() / 2));
            final int position = loc.pos + random.nextInt(FrameDescriptor.alignedLength(loc.len));
            final int bit = random.nextInt(8);
            if (bits.add(((long) loc.seg << 40) | ((long) position << 3) | bit)) {
                logs[loc.seg][position] ^= (byte) (1 << bit);
            }
        }
        runCrashCase(t, random, logs, copy(t.indexes), copy(t.timeIndexes), "flip-above");
    }

    private void garbageAfterEnd(final Template t, final Random random) {
        final byte[][] logs = copy(t.logs);
        final int last = logs.length - 1;
        final int from = t.dataEnd(last) + random.nextInt(64);
        final int length = 1 + random.nextInt(200);
        if (from + length > logs[last].length) {
            logs[last] = Arrays.copyOf(logs[last], from + length);
        }
        for (int i = from; i < from + length; i++) {
            logs[last][i] = (byte) (1 + random.nextInt(255));
        }
        runCrashCase(t, random, logs, copy(t.indexes), copy(t.timeIndexes), "garbage-after-end");
    }

    private void damageIndexes(final Template t, final Random random) {
        final byte[][] indexes = copy(t.indexes);
        final byte[][] timeIndexes = copy(t.timeIndexes);
        final boolean[] deleted = new boolean[t.bases.length];
        final int damaged = 1 + random.nextInt(2);
        for (int i = 0; i < damaged; i++) {
            final int seg = random.nextInt(t.bases.length);
            final byte[][] target = random.nextBoolean() ? indexes : timeIndexes;
            final byte[] file = target[seg];
            if (null == file) {
                continue;
            }
            switch (random.nextInt(5)) {
                case 0:
                    target[seg] = null;
                    deleted[seg] = true;
                    break;
                case 1:
                    target[seg] = Arrays.copyOf(file, file.length == 0 ? 0 : random.nextInt(file.length));
                    break;
                case 2:
                    Arrays.fill(file, (byte) 0);
                    break;
                case 3:
                    random.nextBytes(file);
                    break;
                default:
                    if (file.length >= 8) {
                        final int from = random.nextInt(file.length - 7);
                        final int to = from + 8 + random.nextInt(file.length - from - 7);
                        for (int b = from; b < to; b++) {
                            file[b] = (byte) random.nextInt();
                        }
                    }
                    break;
            }
        }
        final boolean clean = random.nextBoolean();
        final Path dir = caseDir();
        final int last = t.bases.length - 1;
        writeCase(t, dir, t.logs, indexes, timeIndexes, new Checkpoint(last, t.dataEnd(last),
            t.nextOffsetAfter(t.frames.size())), clean);
        count("index-" + (clean ? "clean" : "unclean"));
        try (PartitionLog log = PartitionLog.open(dir, LogTesting.smallConfig(), clock)) {
            final RecoveryReport report = log.recoveryReport();
            assertFalse(report.truncated(), report.toString());
            assertTrue(report.deletedSegments().isEmpty(), report.toString());
            for (int s = 0; s < deleted.length; s++) {
                if (deleted[s]) {
                    assertTrue(report.rebuiltIndexes().contains(t.bases[s]), "deleted index of segment " + s +
                        " not rebuilt: " + report);
                }
            }
            assertEquals(t.nextOffsetAfter(t.frames.size()), log.nextOffset());
            assertFramesEqual(t, t.frames.size(), LogTesting.readAll(log, FRAME_SEED));
            for (int q = 0; q < 20; q++) {
                final long ts = 900 + random.nextInt(1500);
                assertEquals(expectedOffsetForTimestamp(t, ts), log.offsetForTimestamp(ts), "timestamp " + ts);
            }
        }
        try (PartitionLog log = PartitionLog.open(dir, LogTesting.smallConfig(), clock)) {
            final RecoveryReport report = log.recoveryReport();
            assertTrue(report.cleanShutdown(), report.toString());
            assertTrue(report.rebuiltIndexes().isEmpty(), report.toString());
        }
        for (int s = 0; s < t.bases.length; s++) {
            assertArrayEquals(t.indexes[s], LogTesting.readFile(LogFiles.indexFile(dir, t.bases[s])),
                "offset index of segment " + s + " restored");
        }
        LogTesting.deleteRecursively(dir);
    }

    private void flipBelow(final Template t, final Random random) {
        // a checkpoint somewhere after the first frame, flips below it in its segment
        final List<Checkpoint> candidates = new ArrayList<>();
        for (final Loc loc : t.frames) {
            if (loc.pos > 0) {
                candidates.add(new Checkpoint(loc.seg, loc.pos, loc.base));
            }
            if (loc.alignedEnd() == t.dataEnd(loc.seg)) {
                candidates.add(new Checkpoint(loc.seg, loc.alignedEnd(), loc.last + 1));
            }
        }
        final Checkpoint checkpoint = candidates.get(random.nextInt(candidates.size()));
        final byte[][] logs = copy(t.logs);
        // distinct bits, so that two flips never cancel out
        final Set<Integer> bits = new HashSet<>();
        final int flips = 1 + random.nextInt(3);
        while (bits.size() < flips) {
            bits.add(random.nextInt(checkpoint.pos * 8));
        }
        for (final int bit : bits) {
            logs[checkpoint.seg][bit >>> 3] ^= (byte) (1 << (bit & 7));
        }
        final Path dir = caseDir();
        writeCase(t, dir, logs, t.indexes, t.timeIndexes, checkpoint, false);
        count("flip-below");
        final Map<String, byte[]> before = snapshot(dir);
        final LogCorruptionException ex = assertThrows(LogCorruptionException.class,
            () -> PartitionLog.open(dir, LogTesting.smallConfig(), clock).close());
        assertEquals(LogFiles.logFile(dir, t.bases[checkpoint.seg]), ex.segmentFile());
        assertTrue(ex.position() < checkpoint.pos, ex.getMessage());
        assertEquals(LogResult.CORRUPTION, ex.code());
        final Map<String, byte[]> after = snapshot(dir);
        assertEquals(before.keySet(), after.keySet(), "files added or removed");
        for (final Map.Entry<String, byte[]> entry : before.entrySet()) {
            assertArrayEquals(entry.getValue(), after.get(entry.getKey()), entry.getKey() + " changed");
        }
        LogTesting.deleteRecursively(dir);
    }

    // ---------------------------------------------------------------------------------------------------------
    // running a crash case
    // ---------------------------------------------------------------------------------------------------------

    private void runCrashCase(
        final Template t,
        final Random random,
        final byte[][] logs,
        final byte[][] indexes,
        final byte[][] timeIndexes,
        final String kind) {
        final int[] firstDamage = firstDamage(t, logs);
        final Checkpoint checkpoint = random.nextInt(8) == 0 ? null : pickCheckpoint(t, logs, firstDamage, random);
        final Expected expected = expect(t, logs);
        final Path dir = caseDir();
        writeCase(t, dir, logs, indexes, timeIndexes, checkpoint, false);
        count(kind);

        try (PartitionLog log = PartitionLog.open(dir, LogTesting.smallConfig(), clock)) {
            final RecoveryReport report = log.recoveryReport();
            final String context = "checkpoint " + checkpoint + ", expected " + expected + ", " + report;
            assertFalse(report.cleanShutdown(), context);
            assertEquals(t.nextOffsetAfter(expected.keptFrames()), log.nextOffset(), context);
            assertEquals(expected.reported(), report.truncated(), context);
            if (expected.reported()) {
                assertEquals(t.bases[expected.reportSeg()], report.truncatedSegmentBaseOffset(), context);
                assertEquals(expected.reportPos(), report.truncatedPosition(), context);
                assertNotNull(report.truncationReason(), context);
            }
            assertEquals(expected.deleted(), report.deletedSegments(), context);
            assertFramesEqual(t, expected.keptFrames(), LogTesting.readAll(log, FRAME_SEED));

            // the log continues from there
            final long next = log.nextOffset();
            final int epoch = expected.keptFrames() == 0 ? 1 : t.frames.get(expected.keptFrames() - 1).epoch;
            final int length = TestFrames.write(scratch, 0, new TestFrames.Spec(next, 2, epoch, 9000, 9001,
                random.nextInt(200)), FRAME_SEED);
            assertEquals(LogResult.OK, log.append(scratch, 0, length), context);
            final List<LogTesting.Frame> after = LogTesting.readAll(log, FRAME_SEED);
            assertEquals(expected.keptFrames() + 1, after.size());
            assertEquals(next, after.get(after.size() - 1).baseOffset());
        }
        if (random.nextInt(10) == 0) {
            try (PartitionLog log = PartitionLog.open(dir, LogTesting.smallConfig(), clock)) {
                assertTrue(log.recoveryReport().cleanShutdown(), log.recoveryReport().toString());
                assertEquals(expected.keptFrames() + 1, LogTesting.readAll(log, FRAME_SEED).size());
            }
        }
        LogTesting.deleteRecursively(dir);
    }

    /** The frames recovery must keep, where it must cut, and what it must report and delete. */
    private static Expected expect(final Template t, final byte[][] logs) {
        int kept = 0;
        int cutSeg = -1;
        int cutPos = -1;
        int zeroFrom = -1;
        outer:
        for (int s = 0; s < t.bases.length; s++) {
            if (null == logs[s]) {
                break;
            }
            final boolean hasNext = s + 1 < t.bases.length && null != logs[s + 1];
            final List<Loc> frames = t.bySegment.get(s);
            for (int i = 0; i < frames.size(); i++) {
                final Loc loc = frames.get(i);
                if (!intact(t.logs[s], logs[s], loc.pos, loc.pos + loc.len)) {
                    cutSeg = s;
                    cutPos = loc.pos;
                    zeroFrom = loc.pos;
                    break outer;
                }
                kept++;
                final int padEnd = Math.min(loc.alignedEnd(), logs[s].length);
                if (!allZero(logs[s], loc.pos + loc.len, padEnd)) {
                    final boolean lastInSegment = i == frames.size() - 1;
                    if (!(lastInSegment && hasNext)) {
                        cutSeg = s;
                        cutPos = padEnd;
                        zeroFrom = loc.pos + loc.len;
                        break outer;
                    }
                }
            }
            if (!hasNext) {
                cutSeg = s;
                cutPos = Math.min(t.dataEnd(s), logs[s].length);
                zeroFrom = cutPos;
                break;
            }
        }
        final int segments = t.bases.length;
        final boolean visibleInSegment = !allZero(logs[cutSeg], zeroFrom, logs[cutSeg].length);
        final boolean laterExist = cutSeg + 1 < segments && null != logs[cutSeg + 1];
        final List<Long> deleted = new ArrayList<>();
        boolean reported = false;
        int reportSeg = -1;
        int reportPos = -1;
        if (visibleInSegment) {
            reported = true;
            reportSeg = cutSeg;
            reportPos = cutPos;
            if (0 == cutPos && cutSeg > 0) {
                deleted.add(t.bases[cutSeg]);
            }
        } else if (laterExist) {
            reported = true;
            reportSeg = cutSeg + 1;
            reportPos = 0;
        }
        for (int s = cutSeg + 1; s < segments; s++) {
            if (null != logs[s]) {
                deleted.add(t.bases[s]);
            }
        }
        return new Expected(kept, cutSeg, cutPos, reported, reportSeg, reportPos, deleted);
    }

    /** Position of the first byte that differs from the template (or is cut off), as {segment, position}. */
    private static int[] firstDamage(final Template t, final byte[][] logs) {
        for (int s = 0; s < t.bases.length; s++) {
            if (null == logs[s]) {
                return new int[]{s, 0};
            }
            final byte[] original = t.logs[s];
            final int common = Math.min(original.length, logs[s].length);
            for (int i = 0; i < common; i++) {
                if (original[i] != logs[s][i]) {
                    return new int[]{s, i};
                }
            }
            if (logs[s].length < original.length || logs[s].length > original.length) {
                return new int[]{s, common};
            }
        }
        return new int[]{t.bases.length, 0};
    }

    /** A checkpoint at a frame boundary no later than the first damaged byte, in an existing segment. */
    private static Checkpoint pickCheckpoint(
        final Template t, final byte[][] logs, final int[] firstDamage, final Random random) {
        final List<Checkpoint> candidates = new ArrayList<>();
        for (int s = 0; s < t.bases.length && null != logs[s]; s++) {
            final long base = t.bases[s];
            if (before(s, 0, firstDamage)) {
                candidates.add(new Checkpoint(s, 0, base));
            }
            for (final Loc loc : t.bySegment.get(s)) {
                if (before(s, loc.alignedEnd(), firstDamage) && loc.alignedEnd() == t.dataEnd(s)) {
                    candidates.add(new Checkpoint(s, loc.alignedEnd(), loc.last + 1));
                }
                if (loc.pos > 0 && before(s, loc.pos, firstDamage)) {
                    candidates.add(new Checkpoint(s, loc.pos, loc.base));
                }
            }
        }
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    private static boolean before(final int seg, final int pos, final int[] damage) {
        return seg < damage[0] || (seg == damage[0] && pos <= damage[1]);
    }

    private static boolean intact(final byte[] original, final byte[] now, final int from, final int to) {
        if (now.length < to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (original[i] != now[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(final byte[] bytes, final int from, final int to) {
        for (int i = Math.max(0, from); i < Math.min(to, bytes.length); i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static long expectedOffsetForTimestamp(final Template t, final long ts) {
        for (final TestFrames.Spec spec : t.specs) {
            if (spec.maxTimestamp() >= ts) {
                return spec.baseOffset();
            }
        }
        return -1;
    }

    private static void assertFramesEqual(final Template t, final int kept, final List<LogTesting.Frame> frames) {
        assertEquals(kept, frames.size(), "frames kept");
        for (int i = 0; i < kept; i++) {
            final Loc loc = t.frames.get(i);
            final LogTesting.Frame frame = frames.get(i);
            if (loc.base != frame.baseOffset() || loc.len != frame.length() ||
                t.bases[loc.seg] != frame.segmentBase()) {
                fail("frame " + i + " differs: " + loc + " vs " + frame);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // files
    // ---------------------------------------------------------------------------------------------------------

    private Path caseDir() {
        return root.resolve("case");
    }

    private void writeCase(
        final Template t,
        final Path dir,
        final byte[][] logs,
        final byte[][] indexes,
        final byte[][] timeIndexes,
        final Checkpoint checkpoint,
        final boolean cleanMarker) {
        try {
            LogTesting.deleteRecursively(dir);
            Files.createDirectories(dir);
            for (int s = 0; s < t.bases.length; s++) {
                if (null == logs[s]) {
                    continue;
                }
                Files.write(LogFiles.logFile(dir, t.bases[s]), logs[s]);
                if (null != indexes[s]) {
                    Files.write(LogFiles.indexFile(dir, t.bases[s]), indexes[s]);
                }
                if (null != timeIndexes[s]) {
                    Files.write(LogFiles.timeIndexFile(dir, t.bases[s]), timeIndexes[s]);
                }
            }
            if (null != checkpoint) {
                RecoveryCheckpoint.write(dir, t.bases[checkpoint.seg], checkpoint.pos, checkpoint.nextOffset);
            }
            if (cleanMarker) {
                CleanShutdownMarker.write(dir);
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Map<String, byte[]> snapshot(final Path dir) {
        final Map<String, byte[]> files = new TreeMap<>();
        try (var stream = Files.list(dir)) {
            for (final Path file : (Iterable<Path>) stream::iterator) {
                final String name = file.getFileName().toString();
                if (!LOCK.equals(name)) {
                    files.put(name, LogTesting.readFile(file));
                }
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return files;
    }

    private static byte[][] copy(final byte[][] files) {
        final byte[][] copy = new byte[files.length][];
        for (int i = 0; i < files.length; i++) {
            copy[i] = null == files[i] ? null : files[i].clone();
        }
        return copy;
    }

    private void count(final String kind) {
        cases++;
        casesByKind.merge(kind, 1, Integer::sum);
    }
}

package io.sequent.log;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sequent.log.FrameDescriptor.BASE_OFFSET_OFFSET;
import static io.sequent.log.FrameDescriptor.CRC_OFFSET;
import static io.sequent.log.FrameDescriptor.CRC_START;
import static io.sequent.log.FrameDescriptor.LEADER_EPOCH_OFFSET;
import static io.sequent.log.FrameDescriptor.MAX_TIMESTAMP_OFFSET;
import static io.sequent.log.FrameDescriptor.MIN_FRAME_LENGTH;
import static io.sequent.log.FrameDescriptor.RECORD_COUNT_OFFSET;
import static io.sequent.log.FrameDescriptor.alignedLength;

/**
 * Validates the frames of one segment file for {@link Recovery}, without modifying it, and works out where its
 * data ends, its next offset, last epoch, largest timestamp and the index entries it should have.
 * <p>
 * A frame is valid when its length is at least {@link FrameDescriptor#MIN_FRAME_LENGTH} and lies inside the file,
 * its baseOffset is the one expected (the segment's base offset for the first frame, the previous lastOffset + 1
 * after that), its recordCount is at least 1, its leader epoch is no lower than the previous batch's, its
 * CRC-32C over {@code [8, length)} matches, and the padding up to the next 8-byte boundary is zero.
 * <p>
 * Used by the opening thread only, before the log is shared.
 */
final class SegmentScanner {
    /** The first validation failure in a segment. */
    static final class Problem {
        /** Where the log ends if it is cut here. */
        final int end;
        /** First damaged byte. */
        final int damageStart;
        final String reason;

        Problem(final int end, final int damageStart, final String reason) {
            this.end = end;
            this.damageStart = damageStart;
            this.reason = reason;
        }
    }

    /** Growable index entries computed while scanning. */
    static final class Entries {
        int[] rels = new int[16];
        int[] positions = new int[16];
        long[] timestamps = new long[16];
        int count;

        void add(final int rel, final int position, final long timestamp) {
            if (count == rels.length) {
                rels = Arrays.copyOf(rels, count * 2);
                positions = Arrays.copyOf(positions, count * 2);
                timestamps = Arrays.copyOf(timestamps, count * 2);
            }
            rels[count] = rel;
            positions[count] = position;
            timestamps[count] = timestamp;
            count++;
        }
    }

    /** A segment file found on disk, mapped but not yet changed. */
    static final class Candidate {
        final long base;
        final Path logFile;
        final MappedByteBuffer mapped;
        final UnsafeBuffer buffer;
        final int capacity;
        final OffsetIndex.Image offsetImage;
        final TimeIndex.Image timeImage;

        int end;
        long nextOffset;
        int lastEpoch;
        long maxTimestamp;
        long firstFrameMaxTimestamp;
        long offsetAtCheckpoint;
        Entries entries;
        String indexProblem;
        boolean rewriteIndex;
        int zeroFrom;
        int lastNonZero;

        Candidate(final long base, final Path logFile, final MappedByteBuffer mapped, final int logLength) {
            this.base = base;
            this.logFile = logFile;
            this.mapped = mapped;
            this.buffer = new UnsafeBuffer(mapped);
            this.capacity = mapped.capacity();
            this.offsetImage = OffsetIndex.read(LogFiles.indexFile(logFile.getParent(), base), logLength);
            this.timeImage = TimeIndex.read(LogFiles.timeIndexFile(logFile.getParent(), base));
            reset();
        }

        void reset() {
            end = 0;
            nextOffset = base;
            lastEpoch = Integer.MIN_VALUE;
            maxTimestamp = Segment.NO_TIMESTAMP;
            firstFrameMaxTimestamp = Segment.NO_TIMESTAMP;
            offsetAtCheckpoint = -1;
            entries = null;
            indexProblem = null;
            rewriteIndex = false;
            zeroFrom = -1;
            lastNonZero = -1;
        }

        boolean imagesAgree() {
            if (!offsetImage.usable() || !timeImage.usable() || offsetImage.count != timeImage.count) {
                return false;
            }
            for (int i = 0; i < offsetImage.count; i++) {
                if (offsetImage.relativeOffsets[i] != timeImage.relativeOffsets[i]) {
                    return false;
                }
            }
            return true;
        }

        String imageProblem() {
            if (!offsetImage.usable()) {
                return LogFiles.INDEX_SUFFIX + " " + offsetImage.problem;
            }
            if (!timeImage.usable()) {
                return LogFiles.TIME_INDEX_SUFFIX + " " + timeImage.problem;
            }
            return "offset and time indexes disagree";
        }
    }

    private final int indexIntervalBytes;
    private long framesValidated;
    private long bytesValidated;

    SegmentScanner(final int indexIntervalBytes) {
        this.indexIntervalBytes = indexIntervalBytes;
    }

    long framesValidated() {
        return framesValidated;
    }

    long bytesValidated() {
        return bytesValidated;
    }

    /**
     * Check a segment below the checkpoint cheaply: its first frame, its last index entry and the frames after it.
     * Falls back to a full scan (and an index rebuild) when the indexes do not hold up.
     */
    Problem trustedScan(final Candidate c, final int prevEpoch) {
        if (c.capacity < MIN_FRAME_LENGTH || 0 == c.buffer.getInt(0)) {
            c.end = 0;
            c.nextOffset = c.base;
            c.lastEpoch = prevEpoch;
            c.entries = new Entries();
            if (!c.imagesAgree() || c.offsetImage.count != 0) {
                c.indexProblem = c.imagesAgree() ? "entries for an empty segment" : c.imageProblem();
                c.rewriteIndex = true;
            }
            return null;
        }
        final String first = validateFrame(c, 0, c.buffer.getInt(0), c.base, prevEpoch);
        if (null != first) {
            return new Problem(0, 0, first);
        }
        if (!c.imagesAgree()) {
            c.indexProblem = c.imageProblem();
            return fullScan(c, prevEpoch, false, -1);
        }
        final int count = c.offsetImage.count;
        int position = 0;
        long expected = c.base;
        int epoch = prevEpoch;
        long maxTs = Segment.NO_TIMESTAMP;
        if (count > 0) {
            final int entryPosition = c.offsetImage.positions[count - 1];
            final long entryOffset = c.base + c.offsetImage.relativeOffsets[count - 1];
            if (null != validateFrame(c, entryPosition, c.buffer.getInt(entryPosition), entryOffset,
                Integer.MIN_VALUE)) {
                c.indexProblem = "last index entry does not name a valid frame";
                return fullScan(c, prevEpoch, false, -1);
            }
            position = entryPosition;
            expected = entryOffset;
            epoch = Integer.MIN_VALUE;
            maxTs = c.timeImage.timestamps[count - 1];
        }
        final int lastIndexed = position;
        final int interval = indexIntervalBytes;
        while (position <= c.capacity - 4) {
            final int length = c.buffer.getInt(position);
            if (0 == length) {
                break;
            }
            if (position > lastIndexed && position - lastIndexed >= interval) {
                c.indexProblem = "index is missing entries";
                return fullScan(c, prevEpoch, false, -1);
            }
            final String reason = validateFrame(c, position, length, expected, epoch);
            if (null != reason) {
                return new Problem(position, position, reason);
            }
            if (0 == position) {
                c.firstFrameMaxTimestamp = c.buffer.getLong(MAX_TIMESTAMP_OFFSET);
            }
            maxTs = Math.max(maxTs, c.buffer.getLong(position + MAX_TIMESTAMP_OFFSET));
            epoch = c.buffer.getInt(position + LEADER_EPOCH_OFFSET);
            expected = c.buffer.getLong(position + BASE_OFFSET_OFFSET) +
                c.buffer.getInt(position + RECORD_COUNT_OFFSET);
            framesValidated++;
            bytesValidated += length;
            final int aligned = alignedLength(length);
            if (!isZero(c.buffer, position + length, Math.min(position + aligned, c.capacity))) {
                return new Problem(position + aligned, position + length, "non-zero padding after the frame at " +
                    position);
            }
            position += aligned;
        }
        c.firstFrameMaxTimestamp = c.buffer.getLong(MAX_TIMESTAMP_OFFSET);
        c.end = Math.min(position, c.capacity);
        c.nextOffset = expected;
        c.lastEpoch = epoch;
        c.maxTimestamp = maxTs;
        final Entries entries = new Entries();
        for (int i = 0; i < count; i++) {
            entries.add(c.offsetImage.relativeOffsets[i], c.offsetImage.positions[i], c.timeImage.timestamps[i]);
        }
        c.entries = entries;
        return null;
    }

    /**
     * Validate every frame of a segment from position 0, computing its index entries; optionally check that
     * everything after the data is zero.
     */
    Problem fullScan(final Candidate c, final int prevEpoch, final boolean checkTail, final int checkPosition) {
        final Entries entries = new Entries();
        final int interval = indexIntervalBytes;
        int position = 0;
        long expected = c.base;
        int epoch = prevEpoch;
        long maxTs = Segment.NO_TIMESTAMP;
        int lastIndexed = 0;
        Problem problem = null;
        while (position <= c.capacity - 4) {
            if (position == checkPosition) {
                c.offsetAtCheckpoint = expected;
            }
            final int length = c.buffer.getInt(position);
            if (0 == length) {
                break;
            }
            final String reason = validateFrame(c, position, length, expected, epoch);
            if (null != reason) {
                problem = new Problem(position, position, reason);
                break;
            }
            final long frameMaxTs = c.buffer.getLong(position + MAX_TIMESTAMP_OFFSET);
            final long frameBase = c.buffer.getLong(position + BASE_OFFSET_OFFSET);
            if (0 == position) {
                c.firstFrameMaxTimestamp = frameMaxTs;
            }
            maxTs = Math.max(maxTs, frameMaxTs);
            if (position > 0 && position - lastIndexed >= interval) {
                entries.add((int) (frameBase - c.base), position, maxTs);
                lastIndexed = position;
            }
            epoch = c.buffer.getInt(position + LEADER_EPOCH_OFFSET);
            expected = frameBase + c.buffer.getInt(position + RECORD_COUNT_OFFSET);
            framesValidated++;
            bytesValidated += length;
            final int aligned = alignedLength(length);
            if (!isZero(c.buffer, position + length, Math.min(position + aligned, c.capacity))) {
                problem = new Problem(Math.min(position + aligned, c.capacity), position + length,
                    "non-zero padding after the frame at " + position);
                position += aligned;
                break;
            }
            position += aligned;
        }
        c.end = null != problem ? problem.end : Math.min(position, c.capacity);
        if (c.end == checkPosition && null == problem) {
            c.offsetAtCheckpoint = expected;
        }
        c.nextOffset = expected;
        c.lastEpoch = epoch;
        c.maxTimestamp = maxTs;
        c.entries = entries;

        if (checkTail) {
            final int zeroFrom = null != problem ? problem.damageStart : c.end;
            final int lastNonZero = lastNonZero(c.buffer, zeroFrom, c.capacity);
            if (lastNonZero >= zeroFrom) {
                c.zeroFrom = zeroFrom;
                c.lastNonZero = lastNonZero;
                if (null == problem) {
                    problem = new Problem(c.end, c.end, "non-zero bytes after the end of the data at position " +
                        c.end);
                }
            }
        }
        if (null == c.indexProblem && !indexMatches(c)) {
            c.rewriteIndex = true;
            if (!c.imagesAgree()) {
                c.indexProblem = c.imageProblem();
            } else if (!isPrefixOfImages(c)) {
                c.indexProblem = "entries disagree with the frames";
            }
        } else if (null != c.indexProblem) {
            c.rewriteIndex = true;
        }
        return problem;
    }

    static boolean indexMatches(final Candidate c) {
        return c.imagesAgree() && c.offsetImage.count == c.entries.count && isPrefixOfImages(c);
    }

    /** The computed entries equal the first entries on disk (extra entries on disk are only past a cut). */
    private static boolean isPrefixOfImages(final Candidate c) {
        final Entries e = c.entries;
        if (e.count > c.offsetImage.count) {
            return false;
        }
        for (int i = 0; i < e.count; i++) {
            if (e.rels[i] != c.offsetImage.relativeOffsets[i] || e.positions[i] != c.offsetImage.positions[i] ||
                e.timestamps[i] != c.timeImage.timestamps[i]) {
                return false;
            }
        }
        for (int i = e.count; i < c.offsetImage.count; i++) {
            if (c.offsetImage.positions[i] < c.end) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return null when the frame at {@code position} is valid, otherwise why not.
     */
    static String validateFrame(
        final Candidate c, final int position, final int length, final long expectedBase, final int minEpoch) {
        if (length < MIN_FRAME_LENGTH) {
            return "frame length " + length + " below the minimum " + MIN_FRAME_LENGTH;
        }
        if (length > c.capacity - position) {
            return "frame length " + length + " runs past the end of the file (" + c.capacity + " bytes)";
        }
        final long base = c.buffer.getLong(position + BASE_OFFSET_OFFSET);
        if (base != expectedBase) {
            return "baseOffset " + base + ", expected " + expectedBase;
        }
        final int count = c.buffer.getInt(position + RECORD_COUNT_OFFSET);
        if (count < 1) {
            return "record count " + count;
        }
        if (base + count - 1 - c.base > Integer.MAX_VALUE) {
            return "offsets run past what a segment can address";
        }
        final int epoch = c.buffer.getInt(position + LEADER_EPOCH_OFFSET);
        if (epoch < minEpoch) {
            return "leader epoch " + epoch + " is below the previous batch's " + minEpoch;
        }
        final int crc = Crc32c.INSTANCE.compute(c.buffer.addressOffset(), position + CRC_START, length - CRC_START);
        if (crc != c.buffer.getInt(position + CRC_OFFSET)) {
            return "CRC-32C mismatch";
        }
        return null;
    }

    private static boolean isZero(final UnsafeBuffer buffer, final int from, final int to) {
        for (int i = from; i < to; i++) {
            if (0 != buffer.getByte(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return position of the last non-zero byte in [from, to), or -1 when all are zero.
     */
    static int lastNonZero(final UnsafeBuffer buffer, final int from, final int to) {
        int i = to;
        while (i > from && (i & 7) != 0) {
            i--;
            if (0 != buffer.getByte(i)) {
                return i;
            }
        }
        while (i - 8 >= from) {
            if (0 != buffer.getLong(i - 8)) {
                for (int j = i - 1; j >= i - 8; j--) {
                    if (0 != buffer.getByte(j)) {
                        return j;
                    }
                }
            }
            i -= 8;
        }
        while (i > from) {
            i--;
            if (0 != buffer.getByte(i)) {
                return i;
            }
        }
        return -1;
    }
}

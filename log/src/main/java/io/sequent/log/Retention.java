package io.sequent.log;

/**
 * The retention rule: which of the oldest segments {@link PartitionLog#enforceRetention} deletes. Segments go
 * oldest first, whole, and never the last (active) one; deletion stops at the first segment that is not
 * eligible, so the log stays contiguous. A segment is eligible when either
 * <ul>
 * <li>its largest batch timestamp is older than {@link LogConfig#retentionMs()} before now (an empty segment has
 * no timestamp and is always old), or</li>
 * <li>the log without it still holds at least {@link LogConfig#retentionBytes()}: the log keeps at least that many
 * bytes, and at most one segment more.</li>
 * </ul>
 * Stateless; called by the janitor thread with the segment lock held.
 */
final class Retention {
    private Retention() {
    }

    /**
     * @param segments       the segments, oldest first.
     * @param nowMs          the current time.
     * @param retentionMs    retention by time, or -1.
     * @param retentionBytes retention by size, or -1.
     * @return how many of the oldest segments to delete.
     */
    static int deletableCount(
        final Segment[] segments, final long nowMs, final long retentionMs, final long retentionBytes) {
        long size = 0;
        for (final Segment segment : segments) {
            size += segment.size();
        }
        int count = 0;
        for (int i = 0; i < segments.length - 1; i++) {
            final Segment segment = segments[i];
            final boolean expired = retentionMs >= 0 && segment.maxTimestamp() < nowMs - retentionMs;
            final boolean surplus = retentionBytes >= 0 && size - segment.size() >= retentionBytes;
            if (!expired && !surplus) {
                break;
            }
            size -= segment.size();
            count++;
        }
        return count;
    }
}

package io.sequent.systemtest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a run offline: the history of writes ({@link OpHistory}), each member's final log as stored
 * ({@link MemberLogs}) and what a consumer read during the run, against the guarantees of a replica group:
 *
 * <ul>
 *   <li><b>lost</b>: an acknowledged write missing from a member's log;</li>
 *   <li><b>moved</b>: an acknowledged write stored at another partition or offset than it was acknowledged with;</li>
 *   <li><b>duplicated</b>: a value stored twice in one member's log (the idempotent producer's retries);</li>
 *   <li><b>divergent</b>: an offset at which two members' logs differ (or one holds a record the other lacks);</li>
 *   <li><b>foreign</b>: a stored value the test never wrote;</li>
 *   <li><b>skipped</b>: a gap in the offsets the consumer read of a partition;</li>
 *   <li><b>dirty reads</b>: a record the consumer read that the final log does not hold at that offset (it read
 *   above the high watermark, a record later truncated).</li>
 * </ul>
 *
 * It also measures each failover's unavailability: from a kill to the first acknowledgement of a write invoked
 * after it.
 */
final class HistoryChecker {
    private HistoryChecker() {
    }

    /** One record the consumer read, in delivery order. */
    record Read(int partition, long offset, String value) {
    }

    /** What the check found. */
    record Verdict(
        long acknowledged,
        long failed,
        long unknown,
        long unknownInLog,
        long stored,
        long lost,
        long moved,
        long duplicated,
        long divergent,
        long foreign,
        long consumed,
        long skipped,
        long dirtyReads,
        long[] unavailabilityMs,
        List<String> examples) {

        boolean clean() {
            return lost == 0 && moved == 0 && duplicated == 0 && divergent == 0 && foreign == 0 && skipped == 0 &&
                dirtyReads == 0;
        }

        long percentileMs(final double percentile) {
            if (unavailabilityMs.length == 0) {
                return -1;
            }
            final long[] sorted = unavailabilityMs.clone();
            Arrays.sort(sorted);
            final int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        String summary() {
            return String.format("%d acknowledged, %d failed, %d unknown (%d of them in the log), %d stored; " +
                    "%d lost, %d moved, %d duplicated, %d offsets differing between members, %d foreign; " +
                    "consumer read %d, %d skipped, %d dirty reads; failover unavailability ms p50 %d p99 %d max %d " +
                    "over %d failovers", acknowledged, failed, unknown, unknownInLog, stored, lost, moved, duplicated,
                divergent, foreign, consumed, skipped, dirtyReads, percentileMs(50), percentileMs(99),
                percentileMs(100), unavailabilityMs.length);
        }
    }

    /**
     * @param ops       every write, closed out ({@link OpHistory#closeOut()}).
     * @param members   member id -> its log, per partition.
     * @param reads     what the consumer read.
     * @param killTimes the {@link System#nanoTime()} of each leader kill.
     */
    static Verdict check(
        final List<OpHistory.Op> ops,
        final Map<Integer, List<List<MemberLogs.Entry>>> members,
        final List<Read> reads,
        final List<Long> killTimes) {
        final List<String> examples = new ArrayList<>();
        final Map<String, OpHistory.Op> written = new HashMap<>();
        long acknowledged = 0;
        long failed = 0;
        long unknown = 0;
        for (final OpHistory.Op op : ops) {
            written.put(op.value, op);
            switch (op.outcome) {
                case OK -> acknowledged++;
                case FAIL -> failed++;
                default -> unknown++;
            }
        }

        long divergent = 0;
        final TreeMap<Integer, List<List<MemberLogs.Entry>>> sorted = new TreeMap<>(members);
        final int reference = sorted.firstKey();
        final List<List<MemberLogs.Entry>> referenceLog = sorted.get(reference);
        for (final Map.Entry<Integer, List<List<MemberLogs.Entry>>> member : sorted.entrySet()) {
            if (member.getKey() == reference) {
                continue;
            }
            for (int p = 0; p < referenceLog.size(); p++) {
                final List<MemberLogs.Entry> a = referenceLog.get(p);
                final List<MemberLogs.Entry> b = p < member.getValue().size() ? member.getValue().get(p) : List.of();
                final int common = Math.min(a.size(), b.size());
                for (int i = 0; i < common; i++) {
                    if (!a.get(i).equals(b.get(i))) {
                        divergent++;
                        example(examples, "partition " + p + ": member " + reference + " holds " + a.get(i) +
                            ", member " + member.getKey() + " holds " + b.get(i));
                    }
                }
                if (a.size() != b.size()) {
                    divergent += Math.abs(a.size() - b.size());
                    example(examples, "partition " + p + ": member " + reference + " holds " + a.size() +
                        " records, member " + member.getKey() + " holds " + b.size());
                }
            }
        }

        long lost = 0;
        long moved = 0;
        long duplicated = 0;
        long foreign = 0;
        long stored = 0;
        long unknownInLog = 0;
        for (final Map.Entry<Integer, List<List<MemberLogs.Entry>>> member : sorted.entrySet()) {
            final Map<String, long[]> where = new HashMap<>();
            for (int p = 0; p < member.getValue().size(); p++) {
                for (final MemberLogs.Entry entry : member.getValue().get(p)) {
                    if (null != where.putIfAbsent(entry.value(), new long[]{p, entry.offset()})) {
                        duplicated++;
                        example(examples, "member " + member.getKey() + " holds " + entry.value() + " twice");
                    }
                    if (!written.containsKey(entry.value())) {
                        foreign++;
                        example(examples, "member " + member.getKey() + " holds " + entry + ", never written");
                    }
                }
            }
            if (member.getKey() == reference) {
                stored = where.size();
            }
            for (final OpHistory.Op op : ops) {
                final long[] at = where.get(op.value);
                if (op.outcome == OpHistory.Outcome.OK) {
                    if (null == at) {
                        lost++;
                        example(examples, "member " + member.getKey() + " lost " + op.value + " acknowledged at " +
                            op.partition + "/" + op.offset);
                    } else if (at[0] != op.partition || at[1] != op.offset) {
                        moved++;
                        example(examples, "member " + member.getKey() + " holds " + op.value + " at " + at[0] + "/" +
                            at[1] + ", acknowledged at " + op.partition + "/" + op.offset);
                    }
                } else if (op.outcome == OpHistory.Outcome.UNKNOWN && null != at && member.getKey() == reference) {
                    unknownInLog++;
                }
            }
        }

        long skipped = 0;
        long dirtyReads = 0;
        final Map<Integer, Long> nextOffset = new HashMap<>();
        for (final Read read : reads) {
            final long expected = nextOffset.getOrDefault(read.partition(), 0L);
            if (read.offset() > expected) {
                skipped += read.offset() - expected;
                example(examples, "consumer skipped partition " + read.partition() + " offsets " + expected + ".." +
                    (read.offset() - 1));
            }
            nextOffset.put(read.partition(), Math.max(expected, read.offset() + 1));
            final List<MemberLogs.Entry> log = read.partition() < referenceLog.size() ?
                referenceLog.get(read.partition()) : List.of();
            final MemberLogs.Entry stored0 = at(log, read.offset());
            if (null == stored0 || !stored0.value().equals(read.value())) {
                dirtyReads++;
                example(examples, "consumer read " + read + " but the log holds " + stored0);
            }
        }

        final long[] unavailability = new long[killTimes.size()];
        for (int i = 0; i < killTimes.size(); i++) {
            final long kill = killTimes.get(i);
            long firstAck = Long.MAX_VALUE;
            for (final OpHistory.Op op : ops) {
                if (op.outcome == OpHistory.Outcome.OK && op.invokedNs >= kill && op.completedNs < firstAck) {
                    firstAck = op.completedNs;
                }
            }
            unavailability[i] = firstAck == Long.MAX_VALUE ? Long.MAX_VALUE : (firstAck - kill) / 1_000_000;
        }
        return new Verdict(acknowledged, failed, unknown, unknownInLog, stored, lost, moved, duplicated, divergent,
            foreign, reads.size(), skipped, dirtyReads, unavailability, examples);
    }

    private static MemberLogs.Entry at(final List<MemberLogs.Entry> log, final long offset) {
        int low = 0;
        int high = log.size() - 1;
        while (low <= high) {
            final int mid = (low + high) >>> 1;
            final long o = log.get(mid).offset();
            if (o < offset) {
                low = mid + 1;
            } else if (o > offset) {
                high = mid - 1;
            } else {
                return log.get(mid);
            }
        }
        return null;
    }

    private static void example(final List<String> examples, final String line) {
        if (examples.size() < 20) {
            examples.add(line);
        }
    }
}

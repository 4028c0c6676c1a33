package io.sequent.systemtest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offline checker of the cluster tests must see each kind of violation: a checker that passes everything
 * would make {@link ClusterKillTest} prove nothing.
 */
class HistoryCheckerTest {
    private static List<MemberLogs.Entry> log(final String... values) {
        final List<MemberLogs.Entry> entries = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            entries.add(new MemberLogs.Entry(i, values[i]));
        }
        return entries;
    }

    private static OpHistory history(final String... acknowledgedInOrder) {
        final OpHistory history = new OpHistory();
        for (int i = 0; i < acknowledgedInOrder.length; i++) {
            history.invoke(acknowledgedInOrder[i]);
            history.ok(acknowledgedInOrder[i], 0, i);
        }
        return history;
    }

    private static HistoryChecker.Verdict check(
        final OpHistory history, final Map<Integer, List<List<MemberLogs.Entry>>> members,
        final List<HistoryChecker.Read> reads) {
        history.closeOut();
        return HistoryChecker.check(history.ops(), members, reads, List.of());
    }

    @Test
    void aCleanRunIsClean() {
        final OpHistory history = history("a", "b", "c");
        history.invoke("d"); // no answer: may or may not be in the log
        final HistoryChecker.Verdict verdict = check(history,
            Map.of(0, List.of(log("a", "b", "c", "d")), 1, List.of(log("a", "b", "c", "d"))),
            List.of(new HistoryChecker.Read(0, 0, "a"), new HistoryChecker.Read(0, 1, "b"),
                new HistoryChecker.Read(0, 1, "b"), new HistoryChecker.Read(0, 2, "c")));
        assertTrue(verdict.clean(), verdict.summary() + " " + verdict.examples());
        assertEquals(3, verdict.acknowledged());
        assertEquals(1, verdict.unknown());
        assertEquals(1, verdict.unknownInLog());
    }

    @Test
    void anAcknowledgedWriteMissingFromOneMemberIsLostAndDivergent() {
        final HistoryChecker.Verdict verdict = check(history("a", "b", "c"),
            Map.of(0, List.of(log("a", "b", "c")), 1, List.of(log("a", "b"))), List.of());
        assertFalse(verdict.clean());
        assertEquals(1, verdict.lost());
        assertEquals(1, verdict.divergent());
    }

    @Test
    void aWriteAtAnotherOffsetIsMovedAndADoubleIsDuplicated() {
        final HistoryChecker.Verdict verdict = check(history("a", "b"),
            Map.of(0, List.of(log("a", "a", "b"))), List.of());
        assertEquals(1, verdict.duplicated());
        assertEquals(1, verdict.moved(), verdict.examples().toString());
    }

    @Test
    void membersThatDisagreeAtAnOffsetAreDivergent() {
        final OpHistory history = history("a");
        history.invoke("x");
        history.invoke("y");
        final HistoryChecker.Verdict verdict = check(history,
            Map.of(0, List.of(log("a", "x")), 1, List.of(log("a", "y")), 2, List.of(log("a", "x"))), List.of());
        assertEquals(1, verdict.divergent());
        assertEquals(0, verdict.lost());
    }

    @Test
    void aValueNeverWrittenIsForeign() {
        final HistoryChecker.Verdict verdict = check(history("a"), Map.of(0, List.of(log("a", "zz"))), List.of());
        assertEquals(1, verdict.foreign());
    }

    @Test
    void aConsumerGapIsSkippedAndAReadOfATruncatedRecordIsDirty() {
        final HistoryChecker.Verdict verdict = check(history("a", "b", "c", "d"),
            Map.of(0, List.of(log("a", "b", "c", "d"))),
            List.of(new HistoryChecker.Read(0, 0, "a"), new HistoryChecker.Read(0, 2, "c"),
                new HistoryChecker.Read(0, 3, "truncated")));
        assertEquals(1, verdict.skipped());
        assertEquals(1, verdict.dirtyReads());
    }

    @Test
    void unavailabilityRunsFromTheKillToTheFirstAcknowledgementOfALaterWrite() {
        final long[] now = {1_000_000_000L};
        final OpHistory history = new OpHistory(() -> now[0]);
        history.invoke("before");
        final long kill = now[0] + 1_000_000;
        now[0] = kill + 30_000_000;
        history.ok("before", 0, 0); // a late answer to a write invoked before the kill does not end the window
        history.invoke("after");
        now[0] += 20_000_000;
        history.ok("after", 0, 1);
        history.closeOut();
        final HistoryChecker.Verdict verdict = HistoryChecker.check(history.ops(),
            Map.of(0, List.of(log("before", "after"))), List.of(), List.of(kill));
        assertEquals(50, verdict.unavailabilityMs()[0], verdict.summary());
        assertEquals(50, verdict.percentileMs(99));
        assertTrue(verdict.clean(), verdict.summary());
    }
}

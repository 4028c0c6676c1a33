package io.sequent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@link SessionLiveness} on a scripted clock, checked every millisecond as the I/O duty cycle does: when a silent
 * member is probed and when it is lost, and what does not count as silence.
 */
class SessionLivenessTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 1_000_000 * MS;

    private final SessionLiveness liveness = new SessionLiveness(500 * MS);
    private long clock = T0;

    /** Duty cycles every millisecond up to {@code atMs} after T0; the verdict of the last. */
    private int runTo(final long atMs, final boolean awaiting) {
        int verdict = SessionLiveness.QUIET;
        while (clock < T0 + atMs * MS) {
            clock += MS;
            verdict = liveness.check(clock, awaiting);
        }
        return verdict;
    }

    @Test
    void aMemberSilentWhileARequestWaitsIsProbedHalfwayAndLostAtTheTimeout() {
        liveness.onSessionStart(T0);
        runTo(10, false);
        liveness.onFirstAwaiting(T0 + 10 * MS);
        assertEquals(SessionLiveness.QUIET, runTo(259, true));
        assertEquals(SessionLiveness.PROBE, runTo(260, true));
        assertEquals(SessionLiveness.PROBE, runTo(509, true));
        assertEquals(SessionLiveness.LOST, runTo(510, true));
        assertEquals(500 * MS, liveness.silentNs(T0 + 510 * MS, true));
    }

    @Test
    void anIdleSessionIsNeverJudged() {
        liveness.onSessionStart(T0);
        assertEquals(SessionLiveness.QUIET, runTo(60_000, false));
        assertEquals(0, liveness.silentNs(T0 + 60_000 * MS, false));
    }

    @Test
    void silenceCountsFromTheFirstWaitingRequestNotFromAnIdlePeriodBeforeIt() {
        liveness.onSessionStart(T0);
        runTo(100, false);
        liveness.onHeard(T0 + 100 * MS);
        // idle for 10 s, then a request goes out: the member has had no reason to speak until now
        runTo(10_100, false);
        liveness.onFirstAwaiting(T0 + 10_100 * MS);
        assertEquals(SessionLiveness.QUIET, runTo(10_101, true));
        assertEquals(SessionLiveness.QUIET, runTo(10_349, true));
        assertEquals(SessionLiveness.PROBE, runTo(10_350, true));
    }

    @Test
    void anyFrameFromTheMemberRestartsTheSilence() {
        liveness.onSessionStart(T0);
        liveness.onFirstAwaiting(T0);
        assertEquals(SessionLiveness.PROBE, runTo(300, true));
        runTo(320, true);
        liveness.onHeard(T0 + 320 * MS); // the probe answered: a live member with a slow request
        assertEquals(SessionLiveness.QUIET, runTo(500, true));
        assertEquals(SessionLiveness.PROBE, runTo(570, true));
        assertEquals(SessionLiveness.LOST, runTo(820, true));
    }

    @Test
    void aNewSessionStartsWithNoSilence() {
        liveness.onSessionStart(T0);
        liveness.onFirstAwaiting(T0);
        assertEquals(SessionLiveness.LOST, runTo(600, true));
        runTo(650, false);
        liveness.onSessionStart(T0 + 650 * MS); // requests still waiting, now on the new member
        assertEquals(SessionLiveness.QUIET, runTo(700, true));
        assertEquals(SessionLiveness.LOST, runTo(1_150, true));
    }

    @Test
    void aPauseOfTheCheckingThreadItselfIsNotCountedAgainstTheMember() {
        liveness.onSessionStart(T0);
        liveness.onFirstAwaiting(T0);
        assertEquals(SessionLiveness.QUIET, runTo(100, true));
        // the client's JVM stops for 2 s (GC): the member may have had no chance to answer yet
        clock = T0 + 2_100 * MS;
        assertEquals(SessionLiveness.QUIET, liveness.check(clock, true), "no verdict out of the client's own pause");
        assertEquals(SessionLiveness.QUIET, runTo(2_349, true));
        assertEquals(SessionLiveness.PROBE, runTo(2_350, true));
        assertEquals(SessionLiveness.LOST, runTo(2_600, true), "a member that stays silent is still lost");
        // a pause shorter than half the timeout is no reason to restart the silence
        liveness.onSessionStart(clock);
        liveness.onFirstAwaiting(clock);
        final long start = clock;
        clock += 249 * MS;
        assertEquals(SessionLiveness.QUIET, liveness.check(clock, true));
        clock += MS;
        assertEquals(SessionLiveness.PROBE, liveness.check(clock, true), "250 ms of silence since " + start);
    }

    @Test
    void aTimeoutTooShortToProbeHalfwayIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SessionLiveness(1));
    }
}

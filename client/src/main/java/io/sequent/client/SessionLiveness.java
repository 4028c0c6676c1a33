package io.sequent.client;

/**
 * Whether the member a session is with is still there, judged from its silence while requests wait
 * for it: a member that answers nothing for {@code liveness.timeout.ms} while at least one request
 * awaits its answer is taken as lost, whatever the requests' own timeouts. Halfway through such a
 * silence the session probes the member (a small MetadataRequest), so a live member that simply
 * has nothing to answer yet (a long-poll fetch, an {@code acks=all} produce waiting for its quorum)
 * speaks and is kept.
 *
 * <pre>
 *   silence = now - max(last frame heard from the member, when the first waiting request was sent)
 *   no request waiting             QUIET
 *   silence &lt; timeout / 2          QUIET
 *   timeout / 2 &lt;= silence &lt; timeout  PROBE   (one probe at a time)
 *   silence &gt;= timeout            LOST    (the session leaves the member)
 * </pre>
 *
 * <p>The client's own pauses do not count against the member: when the checks themselves stop for half the
 * timeout or more (a GC pause, a descheduled I/O thread, a broker in the same paused JVM), the silence starts
 * again at the next check, so the member gets a fair half timeout to answer the probe.
 *
 * <p>An idle session is never judged: the keep-alive covers it. A SIGKILLed leader is noticed
 * within {@code liveness.timeout.ms} of its last answer, instead of the request timeout plus the
 * timeout of the metadata request that follows it, or Aeron's publication connection timeout (5 s)
 * and image liveness timeout (10 s).
 *
 * <p>Single writer: the client's I/O thread. The clock is the caller's (scripted in tests).
 */
final class SessionLiveness {
    /** Nothing to do. */
    static final int QUIET = 0;
    /** The member has been silent for half the timeout: send a probe. */
    static final int PROBE = 1;
    /** The member has been silent for the whole timeout: it is lost. */
    static final int LOST = 2;

    private final long timeoutNs;
    private final long probeAfterNs;
    private long lastHeardNs;
    private long awaitingSinceNs;
    private long lastCheckNs;

    /**
     * @param timeoutNs {@code liveness.timeout.ms} in nanoseconds, at least 2.
     */
    SessionLiveness(final long timeoutNs) {
        if (timeoutNs < 2) {
            throw new IllegalArgumentException("liveness timeout must be at least 2 ns: " + timeoutNs);
        }
        this.timeoutNs = timeoutNs;
        this.probeAfterNs = timeoutNs / 2;
    }

    long timeoutNs() {
        return timeoutNs;
    }

    /**
     * A session began: the member just answered the handshake.
     *
     * @param nowNs the I/O thread's clock.
     */
    void onSessionStart(final long nowNs) {
        lastHeardNs = nowNs;
        awaitingSinceNs = nowNs;
        lastCheckNs = nowNs;
    }

    /**
     * A frame arrived from the member.
     *
     * @param nowNs the I/O thread's clock.
     */
    void onHeard(final long nowNs) {
        lastHeardNs = nowNs;
    }

    /**
     * A request that expects an answer was sent while none was waiting.
     *
     * @param nowNs the I/O thread's clock.
     */
    void onFirstAwaiting(final long nowNs) {
        awaitingSinceNs = nowNs;
    }

    /**
     * @param nowNs    the I/O thread's clock.
     * @param awaiting whether any request waits for the member's answer.
     * @return how long the member has been silent while a request waits, 0 when none waits.
     */
    long silentNs(final long nowNs, final boolean awaiting) {
        return awaiting ? Math.max(0, nowNs - Math.max(lastHeardNs, awaitingSinceNs)) : 0;
    }

    /**
     * Called on every duty cycle while the session is up.
     *
     * @param nowNs    the I/O thread's clock.
     * @param awaiting whether any request waits for the member's answer.
     * @return {@link #QUIET}, {@link #PROBE} or {@link #LOST}.
     */
    int check(final long nowNs, final boolean awaiting) {
        if (nowNs - lastCheckNs >= probeAfterNs) {
            lastHeardNs = nowNs; // this thread did not run for a while: that pause says nothing of the member
        }
        lastCheckNs = nowNs;
        final long silent = silentNs(nowNs, awaiting);
        if (silent >= timeoutNs) {
            return LOST;
        }
        return silent >= probeAfterNs ? PROBE : QUIET;
    }
}

package io.sequent.client;

/**
 * Finding the leader again after the session with it was lost (the leader died or went silent):
 *
 * <ul>
 *   <li><b>The lost leader is not trusted for a while.</b> The surviving members keep naming the
 *   leader they last heard until their own election timer fires (an election timeout or two after
 *   it died), so the first member the client reaches usually names the member the client just gave
 *   up on. Following that name would cost the redirect's grace ({@code reconnect.backoff.max.ms})
 *   waiting for a publication that never connects, and again for every member that repeats it. So
 *   for {@code reconnect.backoff.max.ms} after the loss an answer naming the lost leader in the
 *   epoch it was lost in (or a {@code NOT_LEADER} hint naming it, which carries no epoch) counts as
 *   "no leader known"; a later epoch, the lost leader re-elected, is trusted at once. A leader
 *   that was only slow (its answers lost with the session) is trusted again when the window ends.</li>
 *   <li><b>Leader checks keep pace with an election.</b> While no member names a leader the
 *   client asks again every {@code reconnect.backoff.ms} for the first {@value #FLAT_CHECKS}
 *   checks (an election takes one to two election timeouts and a round of votes), and only then
 *   doubles the pause up to {@code reconnect.backoff.max.ms}, so a long outage is not polled
 *   hard.</li>
 *   <li><b>How long it took</b>: the time from the loss to a session with the new leader, for the
 *   log line that reports it.</li>
 * </ul>
 *
 * <p>Single writer: the client's I/O thread. The clock is the caller's (scripted in tests).
 */
final class LeaderSearch {
    /** Leader checks at the base pause before the pause starts to double. */
    static final int FLAT_CHECKS = 10;

    private final long backoffNs;
    private final long backoffMaxNs;
    private int lostLeaderId = -1;
    private int lostEpoch = -1;
    private long distrustUntilNs;
    private long lostAtNs;
    private int lostFrom = -1;

    /**
     * @param backoffNs    {@code reconnect.backoff.ms} in nanoseconds.
     * @param backoffMaxNs {@code reconnect.backoff.max.ms} in nanoseconds: the bound of the doubling and
     *                     how long the lost leader is not trusted.
     */
    LeaderSearch(final long backoffNs, final long backoffMaxNs) {
        this.backoffNs = Math.max(1, backoffNs);
        this.backoffMaxNs = Math.max(this.backoffNs, backoffMaxNs);
    }

    /**
     * The session with a member was lost.
     *
     * @param brokerId the member the session was with.
     * @param leaderId the leader known then, -1 when none.
     * @param epoch    its epoch.
     * @param nowNs    the I/O thread's clock.
     */
    void sessionLost(final int brokerId, final int leaderId, final int epoch, final long nowNs) {
        if (lostFrom < 0) {
            lostAtNs = nowNs;
        }
        lostFrom = brokerId;
        if (leaderId >= 0 && leaderId == brokerId) {
            lostLeaderId = leaderId;
            lostEpoch = epoch;
            distrustUntilNs = nowNs + backoffMaxNs;
        }
    }

    /**
     * @param leaderId a leader a member named, -1 for none.
     * @param epoch    the epoch it named with it, -1 when the answer carries none.
     * @param from     the member that answered: a lost leader that answers itself is alive and trusted.
     * @param nowNs    the I/O thread's clock.
     * @return {@code leaderId}, or -1 when it is the leader just lost, in the epoch it was lost in, named
     *     by another member.
     */
    int trusted(final int leaderId, final int epoch, final int from, final long nowNs) {
        if (leaderId >= 0 && leaderId == lostLeaderId && leaderId != from && epoch <= lostEpoch
            && nowNs - distrustUntilNs < 0) {
            return -1;
        }
        return leaderId;
    }

    /**
     * @return whether a session was lost and no session with a leader followed yet.
     */
    boolean searching() {
        return lostFrom >= 0;
    }

    /**
     * @return the member the last lost session was with, -1 when not searching.
     */
    int lostFrom() {
        return lostFrom;
    }

    /**
     * A session with the leader is up: the search is over.
     *
     * @param nowNs the I/O thread's clock.
     * @return how long it took since the first loss, 0 when there was no search.
     */
    long found(final long nowNs) {
        if (lostFrom < 0) {
            return 0;
        }
        lostFrom = -1;
        return nowNs - lostAtNs;
    }

    /**
     * @param checks the leader checks in a row that found no leader (1 for the first).
     * @return the pause before the next: {@code reconnect.backoff.ms} for the first
     *     {@value #FLAT_CHECKS}, then doubling up to {@code reconnect.backoff.max.ms}.
     */
    long checkBackoffNs(final int checks) {
        if (checks <= FLAT_CHECKS) {
            return backoffNs;
        }
        final int doublings = Math.min(checks - FLAT_CHECKS, 30);
        final long backoff = backoffNs << doublings;
        return backoff <= 0 || backoff > backoffMaxNs ? backoffMaxNs : backoff;
    }
}

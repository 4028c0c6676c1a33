package io.sequent.client;

/**
 * What the producer's sender needs from a connection; {@link ClientConnection} in production, a
 * scripted fake in deterministic tests. Called on the I/O thread only.
 */
interface RequestSender {
    /**
     * @return whether a session is established, so that {@link #trySend} can succeed.
     */
    boolean isConnected();

    /**
     * Sends now or not at all.
     *
     * @param request the request; its deadline becomes {@code nowNs + timeoutNs}.
     * @param nowNs   the I/O thread's clock.
     * @return false when not connected or the transport pushed back: try again later.
     */
    boolean trySend(PendingRequest request, long nowNs);

    /**
     * Sends as soon as possible: now, or once connected; the request fails if that takes longer
     * than its timeout.
     *
     * @param request the request.
     * @param nowNs   the I/O thread's clock.
     */
    void enqueue(PendingRequest request, long nowNs);

    /**
     * A broker said it is not the leader: reconnect to the hinted leader when it is a known member,
     * otherwise ask the members who leads (backing off while none does).
     *
     * @param leaderHint the leader the answer named, -1 when it named none.
     * @param nowNs      the I/O thread's clock.
     */
    void onNotLeader(int leaderHint, long nowNs);

    /**
     * Sends a request again, through {@link #enqueue}, once {@code atNs} has come (a call the
     * leader refused, retried after the client found the leader again).
     *
     * @param request the request.
     * @param atNs    when to send it.
     */
    void retryAt(PendingRequest request, long atNs);

    /**
     * @param attempt how many times in a row the leader could not be reached (1 for the first).
     * @return the pause before the next try: {@code reconnect.backoff.ms}, doubling per attempt up
     *     to {@code reconnect.backoff.max.ms}.
     */
    long backoffNs(int attempt);

    /**
     * @return why the member the client reaches names no leader, as it last said (its epoch, how long, which
     *     members it does not reach); "" while a leader is known or nothing was said.
     */
    default String noLeaderReason() {
        return "";
    }
}

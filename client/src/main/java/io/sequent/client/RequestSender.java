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
     * A broker said it is not the leader: check who is and reconnect there if it is another broker.
     *
     * @param nowNs the I/O thread's clock.
     */
    void onNotLeader(long nowNs);
}

package io.sequent.client;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A request on its way through a {@link ClientConnection}: it knows how to encode itself and what
 * to do with its answer. Owned by the client's I/O thread from submission to completion; exactly
 * one of {@link #onResponse} and {@link #onFailure} is called per send that expects an answer.
 */
abstract class PendingRequest {
    /** Correlation id of the latest send; set by the connection. */
    long correlationId = -1;
    /** When the latest send (or the wait to be sent) gives up; set by the connection. */
    long deadlineNs;
    /** How long an answer may take, from submission or send. */
    long timeoutNs;
    /** The connection that last took the request; set by the connection, for retries. */
    RequestSender sender;
    /** When a retry held back by {@link RequestSender#retryAt} is due; set by the connection. */
    long retryAtNs;

    /**
     * @return true for a request any member of a replica group may serve (a fetch, which a
     *     consumer reading from a follower sends there); false for one only the leader serves.
     */
    boolean anyMember() {
        return false;
    }

    /**
     * Writes the request.
     *
     * @param scratch       a buffer the request may encode into.
     * @param correlationId the id to carry.
     * @param sessionId     the session to carry.
     * @return the length of the message in {@link #encodedBuffer(MutableDirectBuffer)} from 0.
     */
    abstract int encode(MutableDirectBuffer scratch, long correlationId, long sessionId);

    /**
     * The buffer that {@link #encode} wrote to: {@code scratch} unless the request encodes in a
     * buffer of its own (a produce batch is built in place and sent without a copy).
     *
     * @param scratch the buffer given to {@link #encode}.
     * @return the buffer to send from offset 0.
     */
    DirectBuffer encodedBuffer(final MutableDirectBuffer scratch) {
        return scratch;
    }

    /**
     * @return the template id of the expected response.
     */
    abstract int responseTemplateId();

    /**
     * @return true for a request the broker may hold before it answers (a long-poll fetch): the
     *     member's silence while only such requests wait says nothing about its liveness.
     */
    boolean longPoll() {
        return false;
    }

    /**
     * @return false for a request the broker never answers (acks=0 produce).
     */
    boolean expectsResponse() {
        return true;
    }

    /**
     * Called once the request is in the publication.
     *
     * @param nowNs the I/O thread's clock.
     */
    void onSent(final long nowNs) {
    }

    /**
     * The answer, already checked with {@code ProtocolFrames.validate} and of the expected template.
     *
     * @param buffer holding the message, valid only during the call.
     * @param offset first byte of its SBE header.
     * @param length message length.
     * @param nowNs  the I/O thread's clock.
     */
    abstract void onResponse(DirectBuffer buffer, int offset, int length, long nowNs);

    /**
     * No answer: a broker {@code ErrorResponse}, a timeout, a lost connection or a closed client.
     *
     * @param failure what happened.
     * @param nowNs   the I/O thread's clock.
     */
    abstract void onFailure(SequentException failure, long nowNs);
}

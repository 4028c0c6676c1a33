package io.sequent.client;

import java.util.concurrent.CompletableFuture;

import org.agrona.DirectBuffer;

import io.sequent.codec.client.ErrorCode;

/**
 * A request whose result a user thread waits for: admin operations, metadata, offset lookups. Its
 * future completes on the I/O thread.
 *
 * <p>A {@code NOT_LEADER} answer (the call reached a member that is not, or no longer, the leader)
 * is not the result: the connection is told to find the leader and the call is sent again after a
 * backoff, for as long as the call's own timeout (from its first send) allows; the broker did not
 * act on it, so a retry cannot apply it twice. Then the call fails with {@code NOT_LEADER}.
 *
 * @param <T> the result type.
 */
abstract class Call<T> extends PendingRequest {
    final CompletableFuture<T> future = new CompletableFuture<>();
    private long callDeadlineNs;
    private int notLeaderAnswers;

    @Override
    void onSent(final long nowNs) {
        if (callDeadlineNs == 0) {
            callDeadlineNs = nowNs + timeoutNs;
        }
    }

    @Override
    final void onResponse(final DirectBuffer buffer, final int offset, final int length, final long nowNs) {
        final T result;
        try {
            result = decode(buffer, offset, length);
        } catch (final SequentException ex) {
            if (!retryElsewhere(ex, nowNs)) {
                future.completeExceptionally(ex);
            }
            return;
        } catch (final RuntimeException ex) {
            future.completeExceptionally(new SequentException(
                ErrorCode.CORRUPT_MESSAGE, "cannot decode response: " + ex, ex));
            return;
        }
        future.complete(result);
    }

    @Override
    void onFailure(final SequentException failure, final long nowNs) {
        if (!retryElsewhere(failure, nowNs)) {
            future.completeExceptionally(failure);
        }
    }

    /**
     * @return the NOT_LEADER answers this call has had.
     */
    int notLeaderAnswers() {
        return notLeaderAnswers;
    }

    private boolean retryElsewhere(final SequentException failure, final long nowNs) {
        final RequestSender connection = sender;
        if (failure.errorCode() != ErrorCode.NOT_LEADER || connection == null || callDeadlineNs == 0) {
            return false;
        }
        notLeaderAnswers++;
        final long at = nowNs + connection.backoffNs(notLeaderAnswers);
        if (at - callDeadlineNs >= 0) {
            return false;
        }
        timeoutNs = callDeadlineNs - at;
        connection.onNotLeader(-1, nowNs);
        connection.retryAt(this, at);
        return true;
    }

    /**
     * Decodes the answer into the result, or throws the error it reports.
     *
     * @param buffer holding the message.
     * @param offset first byte of its SBE header.
     * @param length message length.
     * @return the result.
     */
    abstract T decode(DirectBuffer buffer, int offset, int length);
}

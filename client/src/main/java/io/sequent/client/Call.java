package io.sequent.client;

import java.util.concurrent.CompletableFuture;

import org.agrona.DirectBuffer;

import io.sequent.codec.client.ErrorCode;

/**
 * A request whose result a user thread waits for: admin operations, metadata, offset lookups. Its
 * future completes on the I/O thread.
 *
 * @param <T> the result type.
 */
abstract class Call<T> extends PendingRequest {
    final CompletableFuture<T> future = new CompletableFuture<>();

    @Override
    final void onResponse(final DirectBuffer buffer, final int offset, final int length, final long nowNs) {
        final T result;
        try {
            result = decode(buffer, offset, length);
        } catch (final SequentException ex) {
            future.completeExceptionally(ex);
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
        future.completeExceptionally(failure);
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

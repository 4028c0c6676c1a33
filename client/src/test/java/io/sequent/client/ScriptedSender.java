package io.sequent.client;

import java.util.ArrayList;
import java.util.List;

import org.agrona.ExpandableArrayBuffer;

/**
 * A {@link RequestSender} for deterministic tests: records what is sent, pushes back on demand, and
 * never answers; the test answers requests by calling their callbacks.
 */
final class ScriptedSender implements RequestSender {
    final List<PendingRequest> sent = new ArrayList<>();
    final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
    boolean connected = true;
    boolean pushBack;
    int notLeader;
    int lastLeaderHint = -2;
    final List<PendingRequest> retries = new ArrayList<>();
    private long correlationIds = 1;

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean trySend(final PendingRequest request, final long nowNs) {
        if (!connected || pushBack) {
            return false;
        }
        request.deadlineNs = nowNs + request.timeoutNs;
        final long id = correlationIds++;
        request.encode(scratch, id, 77);
        request.correlationId = request.expectsResponse() ? id : -1;
        sent.add(request);
        request.onSent(nowNs);
        return true;
    }

    @Override
    public void enqueue(final PendingRequest request, final long nowNs) {
        request.deadlineNs = nowNs + request.timeoutNs;
        request.encode(scratch, correlationIds++, 77);
        sent.add(request);
    }

    @Override
    public void onNotLeader(final int leaderHint, final long nowNs) {
        notLeader++;
        lastLeaderHint = leaderHint;
    }

    @Override
    public long backoffNs(final int attempt) {
        return attempt * 1_000_000L;
    }

    @Override
    public void retryAt(final PendingRequest request, final long atNs) {
        request.retryAtNs = atNs;
        retries.add(request);
    }

    <T extends PendingRequest> List<T> sentOf(final Class<T> type) {
        final List<T> result = new ArrayList<>();
        for (final PendingRequest r : sent) {
            if (type.isInstance(r)) {
                result.add(type.cast(r));
            }
        }
        return result;
    }

    List<PendingRequest> sentNamed(final String simpleName) {
        final List<PendingRequest> result = new ArrayList<>();
        for (final PendingRequest r : sent) {
            if (r.getClass().getSimpleName().equals(simpleName)) {
                result.add(r);
            }
        }
        return result;
    }
}

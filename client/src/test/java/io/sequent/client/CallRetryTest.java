package io.sequent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.sequent.codec.client.ErrorCode;

/**
 * A call refused with NOT_LEADER is retried through its connection within its own timeout, on a
 * scripted clock and connection.
 */
class CallRetryTest {
    private static final long MS = 1_000_000L;

    private final ScriptedSender connection = new ScriptedSender();

    private CreateTopicsCall sent(final long timeoutMs, final long nowNs) {
        final CreateTopicsCall call = new CreateTopicsCall("t", 1, Map.of(), timeoutMs * MS);
        call.sender = connection;
        call.onSent(nowNs);
        return call;
    }

    @Test
    void notLeaderIsRetriedAfterTheBackoffWithWhatIsLeftOfTheTimeout() {
        final CreateTopicsCall call = sent(1_000, 0);
        call.onFailure(new SequentException(ErrorCode.NOT_LEADER, "not the leader"), 100 * MS);
        assertFalse(call.future.isDone(), "not the result");
        assertEquals(1, connection.notLeader, "the connection is told to find the leader");
        assertEquals(-1, connection.lastLeaderHint, "admin answers carry no hint");
        assertEquals(1, connection.retries.size());
        assertEquals(101 * MS, call.retryAtNs, "after the first backoff");
        assertEquals(899 * MS, call.timeoutNs, "the rest of the call's own timeout");

        call.onFailure(new SequentException(ErrorCode.NOT_LEADER, "not the leader"), 200 * MS);
        assertEquals(202 * MS, call.retryAtNs, "the backoff grows");
        assertEquals(2, call.notLeaderAnswers());
    }

    @Test
    void notLeaderFailsTheCallOnceItsTimeoutIsSpent() {
        final CreateTopicsCall call = sent(1_000, 0);
        call.onFailure(new SequentException(ErrorCode.NOT_LEADER, "not the leader"), 999 * MS);
        assertTrue(call.future.isDone());
        final ExecutionException ex =
            assertThrows(ExecutionException.class, () -> call.future.get(1, TimeUnit.SECONDS));
        final SequentException failure = assertInstanceOf(SequentException.class, ex.getCause());
        assertEquals(ErrorCode.NOT_LEADER, failure.errorCode());
        assertTrue(failure.isRetriable());
        assertEquals(0, connection.retries.size());
    }

    @Test
    void otherErrorsAreTheResult() {
        final CreateTopicsCall call = sent(1_000, 0);
        call.onFailure(new TopicExistsException("exists"), 10 * MS);
        final ExecutionException ex =
            assertThrows(ExecutionException.class, () -> call.future.get(1, TimeUnit.SECONDS));
        assertInstanceOf(TopicExistsException.class, ex.getCause());
        assertEquals(0, connection.notLeader);
        assertEquals(0, connection.retries.size());
    }
}

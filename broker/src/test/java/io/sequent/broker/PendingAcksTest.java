package io.sequent.broker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** acks=all requests are answered exactly once: by the release stage or by the timeout scan. */
class PendingAcksTest {
    private final List<Long> timedOut = new ArrayList<>();
    private final PendingAcks.TimeoutHandler handler =
        (sessionId, correlationId, partition) -> timedOut.add(correlationId);

    @Test
    void releaseBeforeTheDeadlineAnswersAndFreesTheEntry() {
        final PendingAcks acks = new PendingAcks(4);
        final int index = acks.claim(7, 100, 2, 1_000);
        assertTrue(index >= 0);
        acks.onOffered(index);
        assertEquals(0, acks.scanTimeouts(500, handler));
        assertEquals(7, acks.sessionId(index));
        assertEquals(100, acks.correlationId(index));
        assertEquals(2, acks.partition(index));
        assertTrue(acks.complete(index), "the release stage answers");
        assertEquals(0, acks.scanTimeouts(5_000, handler), "nothing left to time out");
    }

    @Test
    void timeoutAnswersOnceAndTheLateReleaseStaysSilent() {
        final PendingAcks acks = new PendingAcks(4);
        final int index = acks.claim(7, 101, 0, 1_000);
        acks.onOffered(index);
        assertEquals(1, acks.scanTimeouts(1_001, handler));
        assertEquals(List.of(101L), timedOut);
        assertEquals(0, acks.scanTimeouts(2_000, handler), "answered once");
        assertFalse(acks.complete(index), "the late release does not answer again");
        assertTrue(acks.claim(1, 1, 0, 0) >= 0, "and the entry is free for reuse");
    }

    @Test
    void releaseBeforeTheIngressMarkedItPendingStillAnswers() {
        final PendingAcks acks = new PendingAcks(4);
        final int index = acks.claim(7, 102, 0, 1_000);
        assertTrue(acks.complete(index), "a fast release of a just-claimed entry answers");
        acks.onOffered(index);
        assertEquals(0, acks.scanTimeouts(5_000, handler), "and the timeout scan ignores it");
    }

    @Test
    void refusedOfferFreesTheEntryAndAFullRingIsRefused() {
        final PendingAcks acks = new PendingAcks(2);
        final int first = acks.claim(1, 1, 0, 10);
        acks.onRefused(first);
        assertEquals(first, acks.claim(1, 2, 0, 10), "the refused entry is taken again");
        acks.onOffered(first);
        final int second = acks.claim(1, 3, 0, 10);
        acks.onOffered(second);
        assertEquals(-1, acks.claim(1, 4, 0, 10), "every entry in use");
        assertTrue(acks.complete(first));
        assertTrue(acks.claim(1, 5, 0, 10) >= 0);
        assertThrows(IllegalArgumentException.class, () -> new PendingAcks(3));
    }
}

package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.SequencerResult;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock-free lookup tables and the result mapping. */
class TablesTest {
    private static Topic topic(final String name) {
        return new Topic(name, 1, false, TopicConfig.defaults(new Properties()), 1 << 20, new Partition[0]);
    }

    @Test
    void topicTableFindsTopicsByTheirNameBytes() {
        TopicTable table = TopicTable.EMPTY;
        for (int i = 0; i < 100; i++) {
            table = table.with(topic("topic-" + i));
        }
        assertEquals(100, table.size());
        for (int i = 0; i < 100; i++) {
            final byte[] name = ("xx" + "topic-" + i).getBytes(StandardCharsets.UTF_8);
            final Topic found = table.lookup(new UnsafeBuffer(name), 2, name.length - 2);
            assertEquals("topic-" + i, found.name());
            assertSame(found, table.get("topic-" + i));
        }
        final byte[] missing = "topic-100".getBytes(StandardCharsets.UTF_8);
        assertNull(table.lookup(new UnsafeBuffer(missing), 0, missing.length));
        assertNull(table.lookup(new UnsafeBuffer(missing), 0, 5), "a prefix is not a match");
        final TopicTable without = table.without("topic-5");
        assertNull(without.get("topic-5"));
        assertEquals(99, without.size());
        assertEquals("topic-0", table.topics()[0].name(), "sorted by name");
    }

    @Test
    void sessionIdsAreUniqueAndCarryTheirSlot() {
        final SessionTable sessions = new SessionTable(4, System.currentTimeMillis());
        final Set<Long> ids = new HashSet<>();
        for (int round = 0; round < 10; round++) {
            final int slot = sessions.freeSlot();
            final long id = sessions.newSessionId(slot);
            assertTrue(ids.add(id), "never reused");
            final Session session = new Session(id, slot, "c", "ch", 1, 42, 1, 2, null, 0);
            sessions.install(session);
            assertSame(session, sessions.get(id));
            assertNull(sessions.get(id + (1L << SessionTable.SLOT_BITS)), "same slot, other serial");
            sessions.remove(session);
            assertNull(sessions.get(id));
        }
        assertNull(sessions.get(-1));
        assertNull(sessions.get(0));
        assertNull(sessions.get(1000), "slot beyond the table");
    }

    @Test
    void sequencerResultsMapToProtocolErrors() {
        assertEquals(ErrorCode.NONE, ProduceReleaseHandler.errorCode(SequencerResult.OK));
        assertEquals(ErrorCode.NONE, ProduceReleaseHandler.errorCode(SequencerResult.DUPLICATE));
        assertEquals(ErrorCode.BACK_PRESSURED, ProduceReleaseHandler.errorCode(SequencerResult.BACK_PRESSURED));
        assertEquals(ErrorCode.RECORD_TOO_LARGE, ProduceReleaseHandler.errorCode(SequencerResult.TOO_LARGE));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, ProduceReleaseHandler.errorCode(SequencerResult.CORRUPT));
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE,
            ProduceReleaseHandler.errorCode(SequencerResult.OUT_OF_ORDER_SEQUENCE));
        assertEquals(ErrorCode.INVALID_PRODUCER_EPOCH,
            ProduceReleaseHandler.errorCode(SequencerResult.INVALID_PRODUCER_EPOCH));
        assertEquals(ErrorCode.UNKNOWN_PRODUCER_ID,
            ProduceReleaseHandler.errorCode(SequencerResult.UNKNOWN_PRODUCER_ID));
        assertEquals(ErrorCode.STORAGE_ERROR, ProduceReleaseHandler.errorCode(SequencerResult.STORAGE_ERROR));
        assertEquals(ErrorCode.NOT_LEADER, ProduceReleaseHandler.errorCode(SequencerResult.CLOSED));
        assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, ProduceReleaseHandler.errorCode(SequencerResult.INTERNAL_ERROR));
    }

    @Test
    void topicNamesFollowKafkasRules() {
        assertNull(TopicAdmin.nameProblem("a.b_c-D9"));
        assertNull(TopicAdmin.nameProblem("x".repeat(249)));
        assertTrue(TopicAdmin.nameProblem("x".repeat(250)).contains("249"));
        assertTrue(TopicAdmin.nameProblem(".").contains("'.'"));
        assertTrue(TopicAdmin.nameProblem("..").contains("'..'"));
        assertTrue(TopicAdmin.nameProblem("").contains("empty"));
        assertTrue(TopicAdmin.nameProblem("a b").contains("only"));
    }
}

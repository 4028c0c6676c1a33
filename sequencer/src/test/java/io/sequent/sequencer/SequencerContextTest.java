package io.sequent.sequencer;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequencerContextTest {
    private static SequencerException reject(final String key, final String value) {
        final Properties properties = new Properties();
        properties.setProperty(key, value);
        return assertThrows(SequencerException.class, () -> SequencerContext.fromProperties(properties).conclude());
    }

    @Test
    void badValuesAreRejectedNamingTheSetting() {
        assertTrue(reject(SequencerContext.RING_SIZE_PROP, "1000").getMessage().contains("sequencer.ring.size"));
        assertTrue(reject(SequencerContext.RING_SIZE_PROP, "lots").getMessage().contains("whole number"));
        assertTrue(reject(SequencerContext.DATA_BUFFER_BYTES_PROP, "3000").getMessage()
            .contains("sequencer.data.buffer.bytes"));
        assertTrue(reject(SequencerContext.MAX_BATCH_BYTES_PROP, "999999999").getMessage()
            .contains("sequencer.max.batch.bytes"));
        assertTrue(reject(SequencerContext.THREADING_MODE_PROP, "turbo").getMessage()
            .contains("sequencer.threading.mode"));
        assertTrue(reject(SequencerContext.IDLE_STRATEGY_PROP, "nap").getMessage()
            .contains("sequencer.idle.strategy"));
    }

    @Test
    void settingsAreReadFromProperties() {
        final Properties properties = new Properties();
        properties.setProperty(SequencerContext.RING_SIZE_PROP, "1024");
        properties.setProperty(SequencerContext.THREADING_MODE_PROP, "dedicated");
        properties.setProperty(SequencerContext.IDLE_STRATEGY_PROP, "backoff");
        final SequencerContext context = SequencerContext.fromProperties(properties).conclude();
        assertEquals(1024, context.ringSize());
        assertEquals(ThreadingMode.DEDICATED, context.threadingMode());
        assertEquals("backoff", context.idleStrategy());
        assertEquals(ThreadingMode.SHARED, ThreadingMode.forCores(2));
        assertEquals(ThreadingMode.DEDICATED, ThreadingMode.forCores(8));
    }

    @Test
    void acksParseLikeKafka() {
        assertEquals(Acks.ALL, Acks.parse("all"));
        assertEquals(Acks.ALL, Acks.parse("-1"));
        assertEquals(Acks.LEADER, Acks.parse("1"));
        assertEquals(Acks.NONE, Acks.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> Acks.parse("2"));
    }
}

package io.sequent.log;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogConfigTest {
    @Test
    void defaultsAreValid() {
        final LogConfig config = new LogConfig().conclude();
        assertEquals(256 * 1024 * 1024, config.segmentBytes());
        assertEquals(4096, config.indexIntervalBytes());
        assertEquals(7L * 24 * 3600 * 1000, config.segmentMs());
        assertEquals(7L * 24 * 3600 * 1000, config.retentionMs());
        assertEquals(-1, config.retentionBytes());
        assertEquals(FlushPolicy.BATCH, config.flushPolicy());
        assertEquals(1000, config.flushIntervalMs());
        assertTrue(config.preallocate());
        assertEquals(config.segmentBytes(), config.maxFrameLength());
    }

    @Test
    void readsEveryKeyFromProperties() {
        final Properties p = new Properties();
        p.setProperty("log.segment.bytes", "1048576");
        p.setProperty("log.index.interval.bytes", "1024");
        p.setProperty("log.segment.ms", "60000");
        p.setProperty("log.retention.ms", "-1");
        p.setProperty("log.retention.bytes", "123456789");
        p.setProperty("log.flush.policy", "Interval");
        p.setProperty("log.flush.interval.ms", "250");
        p.setProperty("log.preallocate", "false");
        p.setProperty("log.max.frame.bytes", "65536");
        p.setProperty("log.checkpoint.interval.ms", "0");
        p.setProperty("log.append.verify.crc", "true");
        p.setProperty("log.dirs", "/ignored/other/key");
        final LogConfig config = LogConfig.fromProperties(p);
        assertEquals(1048576, config.segmentBytes());
        assertEquals(1024, config.indexIntervalBytes());
        assertEquals(60000, config.segmentMs());
        assertEquals(-1, config.retentionMs());
        assertEquals(123456789, config.retentionBytes());
        assertEquals(FlushPolicy.INTERVAL, config.flushPolicy());
        assertEquals(250, config.flushIntervalMs());
        assertEquals(false, config.preallocate());
        assertEquals(65536, config.maxFrameLength());
        assertEquals(0, config.checkpointIntervalMs());
        assertTrue(config.verifyCrcOnAppend());
    }

    @Test
    void concludeRejectsOutOfRangeValuesNamingTheKey() {
        assertRejected(new LogConfig().segmentBytes(100), "log.segment.bytes");
        assertRejected(new LogConfig().segmentBytes(4097), "log.segment.bytes");
        assertRejected(new LogConfig().segmentBytes(Integer.MAX_VALUE), "log.segment.bytes");
        assertRejected(new LogConfig().indexIntervalBytes(-1), "log.index.interval.bytes");
        assertRejected(new LogConfig().segmentMs(0), "log.segment.ms");
        assertRejected(new LogConfig().retentionMs(-2), "log.retention.ms");
        assertRejected(new LogConfig().retentionBytes(-5), "log.retention.bytes");
        assertRejected(new LogConfig().flushPolicy(null), "log.flush.policy");
        assertRejected(new LogConfig().flushIntervalMs(0), "log.flush.interval.ms");
        assertRejected(new LogConfig().checkpointIntervalMs(-1), "log.checkpoint.interval.ms");
        assertRejected(new LogConfig().maxFrameLength(10), "log.max.frame.bytes");
        assertRejected(new LogConfig().segmentBytes(8192).maxFrameLength(8193), "log.max.frame.bytes");
    }

    @Test
    void fromPropertiesRejectsBadValuesNamingTheKey() {
        assertBadProperty("log.segment.bytes", "lots");
        assertBadProperty("log.segment.bytes", "12");
        assertBadProperty("log.index.interval.bytes", "4k");
        assertBadProperty("log.segment.ms", "");
        assertBadProperty("log.retention.ms", "forever");
        assertBadProperty("log.retention.bytes", "1e9");
        assertBadProperty("log.flush.policy", "sometimes");
        assertBadProperty("log.flush.interval.ms", "-3");
        assertBadProperty("log.preallocate", "yes");
        assertBadProperty("log.max.frame.bytes", "99999999999");
        assertBadProperty("log.checkpoint.interval.ms", "soon");
        assertBadProperty("log.append.verify.crc", "1");
    }

    @Test
    void openRejectsAnInvalidConfiguration() {
        final LogException ex = assertThrows(LogException.class, () -> PartitionLog.open(
            java.nio.file.Path.of("/nonexistent-never-created"), new LogConfig().segmentBytes(1),
            new org.agrona.concurrent.CachedEpochClock()));
        assertEquals(LogResult.INVALID_CONFIG, ex.code());
        assertTrue(ex.getMessage().contains("log.segment.bytes"));
    }

    private static void assertRejected(final LogConfig config, final String key) {
        final LogException ex = assertThrows(LogException.class, config::conclude);
        assertEquals(LogResult.INVALID_CONFIG, ex.code());
        assertTrue(ex.getMessage().contains(key), ex.getMessage());
    }

    private static void assertBadProperty(final String key, final String value) {
        final Properties p = new Properties();
        p.setProperty(key, value);
        final LogException ex = assertThrows(LogException.class, () -> LogConfig.fromProperties(p), key);
        assertEquals(LogResult.INVALID_CONFIG, ex.code());
        assertTrue(ex.getMessage().contains(key), ex.getMessage());
    }
}

package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import io.sequent.log.FlushPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings: defaults, properties, system-property overrides and clear errors for bad values. */
class BrokerContextTest {
    @TempDir
    Path dir;

    private static Properties props(final String... keyValues) {
        final Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    void defaults() {
        final BrokerContext ctx = BrokerContext.fromProperties(new Properties());
        assertEquals(0, ctx.brokerId());
        assertEquals("127.0.0.1", ctx.host());
        assertEquals(9090, ctx.port());
        assertEquals("aeron:udp?endpoint=127.0.0.1:9090", ctx.ingressChannel());
        assertEquals(Path.of("./data"), ctx.dataDir());
        assertTrue(ctx.aeronDir().endsWith("sequent-broker-9090"), ctx.aeronDir());
        assertTrue(ctx.embeddedDriver());
        assertEquals("adaptive", ctx.idleStrategy());
        assertEquals("adaptive", ctx.driverIdleStrategy());
        assertEquals(30_000, ctx.sessionTimeoutMs());
        assertEquals(1024 * 1024, ctx.fetchMaxBytes());
        assertEquals(1, ctx.numPartitions());
        assertEquals(BrokerContext.ThreadingMode.forCores(Runtime.getRuntime().availableProcessors()),
            ctx.threadingMode());
        assertEquals(FlushPolicy.BATCH, ctx.logConfig().flushPolicy());
    }

    @Test
    void readsEveryFamilyOfKeys() {
        final BrokerContext ctx = BrokerContext.fromProperties(props(
            "broker.id", "3",
            "broker.port", "0",
            "broker.threading.mode", "Dedicated",
            "session.timeout.ms", "5000",
            "fetch.max.bytes", "65536",
            "num.partitions", "4",
            "produce.timeout.ms", "100",
            "log.retention.ms", "1000",
            "log.flush.policy", "none",
            "sequencer.ring.size", "1024"));
        assertEquals(3, ctx.brokerId());
        assertEquals(BrokerContext.ThreadingMode.DEDICATED, ctx.threadingMode());
        assertTrue(ctx.aeronDir().contains("sequent-broker-"), "a port-0 broker gets a directory of its own");
        assertEquals(5000, ctx.sessionTimeoutMs());
        assertEquals(65536, ctx.fetchMaxBytes());
        assertEquals(4, ctx.numPartitions());
        assertEquals(100, ctx.produceTimeoutMs());
        assertEquals(1000, ctx.logConfig().retentionMs());
        assertEquals(FlushPolicy.NONE, ctx.logConfig().flushPolicy());
        assertEquals(1024, ctx.sequencerContext().ringSize());
        assertEquals("1000", ctx.topicDefaults().getProperty("log.retention.ms"));
        assertNull(ctx.topicDefaults().getProperty("broker.id"), "only log.* keys are topic defaults");
    }

    @Test
    void unknownKeysOfEveryFamilyAreNamedWithTheNearestKnownOne() {
        final Properties properties = props(
            "num.partitons", "3",
            "log.segmnet.bytes", "1048576",
            "sequencer.ring.szie", "1024",
            "retention.ms", "1000",
            "completely.different", "x",
            "broker.port", "0",
            "log.retention.ms", "1000",
            "sequencer.ring.size", "1024",
            "aeron.driver.idle.strategy", "backoff");
        assertEquals(List.of(
            "The configuration 'completely.different' was supplied but isn't a known config; it is ignored",
            "The configuration 'log.segmnet.bytes' was supplied but isn't a known config; it is ignored "
                + "(did you mean 'log.segment.bytes'?)",
            "The configuration 'num.partitons' was supplied but isn't a known config; it is ignored "
                + "(did you mean 'num.partitions'?)",
            "The configuration 'retention.ms' was supplied but isn't a known config; it is ignored",
            "The configuration 'sequencer.ring.szie' was supplied but isn't a known config; it is ignored "
                + "(did you mean 'sequencer.ring.size'?)"),
            BrokerContext.unknownKeys(properties));
        assertEquals(BrokerContext.NUM_PARTITIONS_DEFAULT, BrokerContext.fromProperties(properties).numPartitions(),
            "a misspelt key is ignored, not taken for the known one");
    }

    @Test
    void systemPropertiesOverrideTheFile() throws IOException {
        final Path file = dir.resolve("broker.properties");
        Files.writeString(file, "broker.port=9191\nbroker.id=7\nlog.retention.ms=5\n");
        System.setProperty("broker.port", "9292");
        try {
            final Properties merged = BrokerContext.load(file);
            assertEquals("9292", merged.getProperty("broker.port"));
            assertEquals("7", merged.getProperty("broker.id"));
            assertFalse(merged.containsKey("java.version"), "only the broker's families are taken from the JVM");
            assertEquals(9292, BrokerContext.fromProperties(merged).port());
        } finally {
            System.clearProperty("broker.port");
        }
        final BrokerException missing = assertThrows(BrokerException.class,
            () -> BrokerContext.load(dir.resolve("missing.properties")));
        assertTrue(missing.getMessage().contains("missing.properties"), missing.getMessage());
    }

    @Test
    void badValuesFailWithTheKeyInTheMessage() {
        assertKeyNamed("broker.port", "broker.port", "abc");
        assertKeyNamed("broker.port", "broker.port", "70000");
        assertKeyNamed("broker.id", "broker.id", "-1");
        assertKeyNamed("session.timeout.ms", "session.timeout.ms", "5");
        assertKeyNamed("fetch.max.bytes", "fetch.max.bytes", "10");
        assertKeyNamed("fetch.max.bytes", "fetch.max.bytes", Integer.toString(16 * 1024 * 1024));
        assertKeyNamed("num.partitions", "num.partitions", "0");
        assertKeyNamed("produce.timeout.ms", "produce.timeout.ms", "0");
        assertKeyNamed("broker.threading.mode", "broker.threading.mode", "sometimes");
        assertKeyNamed("broker.idle.strategy", "broker.idle.strategy", "fast");
        assertKeyNamed("aeron.driver.idle.strategy", "aeron.driver.idle.strategy", "fast");
        assertKeyNamed("aeron.driver.embedded", "aeron.driver.embedded", "maybe");
        assertKeyNamed("broker.max.sessions", "broker.max.sessions", "0");
        assertKeyNamed("log.segment.bytes", "log.segment.bytes", "12");
        assertKeyNamed("log.flush.policy", "log.flush.policy", "sometimes");
        assertKeyNamed("log.message.timestamp.type", "log.message.timestamp.type", "Now");
        assertKeyNamed("sequencer.ring.size", "sequencer.ring.size", "3");
        assertKeyNamed("broker.transport.mtu", "broker.transport.mtu", "big");
        assertKeyNamed("broker.transport.mtu", "broker.transport.mtu", "1400");
        assertKeyNamed("broker.transport.mtu", "broker.transport.mtu", "32");
        assertKeyNamed("broker.transport.mtu", "broker.transport.mtu", "65536");
        assertKeyNamed("sequencer.max.batch.bytes", "sequencer.max.batch.bytes", "4194304",
            "sequencer.data.buffer.bytes", "67108864");
    }

    private static void assertKeyNamed(final String key, final String... keyValues) {
        final BrokerException ex = assertThrows(BrokerException.class,
            () -> BrokerContext.fromProperties(props(keyValues)), "bad " + key);
        assertEquals(ErrorCode.INVALID_CONFIG, ex.code());
        assertTrue(ex.getMessage().contains(key), "message names " + key + ": " + ex.getMessage());
    }

    @Test
    void transportMtuIsAutoByDefaultAndTakesAeronsValues() {
        assertEquals(0, BrokerContext.fromProperties(props()).transportMtu(), "auto");
        assertEquals(0, BrokerContext.fromProperties(props("broker.transport.mtu", "auto")).transportMtu());
        assertEquals(8192, BrokerContext.fromProperties(props("broker.transport.mtu", "8192")).transportMtu());
        assertEquals(65504, BrokerContext.fromProperties(props("broker.transport.mtu", "65504")).transportMtu());
        final BrokerException ex = assertThrows(BrokerException.class,
            () -> BrokerContext.fromProperties(props("broker.transport.mtu", "1500")));
        assertEquals("broker.transport.mtu must be a multiple of 32 bytes (Aeron's frame alignment), e.g. 1472, " +
            "was '1500'", ex.getMessage());
        assertThrows(BrokerException.class, () -> new BrokerContext().transportMtu(70_000).conclude());
    }

    @Test
    void programmaticSettingsAreValidatedByConclude() {
        final BrokerException ex = assertThrows(BrokerException.class,
            () -> new BrokerContext().port(-1).conclude());
        assertTrue(ex.getMessage().contains("broker.port"));
        assertThrows(BrokerException.class, () -> Broker.launch(new BrokerContext().dataDir(dir).sessionTimeoutMs(1)));
    }

    @Test
    void topicOverridesAcceptShortNamesAndRefuseWhatIsNotSupported() {
        final TopicConfig defaults = TopicConfig.defaults(props("log.segment.bytes", "65536"));
        final TopicConfig topic = defaults.withOverrides(Map.of(
            "retention.ms", "1000", "segment.bytes", "8192", "flush.ms", "50", "max.message.bytes", "4096",
            "message.timestamp.type", "logappendtime", "cleanup.policy", "delete", "log.retention.bytes", "999"));
        assertEquals(1000, topic.logConfig().retentionMs());
        assertEquals(8192, topic.logConfig().segmentBytes());
        assertEquals(50, topic.logConfig().flushIntervalMs());
        assertEquals(4096, topic.logConfig().maxFrameLength());
        assertEquals(999, topic.logConfig().retentionBytes());
        assertTrue(topic.logAppendTime());
        assertEquals("LogAppendTime", topic.overrides().get("log.message.timestamp.type"));
        assertEquals(65536, defaults.logConfig().segmentBytes());

        final BrokerException compact = assertThrows(BrokerException.class,
            () -> defaults.withOverrides(Map.of("cleanup.policy", "compact")));
        assertEquals(ErrorCode.INVALID_CONFIG, compact.code());
        assertTrue(compact.getMessage().contains("not supported"));
        final BrokerException unknown = assertThrows(BrokerException.class,
            () -> defaults.withOverrides(Map.of("compression.type", "lz4")));
        assertTrue(unknown.getMessage().contains("compression.type"));
        final BrokerException invalid = assertThrows(BrokerException.class,
            () -> defaults.withOverrides(Map.of("max.message.bytes", "999999999")));
        assertTrue(invalid.getMessage().contains("log.max.frame.bytes"), invalid.getMessage());
    }
}

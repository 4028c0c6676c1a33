package io.sequent.client;

import static io.sequent.client.TestSupport.client;
import static io.sequent.client.TestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;
import java.util.Random;

import io.aeron.ChannelUri;
import org.junit.jupiter.api.Test;

import io.sequent.codec.TransportMtu;

/**
 * {@link ClientConfig#TRANSPORT_MTU}: validated by Aeron's rules with a clear error, set on every ingress channel
 * and named in the response channel, and a client on a non-default MTU sends and reads records far larger than
 * one frame.
 */
class TransportMtuTest {
    private static String mtuOf(final String channel) {
        return ChannelUri.parse(channel).get("mtu");
    }

    @Test
    void badValuesGiveAClearErrorNamingTheKey() {
        assertEquals(TransportMtu.AUTO, new ClientConfig().transportMtu());
        assertEquals(TransportMtu.AUTO, config("auto").transportMtu());
        assertEquals(8192, config("8192").transportMtu());
        assertEquals(64, config("64").transportMtu());
        assertEquals(65504, config("65504").transportMtu());
        assertEquals("Invalid value '1500' for configuration transport.mtu: must be a multiple of 32 bytes "
            + "(Aeron's frame alignment), e.g. 1472", assertThrows(InvalidConfigException.class,
                () -> config("1500")).getMessage());
        assertEquals("Invalid value '65536' for configuration transport.mtu: must be 'auto' or between 64 and 65504 "
            + "bytes", assertThrows(InvalidConfigException.class, () -> config("65536")).getMessage());
        assertEquals("Invalid value 'large' for configuration transport.mtu: expected 'auto' or a number of bytes",
            assertThrows(InvalidConfigException.class, () -> config("large")).getMessage());
        assertThrows(InvalidConfigException.class, () -> config("32"));
        assertThrows(InvalidConfigException.class, () -> config("-64"));
        assertThrows(InvalidConfigException.class, () -> new ClientConfig().transportMtu(100));
        assertTrue(ClientConfig.unknownKeys(properties("transport.mtu", "4096")).isEmpty());
        assertEquals(4096, new ConsumerConfig(config("4096")).client().copy().transportMtu(), "copied");
    }

    @Test
    void ingressChannelsTakeTheConfiguredMtuOrTheOneAutoChooses() {
        assertEquals("65504", mtuOf(ClientConnection.ingressChannel("127.0.0.1:9090", TransportMtu.AUTO)));
        assertEquals("65504", mtuOf(ClientConnection.ingressChannel("localhost:9090", TransportMtu.AUTO)));
        assertEquals("1408", mtuOf(ClientConnection.ingressChannel("10.0.0.5:9090", TransportMtu.AUTO)));
        assertEquals("1408", mtuOf(ClientConnection.ingressChannel("broker.example.com:9090", TransportMtu.AUTO)));
        assertEquals("4096", mtuOf(ClientConnection.ingressChannel("10.0.0.5:9090", 4096)));
        final String named = "aeron:udp?endpoint=10.0.0.5:9090|mtu=8192";
        assertEquals("8192", mtuOf(ClientConnection.ingressChannel(named, TransportMtu.AUTO)), "a member's own wins");
        assertEquals("2048", mtuOf(ClientConnection.ingressChannel(named, 2048)), "the configured one wins over it");
        final String channel = ClientConnection.ingressChannel("10.0.0.5:9090", 4096);
        assertEquals("16m", ChannelUri.parse(channel).get("term-length"));
        assertEquals(channel, ClientConnection.ingressChannel(channel, 4096), "normalising is idempotent");
    }

    @Test
    void aClientOnANonDefaultMtuProducesAndConsumesRecordsOfManyFrames() {
        try (FakeBroker broker = new FakeBroker()) {
            broker.createTopic("mtu", 1);
            final ClientConfig config = client(broker).transportMtu(1024);
            final Random random = new Random(42);
            final byte[][] values = {new byte[10], new byte[1000], new byte[100_000], new byte[700_000], new byte[3]};
            for (final byte[] value : values) {
                random.nextBytes(value);
            }
            try (Producer producer = new Producer(new ProducerConfig(config).lingerMs(0))) {
                for (final byte[] value : values) {
                    producer.send(new ProducerRecord("mtu", 0, null, null, value, null));
                }
                producer.flush();
                assertEquals(1024, broker.ingressMtu(), "the ingress publication's frames");
                assertEquals("1024", mtuOf(broker.lastResponseChannel()), "the response channel names it");
            }
            try (Consumer consumer = new Consumer(new ConsumerConfig(config).autoOffsetReset("earliest"))) {
                consumer.assign(List.of(new TopicPartition("mtu", 0)));
                final List<ConsumerRecord> records = pollUntil(consumer, values.length);
                assertEquals(values.length, records.size());
                for (int i = 0; i < values.length; i++) {
                    assertArrayEquals(values[i], records.get(i).value(), "record " + i);
                }
                assertEquals("1024", mtuOf(broker.lastResponseChannel()));
            }
        }
    }

    @Test
    void autoIsTheLargestTowardsALoopbackBroker() {
        try (FakeBroker broker = new FakeBroker();
            Producer producer = new Producer(new ProducerConfig(client(broker)).lingerMs(0))) {
            broker.createTopic("auto", 1);
            producer.send(new ProducerRecord("auto", 0, null, null, new byte[5000], null));
            producer.flush();
            assertEquals(TransportMtu.LOOPBACK, broker.ingressMtu());
            assertEquals(Integer.toString(TransportMtu.LOOPBACK), mtuOf(broker.lastResponseChannel()));
        }
    }

    private static ClientConfig config(final String mtu) {
        return ClientConfig.fromProperties(properties("transport.mtu", mtu));
    }

    private static Properties properties(final String key, final String value) {
        final Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }
}

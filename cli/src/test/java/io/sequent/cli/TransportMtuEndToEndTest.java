package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Clients on MTUs other than the defaults against an in-process broker on another one: a producer on a media
 * driver of its own (its ingress datagrams really cross UDP at {@code transport.mtu=1024}) and a consumer whose
 * responses come back in 2,048-byte frames send and read every record intact, records of many frames included.
 */
class TransportMtuEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void recordsOfManyFramesRoundTripOnNonDefaultMtus() {
        final String aeronDir = "/dev/shm/sequent-mtu-test-" + UUID.randomUUID();
        final BrokerContext context = new BrokerContext().port(0).dataDir(dataDir).aeronDir(aeronDir)
            .idleStrategy("backoff").driverIdleStrategy("backoff").transportMtu(4096)
            .topicDefault("log.segment.bytes", Integer.toString(4 << 20))
            .topicDefault("log.preallocate", "false");
        final Random random = new Random(7);
        final List<byte[]> values = new ArrayList<>();
        for (final int size : new int[]{1, 100, 1024, 1377, 20_000, 300_000, 900_000, 50}) {
            final byte[] value = new byte[size];
            random.nextBytes(value);
            values.add(value);
        }
        try (Broker broker = Broker.launch(context)) {
            final ClientConfig onBroker = new ClientConfig().bootstrap(broker.ingressEndpoint())
                .aeronDirectory(broker.aeronDirectoryName());
            try (Admin admin = Admin.create(onBroker.copy().clientId("admin"))) {
                admin.createTopic("frames", 1, Map.of());
            }
            final ClientConfig ownDriver = new ClientConfig().bootstrap(broker.ingressEndpoint()).transportMtu(1024)
                .clientId("producer");
            try (Producer producer = new Producer(new ProducerConfig(ownDriver).lingerMs(0))) {
                for (final byte[] value : values) {
                    producer.send(new ProducerRecord("frames", 0, null, null, value, null));
                }
                producer.flush();
            }
            final ConsumerConfig consumerConfig = new ConsumerConfig(onBroker.copy().transportMtu(2048)
                .clientId("consumer")).autoOffsetReset("earliest").fetchMaxWaitMs(50);
            try (Consumer consumer = new Consumer(consumerConfig)) {
                consumer.assign(List.of(new TopicPartition("frames", 0)));
                final List<ConsumerRecord> records = new ArrayList<>();
                final long deadline = System.nanoTime() + WAIT.toNanos();
                while (records.size() < values.size()) {
                    if (System.nanoTime() > deadline) {
                        fail("consumed " + records.size() + " of " + values.size() + " records");
                    }
                    for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(50))) {
                        records.add(record);
                    }
                }
                assertEquals(values.size(), records.size());
                for (int i = 0; i < values.size(); i++) {
                    assertEquals(i, records.get(i).offset());
                    assertArrayEquals(values.get(i), records.get(i).value(), "record " + i);
                }
            }
        }
    }
}

package io.sequent.client;

import static io.sequent.client.TestSupport.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MetadataRequestDecoder;

/**
 * Sessions: unreachable brokers, timeouts, redirects, media driver modes.
 */
class ConnectionTest {
    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void noBrokerOnThePortIsReportedWithinTheConnectTimeout() throws Exception {
        final Set<String> before = TestSupport.driverDirectories();
        final ClientConfig config = new ClientConfig()
            .bootstrap("127.0.0.1:" + freeUdpPort())
            .connectTimeout(Duration.ofMillis(1_000));
        final long start = System.nanoTime();
        final BrokerUnreachableException ex =
            assertThrows(BrokerUnreachableException.class, () -> Admin.create(config));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs >= 900 && elapsedMs < 4_000, "reported after " + elapsedMs + " ms");
        assertTrue(ex.isRetriable());
        assertTrue(ex.getMessage().contains("no broker reachable"), ex.getMessage());
        assertEquals(before, TestSupport.driverDirectories(), "the embedded driver's directory is removed");
        assertThrows(BrokerUnreachableException.class,
            () -> new Producer(new ProducerConfig(config.copy().connectTimeout(Duration.ofMillis(300)))));
        assertThrows(BrokerUnreachableException.class,
            () -> new Consumer(new ConsumerConfig(config.copy().connectTimeout(Duration.ofMillis(300)))));
    }

    @Test
    void anUnresolvableBrokerHostIsReportedAtOnceNamingTheHost() {
        final Set<String> before = TestSupport.driverDirectories();
        final ClientConfig config = new ClientConfig()
            .bootstrap("no-such-host.invalid:9090")
            .connectTimeout(Duration.ofMillis(20_000));
        final long start = System.nanoTime();
        final BrokerUnreachableException ex =
            assertThrows(BrokerUnreachableException.class, () -> Admin.create(config));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs < 10_000, "reported after " + elapsedMs + " ms, not at once");
        assertTrue(ex.getMessage().contains("cannot resolve the broker host no-such-host.invalid"), ex.getMessage());
        assertEquals(before, TestSupport.driverDirectories(), "no media driver was started");
    }

    @Test
    void aLostSessionIsReestablishedAndTheProducerCarriesOn() throws Exception {
        final int port = freeUdpPort();
        FakeBroker broker = new FakeBroker(port);
        try {
            broker.createTopic("restart", 1);
            final ProducerConfig config = new ProducerConfig(client(broker).requestTimeout(Duration.ofSeconds(2))
                .reconnectBackoff(Duration.ofMillis(50))).retryBackoffMs(50).deliveryTimeoutMs(60_000);
            try (Producer producer = new Producer(config)) {
                assertEquals(0, producer.send(new ProducerRecord("restart", TestSupport.bytes("before")))
                    .get(20, TimeUnit.SECONDS).offset());
                broker.close();
                broker = new FakeBroker(port);
                broker.createTopic("restart", 1);
                final long start = System.nanoTime();
                final RecordMetadata metadata = producer.send(new ProducerRecord("restart", TestSupport.bytes("after")))
                    .get(30, TimeUnit.SECONDS);
                assertEquals(0, metadata.offset(), "written once, to the new broker's empty log");
                assertEquals(1, broker.endOffset("restart", 0));
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));
            }
        } finally {
            broker.close();
        }
    }

    @Test
    void theFirstReachableBootstrapAddressIsUsed() throws Exception {
        try (FakeBroker broker = new FakeBroker();
            Admin admin =
                Admin.create(client(broker).bootstrap("127.0.0.1:" + freeUdpPort() + "," + broker.bootstrap()))) {
            admin.createTopic("reached", 1, Map.of());
            assertTrue(broker.hasTopic("reached"));
        }
    }

    @Test
    void anUnansweredRequestTimesOut() throws Exception {
        try (FakeBroker broker = new FakeBroker();
            Admin admin = Admin.create(client(broker).requestTimeout(Duration.ofMillis(800)))) {
            // the session's own metadata request, which learns the members, goes first
            TestSupport.await(() -> broker.received(MetadataRequestDecoder.TEMPLATE_ID) >= 1, "the session's metadata");
            broker.dropNext(MetadataRequestDecoder.TEMPLATE_ID, 1);
            final long start = System.nanoTime();
            final RequestTimeoutException ex = assertThrows(RequestTimeoutException.class, admin::listTopics);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMs >= 750 && elapsedMs < 3_000, "timed out after " + elapsedMs + " ms");
            assertEquals(ErrorCode.REQUEST_TIMED_OUT, ex.errorCode());
            assertTrue(ex.isRetriable());
            assertEquals(List.of(), admin.listTopics(), "the session is still usable");
        }
    }

    @Test
    void aFollowerRedirectsTheClientToTheLeader() throws Exception {
        try (FakeBroker leader = new FakeBroker(); FakeBroker follower = new FakeBroker()) {
            follower.redirectTo(leader.ingressChannel());
            try (Admin admin = Admin.create(client(follower))) {
                admin.createTopic("led", 2, Map.of());
            }
            assertTrue(leader.hasTopic("led"));
            assertFalse(follower.hasTopic("led"));
            assertEquals(0, follower.sessionCount());
        }
    }

    @Test
    void aRunningMediaDriverCanBeShared() throws Exception {
        try (FakeBroker broker = new FakeBroker()) {
            final Set<String> before = TestSupport.driverDirectories();
            try (Admin admin = Admin.create(client(broker).aeronDirectory(broker.directory()))) {
                admin.createTopic("shared", 1, Map.of());
                assertEquals(before, TestSupport.driverDirectories(), "no embedded driver started");
            }
            assertTrue(broker.hasTopic("shared"));
        }
    }

    @Test
    void theEmbeddedDriverDirectoryIsDeletedOnClose() throws Exception {
        try (FakeBroker broker = new FakeBroker()) {
            final Set<String> before = TestSupport.driverDirectories();
            final Set<String> during;
            try (Admin admin = Admin.create(client(broker))) {
                admin.listTopics();
                during = new HashSet<>(TestSupport.driverDirectories());
            }
            during.removeAll(before);
            assertEquals(1, during.size(), "one embedded driver per client: " + during);
            assertEquals(before, TestSupport.driverDirectories());
        }
    }

    @Test
    void theSessionSendsDisconnectOnClose() throws Exception {
        try (FakeBroker broker = new FakeBroker()) {
            final Admin admin = Admin.create(client(broker));
            assertEquals(1, broker.sessionCount());
            admin.close();
            TestSupport.await(() -> broker.sessionCount() == 0, "the session to end");
            assertThrows(IllegalStateException.class, admin::listTopics);
        }
    }
}

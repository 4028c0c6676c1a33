package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Launching against an external media driver, and launch failures that name their cause. */
class LaunchTest {
    @TempDir
    Path first;

    @TempDir
    Path second;

    @Test
    void aBrokerCanUseAMediaDriverAlreadyRunning() {
        try (Broker host = Broker.launch(TestSupport.context(first));
            Broker guest = Broker.launch(TestSupport.context(second)
                .embeddedDriver(false)
                .aeronDir(host.aeronDirectoryName()));
            TestClient client = new TestClient(guest)) {
            assertTrue(!guest.ingressEndpoint().equals(host.ingressEndpoint()));
            client.connect("external-driver");
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);
            assertEquals(0, client.produce("t", 0, Acks.ALL, TestSupport.batch("v")).baseOffset);
            assertEquals(java.util.List.of(), host.topicNames(), "the brokers share the driver, not their data");
        }
    }

    @Test
    void aPortInUseFailsTheLaunchNamingTheSetting() {
        try (Broker running = Broker.launch(TestSupport.context(first))) {
            final int port = Integer.parseInt(running.ingressEndpoint().split(":")[1]);
            final BrokerException ex = assertThrows(BrokerException.class,
                () -> Broker.launch(TestSupport.context(second).port(port)));
            assertTrue(ex.getMessage().contains("broker.port"), ex.getMessage());
        }
        try (Broker relaunched = Broker.launch(TestSupport.context(second))) {
            assertTrue(relaunched.ingressEndpoint().startsWith("127.0.0.1:"), "a failed launch leaves nothing held");
        }
    }

    @Test
    void aSecondBrokerOnTheSamePortLeavesTheFirstOnesDriverAlone() throws Exception {
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        final BrokerContext firstContext = TestSupport.context(first).port(port);
        try (Broker running = Broker.launch(firstContext);
            TestClient client = new TestClient(running)) {
            final BrokerException sameDriverDir = assertThrows(BrokerException.class,
                () -> Broker.launch(TestSupport.context(second).port(port).aeronDir(firstContext.aeronDir())));
            assertTrue(sameDriverDir.getMessage().contains("port " + port + " is in use by another broker"),
                sameDriverDir.getMessage());
            final BrokerException otherDriverDir = assertThrows(BrokerException.class,
                () -> Broker.launch(TestSupport.context(second).port(port)));
            assertTrue(otherDriverDir.getMessage().contains("port " + port + " is in use"),
                otherDriverDir.getMessage());
            assertTrue(java.nio.file.Files.exists(Path.of(firstContext.aeronDir(), "cnc.dat")));
            client.connect("still-serving");
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);
            assertEquals(0, client.produce("t", 0, Acks.ALL, TestSupport.batch("v")).baseOffset);
        }
    }
}

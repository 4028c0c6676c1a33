package io.sequent.broker;

import io.sequent.codec.TransportMtu;
import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ConnectRequestEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The MTU of a client's response publication: the one its response channel names, else
 * {@link BrokerContext#TRANSPORT_MTU_PROP}, whose {@code auto} takes the largest towards a loopback address; and a
 * fetch response far above the MTU arrives whole.
 */
class ResponseMtuTest {
    @TempDir
    Path dataDir;

    private static int responseMtu(final Broker broker, final String params) {
        try (TestClient client = new TestClient(broker)) {
            client.responseParams(params);
            client.connect("mtu");
            final long deadline = System.currentTimeMillis() + TestClient.TIMEOUT_MS;
            while (client.responseMtu() < 0 && System.currentTimeMillis() < deadline) {
                TestClient.sleep(1);
            }
            return client.responseMtu();
        }
    }

    @Test
    void autoTakesTheLargestTowardsLoopbackAndTheClientsOwnWins() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir))) {
            assertEquals(TransportMtu.LOOPBACK, responseMtu(broker, ""));
            assertEquals(4096, responseMtu(broker, "|mtu=4096"));
        }
    }

    @Test
    void theBrokerSettingAppliesWhenTheClientNamesNone() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir).transportMtu(2048))) {
            assertEquals(2048, responseMtu(broker, ""));
            assertEquals(8192, responseMtu(broker, "|mtu=8192"));
        }
    }

    @Test
    void aResponseChannelNamingAnMtuAeronRefusesIsCountedAndOthersAreServed() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient bad = new TestClient(broker)) {
            final long malformed = broker.counters().malformedRequests.get();
            final ConnectRequestEncoder encoder = new ConnectRequestEncoder();
            encoder.wrapAndApplyHeader(bad.buffer(), 0, bad.headerEncoder())
                .correlationId(bad.nextCorrelationId())
                .responseStreamId(1002)
                .protocolVersion(ConnectRequestEncoder.SCHEMA_VERSION)
                .responseChannel(bad.responseChannel() + "|mtu=1000")
                .clientId("bad-mtu");
            bad.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
            final long deadline = System.currentTimeMillis() + TestClient.TIMEOUT_MS;
            while (broker.counters().malformedRequests.get() == malformed && System.currentTimeMillis() < deadline) {
                TestClient.sleep(1);
            }
            assertEquals(malformed + 1, broker.counters().malformedRequests.get(), "counted as malformed");
            assertEquals(0, broker.sessionCount(), "no session for a channel that cannot be answered");
            assertEquals(TransportMtu.LOOPBACK, responseMtu(broker, ""), "the next client is served");
        }
    }

    @Test
    void aFetchResponseOfManyFramesArrivesWhole() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir).transportMtu(TransportMtu.MIN * 4));
            TestClient client = new TestClient(broker)) {
            client.connect("fetch");
            client.createTopic("big", 1);
            final String value = "x".repeat(60_000);
            assertEquals(ErrorCode.NONE, client.produce("big", 0, Acks.LEADER, TestSupport.batch(value, "after")).code);
            final TestClient.FetchedPartition fetched = client.fetch("big", 0, 0, 0, 1 << 20).partition(0);
            assertEquals(256, client.responseMtu(), "about 250 frames for the one response");
            assertEquals(List.of(value, "after"),
                TestSupport.values(TestSupport.records(fetched.records, fetched.highWatermark)));
        }
    }
}

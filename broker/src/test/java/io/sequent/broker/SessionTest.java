package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ConnectRequestEncoder;
import io.sequent.codec.client.ConnectResponseDecoder;
import io.sequent.codec.client.DescribeGroupsRequestEncoder;
import io.sequent.codec.client.DescribeGroupsResponseDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MemberJoinRequestEncoder;
import io.sequent.codec.client.MetadataRequestEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Sessions open, end on disconnect, on a lost client and on timeout, and are never reused. */
class SessionTest {
    @TempDir
    Path dataDir;

    private static void await(final BooleanSupplier condition, final String what) {
        final long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting until " + what);
            }
            TestClient.sleep(10);
        }
    }

    @Test
    void disconnectEndsTheSessionAndItsIdIsNotReused() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("first");
            final long first = client.sessionId();
            client.connect("second");
            final long second = client.sessionId();
            assertNotEquals(first, second);
            assertEquals(2, broker.sessionCount());

            client.sessionId(first);
            client.disconnect();
            await(() -> broker.sessionCount() == 1, "the session ended");
            final long correlationId = client.nextCorrelationId();
            final MetadataRequestEncoder encoder = new MetadataRequestEncoder();
            encoder.wrapAndApplyHeader(client.buffer(), 0, client.headerEncoder())
                .correlationId(correlationId)
                .sessionId(first)
                .topicsCount(0);
            client.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
            assertEquals(ErrorCode.UNKNOWN_SESSION, TestClient.errorReply(client.await(correlationId)).code,
                "the ended session is unknown; answered over the other session of the same client");

            client.connect("third");
            assertTrue(client.sessionId() != first && client.sessionId() != second, "ids are never reused");
        }
    }

    @Test
    void aClosedClientsSessionsEnd() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir))) {
            final TestClient client = new TestClient(broker);
            client.connect("leaving");
            assertEquals(1, broker.sessionCount());
            client.close();
            await(() -> broker.sessionCount() == 0, "the lost client's session ended");
            assertEquals(1, broker.counters().sessionsClosed.get());
        }
    }

    @Test
    void idleSessionsTimeOutAndBusyOnesDoNot() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir).sessionTimeoutMs(1_000)
            .topicDefault("log.flush.policy", "none"));
            TestClient idle = new TestClient(broker);
            TestClient busy = new TestClient(broker)) {
            busy.connect("busy");
            assertEquals(ErrorCode.NONE, busy.createTopic("t", 1).code);
            final ConnectResponseDecoder response = idle.connect("idle");
            assertEquals(1_000, response.sessionTimeoutMs());
            final long start = System.currentTimeMillis();
            while (System.currentTimeMillis() - start < 2_500) {
                assertEquals(ErrorCode.NONE, busy.produce("t", 0, Acks.LEADER, TestSupport.batch("ping")).code);
                TestClient.sleep(50);
            }
            await(() -> broker.sessionCount() == 1, "the idle session expired");
            assertEquals(ErrorCode.NONE, busy.produce("t", 0, Acks.LEADER, TestSupport.batch("still")).code,
                "the busy session is still open");
            assertEquals(1, broker.counters().sessionsTimedOut.get());
        }
    }

    @Test
    void tooManySessionsIsRefusedWithAReason() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir).maxSessions(1));
            TestClient client = new TestClient(broker)) {
            assertEquals(ErrorCode.NONE, client.connect("one").errorCode());
            final ConnectResponseDecoder refused = client.connect("two");
            assertEquals(ErrorCode.POLICY_VIOLATION, refused.errorCode());
            refused.sbeRewind();
            refused.correlationId();
            refused.sessionId();
            refused.brokerId();
            refused.leaderId();
            refused.leaderEpoch();
            refused.sessionTimeoutMs();
            refused.protocolVersion();
            refused.errorCode();
            refused.leaderIngressChannel();
            assertTrue(refused.message().contains(BrokerContext.MAX_SESSIONS_PROP));
        }
    }

    @Test
    void anOlderClientGetsResponsesWrittenForItsVersion() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            final ConnectResponseDecoder connected = client.connect("v1", 1);
            assertEquals(ErrorCode.NONE, connected.errorCode());
            assertEquals(1, connected.protocolVersion(), "the version both sides use");
            assertEquals(1, connected.actingVersion(), "the response header carries the client's version");
            assertEquals(ErrorCode.NONE, client.createTopic("old", 1).code);
            final long correlationId = client.sendProduce("old", 0, Acks.ALL,
                TestSupport.batch("v"), 0, TestSupport.batch("v").capacity(), 0);
            final TestClient.Response response = client.await(correlationId);
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(response.frame, 0);
            assertEquals(1, header.version());
            assertEquals(34, header.blockLength(), "without version 2's logStartOffset");
            final TestClient.ProduceResult produced = TestClient.produceResult(response);
            assertEquals(ErrorCode.NONE, produced.code);
            assertEquals(-1, produced.logStartOffset, "read as its null value by a version-2 decoder");
            assertEquals(0, client.invalidResponses, "every response passed ProtocolFrames.validate");
        }
    }

    @Test
    void aSessionsHostIsTheAddressOfItsResponseChannel() {
        assertEquals("10.0.0.7", Session.host("aeron:udp?endpoint=10.0.0.7:40123|term-length=65536"));
        assertEquals("::1", Session.host("aeron:udp?endpoint=[::1]:40123"));
        assertEquals("client.example", Session.host("aeron:udp?endpoint=client.example:40123"));
        assertEquals("ipc", Session.host("aeron:ipc"));
        assertEquals("", Session.host("aeron:udp?control=10.0.0.7:40123"), "no endpoint");
        assertEquals("", Session.host("not a channel"));
    }

    @Test
    void describeGroupsNamesEachMembersHostExceptToAVersionTwoClient() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("member");
            assertEquals(ErrorCode.NONE, client.createTopic("t", 2).code);
            final long joinId = client.nextCorrelationId();
            final MemberJoinRequestEncoder join = new MemberJoinRequestEncoder();
            join.wrapAndApplyHeader(client.buffer(), 0, client.headerEncoder())
                .correlationId(joinId)
                .sessionId(client.sessionId())
                .sessionTimeoutMs(10_000)
                .rebalanceTimeoutMs(10_000)
                .maxPollIntervalMs(0)
                .assignor(io.sequent.codec.client.Assignor.STICKY)
                .memberEpoch(GroupCoordinator.JOIN_EPOCH)
                .topicsCount(1).next().name("t");
            join.groupId("g").memberId("").instanceId("");
            client.send(MessageHeaderEncoder.ENCODED_LENGTH + join.encodedLength());
            assertEquals(io.sequent.codec.client.JoinGroupResponseDecoder.TEMPLATE_ID,
                client.await(joinId).templateId);

            final DescribedMember current = describeGroup(client, MessageHeaderEncoder.SCHEMA_VERSION);
            assertEquals("member", current.clientId());
            assertEquals("127.0.0.1", current.host(), "the address of the member's response channel");

            client.connect("old", 2);
            final DescribedMember old = describeGroup(client, 2);
            assertEquals("member", old.clientId());
            assertEquals("", old.host(), "a version-2 frame has no host; a version-3 decoder reads it as empty");
            assertEquals(0, client.invalidResponses, "both layouts passed ProtocolFrames.validate");
        }
    }

    @Test
    void aJoinSentAgainUnderTheClientsMemberIdIsOneMember() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("member");
            assertEquals(ErrorCode.NONE, client.createTopic("t", 2).code);
            final String chosen = java.util.UUID.randomUUID().toString();
            assertEquals(chosen, TestClient.joined(client.memberJoin("g", chosen, "t"))[0]);
            assertEquals(chosen, TestClient.joined(client.memberJoin("g", chosen, "t"))[0], "the answer was lost");
            assertEquals("member", describeGroup(client, MessageHeaderEncoder.SCHEMA_VERSION).clientId(),
                "one member: describeGroup checks the count");
        }
    }

    /** A member as DescribeGroups answered it. */
    private record DescribedMember(String clientId, String host) {
    }

    /** DescribeGroups of "g" over the client's current session; checks the frame is decoded to its last byte. */
    private static DescribedMember describeGroup(
        final TestClient client, final int expectedVersion) {
        final long correlationId = client.nextCorrelationId();
        final DescribeGroupsRequestEncoder encoder = new DescribeGroupsRequestEncoder();
        encoder.wrapAndApplyHeader(client.buffer(), 0, client.headerEncoder())
            .correlationId(correlationId)
            .sessionId(client.sessionId())
            .groupsCount(1).next().groupId("g");
        client.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final TestClient.Response response = client.await(correlationId);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(response.frame, 0);
        assertEquals(expectedVersion, header.version());
        final DescribeGroupsResponseDecoder decoder =
            new DescribeGroupsResponseDecoder().wrapAndApplyHeader(response.frame, 0, header);
        final DescribeGroupsResponseDecoder.GroupsDecoder groups = decoder.groups();
        assertEquals(1, groups.count());
        groups.next();
        final DescribeGroupsResponseDecoder.GroupsDecoder.MembersDecoder members = groups.members();
        assertEquals(1, members.count());
        members.next();
        for (final DescribeGroupsResponseDecoder.GroupsDecoder.MembersDecoder.AssignedTopicsDecoder topic :
            members.assignedTopics()) {
            topic.partitions().forEach(p -> p.partition());
            assertEquals("t", topic.topic());
        }
        assertTrue(!members.memberId().isEmpty());
        final String clientId = members.clientId();
        final String host = members.host();
        assertEquals("g", groups.groupId(), "the group id after the member: the layout was read right");
        assertEquals(response.frame.capacity() - MessageHeaderEncoder.ENCODED_LENGTH, decoder.sbeDecodedLength());
        return new DescribedMember(clientId, host);
    }

    @Test
    void protocolVersionZeroIsRefused() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            final long correlationId = client.nextCorrelationId();
            final ConnectRequestEncoder encoder = new ConnectRequestEncoder();
            encoder.wrapAndApplyHeader(client.buffer(), 0, client.headerEncoder())
                .correlationId(correlationId)
                .responseStreamId(1002)
                .protocolVersion(0)
                .responseChannel(client.responseChannel())
                .clientId("old");
            client.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
            final TestClient.Response response = client.await(correlationId);
            final ConnectResponseDecoder decoder = new ConnectResponseDecoder();
            decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
            assertEquals(ErrorCode.UNSUPPORTED_VERSION, decoder.errorCode());
            assertEquals(0, broker.sessionCount());
        }
    }
}

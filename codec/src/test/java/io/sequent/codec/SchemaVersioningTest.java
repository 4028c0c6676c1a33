package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sequent.codec.client.Assignor;
import io.sequent.codec.client.DescribeGroupsResponseDecoder;
import io.sequent.codec.client.DescribeGroupsResponseEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.FetchRequestDecoder;
import io.sequent.codec.client.FetchRequestEncoder;
import io.sequent.codec.client.GroupState;
import io.sequent.codec.client.IsolationLevel;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataResponseDecoder;
import io.sequent.codec.client.MetadataResponseEncoder;
import io.sequent.codec.client.ProduceResponseDecoder;
import io.sequent.codec.client.ProduceResponseEncoder;

/**
 * Client schema version 2 added ProduceResponse.logStartOffset (a fixed field) and FetchRequest.rackId
 * (var data). A version-1 peer writes neither; the version-2 decoders read its frames with acting
 * version 1 and see the null value / empty string, and read version-2 frames in full. Version 3 added
 * each member's host to DescribeGroupsResponse (var data inside a nested group). Version 4 added
 * MetadataResponse.message (trailing var data).
 */
class SchemaVersioningTest {
    private static final int V1 = 1;
    private static final int V2 = 2;
    private static final int V3 = 3;
    private static final int V4 = 4;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    @Test
    void versionTwoAddedAFixedFieldAndAVarDataField() {
        assertEquals(V4, ProduceResponseEncoder.SCHEMA_VERSION);
        assertEquals(V2, ProduceResponseDecoder.logStartOffsetSinceVersion());
        assertEquals(V2, FetchRequestDecoder.rackIdSinceVersion());
        assertEquals(-1L, ProduceResponseDecoder.logStartOffsetNullValue());
    }

    @Test
    void versionOneProduceResponseReadsLogStartOffsetAsNull() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = writeProduceResponseV1(buffer);
        assertEquals(MessageHeaderEncoder.ENCODED_LENGTH + 34, length, "a version-1 block is 34 bytes");
        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, length));

        assertEquals(V1, headerDecoder.wrap(buffer, 0).version());
        final ProduceResponseDecoder decoder = produceResponse(buffer);
        assertEquals(V1, decoder.actingVersion());
        assertEquals(34, decoder.encodedLength());
        assertEquals(11L, decoder.correlationId());
        assertEquals(500L, decoder.baseOffset());
        assertEquals(3, decoder.partition());
        assertEquals(ErrorCode.NONE, decoder.errorCode());
        assertEquals(ProduceResponseDecoder.logStartOffsetNullValue(), decoder.logStartOffset());
        assertEquals(length - MessageHeaderEncoder.ENCODED_LENGTH, decoder.sbeDecodedLength());
    }

    @Test
    void versionTwoProduceResponseReadsLogStartOffset() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ProduceResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(11L).baseOffset(500L).logAppendTime(-1L).partition(3).leaderId(-1)
            .errorCode(ErrorCode.NONE).logStartOffset(123L).encodedLength();
        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, length));

        assertEquals(V4, headerDecoder.wrap(buffer, 0).version());
        final ProduceResponseDecoder decoder = produceResponse(buffer);
        assertEquals(123L, decoder.logStartOffset());
        assertEquals(500L, decoder.baseOffset());
    }

    @Test
    void versionOneFetchRequestHasNoRackId() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final FetchRequestEncoder encoder = new FetchRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(12L).sessionId(5L).maxWaitMs(100).minBytes(1).maxBytes(1024)
            .isolation(IsolationLevel.READ_COMMITTED);
        encoder.partitionsCount(1).next().fetchOffset(7L).partition(0).partitionMaxBytes(512);
        encoder.topic("orders");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        buffer.putShort(6, (short) V1);

        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, length));
        final UnsafeBuffer withTrailingBytes = SampleFrames.copy(buffer, length + 4);
        assertEquals(FrameError.LENGTH_MISMATCH, ProtocolFrames.validate(withTrailingBytes, 0, length + 4),
            "a version-1 frame ends after the topic");

        headerDecoder.wrap(buffer, 0);
        final FetchRequestDecoder decoder = new FetchRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(V1, decoder.actingVersion());
        assertEquals(12L, decoder.correlationId());
        final FetchRequestDecoder.PartitionsDecoder partitions = decoder.partitions();
        assertEquals(1, partitions.count());
        assertEquals(7L, partitions.next().fetchOffset());
        assertEquals("orders", decoder.topic());
        assertEquals("", decoder.rackId());
        assertEquals(length - MessageHeaderEncoder.ENCODED_LENGTH, decoder.sbeDecodedLength());
    }

    @Test
    void versionTwoFetchRequestReadsRackId() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final FetchRequestEncoder encoder = new FetchRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(12L).sessionId(5L).maxWaitMs(100).minBytes(1).maxBytes(1024)
            .isolation(IsolationLevel.READ_UNCOMMITTED);
        encoder.partitionsCount(0);
        encoder.topic("orders").rackId("eu-west-1a");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();

        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, length));
        buffer.putShort(6, (short) V1);
        assertEquals(FrameError.LENGTH_MISMATCH, ProtocolFrames.validate(buffer, 0, length),
            "read as version 1, the rackId bytes are trailing garbage");
        buffer.putShort(6, (short) V2);

        headerDecoder.wrap(buffer, 0);
        final FetchRequestDecoder decoder = new FetchRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(V2, decoder.actingVersion());
        assertEquals(0, decoder.partitions().count());
        assertEquals("orders", decoder.topic());
        assertEquals("eu-west-1a", decoder.rackId());
    }

    @Test
    void versionTwoDescribeGroupsResponseReadsEachMembersHostAsEmpty() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final int v3Length = writeDescribeGroups(buffer, true);
        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, v3Length));
        assertEquals(List.of("m1@10.0.0.7", "m2@ipc"), members(buffer));
        buffer.putShort(6, (short) V2);
        assertNotEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, v3Length),
            "read as version 2, the hosts are misplaced bytes: the broker leaves them out for a version-2 session");

        final int v2Length = writeDescribeGroups(buffer, false);
        assertEquals(v3Length - 2 * 4 - "10.0.0.7".length() - "ipc".length(), v2Length,
            "a version-2 member entry ends after the client id");
        buffer.putShort(6, (short) V2);
        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, v2Length));
        assertEquals(List.of("m1@", "m2@"), members(buffer), "the second member still decodes after the first");
    }

    @Test
    void versionThreeMetadataResponseEndsBeforeTheMessage() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int v4Length = writeMetadata(buffer, "no leader in epoch 2");
        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, v4Length));
        final MetadataResponseDecoder full = metadata(buffer);
        assertEquals("c-1", full.clusterId());
        assertEquals("no leader in epoch 2", full.message());
        buffer.putShort(6, (short) V3);
        assertEquals(FrameError.LENGTH_MISMATCH, ProtocolFrames.validate(buffer, 0, v4Length),
            "read as version 3, the message is trailing bytes: the broker leaves it out for a version-3 session");

        final int v3Length = writeMetadata(buffer, null);
        buffer.putShort(6, (short) V3);
        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, v3Length));
        final MetadataResponseDecoder decoder = metadata(buffer);
        assertEquals("c-1", decoder.clusterId());
        assertEquals("", decoder.message(), "a version-3 frame has no message: the decoder reads it as empty");
    }

    private int writeMetadata(final UnsafeBuffer buffer, final String message) {
        final MetadataResponseEncoder encoder = new MetadataResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(5L).leaderId(-1).leaderEpoch(2).errorCode(ErrorCode.NONE);
        encoder.brokersCount(1).next().brokerId(0).ingressChannel("aeron:udp?endpoint=127.0.0.1:9090");
        encoder.topicsCount(0);
        encoder.clusterId("c-1");
        if (null != message) {
            encoder.message(message);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private MetadataResponseDecoder metadata(final UnsafeBuffer buffer) {
        final MetadataResponseDecoder decoder = new MetadataResponseDecoder().wrapAndApplyHeader(buffer, 0,
            headerDecoder);
        decoder.correlationId();
        decoder.leaderId();
        decoder.leaderEpoch();
        decoder.errorCode();
        for (final MetadataResponseDecoder.BrokersDecoder broker : decoder.brokers()) {
            broker.brokerId();
            broker.ingressChannel();
        }
        for (final MetadataResponseDecoder.TopicsDecoder topic : decoder.topics()) {
            topic.name();
        }
        return decoder;
    }

    @Test
    void versionOneBlockMustHoldEveryVersionOneField() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = writeProduceResponseV1(buffer);
        buffer.putShort(0, (short) 33);
        assertEquals(FrameError.BAD_BLOCK_LENGTH, ProtocolFrames.validate(buffer, 0, length - 1));
        buffer.putShort(0, (short) 34);
        buffer.putShort(6, (short) V2);
        assertEquals(FrameError.BAD_BLOCK_LENGTH, ProtocolFrames.validate(buffer, 0, length),
            "a version-2 frame needs the version-2 block");
    }

    @Test
    void largerBlockFromAPaddingEncoderIsSkipped() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = writeProduceResponseV1(buffer);
        buffer.putShort(0, (short) 40);
        assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, length + 6));
        final ProduceResponseDecoder decoder = produceResponse(buffer);
        assertEquals(length + 6 - MessageHeaderEncoder.ENCODED_LENGTH, decoder.sbeDecodedLength());
        assertEquals(ProduceResponseDecoder.logStartOffsetNullValue(), decoder.logStartOffset(), "still version 1");
    }

    private ProduceResponseDecoder produceResponse(final UnsafeBuffer buffer) {
        return new ProduceResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder.wrap(buffer, 0));
    }

    /**
     * A DescribeGroupsResponse of one group with two members, with their hosts or in the version-2 layout, without:
     * written with empty hosts whose 4-byte lengths are then cut out (the generated encoder wants every field).
     */
    private int writeDescribeGroups(final UnsafeBuffer buffer, final boolean withHost) {
        final DescribeGroupsResponseEncoder encoder =
            new DescribeGroupsResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(9L);
        final DescribeGroupsResponseEncoder.GroupsEncoder groups = encoder.groupsCount(1);
        groups.next().groupEpoch(4).errorCode(ErrorCode.NONE).state(GroupState.STABLE).assignor(Assignor.STICKY);
        final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder members = groups.membersCount(2);
        final String[] hosts = {"10.0.0.7", "ipc"};
        final int[] hostAt = new int[2];
        for (int i = 0; i < 2; i++) {
            members.next().memberEpoch(4);
            final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder.AssignedTopicsEncoder topics =
                members.assignedTopicsCount(1).next();
            topics.partitionsCount(1).next().partition(i);
            topics.topic("t");
            members.memberId("m" + (i + 1)).clientId("c");
            hostAt[i] = encoder.limit();
            members.host(withHost ? hosts[i] : "");
        }
        groups.groupId("g");
        int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        if (!withHost) {
            for (int i = 0; i < hostAt.length; i++) {
                final int at = hostAt[i] - i * 4;
                buffer.putBytes(at, buffer, at + 4, length - at - 4);
                length -= 4;
            }
        }
        return length;
    }

    /** Each member as memberId@host, and checks the group id that follows the members. */
    private List<String> members(final UnsafeBuffer buffer) {
        final DescribeGroupsResponseDecoder decoder =
            new DescribeGroupsResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder.wrap(buffer, 0));
        final DescribeGroupsResponseDecoder.GroupsDecoder groups = decoder.groups();
        groups.next();
        final List<String> out = new ArrayList<>();
        for (final DescribeGroupsResponseDecoder.GroupsDecoder.MembersDecoder member : groups.members()) {
            for (final DescribeGroupsResponseDecoder.GroupsDecoder.MembersDecoder.AssignedTopicsDecoder topic :
                member.assignedTopics()) {
                topic.partitions().forEach(p -> p.partition());
                assertEquals("t", topic.topic());
            }
            final String memberId = member.memberId();
            assertEquals("c", member.clientId());
            out.add(memberId + "@" + member.host());
        }
        assertEquals("g", groups.groupId());
        return out;
    }

    /** What a version-1 encoder writes: version-1 block length and version in the header, no logStartOffset. */
    private int writeProduceResponseV1(final UnsafeBuffer buffer) {
        new ProduceResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(11L).baseOffset(500L).logAppendTime(-1L).partition(3).leaderId(-1)
            .errorCode(ErrorCode.NONE);
        final int v1BlockLength = ProduceResponseDecoder.logStartOffsetEncodingOffset();
        headerEncoder.wrap(buffer, 0).blockLength(v1BlockLength).version(V1);
        return MessageHeaderEncoder.ENCODED_LENGTH + v1BlockLength;
    }
}

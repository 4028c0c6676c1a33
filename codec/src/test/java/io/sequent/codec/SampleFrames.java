package io.sequent.codec;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.Assignor;
import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ConnectRequestEncoder;
import io.sequent.codec.client.CreateTopicsRequestEncoder;
import io.sequent.codec.client.DescribeGroupsResponseEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.ErrorResponseEncoder;
import io.sequent.codec.client.FetchRequestEncoder;
import io.sequent.codec.client.FetchResponseEncoder;
import io.sequent.codec.client.GroupState;
import io.sequent.codec.client.IsolationLevel;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataResponseEncoder;
import io.sequent.codec.client.OffsetCommitRequestEncoder;
import io.sequent.codec.client.ProduceRequestEncoder;
import io.sequent.codec.client.ProduceResponseEncoder;
import io.sequent.codec.replication.AppendPositionEncoder;
import io.sequent.codec.replication.FollowerJoinResponseEncoder;
import io.sequent.codec.replication.ReplicatedBatchEncoder;
import io.sequent.codec.replication.RequestVoteEncoder;

/** Frames written by the generated encoders, as a client, broker or replica would write them. */
final class SampleFrames {
    /** A frame and its length. */
    static final class Frame {
        final String name;
        final UnsafeBuffer buffer;
        final int length;

        Frame(final String name, final UnsafeBuffer buffer, final int length) {
            this.name = name;
            this.buffer = buffer;
            this.length = length;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final MessageHeaderEncoder CLIENT_HEADER = new MessageHeaderEncoder();
    private static final io.sequent.codec.replication.MessageHeaderEncoder REPLICATION_HEADER =
        new io.sequent.codec.replication.MessageHeaderEncoder();

    private SampleFrames() {
    }

    static List<Frame> all() {
        final List<Frame> frames = new ArrayList<>();
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[4096]);
        final int batchLength = sampleBatch(batch, 0);

        frames.add(frame("ConnectRequest", (b) -> new ConnectRequestEncoder().wrapAndApplyHeader(b, 0, CLIENT_HEADER)
            .correlationId(1L).responseStreamId(1001).protocolVersion(2)
            .responseChannel("aeron:udp?endpoint=localhost:40123").clientId("client-1").encodedLength()));
        frames.add(frame("ProduceRequest", (b) -> new ProduceRequestEncoder().wrapAndApplyHeader(b, 0, CLIENT_HEADER)
            .correlationId(2L).sessionId(77L).partition(3).timeoutMs(30_000).acks(Acks.ALL)
            .topic("orders").putBatch(batch, 0, batchLength).encodedLength()));
        frames.add(frame("ProduceResponse", (b) -> new ProduceResponseEncoder().wrapAndApplyHeader(b, 0, CLIENT_HEADER)
            .correlationId(2L).baseOffset(1000L).logAppendTime(-1L).partition(3).leaderId(-1)
            .errorCode(ErrorCode.NONE).logStartOffset(0L).encodedLength()));
        frames.add(frame("FetchRequest", (b) -> {
            final FetchRequestEncoder fetch = new FetchRequestEncoder().wrapAndApplyHeader(b, 0, CLIENT_HEADER)
                .correlationId(3L).sessionId(77L).maxWaitMs(500).minBytes(1).maxBytes(1 << 20)
                .isolation(IsolationLevel.READ_COMMITTED);
            final FetchRequestEncoder.PartitionsEncoder partitions = fetch.partitionsCount(2);
            partitions.next().fetchOffset(0L).partition(0).partitionMaxBytes(65536);
            partitions.next().fetchOffset(42L).partition(1).partitionMaxBytes(65536);
            return fetch.topic("orders").rackId("rack-a").encodedLength();
        }));
        frames.add(frame("FetchResponse", (b) -> {
            final FetchResponseEncoder fetch = new FetchResponseEncoder().wrapAndApplyHeader(b, 0, CLIENT_HEADER)
                .correlationId(3L).leaderId(0).errorCode(ErrorCode.NONE);
            final FetchResponseEncoder.PartitionsEncoder partitions = fetch.partitionsCount(2);
            partitions.next().highWatermark(10L).logStartOffset(0L).partition(0).errorCode(ErrorCode.NONE)
                .putRecords(batch, 0, batchLength);
            partitions.next().highWatermark(0L).logStartOffset(0L).partition(1)
                .errorCode(ErrorCode.OFFSET_OUT_OF_RANGE).putRecords(batch, 0, 0);
            return fetch.topic("orders").encodedLength();
        }));
        frames.add(frame("MetadataResponse", (b) -> {
            final MetadataResponseEncoder metadata = new MetadataResponseEncoder()
                .wrapAndApplyHeader(b, 0, CLIENT_HEADER)
                .correlationId(4L).leaderId(1).leaderEpoch(7).errorCode(ErrorCode.NONE);
            final MetadataResponseEncoder.BrokersEncoder brokers = metadata.brokersCount(3);
            for (int i = 0; i < 3; i++) {
                brokers.next().brokerId(i).ingressChannel("aeron:udp?endpoint=host" + i + ":9000");
            }
            final MetadataResponseEncoder.TopicsEncoder topics = metadata.topicsCount(2);
            for (int t = 0; t < 2; t++) {
                final MetadataResponseEncoder.TopicsEncoder topic = topics.next()
                    .partitionCount(t + 1).errorCode(ErrorCode.NONE).internalTopic(BooleanType.FALSE);
                final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder partitions =
                    topic.partitionsCount(t + 1);
                for (int p = 0; p <= t; p++) {
                    partitions.next().partition(p).leaderId(1).leaderEpoch(7).errorCode(ErrorCode.NONE);
                }
                topic.name("topic-" + t);
            }
            return metadata.clusterId("cluster-x").message("").encodedLength();
        }));
        frames.add(frame("CreateTopicsRequest", (b) -> {
            final CreateTopicsRequestEncoder create = new CreateTopicsRequestEncoder()
                .wrapAndApplyHeader(b, 0, CLIENT_HEADER)
                .correlationId(5L).sessionId(77L).timeoutMs(1000).validateOnly(BooleanType.FALSE);
            final CreateTopicsRequestEncoder.TopicsEncoder topic = create.topicsCount(1).next()
                .partitions(6).replicationFactor((short) -1);
            final CreateTopicsRequestEncoder.TopicsEncoder.ConfigsEncoder configs = topic.configsCount(2);
            configs.next().key("retention.ms").value("604800000");
            configs.next().key("cleanup.policy").value("delete");
            topic.name("orders");
            return create.encodedLength();
        }));
        frames.add(frame("DescribeGroupsResponse", (b) -> {
            final DescribeGroupsResponseEncoder describe = new DescribeGroupsResponseEncoder()
                .wrapAndApplyHeader(b, 0, CLIENT_HEADER).correlationId(6L);
            final DescribeGroupsResponseEncoder.GroupsEncoder group = describe.groupsCount(1).next()
                .groupEpoch(3).errorCode(ErrorCode.NONE).state(GroupState.STABLE).assignor(Assignor.STICKY);
            final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder members = group.membersCount(2);
            for (int m = 0; m < 2; m++) {
                final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder member = members.next()
                    .memberEpoch(3);
                final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder.AssignedTopicsEncoder topic =
                    member.assignedTopicsCount(1).next();
                final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder.AssignedTopicsEncoder
                    .PartitionsEncoder partitions = topic.partitionsCount(2);
                partitions.next().partition(m * 2);
                partitions.next().partition(m * 2 + 1);
                topic.topic("orders");
                member.memberId("member-" + m).clientId("client-" + m).host("10.0.0." + m);
            }
            group.groupId("billing");
            return describe.encodedLength();
        }));
        frames.add(frame("OffsetCommitRequest", (b) -> {
            final OffsetCommitRequestEncoder commit = new OffsetCommitRequestEncoder()
                .wrapAndApplyHeader(b, 0, CLIENT_HEADER).correlationId(7L).sessionId(77L).memberEpoch(3);
            final OffsetCommitRequestEncoder.TopicsEncoder topic = commit.topicsCount(1).next();
            topic.partitionsCount(1).next().committedOffset(99L).partition(0).committedLeaderEpoch(7).metadata("");
            topic.name("orders");
            return commit.groupId("billing").memberId("member-0").encodedLength();
        }));
        frames.add(frame("ErrorResponse", (b) -> new ErrorResponseEncoder().wrapAndApplyHeader(b, 0, CLIENT_HEADER)
            .correlationId(8L).requestTemplateId(30).errorCode(ErrorCode.CORRUPT_MESSAGE)
            .message("frame failed validation: BAD_VAR_DATA").encodedLength()));
        frames.add(frame("RequestVote", (b) -> new RequestVoteEncoder().wrapAndApplyHeader(b, 0, REPLICATION_HEADER)
            .lastSeq(1000L).epoch(8).lastEpoch(7).candidateId(2)
            .preVote(io.sequent.codec.replication.BooleanType.TRUE).encodedLength()));
        frames.add(frame("ReplicatedBatch", (b) -> new ReplicatedBatchEncoder()
            .wrapAndApplyHeader(b, 0, REPLICATION_HEADER)
            .commitSeq(990L).seq(991L).epoch(8).batchEpoch(8).leaderId(2).topicId(1).partition(3)
            .putBatch(batch, 0, batchLength)
            .encodedLength()));
        frames.add(frame("AppendPosition", (b) -> new AppendPositionEncoder()
            .wrapAndApplyHeader(b, 0, REPLICATION_HEADER).seq(1000L).epoch(8).memberId(1).encodedLength()));
        frames.add(frame("FollowerJoinResponse", (b) -> new FollowerJoinResponseEncoder()
            .wrapAndApplyHeader(b, 0, REPLICATION_HEADER).truncateToSeq(950L).leaderLastSeq(1000L).commitSeq(990L)
            .epoch(8).leaderId(2).memberId(1).truncateEpoch(7).encodedLength()));
        return frames;
    }

    /** A small valid record batch. */
    static int sampleBatch(final MutableDirectBuffer out, final int offset) {
        try (BatchBuilder builder = new BatchBuilder(4096)) {
            return TestBatches.build(builder, out, offset, List.of(
                TestRecord.of(1L, "k", "v"), TestRecord.of(2L, null, "w").withHeader("h", "x")));
        }
    }

    private interface Writer {
        int write(UnsafeBuffer buffer);
    }

    private static Frame frame(final String name, final Writer writer) {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8192]);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + writer.write(buffer);
        final UnsafeBuffer exact = new UnsafeBuffer(new byte[length]);
        exact.putBytes(0, buffer, 0, length);
        return new Frame(name, exact, length);
    }

    static UnsafeBuffer copy(final DirectBuffer buffer, final int length) {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, buffer, 0, length);
        return copy;
    }
}

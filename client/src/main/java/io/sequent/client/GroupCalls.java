package io.sequent.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sequent.codec.client.Assignor;
import io.sequent.codec.client.DeleteGroupsRequestEncoder;
import io.sequent.codec.client.DeleteGroupsResponseDecoder;
import io.sequent.codec.client.DescribeGroupsRequestEncoder;
import io.sequent.codec.client.DescribeGroupsResponseDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.HeartbeatRequestEncoder;
import io.sequent.codec.client.HeartbeatResponseDecoder;
import io.sequent.codec.client.JoinGroupRequestEncoder;
import io.sequent.codec.client.JoinGroupResponseDecoder;
import io.sequent.codec.client.LeaveGroupRequestEncoder;
import io.sequent.codec.client.LeaveGroupResponseDecoder;
import io.sequent.codec.client.ListGroupsRequestEncoder;
import io.sequent.codec.client.ListGroupsResponseDecoder;
import io.sequent.codec.client.MemberHeartbeatRequestEncoder;
import io.sequent.codec.client.MemberJoinRequestEncoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.OffsetCommitRequestEncoder;
import io.sequent.codec.client.OffsetCommitResponseDecoder;
import io.sequent.codec.client.OffsetFetchRequestEncoder;
import io.sequent.codec.client.OffsetFetchResponseDecoder;

/**
 * The consumer-group requests as calls: JoinGroup and MemberJoin, Heartbeat and MemberHeartbeat, LeaveGroup,
 * OffsetCommit, OffsetFetch, DescribeGroups, ListGroups, DeleteGroups.
 * A refusal (unknown group or member, stale member epoch) comes back as an
 * ErrorResponse and fails the call with a {@link SequentException} carrying the broker's code and message.
 */
final class GroupCalls {
    private GroupCalls() {
    }

    /**
     * A member's assignment as the broker last sent it.
     *
     * @param memberId            the member id the broker gave.
     * @param memberEpoch         the epoch of this assignment.
     * @param heartbeatIntervalMs how often to heartbeat.
     * @param assigned            the partitions the member may own now.
     */
    record Membership(String memberId, int memberEpoch, int heartbeatIntervalMs, Set<TopicPartition> assigned) {
    }

    private static Map<String, List<Integer>> byTopic(final Collection<TopicPartition> partitions) {
        final Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (final TopicPartition tp : partitions) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        return byTopic;
    }

    static Assignor assignor(final String name) {
        switch (name) {
            case "range":
                return Assignor.RANGE;
            case "roundrobin":
                return Assignor.ROUND_ROBIN;
            default:
                return Assignor.STICKY;
        }
    }

    /** JoinGroup: joins (empty member id) or rejoins. */
    static final class JoinCall extends Call<Membership> {
        private final String groupId;
        private final String memberId;
        private final Collection<String> topics;
        private final Assignor assignor;
        private final int sessionTimeoutMs;

        JoinCall(final String groupId, final String memberId, final Collection<String> topics, final Assignor assignor,
            final int sessionTimeoutMs, final long timeoutNs) {
            this.groupId = groupId;
            this.memberId = memberId;
            this.topics = List.copyOf(topics);
            this.assignor = assignor;
            this.sessionTimeoutMs = sessionTimeoutMs;
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final JoinGroupRequestEncoder encoder = new JoinGroupRequestEncoder();
            final JoinGroupRequestEncoder.TopicsEncoder out = encoder
                .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .sessionTimeoutMs(sessionTimeoutMs)
                .rebalanceTimeoutMs(sessionTimeoutMs)
                .assignor(assignor)
                .topicsCount(topics.size());
            for (final String topic : topics) {
                out.next().name(topic);
            }
            encoder.groupId(groupId).memberId(memberId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return JoinGroupResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Membership decode(final DirectBuffer buffer, final int offset, final int length) {
            final JoinGroupResponseDecoder decoder = new JoinGroupResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final int epoch = decoder.memberEpoch();
            final int interval = decoder.heartbeatIntervalMs();
            final ErrorCode code = decoder.errorCode();
            final Set<TopicPartition> assigned = new TreeSet<>(PARTITION_ORDER);
            for (final JoinGroupResponseDecoder.AssignedTopicsDecoder topic : decoder.assignedTopics()) {
                final List<Integer> ids = new ArrayList<>();
                for (final JoinGroupResponseDecoder.AssignedTopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                    ids.add(p.partition());
                }
                final String name = topic.topic();
                for (final int id : ids) {
                    assigned.add(new TopicPartition(name, id));
                }
            }
            final String member = decoder.memberId();
            if (code != ErrorCode.NONE) {
                throw SequentException.of(code, "join group '" + groupId + "' failed: " + code);
            }
            return new Membership(member, epoch, interval, assigned);
        }
    }

    /**
     * MemberJoin: joins (empty member id) or rejoins, with {@code group.instance.id} and
     * {@code max.poll.interval.ms}; answered like JoinGroup.
     */
    static final class MemberJoinCall extends Call<Membership> {
        private final JoinCall join;
        private final String instanceId;
        private final int maxPollIntervalMs;
        private final String groupId;
        private final String memberId;
        private final int memberEpoch;
        private final Collection<String> topics;
        private final Assignor assignor;
        private final int sessionTimeoutMs;

        /**
         * @param memberId    the member id: for a join ({@code memberEpoch} 0) the one the client chose, the same
         *                    for every retry of the join, so that a join whose answer was lost is not a second member.
         * @param memberEpoch 0 for a join, the member's epoch for a rejoin with a new subscription.
         */
        MemberJoinCall(final String groupId, final String memberId, final int memberEpoch, final String instanceId,
            final Collection<String> topics, final Assignor assignor, final int sessionTimeoutMs,
            final int maxPollIntervalMs, final long timeoutNs) {
            this.join = new JoinCall(groupId, memberId, topics, assignor, sessionTimeoutMs, timeoutNs);
            this.groupId = groupId;
            this.memberId = memberId;
            this.memberEpoch = memberEpoch;
            this.instanceId = instanceId;
            this.topics = List.copyOf(topics);
            this.assignor = assignor;
            this.sessionTimeoutMs = sessionTimeoutMs;
            this.maxPollIntervalMs = maxPollIntervalMs;
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final MemberJoinRequestEncoder encoder = new MemberJoinRequestEncoder();
            final MemberJoinRequestEncoder.TopicsEncoder out = encoder
                .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .sessionTimeoutMs(sessionTimeoutMs)
                .rebalanceTimeoutMs(maxPollIntervalMs)
                .maxPollIntervalMs(maxPollIntervalMs)
                .assignor(assignor)
                .memberEpoch(memberEpoch)
                .topicsCount(topics.size());
            for (final String topic : topics) {
                out.next().name(topic);
            }
            encoder.groupId(groupId).memberId(memberId).instanceId(instanceId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return JoinGroupResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Membership decode(final DirectBuffer buffer, final int offset, final int length) {
            return join.decode(buffer, offset, length);
        }
    }

    /** MemberHeartbeat: a heartbeat that also reports how long ago the application last polled. */
    static final class MemberHeartbeatCall extends Call<Membership> {
        private final HeartbeatCall heartbeat;
        private final String groupId;
        private final String memberId;
        private final int memberEpoch;
        private final int pollAgeMs;
        private final Collection<TopicPartition> owned;

        MemberHeartbeatCall(final String groupId, final String memberId, final int memberEpoch, final int pollAgeMs,
            final Collection<TopicPartition> owned, final long timeoutNs) {
            this.heartbeat = new HeartbeatCall(groupId, memberId, memberEpoch, owned, timeoutNs);
            this.groupId = groupId;
            this.memberId = memberId;
            this.memberEpoch = memberEpoch;
            this.pollAgeMs = pollAgeMs;
            this.owned = List.copyOf(owned);
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final MemberHeartbeatRequestEncoder encoder = new MemberHeartbeatRequestEncoder();
            final Map<String, List<Integer>> byTopic = byTopic(owned);
            final MemberHeartbeatRequestEncoder.OwnedTopicsEncoder out = encoder
                .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .memberEpoch(memberEpoch)
                .pollAgeMs(pollAgeMs)
                .ownedTopicsCount(byTopic.size());
            for (final Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                out.next();
                final MemberHeartbeatRequestEncoder.OwnedTopicsEncoder.PartitionsEncoder ps =
                    out.partitionsCount(e.getValue().size());
                for (final int p : e.getValue()) {
                    ps.next().partition(p);
                }
                out.topic(e.getKey());
            }
            encoder.groupId(groupId).memberId(memberId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return HeartbeatResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Membership decode(final DirectBuffer buffer, final int offset, final int length) {
            return heartbeat.decode(buffer, offset, length);
        }
    }

    /** DeleteGroups: the result is each group's code (NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP...). */
    static final class DeleteGroupsCall extends Call<Map<String, ErrorCode>> {
        private final Collection<String> groupIds;

        DeleteGroupsCall(final Collection<String> groupIds, final long timeoutNs) {
            this.groupIds = List.copyOf(groupIds);
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final DeleteGroupsRequestEncoder encoder = new DeleteGroupsRequestEncoder();
            final DeleteGroupsRequestEncoder.GroupsEncoder out = encoder
                .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .groupsCount(groupIds.size());
            for (final String id : groupIds) {
                out.next().groupId(id);
            }
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return DeleteGroupsResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Map<String, ErrorCode> decode(final DirectBuffer buffer, final int offset, final int length) {
            final DeleteGroupsResponseDecoder decoder = new DeleteGroupsResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final Map<String, ErrorCode> results = new LinkedHashMap<>();
            for (final DeleteGroupsResponseDecoder.GroupsDecoder g : decoder.groups()) {
                final ErrorCode code = g.errorCode();
                results.put(g.groupId(), code);
            }
            return results;
        }
    }

    /** Heartbeat: reports what the member owns, answers its current assignment. */
    static final class HeartbeatCall extends Call<Membership> {
        private final String groupId;
        private final String memberId;
        private final int memberEpoch;
        private final Collection<TopicPartition> owned;

        HeartbeatCall(final String groupId, final String memberId, final int memberEpoch,
            final Collection<TopicPartition> owned, final long timeoutNs) {
            this.groupId = groupId;
            this.memberId = memberId;
            this.memberEpoch = memberEpoch;
            this.owned = List.copyOf(owned);
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final HeartbeatRequestEncoder encoder = new HeartbeatRequestEncoder();
            final Map<String, List<Integer>> byTopic = byTopic(owned);
            final HeartbeatRequestEncoder.OwnedTopicsEncoder out = encoder
                .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .memberEpoch(memberEpoch)
                .ownedTopicsCount(byTopic.size());
            for (final Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                out.next();
                final HeartbeatRequestEncoder.OwnedTopicsEncoder.PartitionsEncoder ps =
                    out.partitionsCount(e.getValue().size());
                for (final int p : e.getValue()) {
                    ps.next().partition(p);
                }
                out.topic(e.getKey());
            }
            encoder.groupId(groupId).memberId(memberId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return HeartbeatResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Membership decode(final DirectBuffer buffer, final int offset, final int length) {
            final HeartbeatResponseDecoder decoder = new HeartbeatResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final int epoch = decoder.memberEpoch();
            final int interval = decoder.heartbeatIntervalMs();
            final ErrorCode code = decoder.errorCode();
            decoder.assignmentChanged();
            final Set<TopicPartition> assigned = new TreeSet<>(PARTITION_ORDER);
            for (final HeartbeatResponseDecoder.AssignedTopicsDecoder topic : decoder.assignedTopics()) {
                final List<Integer> ids = new ArrayList<>();
                for (final HeartbeatResponseDecoder.AssignedTopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                    ids.add(p.partition());
                }
                final String name = topic.topic();
                for (final int id : ids) {
                    assigned.add(new TopicPartition(name, id));
                }
            }
            if (code != ErrorCode.NONE) {
                throw SequentException.of(code, "heartbeat to group '" + groupId + "' failed: " + code);
            }
            return new Membership(memberId, epoch, interval, assigned);
        }
    }

    /** LeaveGroup. */
    static final class LeaveCall extends Call<Void> {
        private final String groupId;
        private final String memberId;

        LeaveCall(final String groupId, final String memberId, final long timeoutNs) {
            this.groupId = groupId;
            this.memberId = memberId;
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final LeaveGroupRequestEncoder encoder = new LeaveGroupRequestEncoder();
            encoder.wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .groupId(groupId)
                .memberId(memberId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return LeaveGroupResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Void decode(final DirectBuffer buffer, final int offset, final int length) {
            final LeaveGroupResponseDecoder decoder = new LeaveGroupResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final ErrorCode code = decoder.errorCode();
            if (code != ErrorCode.NONE) {
                throw SequentException.of(code, "leave group '" + groupId + "' failed: " + code);
            }
            return null;
        }
    }

    /** OffsetCommit: answered once the offsets are durable; the result is each partition's code. */
    static final class CommitCall extends Call<Map<TopicPartition, ErrorCode>> {
        final Map<TopicPartition, OffsetAndMetadata> offsets;
        private final String groupId;
        private final String memberId;
        private final int memberEpoch;

        CommitCall(final String groupId, final String memberId, final int memberEpoch,
            final Map<TopicPartition, OffsetAndMetadata> offsets, final long timeoutNs) {
            this.groupId = groupId;
            this.memberId = memberId;
            this.memberEpoch = memberEpoch;
            this.offsets = Map.copyOf(offsets);
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final OffsetCommitRequestEncoder encoder = new OffsetCommitRequestEncoder();
            final Map<String, List<Integer>> byTopic = byTopic(offsets.keySet());
            final OffsetCommitRequestEncoder.TopicsEncoder out = encoder
                .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .memberEpoch(memberEpoch)
                .topicsCount(byTopic.size());
            for (final Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                out.next();
                final OffsetCommitRequestEncoder.TopicsEncoder.PartitionsEncoder ps =
                    out.partitionsCount(e.getValue().size());
                for (final int p : e.getValue()) {
                    final OffsetAndMetadata committed = offsets.get(new TopicPartition(e.getKey(), p));
                    ps.next()
                        .committedOffset(committed.offset())
                        .partition(p)
                        .committedLeaderEpoch(-1)
                        .metadata(committed.metadata());
                }
                out.name(e.getKey());
            }
            encoder.groupId(groupId).memberId(memberId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return OffsetCommitResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Map<TopicPartition, ErrorCode> decode(final DirectBuffer buffer, final int offset, final int length) {
            final OffsetCommitResponseDecoder decoder = new OffsetCommitResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final ErrorCode code = decoder.errorCode();
            final Map<TopicPartition, ErrorCode> results = new LinkedHashMap<>();
            for (final OffsetCommitResponseDecoder.TopicsDecoder topic : decoder.topics()) {
                final List<Object[]> parts = new ArrayList<>();
                for (final OffsetCommitResponseDecoder.TopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                    parts.add(new Object[] {p.partition(), p.errorCode()});
                }
                final String name = topic.name();
                for (final Object[] p : parts) {
                    results.put(new TopicPartition(name, (Integer) p[0]), (ErrorCode) p[1]);
                }
            }
            if (code != ErrorCode.NONE) {
                throw SequentException.of(code, "offset commit to group '" + groupId + "' failed: " + code);
            }
            return results;
        }
    }

    /** OffsetFetch: the group's committed offsets (of some partitions, or all when none is named). */
    static final class OffsetFetchCall extends Call<Map<TopicPartition, OffsetAndMetadata>> {
        private final String groupId;
        private final Collection<TopicPartition> partitions;

        OffsetFetchCall(final String groupId, final Collection<TopicPartition> partitions, final long timeoutNs) {
            this.groupId = groupId;
            this.partitions = List.copyOf(partitions);
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final OffsetFetchRequestEncoder encoder = new OffsetFetchRequestEncoder();
            final Map<String, List<Integer>> byTopic = byTopic(partitions);
            final OffsetFetchRequestEncoder.TopicsEncoder out = encoder
                .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .topicsCount(byTopic.size());
            for (final Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                out.next();
                final OffsetFetchRequestEncoder.TopicsEncoder.PartitionsEncoder ps =
                    out.partitionsCount(e.getValue().size());
                for (final int p : e.getValue()) {
                    ps.next().partition(p);
                }
                out.name(e.getKey());
            }
            encoder.groupId(groupId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return OffsetFetchResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Map<TopicPartition, OffsetAndMetadata> decode(final DirectBuffer buffer, final int offset, final int length) {
            final OffsetFetchResponseDecoder decoder = new OffsetFetchResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final ErrorCode code = decoder.errorCode();
            final Map<TopicPartition, OffsetAndMetadata> results = new LinkedHashMap<>();
            for (final OffsetFetchResponseDecoder.TopicsDecoder topic : decoder.topics()) {
                final List<Object[]> parts = new ArrayList<>();
                for (final OffsetFetchResponseDecoder.TopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                    final long committed = p.committedOffset();
                    final int partition = p.partition();
                    p.committedLeaderEpoch();
                    p.errorCode();
                    parts.add(new Object[] {partition, committed, p.metadata()});
                }
                final String name = topic.name();
                for (final Object[] p : parts) {
                    if ((Long) p[1] >= 0) {
                        results.put(new TopicPartition(name, (Integer) p[0]),
                            new OffsetAndMetadata((Long) p[1], (String) p[2]));
                    }
                }
            }
            if (code != ErrorCode.NONE) {
                throw SequentException.of(code, "offset fetch from group '" + groupId + "' failed: " + code);
            }
            return results;
        }
    }

    /** DescribeGroups. */
    static final class DescribeCall extends Call<List<GroupDescription>> {
        private final Collection<String> groupIds;

        DescribeCall(final Collection<String> groupIds, final long timeoutNs) {
            this.groupIds = List.copyOf(groupIds);
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final DescribeGroupsRequestEncoder encoder = new DescribeGroupsRequestEncoder();
            final DescribeGroupsRequestEncoder.GroupsEncoder out = encoder
                .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .groupsCount(groupIds.size());
            for (final String id : groupIds) {
                out.next().groupId(id);
            }
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return DescribeGroupsResponseDecoder.TEMPLATE_ID;
        }

        @Override
        List<GroupDescription> decode(final DirectBuffer buffer, final int offset, final int length) {
            final DescribeGroupsResponseDecoder decoder = new DescribeGroupsResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final List<GroupDescription> groups = new ArrayList<>();
            for (final DescribeGroupsResponseDecoder.GroupsDecoder g : decoder.groups()) {
                final int groupEpoch = g.groupEpoch();
                final ErrorCode code = g.errorCode();
                final String state = g.state().name();
                final String assignor = g.assignor().name();
                final List<GroupDescription.Member> members = new ArrayList<>();
                for (final DescribeGroupsResponseDecoder.GroupsDecoder.MembersDecoder m : g.members()) {
                    final int epoch = m.memberEpoch();
                    final Set<TopicPartition> assigned = new TreeSet<>(PARTITION_ORDER);
                    for (final DescribeGroupsResponseDecoder.GroupsDecoder.MembersDecoder.AssignedTopicsDecoder t
                        : m.assignedTopics()) {
                        final List<Integer> ids = new ArrayList<>();
                        for (final DescribeGroupsResponseDecoder.GroupsDecoder.MembersDecoder.AssignedTopicsDecoder
                            .PartitionsDecoder p : t.partitions()) {
                            ids.add(p.partition());
                        }
                        final String name = t.topic();
                        for (final int id : ids) {
                            assigned.add(new TopicPartition(name, id));
                        }
                    }
                    final String memberId = m.memberId();
                    final String clientId = m.clientId();
                    final String host = m.host();
                    members.add(new GroupDescription.Member(memberId, clientId, host, epoch, assigned));
                }
                final String groupId = g.groupId();
                groups.add(new GroupDescription(groupId, code == ErrorCode.NONE, state, assignor, groupEpoch,
                    List.copyOf(members)));
            }
            return groups;
        }
    }

    /** ListGroups. */
    static final class ListCall extends Call<List<GroupListing>> {
        ListCall(final long timeoutNs) {
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final ListGroupsRequestEncoder encoder = new ListGroupsRequestEncoder();
            encoder.wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return ListGroupsResponseDecoder.TEMPLATE_ID;
        }

        @Override
        List<GroupListing> decode(final DirectBuffer buffer, final int offset, final int length) {
            final ListGroupsResponseDecoder decoder = new ListGroupsResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            decoder.errorCode();
            final List<GroupListing> groups = new ArrayList<>();
            for (final ListGroupsResponseDecoder.GroupsDecoder g : decoder.groups()) {
                final int members = g.memberCount();
                final String state = g.state().name();
                groups.add(new GroupListing(g.groupId(), state, members));
            }
            return groups;
        }
    }

    /** Topic, then partition. */
    static final java.util.Comparator<TopicPartition> PARTITION_ORDER =
        java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
}

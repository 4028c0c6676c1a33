package io.sequent.broker;

import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.DeleteGroupsRequestDecoder;
import io.sequent.codec.client.DeleteGroupsResponseEncoder;
import io.sequent.codec.client.DescribeGroupsRequestDecoder;
import io.sequent.codec.client.DescribeGroupsResponseDecoder;
import io.sequent.codec.client.DescribeGroupsResponseEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.GroupState;
import io.sequent.codec.client.HeartbeatRequestDecoder;
import io.sequent.codec.client.HeartbeatResponseEncoder;
import io.sequent.codec.client.JoinGroupRequestDecoder;
import io.sequent.codec.client.JoinGroupResponseEncoder;
import io.sequent.codec.client.LeaveGroupRequestDecoder;
import io.sequent.codec.client.LeaveGroupResponseEncoder;
import io.sequent.codec.client.ListGroupsRequestDecoder;
import io.sequent.codec.client.ListGroupsResponseEncoder;
import io.sequent.codec.client.MemberHeartbeatRequestDecoder;
import io.sequent.codec.client.MemberJoinRequestDecoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.OffsetCommitRequestDecoder;
import io.sequent.codec.client.OffsetCommitResponseEncoder;
import io.sequent.codec.client.OffsetFetchRequestDecoder;
import io.sequent.codec.client.OffsetFetchResponseEncoder;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The consumer-group requests on the wire: decodes JoinGroup and MemberJoin, Heartbeat and MemberHeartbeat,
 * LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups and DeleteGroups, runs them on the
 * {@link GroupCoordinator}, and answers. A request the coordinator refuses (unknown group or member, stale member
 * epoch, fenced instance id, bad session timeout) is answered with an
 * ErrorResponse carrying the code and a message; OffsetCommit answers per partition.
 *
 * <p>An OffsetCommit is written to the {@link OffsetsLog} through the internal appender and answered, and
 * applied to the coordinator, only once that batch is durable ({@link #poll}). The offsets of a group without
 * members for {@code offsets.retention.ms} are deleted the same way: a batch of deletions, applied once durable
 * (an offset committed meanwhile is kept). DeleteGroups (refused NON_EMPTY_GROUP while the group has members)
 * writes deletion records of the group's offsets and its tombstone, and answers once they are durable.
 *
 * <p>After every change of a group's membership the coordinator marks it dirty, and {@link #poll} writes a
 * group-state record of it ({@link GroupStateRecord}) without waiting for it (write-behind).
 *
 * <p>Admin thread only.
 */
final class GroupRequests {
    private static final Logger LOG = LoggerFactory.getLogger(GroupRequests.class);
    private static final long EXPIRY_CHECK_INTERVAL_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final long STALE = Long.MIN_VALUE;

    private final GroupCoordinator coordinator;
    private final OffsetsLog offsets;
    private final TopicRegistry registry;
    private final ResponseSender sender;
    private final SessionTable sessions;
    private final EpochClock epochClock;
    private final List<PendingCommit> commits = new ArrayList<>();
    private final Map<String, PendingExpiry> expiries = new TreeMap<>();
    private final long retentionNs;
    private long nextExpiryCheckNs;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final JoinGroupRequestDecoder joinDecoder = new JoinGroupRequestDecoder();
    private final JoinGroupResponseEncoder joinEncoder = new JoinGroupResponseEncoder();
    private final HeartbeatRequestDecoder heartbeatDecoder = new HeartbeatRequestDecoder();
    private final HeartbeatResponseEncoder heartbeatEncoder = new HeartbeatResponseEncoder();
    private final LeaveGroupRequestDecoder leaveDecoder = new LeaveGroupRequestDecoder();
    private final LeaveGroupResponseEncoder leaveEncoder = new LeaveGroupResponseEncoder();
    private final OffsetCommitRequestDecoder commitDecoder = new OffsetCommitRequestDecoder();
    private final OffsetCommitResponseEncoder commitEncoder = new OffsetCommitResponseEncoder();
    private final OffsetFetchRequestDecoder fetchDecoder = new OffsetFetchRequestDecoder();
    private final OffsetFetchResponseEncoder fetchEncoder = new OffsetFetchResponseEncoder();
    private final DescribeGroupsRequestDecoder describeDecoder = new DescribeGroupsRequestDecoder();
    private final DescribeGroupsResponseEncoder describeEncoder = new DescribeGroupsResponseEncoder();
    /** Where each member's (empty) host was written in a DescribeGroupsResponse for a version-2 session. */
    private final org.agrona.collections.IntArrayList hostPositions = new org.agrona.collections.IntArrayList();
    private final ListGroupsResponseEncoder listEncoder = new ListGroupsResponseEncoder();
    private final MemberJoinRequestDecoder memberJoinDecoder = new MemberJoinRequestDecoder();
    private final MemberHeartbeatRequestDecoder memberHeartbeatDecoder = new MemberHeartbeatRequestDecoder();
    private final DeleteGroupsRequestDecoder deleteDecoder = new DeleteGroupsRequestDecoder();
    private final DeleteGroupsResponseEncoder deleteEncoder = new DeleteGroupsResponseEncoder();
    private final List<PendingDelete> deletes = new ArrayList<>();
    private final java.util.Set<String> unwrittenStates = new java.util.TreeSet<>();
    private boolean offsetsChanged = true;
    /** Whether this member serves the groups: it leads, and its coordinator holds the state its log has. */
    private boolean leading;
    /**
     * The offsets log's end when the coordinator was last loaded from it; {@link #STALE} once it led since, and
     * from the start in a replica group (see the constructor).
     */
    private long loadedEnd;
    private volatile Map<String, Map<GroupPartition, Long>> committedView = Map.of();

    /** A DeleteGroups request waiting for its groups' deletion batches to be durable. */
    private static final class PendingDelete {
        final long sessionId;
        final long correlationId;
        final Map<String, ErrorCode> results = new java.util.LinkedHashMap<>();
        final Map<String, InternalAppend> appends = new TreeMap<>();
        final Map<String, Set<GroupPartition>> offsets = new TreeMap<>();

        PendingDelete(final long sessionId, final long correlationId) {
            this.sessionId = sessionId;
            this.correlationId = correlationId;
        }
    }

    /** An OffsetCommit waiting for its batch to be durable. */
    private static final class PendingCommit {
        final long sessionId;
        final long correlationId;
        final String groupId;
        final long timestampMs;
        final Map<GroupPartition, ErrorCode> results = new TreeMap<>();
        final List<OffsetsLog.Commit> valid = new ArrayList<>();
        InternalAppend append;

        PendingCommit(final long sessionId, final long correlationId, final String groupId, final long timestampMs) {
            this.sessionId = sessionId;
            this.correlationId = correlationId;
            this.groupId = groupId;
            this.timestampMs = timestampMs;
        }
    }

    /** The deletion of an empty group's expired offsets, waiting for its batch to be durable. */
    private static final class PendingExpiry {
        final Map<GroupPartition, Group.Committed> expired;
        final InternalAppend append;

        PendingExpiry(final Map<GroupPartition, Group.Committed> expired, final InternalAppend append) {
            this.expired = expired;
            this.append = append;
        }
    }

    GroupRequests(
        final GroupCoordinator coordinator,
        final OffsetsLog offsets,
        final TopicRegistry registry,
        final ResponseSender sender,
        final SessionTable sessions,
        final EpochClock epochClock,
        final long retentionMs,
        final boolean replicated) {
        this.retentionNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(retentionMs);
        this.coordinator = coordinator;
        this.offsets = offsets;
        this.registry = registry;
        this.sender = sender;
        this.sessions = sessions;
        this.epochClock = epochClock;
        // A member of a replica group may have replayed, at launch, a tail it wrote as a leader that was never
        // committed: it is truncated once the member follows, and the records of the new leader can bring the log
        // back to the very same end, so an unchanged end does not prove the launch replay matches the log.
        this.loadedEnd = replicated ? STALE : offsets.nextOffset();
    }

    GroupCoordinator coordinator() {
        return coordinator;
    }

    /**
     * Follows this member's role, once per admin duty cycle. Only the leader serves the groups; a member that does
     * not lead neither evicts nor writes. The groups' state is the offsets log's, and a member's coordinator holds
     * it as of its launch replay: a new leader reloads it from the log (unless, alone in its group, the log has not
     * grown since that replay, or since the last reload), once the log is committed to its end and the epoch's
     * {@code EpochStart} is journaled, so that nothing the previous leader committed is missing. The state it held
     * as a leader is stale as soon as it stops leading (write-behind group states, commits in flight).
     *
     * @param writable whether this member leads and takes writes.
     * @param epoch    the current epoch.
     * @return the work done.
     */
    int lead(final boolean writable, final int epoch) {
        if (!writable) {
            if (leading) {
                leading = false;
                loadedEnd = STALE;
            }
            return 0;
        }
        if (leading || !offsets.loadableIn(epoch)) {
            return 0;
        }
        final long end = offsets.nextOffset();
        if (end != loadedEnd) {
            coordinator.clear();
            unwrittenStates.clear();
            final long records = offsets.replay(coordinator);
            loadedEnd = end;
            offsetsChanged = true;
            LOG.info("leading epoch {}: loaded {} consumer groups from {} ({} records)", epoch,
                coordinator.groups().size(), OffsetsLog.PARTITION_DIR, records);
        }
        leading = true;
        return 1;
    }

    /** @return whether this member serves the groups (see {@link #lead}). */
    boolean leading() {
        return leading;
    }

    /** Whether a request is a consumer-group request, answered only while this member serves the groups. */
    static boolean isGroupRequest(final int templateId) {
        switch (templateId) {
            case JoinGroupRequestDecoder.TEMPLATE_ID:
            case HeartbeatRequestDecoder.TEMPLATE_ID:
            case LeaveGroupRequestDecoder.TEMPLATE_ID:
            case OffsetCommitRequestDecoder.TEMPLATE_ID:
            case OffsetFetchRequestDecoder.TEMPLATE_ID:
            case DescribeGroupsRequestDecoder.TEMPLATE_ID:
            case ListGroupsRequestDecoder.TEMPLATE_ID:
            case MemberJoinRequestDecoder.TEMPLATE_ID:
            case MemberHeartbeatRequestDecoder.TEMPLATE_ID:
            case DeleteGroupsRequestDecoder.TEMPLATE_ID:
                return true;
            default:
                return false;
        }
    }

    /** A topic's partition count as the coordinator sees it: -1 for unknown, deleted and internal topics. */
    static int partitionCount(final TopicRegistry registry, final String topic) {
        final Topic open = registry.table().get(topic);
        return null == open || open.isInternal() || open.isDeleted() ? -1 : open.partitionCount();
    }

    void onJoinGroup(final AdminRequest request, final Session session, final long nowNs) {
        final JoinGroupRequestDecoder decoder = joinDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final int sessionTimeoutMs = decoder.sessionTimeoutMs();
        final int rebalanceTimeoutMs = decoder.rebalanceTimeoutMs();
        final io.sequent.codec.client.Assignor assignor = decoder.assignor();
        final List<String> topics = new ArrayList<>();
        for (final JoinGroupRequestDecoder.TopicsDecoder topic : decoder.topics()) {
            topics.add(topic.name());
        }
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();
        final Group.Member member;
        try {
            member = coordinator.join(groupId, memberId, session.clientId(), session.id(), topics, assignor,
                sessionTimeoutMs, rebalanceTimeoutMs, nowNs);
        } catch (final BrokerException ex) {
            sender.sendError(session, correlationId, JoinGroupRequestDecoder.TEMPLATE_ID, ex.code(), ex.getMessage());
            return;
        }
        sendJoinResponse(session, correlationId, member);
    }

    void onMemberJoin(final AdminRequest request, final Session session, final long nowNs) {
        final MemberJoinRequestDecoder decoder =
            memberJoinDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final int sessionTimeoutMs = decoder.sessionTimeoutMs();
        final int rebalanceTimeoutMs = decoder.rebalanceTimeoutMs();
        final int maxPollIntervalMs = decoder.maxPollIntervalMs();
        final io.sequent.codec.client.Assignor assignor = decoder.assignor();
        final int epoch = decoder.memberEpoch();
        final int memberEpoch = epoch == MemberJoinRequestDecoder.memberEpochNullValue() ?
            GroupCoordinator.NO_EPOCH : epoch;
        final List<String> topics = new ArrayList<>();
        for (final MemberJoinRequestDecoder.TopicsDecoder topic : decoder.topics()) {
            topics.add(topic.name());
        }
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();
        final String instanceId = decoder.instanceId();
        final Group.Member member;
        try {
            member = coordinator.join(groupId, memberId, memberEpoch, instanceId, session.clientId(), session.id(),
                topics, assignor, sessionTimeoutMs, rebalanceTimeoutMs, maxPollIntervalMs, nowNs);
        } catch (final BrokerException ex) {
            sender.sendError(session, correlationId, MemberJoinRequestDecoder.TEMPLATE_ID, ex.code(),
                ex.getMessage());
            return;
        }
        sendJoinResponse(session, correlationId, member);
    }

    private void sendJoinResponse(final Session session, final long correlationId, final Group.Member member) {
        noteSession(member, session);
        final JoinGroupResponseEncoder encoder = joinEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .memberEpoch(member.epoch)
            .heartbeatIntervalMs(GroupCoordinator.heartbeatIntervalMs(member.sessionTimeoutMs))
            .errorCode(ErrorCode.NONE);
        final Map<String, List<Integer>> byTopic = byTopic(member.assigned);
        final JoinGroupResponseEncoder.AssignedTopicsEncoder out = encoder.assignedTopicsCount(byTopic.size());
        for (final Map.Entry<String, List<Integer>> entry : byTopic.entrySet()) {
            out.next();
            final JoinGroupResponseEncoder.AssignedTopicsEncoder.PartitionsEncoder partitions =
                out.partitionsCount(entry.getValue().size());
            for (final int partition : entry.getValue()) {
                partitions.next().partition(partition);
            }
            out.topic(entry.getKey());
        }
        encoder.memberId(member.memberId);
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void onHeartbeat(final AdminRequest request, final Session session, final long nowNs) {
        final HeartbeatRequestDecoder decoder =
            heartbeatDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final int memberEpoch = decoder.memberEpoch();
        final List<GroupPartition> owned = new ArrayList<>();
        for (final HeartbeatRequestDecoder.OwnedTopicsDecoder topic : decoder.ownedTopics()) {
            final List<Integer> partitions = new ArrayList<>();
            for (final HeartbeatRequestDecoder.OwnedTopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                partitions.add(p.partition());
            }
            final String name = topic.topic();
            for (final int partition : partitions) {
                owned.add(new GroupPartition(name, partition));
            }
        }
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();
        final Group.Member member;
        try {
            member = coordinator.heartbeat(groupId, memberId, memberEpoch, owned, nowNs);
        } catch (final BrokerException ex) {
            sender.sendError(session, correlationId, HeartbeatRequestDecoder.TEMPLATE_ID, ex.code(), ex.getMessage());
            return;
        }
        sendHeartbeatResponse(session, correlationId, memberEpoch, member);
    }

    void onMemberHeartbeat(final AdminRequest request, final Session session, final long nowNs) {
        final MemberHeartbeatRequestDecoder decoder =
            memberHeartbeatDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final int memberEpoch = decoder.memberEpoch();
        final int pollAgeMs = decoder.pollAgeMs();
        final List<GroupPartition> owned = new ArrayList<>();
        for (final MemberHeartbeatRequestDecoder.OwnedTopicsDecoder topic : decoder.ownedTopics()) {
            final List<Integer> partitions = new ArrayList<>();
            for (final MemberHeartbeatRequestDecoder.OwnedTopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                partitions.add(p.partition());
            }
            final String name = topic.topic();
            for (final int partition : partitions) {
                owned.add(new GroupPartition(name, partition));
            }
        }
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();
        final Group.Member member;
        try {
            member = coordinator.heartbeat(groupId, memberId, memberEpoch, owned, pollAgeMs, nowNs);
        } catch (final BrokerException ex) {
            sender.sendError(session, correlationId, MemberHeartbeatRequestDecoder.TEMPLATE_ID, ex.code(),
                ex.getMessage());
            return;
        }
        sendHeartbeatResponse(session, correlationId, memberEpoch, member);
    }

    private void sendHeartbeatResponse(
        final Session session, final long correlationId, final int memberEpoch, final Group.Member member) {
        noteSession(member, session);
        final HeartbeatResponseEncoder encoder = heartbeatEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .memberEpoch(member.epoch)
            .heartbeatIntervalMs(GroupCoordinator.heartbeatIntervalMs(member.sessionTimeoutMs))
            .errorCode(ErrorCode.NONE)
            .assignmentChanged(member.epoch != memberEpoch ? BooleanType.TRUE : BooleanType.FALSE);
        final Map<String, List<Integer>> byTopic = byTopic(member.assigned);
        final HeartbeatResponseEncoder.AssignedTopicsEncoder out = encoder.assignedTopicsCount(byTopic.size());
        for (final Map.Entry<String, List<Integer>> entry : byTopic.entrySet()) {
            out.next();
            final HeartbeatResponseEncoder.AssignedTopicsEncoder.PartitionsEncoder partitions =
                out.partitionsCount(entry.getValue().size());
            for (final int partition : entry.getValue()) {
                partitions.next().partition(partition);
            }
            out.topic(entry.getKey());
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void onDeleteGroups(final AdminRequest request, final Session session) {
        final DeleteGroupsRequestDecoder decoder = deleteDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final List<String> names = new ArrayList<>();
        for (final DeleteGroupsRequestDecoder.GroupsDecoder group : decoder.groups()) {
            names.add(group.groupId());
        }
        final PendingDelete pending = new PendingDelete(sessionId, correlationId);
        for (final String name : names) {
            if (pending.results.containsKey(name)) {
                continue;
            }
            try {
                final Group group = coordinator.checkDelete(name);
                if (expiries.containsKey(name) || hasPendingCommit(name)) {
                    pending.results.put(name, ErrorCode.BACK_PRESSURED);
                    continue;
                }
                final Set<GroupPartition> gone = new java.util.TreeSet<>(group.offsets.keySet());
                final InternalAppend append = offsets.appendGroupDeletion(name, gone, epochClock.time());
                if (null == append) {
                    pending.results.put(name, ErrorCode.BACK_PRESSURED);
                    continue;
                }
                pending.results.put(name, ErrorCode.NONE);
                pending.appends.put(name, append);
                pending.offsets.put(name, gone);
            } catch (final BrokerException ex) {
                pending.results.put(name, ex.code());
            }
        }
        deletes.add(pending);
        pollDeletes();
    }

    private int pollDeletes() {
        int work = 0;
        final Iterator<PendingDelete> it = deletes.iterator();
        while (it.hasNext()) {
            final PendingDelete pending = it.next();
            boolean done = true;
            for (final InternalAppend append : pending.appends.values()) {
                done &= append.isDone();
            }
            if (!done) {
                continue;
            }
            it.remove();
            work++;
            for (final Map.Entry<String, InternalAppend> entry : pending.appends.entrySet()) {
                final String name = entry.getKey();
                if (!entry.getValue().isCommitted()) {
                    final ErrorCode code = ProduceReleaseHandler.errorCode(entry.getValue().result());
                    pending.results.put(name, code == ErrorCode.NONE ? ErrorCode.UNKNOWN_SERVER_ERROR : code);
                    continue;
                }
                offsetsChanged = true;
                final Group group = coordinator.group(name);
                if (null != group) {
                    for (final GroupPartition tp : pending.offsets.get(name)) {
                        group.offsets.remove(tp);
                    }
                    if (group.members.isEmpty() && group.offsets.isEmpty()) {
                        coordinator.onGroupDeleted(name);
                    }
                }
                LOG.info("deleted consumer group '{}' and its {} committed offsets", name,
                    pending.offsets.get(name).size());
            }
            final Session session = sessions.get(pending.sessionId);
            if (null == session) {
                continue;
            }
            final DeleteGroupsResponseEncoder encoder = deleteEncoder.wrapAndApplyHeader(
                sender.buffer(), 0, sender.headerEncoder())
                .correlationId(pending.correlationId);
            final DeleteGroupsResponseEncoder.GroupsEncoder out = encoder.groupsCount(pending.results.size());
            for (final Map.Entry<String, ErrorCode> entry : pending.results.entrySet()) {
                out.next().errorCode(entry.getValue()).groupId(entry.getKey());
            }
            sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        }
        return work;
    }

    /** Writes a group-state record of each group whose membership changed (write-behind). */
    private int writeGroupStates() {
        unwrittenStates.addAll(coordinator.takeDirty());
        if (unwrittenStates.isEmpty()) {
            return 0;
        }
        int work = 0;
        final Iterator<String> it = unwrittenStates.iterator();
        while (it.hasNext()) {
            final String name = it.next();
            final Group group = coordinator.group(name);
            if (null == group) {
                it.remove();
                continue;
            }
            try {
                if (null == offsets.appendGroupState(group, epochClock.time())) {
                    break;
                }
            } catch (final BrokerException ex) {
                LOG.warn("cannot write the state of group '{}' to the offsets log: {}", name, ex.getMessage());
            }
            it.remove();
            work++;
        }
        return work;
    }

    void onLeaveGroup(final AdminRequest request, final Session session, final long nowNs) {
        final LeaveGroupRequestDecoder decoder = leaveDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();
        try {
            coordinator.leave(groupId, memberId, nowNs);
        } catch (final BrokerException ex) {
            sender.sendError(session, correlationId, LeaveGroupRequestDecoder.TEMPLATE_ID, ex.code(), ex.getMessage());
            return;
        }
        final LeaveGroupResponseEncoder encoder = leaveEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .errorCode(ErrorCode.NONE);
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void onOffsetCommit(final AdminRequest request, final Session session) {
        final OffsetCommitRequestDecoder decoder = commitDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final int memberEpoch = decoder.memberEpoch();
        final List<OffsetsLog.Commit> requested = new ArrayList<>();
        for (final OffsetCommitRequestDecoder.TopicsDecoder topic : decoder.topics()) {
            final List<Object[]> partitions = new ArrayList<>();
            for (final OffsetCommitRequestDecoder.TopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                final long offset = p.committedOffset();
                final int partition = p.partition();
                final int leaderEpoch = p.committedLeaderEpoch();
                partitions.add(new Object[]{offset, partition, leaderEpoch, p.metadata()});
            }
            final String name = topic.name();
            for (final Object[] p : partitions) {
                requested.add(new OffsetsLog.Commit(
                    new GroupPartition(name, (Integer) p[1]), (Long) p[0], (Integer) p[2], (String) p[3]));
            }
        }
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();
        final PendingCommit pending = new PendingCommit(sessionId, correlationId, groupId, epochClock.time());
        try {
            coordinator.checkCommit(groupId, memberId, memberEpoch);
        } catch (final BrokerException ex) {
            sender.sendError(session, correlationId, OffsetCommitRequestDecoder.TEMPLATE_ID, ex.code(),
                ex.getMessage());
            return;
        }
        for (final OffsetsLog.Commit commit : requested) {
            final int count = partitionCount(registry, commit.partition.topic);
            final ErrorCode code;
            if (count < 0 || commit.partition.partition < 0 || commit.partition.partition >= count) {
                code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            } else if (commit.offset < 0 ||
                commit.metadata.getBytes(StandardCharsets.UTF_8).length > OffsetsLog.MAX_METADATA_BYTES) {
                code = ErrorCode.INVALID_REQUEST;
            } else {
                code = ErrorCode.NONE;
                pending.valid.add(commit);
            }
            pending.results.put(commit.partition, code);
        }
        if (!pending.valid.isEmpty()) {
            try {
                pending.append = offsets.append(groupId, pending.valid, pending.timestampMs);
            } catch (final BrokerException ex) {
                sender.sendError(session, correlationId, OffsetCommitRequestDecoder.TEMPLATE_ID, ex.code(),
                    ex.getMessage());
                return;
            }
            if (null == pending.append) {
                sender.sendError(session, correlationId, OffsetCommitRequestDecoder.TEMPLATE_ID,
                    ErrorCode.BACK_PRESSURED, "the offsets log is busy; retry");
                return;
            }
        }
        commits.add(pending);
        pollCommits();
    }

    /**
     * Answers the commits whose batches are done, and deletes the offsets of groups empty for longer than
     * {@code offsets.retention.ms} (checked every second).
     *
     * @return the work done.
     */
    int poll(final long nowNs) {
        int work = pollCommits();
        work += pollDeletes();
        if (!leading) {
            return work;
        }
        work += writeGroupStates();
        if (offsetsChanged) {
            offsetsChanged = false;
            publishCommitted();
        }
        final Iterator<Map.Entry<String, PendingExpiry>> it = expiries.entrySet().iterator();
        while (it.hasNext()) {
            final Map.Entry<String, PendingExpiry> entry = it.next();
            final PendingExpiry expiry = entry.getValue();
            if (!expiry.append.isDone()) {
                continue;
            }
            it.remove();
            work++;
            if (expiry.append.isCommitted()) {
                offsetsChanged = true;
                final Group group = coordinator.group(entry.getKey());
                for (final Map.Entry<GroupPartition, Group.Committed> gone : expiry.expired.entrySet()) {
                    if (null != group && group.offsets.get(gone.getKey()) == gone.getValue()) {
                        group.offsets.remove(gone.getKey());
                    }
                }
                coordinator.removeIfDead(entry.getKey());
                LOG.info("deleted {} expired offsets of the empty group '{}' ({})", expiry.expired.size(),
                    entry.getKey(), BrokerContext.OFFSETS_RETENTION_MS_PROP);
            }
        }
        if (nowNs - nextExpiryCheckNs >= 0) {
            nextExpiryCheckNs = nowNs + EXPIRY_CHECK_INTERVAL_NS;
            for (final Group group : coordinator.expired(nowNs, retentionNs)) {
                if (expiries.containsKey(group.groupId) || hasPendingCommit(group.groupId)) {
                    continue;
                }
                final Map<GroupPartition, Group.Committed> expired = new TreeMap<>(group.offsets);
                final InternalAppend append =
                    offsets.appendGroupDeletion(group.groupId, expired.keySet(), epochClock.time());
                if (null != append) {
                    expiries.put(group.groupId, new PendingExpiry(expired, append));
                    work++;
                }
            }
        }
        return work;
    }

    /**
     * The committed offsets of every group, as of the admin thread's last change (an immutable copy, replaced
     * whole). Any thread: the metrics thread reads it for the consumer lag.
     */
    Map<String, Map<GroupPartition, Long>> committedView() {
        return committedView;
    }

    private void publishCommitted() {
        final Map<String, Map<GroupPartition, Long>> view = new TreeMap<>();
        for (final Group group : coordinator.groups()) {
            if (group.offsets.isEmpty()) {
                continue;
            }
            final Map<GroupPartition, Long> offsets = new TreeMap<>();
            for (final Map.Entry<GroupPartition, Group.Committed> e : group.offsets.entrySet()) {
                offsets.put(e.getKey(), e.getValue().offset);
            }
            view.put(group.groupId, java.util.Collections.unmodifiableMap(offsets));
        }
        committedView = java.util.Collections.unmodifiableMap(view);
    }

    private boolean hasPendingCommit(final String groupId) {
        for (final PendingCommit pending : commits) {
            if (pending.groupId.equals(groupId)) {
                return true;
            }
        }
        return false;
    }

    private int pollCommits() {
        int work = 0;
        final Iterator<PendingCommit> it = commits.iterator();
        while (it.hasNext()) {
            final PendingCommit pending = it.next();
            if (null != pending.append && !pending.append.isDone()) {
                continue;
            }
            it.remove();
            work++;
            ErrorCode failure = ErrorCode.NONE;
            if (null != pending.append) {
                if (pending.append.isCommitted()) {
                    offsetsChanged = true;
                    for (final OffsetsLog.Commit commit : pending.valid) {
                        coordinator.onCommit(pending.groupId, commit.partition, commit.offset, commit.leaderEpoch,
                            pending.timestampMs, commit.metadata);
                    }
                } else {
                    failure = ProduceReleaseHandler.errorCode(pending.append.result());
                    if (failure == ErrorCode.NONE) {
                        failure = ErrorCode.UNKNOWN_SERVER_ERROR;
                    }
                }
            }
            sendCommitResponse(pending, failure);
        }
        return work;
    }

    private void sendCommitResponse(final PendingCommit pending, final ErrorCode failure) {
        final Session session = sessions.get(pending.sessionId);
        if (null == session) {
            return;
        }
        final OffsetCommitResponseEncoder encoder = commitEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(pending.correlationId)
            .errorCode(ErrorCode.NONE);
        final Map<String, List<Integer>> byTopic = byTopic(pending.results.keySet());
        final OffsetCommitResponseEncoder.TopicsEncoder out = encoder.topicsCount(byTopic.size());
        for (final Map.Entry<String, List<Integer>> entry : byTopic.entrySet()) {
            out.next();
            final OffsetCommitResponseEncoder.TopicsEncoder.PartitionsEncoder partitions =
                out.partitionsCount(entry.getValue().size());
            for (final int partition : entry.getValue()) {
                final ErrorCode code = pending.results.get(new GroupPartition(entry.getKey(), partition));
                partitions.next().partition(partition).errorCode(code == ErrorCode.NONE ? failure : code);
            }
            out.name(entry.getKey());
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void onOffsetFetch(final AdminRequest request, final Session session) {
        final OffsetFetchRequestDecoder decoder = fetchDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final List<GroupPartition> wanted = new ArrayList<>();
        for (final OffsetFetchRequestDecoder.TopicsDecoder topic : decoder.topics()) {
            final List<Integer> partitions = new ArrayList<>();
            for (final OffsetFetchRequestDecoder.TopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                partitions.add(p.partition());
            }
            final String name = topic.name();
            for (final int partition : partitions) {
                wanted.add(new GroupPartition(name, partition));
            }
        }
        final String groupId = decoder.groupId();
        try {
            GroupCoordinator.checkGroupId(groupId);
        } catch (final BrokerException ex) {
            sender.sendError(session, correlationId, OffsetFetchRequestDecoder.TEMPLATE_ID, ex.code(), ex.getMessage());
            return;
        }
        final Group group = coordinator.group(groupId);
        final Map<GroupPartition, Group.Committed> found = new TreeMap<>();
        if (wanted.isEmpty()) {
            if (null != group) {
                found.putAll(group.offsets);
            }
        } else {
            for (final GroupPartition tp : wanted) {
                found.put(tp, null == group ? null : group.offsets.get(tp));
            }
        }
        final OffsetFetchResponseEncoder encoder = fetchEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .errorCode(ErrorCode.NONE);
        final Map<String, List<Integer>> byTopic = byTopic(found.keySet());
        final OffsetFetchResponseEncoder.TopicsEncoder out = encoder.topicsCount(byTopic.size());
        for (final Map.Entry<String, List<Integer>> entry : byTopic.entrySet()) {
            out.next();
            final OffsetFetchResponseEncoder.TopicsEncoder.PartitionsEncoder partitions =
                out.partitionsCount(entry.getValue().size());
            for (final int partition : entry.getValue()) {
                final Group.Committed committed = found.get(new GroupPartition(entry.getKey(), partition));
                partitions.next()
                    .committedOffset(null == committed ? -1 : committed.offset)
                    .partition(partition)
                    .committedLeaderEpoch(null == committed ? -1 : committed.leaderEpoch)
                    .errorCode(ErrorCode.NONE)
                    .metadata(null == committed ? "" : committed.metadata);
            }
            out.name(entry.getKey());
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void onDescribeGroups(final AdminRequest request, final Session session) {
        final DescribeGroupsRequestDecoder decoder =
            describeDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final List<String> names = new ArrayList<>();
        for (final DescribeGroupsRequestDecoder.GroupsDecoder group : decoder.groups()) {
            names.add(group.groupId());
        }
        final DescribeGroupsResponseEncoder encoder = describeEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId);
        final boolean withHost = session.protocolVersion() <= 0 || session.protocolVersion() >=
            DescribeGroupsResponseDecoder.GroupsDecoder.MembersDecoder.hostSinceVersion();
        hostPositions.clear();
        final DescribeGroupsResponseEncoder.GroupsEncoder out = encoder.groupsCount(names.size());
        for (final String name : names) {
            final Group group = coordinator.group(name);
            out.next()
                .groupEpoch(null == group ? -1 : group.groupEpoch)
                .errorCode(null == group ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE)
                .state(null == group ? GroupState.DEAD : group.state())
                .assignor(null == group ? io.sequent.codec.client.Assignor.STICKY : group.assignor);
            final Collection<Group.Member> members = null == group ? List.of() : group.members.values();
            final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder memberOut =
                out.membersCount(members.size());
            for (final Group.Member member : members) {
                memberOut.next().memberEpoch(member.epoch);
                final Map<String, List<Integer>> byTopic = byTopic(member.assigned);
                final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder.AssignedTopicsEncoder topics =
                    memberOut.assignedTopicsCount(byTopic.size());
                for (final Map.Entry<String, List<Integer>> entry : byTopic.entrySet()) {
                    topics.next();
                    final DescribeGroupsResponseEncoder.GroupsEncoder.MembersEncoder.AssignedTopicsEncoder
                        .PartitionsEncoder partitions = topics.partitionsCount(entry.getValue().size());
                    for (final int partition : entry.getValue()) {
                        partitions.next().partition(partition);
                    }
                    topics.topic(entry.getKey());
                }
                memberOut.memberId(member.memberId).clientId(member.clientId);
                if (!withHost) {
                    hostPositions.addInt(encoder.limit());
                }
                memberOut.host(withHost ? member.host : "");
            }
            out.groupId(name);
        }
        final int length = cutEmptyVarData(
            sender.buffer(), MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), hostPositions);
        sender.send(session, length);
    }

    /**
     * Cuts empty var data fields (their 4-byte zero length) out of an encoded frame: how a response is written in
     * an older layout that lacks a var data field of a group entry, as the encoder (whose access-order checks
     * want every field) cannot leave one out.
     *
     * @param positions where each field starts, ascending, as written.
     * @return the frame's new length.
     */
    static int cutEmptyVarData(
        final org.agrona.MutableDirectBuffer frame,
        final int length,
        final org.agrona.collections.IntArrayList positions) {
        int end = length;
        for (int i = 0; i < positions.size(); i++) {
            final int at = positions.getInt(i) - i * Integer.BYTES;
            frame.putBytes(at, frame, at + Integer.BYTES, end - at - Integer.BYTES);
            end -= Integer.BYTES;
        }
        return end;
    }

    /** The member now speaks on this session: note it and the host it speaks from. */
    private static void noteSession(final Group.Member member, final Session session) {
        member.sessionId = session.id();
        member.host = session.host();
    }

    void onListGroups(final AdminRequest request, final Session session) {
        final long correlationId = request.frame.getLong(MessageHeaderDecoder.ENCODED_LENGTH,
            java.nio.ByteOrder.LITTLE_ENDIAN);
        final Collection<Group> groups = coordinator.groups();
        final ListGroupsResponseEncoder encoder = listEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .errorCode(ErrorCode.NONE);
        final ListGroupsResponseEncoder.GroupsEncoder out = encoder.groupsCount(groups.size());
        for (final Group group : groups) {
            out.next().memberCount(group.members.size()).state(group.state()).groupId(group.groupId);
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private static Map<String, List<Integer>> byTopic(final Set<GroupPartition> partitions) {
        final Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (final GroupPartition tp : partitions) {
            byTopic.computeIfAbsent(tp.topic, t -> new ArrayList<>()).add(tp.partition);
        }
        return byTopic;
    }
}

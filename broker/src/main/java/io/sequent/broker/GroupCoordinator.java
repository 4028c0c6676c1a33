package io.sequent.broker;

import io.sequent.codec.client.Assignor;
import io.sequent.codec.client.ErrorCode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * The group coordinator: consumer groups, their members and committed offsets, as Kafka's KIP-848 consumer
 * protocol has them. Members join and heartbeat; the broker computes each member's target assignment
 * ({@link GroupAssignor}) and hands it out incrementally ({@link Group#reconcile}), one member epoch per change.
 * A member that misses its session timeout is evicted; one that keeps a partition it was asked to revoke past
 * its rebalance timeout too. Either way its partitions move to the others.
 *
 * <p>Membership is soft state, rebuilt by the members' own heartbeats (a member the broker does not know, after
 * a restart say, is answered UNKNOWN_MEMBER_ID and joins again); committed offsets are the durable part, replayed
 * from the {@link OffsetsLog} at start ({@link #onCommit}).
 *
 * <p>Single writer: the admin thread (the launching thread while replaying, before the admin thread starts).
 * Time is the broker's injected clock, passed in by the caller, so tests step it.
 */
final class GroupCoordinator implements OffsetsLog.Handler {
    static final int MIN_SESSION_TIMEOUT_MS = 1_000;
    static final int MAX_SESSION_TIMEOUT_MS = 30 * 60 * 1_000;
    static final int MAX_HEARTBEAT_INTERVAL_MS = 3_000;
    static final int MIN_HEARTBEAT_INTERVAL_MS = 100;
    /** Longest group id, in UTF-8 bytes (it is a length-prefixed key field of {@link OffsetsLog}). */
    static final int MAX_GROUP_ID_BYTES = 1024;

    private final Map<String, Group> groups = new TreeMap<>();
    private final ToIntFunction<String> partitionCount;

    /**
     * @param partitionCount a topic's partition count, or a negative value when the topic does not exist (or is
     *                       internal).
     */
    GroupCoordinator(final ToIntFunction<String> partitionCount) {
        this.partitionCount = partitionCount;
    }

    /** The heartbeat interval a member with this session timeout is told to keep. */
    static int heartbeatIntervalMs(final int sessionTimeoutMs) {
        return Math.max(MIN_HEARTBEAT_INTERVAL_MS, Math.min(MAX_HEARTBEAT_INTERVAL_MS, sessionTimeoutMs / 3));
    }

    Group group(final String groupId) {
        return groups.get(groupId);
    }

    Collection<Group> groups() {
        return groups.values();
    }

    /**
     * A member joins (empty {@code memberId}) or rejoins with a new subscription.
     *
     * @return the member, with its current assignment and epoch.
     * @throws BrokerException INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, INVALID_REQUEST (no topics),
     *                         UNKNOWN_MEMBER_ID (a member id the group does not know).
     */
    Group.Member join(
        final String groupId,
        final String memberId,
        final String clientId,
        final long sessionId,
        final List<String> topics,
        final Assignor assignor,
        final int sessionTimeoutMs,
        final int rebalanceTimeoutMs,
        final long nowNs) {
        checkGroupId(groupId);
        if (sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS) {
            throw new BrokerException(ErrorCode.INVALID_SESSION_TIMEOUT, "session timeout " + sessionTimeoutMs +
                " ms is outside [" + MIN_SESSION_TIMEOUT_MS + ", " + MAX_SESSION_TIMEOUT_MS + "] ms");
        }
        if (topics.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "a member must subscribe to at least one topic");
        }
        Group group = groups.get(groupId);
        Group.Member member;
        if (memberId.isEmpty()) {
            if (null == group) {
                group = new Group(groupId);
                groups.put(groupId, group);
            }
            if (group.members.isEmpty() && null != assignor && assignor != Assignor.NULL_VAL) {
                group.assignor = assignor;
            }
            member = new Group.Member(UUID.randomUUID().toString(), clientId);
            group.members.put(member.memberId, member);
        } else {
            member = null == group ? null : group.members.get(memberId);
            if (null == member) {
                throw unknownMember(groupId, memberId);
            }
        }
        member.sessionId = sessionId;
        member.sessionTimeoutMs = sessionTimeoutMs;
        member.rebalanceTimeoutMs = rebalanceTimeoutMs > 0 ? rebalanceTimeoutMs : sessionTimeoutMs;
        member.topics = new ArrayList<>(new TreeSet<>(topics));
        member.lastSeenNs = nowNs;
        rebalance(group, nowNs);
        return member;
    }

    /**
     * A member's heartbeat, reporting what it owns.
     *
     * @return the member, with its current assignment and epoch.
     * @throws BrokerException GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION (a stale member epoch:
     *                         the member must drop its partitions and join again).
     */
    Group.Member heartbeat(
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final Collection<GroupPartition> owned,
        final long nowNs) {
        final Group.Member member = member(groupId, memberId, memberEpoch);
        member.lastSeenNs = nowNs;
        member.owned = new TreeSet<>(owned);
        final Group group = groups.get(groupId);
        if (!currentPartitionCounts(group).equals(group.partitionCounts)) {
            rebalance(group, nowNs);
        } else {
            group.reconcile(nowNs);
        }
        return member;
    }

    /**
     * A member leaves; its partitions go to the others.
     *
     * @throws BrokerException GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID.
     */
    void leave(final String groupId, final String memberId, final long nowNs) {
        final Group group = existing(groupId);
        if (null == group.members.remove(memberId)) {
            throw unknownMember(groupId, memberId);
        }
        rebalance(group, nowNs);
    }

    /**
     * Checks that a commit may be made: by a member at an accepted epoch, or (memberEpoch &lt; 0) by a consumer
     * outside group management while the group has no members. Creates the group for such a commit.
     *
     * @return the group.
     */
    Group checkCommit(final String groupId, final String memberId, final int memberEpoch) {
        checkGroupId(groupId);
        if (memberEpoch >= 0) {
            member(groupId, memberId, memberEpoch);
            return groups.get(groupId);
        }
        Group group = groups.get(groupId);
        if (null != group && !group.members.isEmpty()) {
            throw new BrokerException(ErrorCode.UNKNOWN_MEMBER_ID, "group '" + groupId + "' has members: only " +
                "they commit its offsets (with their member id and epoch)");
        }
        if (null == group) {
            group = new Group(groupId);
            groups.put(groupId, group);
        }
        return group;
    }

    /**
     * Evicts the members past their session timeout or their rebalance timeout, and notes since when each group
     * has been empty.
     *
     * @return members evicted.
     */
    int poll(final long nowNs) {
        int evicted = 0;
        for (final Group group : groups.values()) {
            if (!group.members.isEmpty()) {
                group.emptySinceNs = Group.NOT_EMPTY;
            } else if (group.emptySinceNs == Group.NOT_EMPTY) {
                group.emptySinceNs = nowNs;
            }
            boolean changed = false;
            final Iterator<Group.Member> it = group.members.values().iterator();
            while (it.hasNext()) {
                final Group.Member member = it.next();
                final boolean sessionExpired =
                    nowNs - member.lastSeenNs > TimeUnit.MILLISECONDS.toNanos(member.sessionTimeoutMs);
                final boolean revokeExpired = member.revokingSinceNs != Long.MIN_VALUE &&
                    nowNs - member.revokingSinceNs > TimeUnit.MILLISECONDS.toNanos(member.rebalanceTimeoutMs);
                if (sessionExpired || revokeExpired) {
                    it.remove();
                    changed = true;
                    evicted++;
                }
            }
            if (changed) {
                rebalance(group, nowNs);
            }
        }
        return evicted;
    }

    /**
     * The groups whose offsets have expired: no member for {@code retentionNs} (counted from the broker's start
     * for a group replayed from the log) and offsets to delete.
     */
    List<Group> expired(final long nowNs, final long retentionNs) {
        final List<Group> expired = new ArrayList<>();
        for (final Group group : groups.values()) {
            if (group.members.isEmpty() && group.emptySinceNs != Group.NOT_EMPTY &&
                nowNs - group.emptySinceNs >= retentionNs && !group.offsets.isEmpty()) {
                expired.add(group);
            }
        }
        return expired;
    }

    /** Forgets a group without members and offsets. */
    void removeIfDead(final String groupId) {
        final Group group = groups.get(groupId);
        if (null != group && group.members.isEmpty() && group.offsets.isEmpty()) {
            groups.remove(groupId);
        }
    }

    /** Applies a committed (durable) offset. Replay, and the admin thread once a commit is durable. */
    @Override
    public void onCommit(
        final String groupId,
        final GroupPartition partition,
        final long offset,
        final int leaderEpoch,
        final long timestampMs,
        final String metadata) {
        groups.computeIfAbsent(groupId, Group::new).offsets.put(
            partition, new Group.Committed(offset, leaderEpoch, timestampMs, metadata));
    }

    @Override
    public void onDelete(final String groupId, final GroupPartition partition) {
        final Group group = groups.get(groupId);
        if (null != group) {
            group.offsets.remove(partition);
        }
    }

    private void rebalance(final Group group, final long nowNs) {
        group.groupEpoch++;
        group.partitionCounts = currentPartitionCounts(group);
        final Map<String, List<String>> subscriptions = new TreeMap<>();
        final Map<String, Set<GroupPartition>> previous = new TreeMap<>();
        for (final Group.Member member : group.members.values()) {
            subscriptions.put(member.memberId, member.topics);
            previous.put(member.memberId, member.target);
        }
        final Map<String, Set<GroupPartition>> target =
            GroupAssignor.assign(group.assignor, subscriptions, group.partitionCounts, previous);
        for (final Group.Member member : group.members.values()) {
            member.target = target.get(member.memberId);
        }
        group.reconcile(nowNs);
    }

    private Map<String, Integer> currentPartitionCounts(final Group group) {
        final Map<String, Integer> counts = new TreeMap<>();
        for (final String topic : group.subscribedTopics()) {
            final int count = partitionCount.applyAsInt(topic);
            if (count > 0) {
                counts.put(topic, count);
            }
        }
        return counts;
    }

    private Group.Member member(final String groupId, final String memberId, final int memberEpoch) {
        final Group group = existing(groupId);
        final Group.Member member = group.members.get(memberId);
        if (null == member) {
            throw unknownMember(groupId, memberId);
        }
        if (!member.acceptsEpoch(memberEpoch)) {
            throw new BrokerException(ErrorCode.ILLEGAL_GENERATION, "stale member epoch " + memberEpoch + " for " +
                "member " + memberId + " of group '" + groupId + "' (current epoch " + member.epoch + "): drop " +
                "the partitions and join again");
        }
        return member;
    }

    private Group existing(final String groupId) {
        checkGroupId(groupId);
        final Group group = groups.get(groupId);
        if (null == group) {
            throw new BrokerException(ErrorCode.GROUP_ID_NOT_FOUND, "unknown group '" + groupId + "'");
        }
        return group;
    }

    static void checkGroupId(final String groupId) {
        if (null == groupId || groupId.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_GROUP_ID, "the group id is empty");
        }
        final int bytes = groupId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_GROUP_ID_BYTES) {
            throw new BrokerException(ErrorCode.INVALID_GROUP_ID, "the group id is " + bytes + " bytes long; at most " +
                MAX_GROUP_ID_BYTES + " are allowed");
        }
    }

    private static BrokerException unknownMember(final String groupId, final String memberId) {
        return new BrokerException(ErrorCode.UNKNOWN_MEMBER_ID, "member '" + memberId + "' is not in group '" +
            groupId + "' (evicted, or the broker restarted): join again with an empty member id");
    }
}

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
 * <p>Static members ({@code group.instance.id}) keep their assignment over a restart: a join with the instance id
 * of a current member takes that member over (new member id, same assignment and epoch, nobody else moves), and
 * the old member id is answered FENCED_INSTANCE_ID. A member whose heartbeats report no poll for longer than
 * its {@code max.poll.interval.ms} is evicted like one that missed its session timeout.
 *
 * <p>Both the committed offsets and the membership are rebuilt from the {@link OffsetsLog} at start
 * ({@link #onCommit}, {@link #onGroupState}): each change of a group's membership or assignment marks it
 * {@linkplain #takeDirty dirty}, and {@link GroupRequests} writes its state as a record after the change (not
 * before answering: a crash can lose the latest change, and a member whose epoch the rebuilt state does not
 * accept is answered ILLEGAL_GENERATION and joins again). Timers (last heartbeat, last poll) restart at the
 * first check after the rebuild.
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
    /** Longest member id a client may choose, in UTF-8 bytes (a UUID is 36). */
    static final int MAX_MEMBER_ID_BYTES = 64;
    /** The member epoch of a join: the member id is the client's, and the same for every retry of the join. */
    static final int JOIN_EPOCH = 0;
    /** No member epoch (a version-2 MemberJoinRequest, JoinGroup): an empty member id joins, another rejoins. */
    static final int NO_EPOCH = -1;

    private final Map<String, Group> groups = new TreeMap<>();
    private final Set<String> dirty = new TreeSet<>();
    private final ToIntFunction<String> partitionCount;

    /**
     * @param partitionCount a topic's partition count, or a negative value when the topic does not exist (or is
     *                       internal).
     */
    GroupCoordinator(final ToIntFunction<String> partitionCount) {
        this.partitionCount = partitionCount;
    }

    /** Forgets every group (before a reload from the offsets log). */
    void clear() {
        groups.clear();
        dirty.clear();
    }

    /**
     * The heartbeat interval a member with this session timeout is told to keep: a tenth of it, 100 ms to 3 s. A
     * member learns of a new assignment at its next heartbeat, so partitions of an evicted member reach the others
     * within the session timeout plus one interval; heartbeats are cheap (the admin thread, and the member's I/O
     * thread).
     */
    static int heartbeatIntervalMs(final int sessionTimeoutMs) {
        return Math.max(MIN_HEARTBEAT_INTERVAL_MS, Math.min(MAX_HEARTBEAT_INTERVAL_MS, sessionTimeoutMs / 10));
    }

    Group group(final String groupId) {
        return groups.get(groupId);
    }

    Collection<Group> groups() {
        return groups.values();
    }

    /**
     * A dynamic member joins (empty {@code memberId}) or rejoins with a new subscription; the broker does not
     * watch its polls.
     *
     * @return the member, with its current assignment and epoch.
     * @see #join(String, String, int, String, String, long, List, Assignor, int, int, int, long)
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
        return join(groupId, memberId, NO_EPOCH, "", clientId, sessionId, topics, assignor, sessionTimeoutMs,
            rebalanceTimeoutMs, 0, nowNs);
    }

    /**
     * A member joins (empty {@code memberId}) or rejoins with a new subscription, without a member epoch.
     *
     * @see #join(String, String, int, String, String, long, List, Assignor, int, int, int, long)
     */
    Group.Member join(
        final String groupId,
        final String memberId,
        final String instanceId,
        final String clientId,
        final long sessionId,
        final List<String> topics,
        final Assignor assignor,
        final int sessionTimeoutMs,
        final int rebalanceTimeoutMs,
        final int maxPollIntervalMs,
        final long nowNs) {
        return join(groupId, memberId, NO_EPOCH, instanceId, clientId, sessionId, topics, assignor, sessionTimeoutMs,
            rebalanceTimeoutMs, maxPollIntervalMs, nowNs);
    }

    /**
     * A member joins or rejoins with a new subscription. A join either names no member id (the broker makes one
     * up) or, at {@link #JOIN_EPOCH}, the id the client chose (KIP-1082): a join whose answer was lost is sent again
     * under the same id, and finds its member rather than adding a second one that would hold partitions until its
     * session timeout. Such a repeated join is answered with the member as it stands, nothing moved, unless the
     * subscription changed. A rejoin names a member the group has (any other epoch); one sent again at the member
     * epoch of the member's last rejoin with the same subscription (its answer was lost, and the client retried)
     * is answered the same way, without a second rebalance. A join with the
     * {@code instanceId} of a member the group has takes that member over (a static member's restart): the new
     * member id gets the old one's target, assignment and epoch, no other member's partitions move, and the old
     * member id is answered FENCED_INSTANCE_ID from then on.
     *
     * @param memberEpoch       {@link #JOIN_EPOCH} for a join under the client's member id; the member's epoch for
     *                          a rejoin; {@link #NO_EPOCH} when not given (an empty member id joins).
     * @param instanceId        {@code group.instance.id}, empty for a dynamic member.
     * @param maxPollIntervalMs {@code max.poll.interval.ms}: the member is evicted when its heartbeats report no
     *                          poll for longer; 0 to not watch.
     * @return the member, with its current assignment and epoch.
     * @throws BrokerException INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, INVALID_REQUEST (no topics, negative
     *                         max poll interval, a chosen member id too long or held by another instance id),
     *                         UNKNOWN_MEMBER_ID (a rejoin under a member id the group does not know),
     *                         FENCED_INSTANCE_ID (a member id whose instance id a newer member took over).
     */
    Group.Member join(
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final String instanceId,
        final String clientId,
        final long sessionId,
        final List<String> topics,
        final Assignor assignor,
        final int sessionTimeoutMs,
        final int rebalanceTimeoutMs,
        final int maxPollIntervalMs,
        final long nowNs) {
        checkGroupId(groupId);
        if (sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS) {
            throw new BrokerException(ErrorCode.INVALID_SESSION_TIMEOUT, "session timeout " + sessionTimeoutMs +
                " ms is outside [" + MIN_SESSION_TIMEOUT_MS + ", " + MAX_SESSION_TIMEOUT_MS + "] ms");
        }
        if (maxPollIntervalMs < 0) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "max poll interval " + maxPollIntervalMs +
                " ms is negative");
        }
        if (topics.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "a member must subscribe to at least one topic");
        }
        final boolean chosenId = memberEpoch == JOIN_EPOCH && !memberId.isEmpty();
        if (chosenId) {
            checkMemberId(memberId);
        }
        Group group = groups.get(groupId);
        Group.Member member = null;
        boolean takeover = false;
        boolean repeated = false;
        if (chosenId && null != group) {
            if (group.fenced.containsKey(memberId)) {
                throw unknownMember(group, groupId, memberId);
            }
            member = group.members.get(memberId);
            if (null != member) {
                if (!member.instanceId.equals(instanceId)) {
                    throw new BrokerException(ErrorCode.INVALID_REQUEST, "member id '" + memberId + "' of group '" +
                        groupId + "' is held by " + (member.isStatic() ? "instance id '" + member.instanceId + "'" :
                        "a dynamic member") + ": join with a new member id");
                }
                repeated = member.topics.equals(new ArrayList<>(new TreeSet<>(topics)));
            }
        }
        if (null != member) {
            member.lastPollNs = nowNs;
        } else if (memberId.isEmpty() || chosenId) {
            if (null == group) {
                group = new Group(groupId);
                groups.put(groupId, group);
            }
            if (group.members.isEmpty() && null != assignor && assignor != Assignor.NULL_VAL) {
                group.assignor = assignor;
            }
            final Group.Member previous = instanceId.isEmpty() ? null : group.staticMember(instanceId);
            member = new Group.Member(chosenId ? memberId : UUID.randomUUID().toString(), clientId, instanceId);
            if (null != previous) {
                group.members.remove(previous.memberId);
                group.fence(previous);
                member.target = previous.target;
                member.assigned = previous.assigned;
                member.epoch = previous.epoch;
                member.answeredEpoch = previous.epoch;
                member.previousEpoch = previous.epoch;
                takeover = previous.topics.equals(new ArrayList<>(new TreeSet<>(topics)));
            }
            group.members.put(member.memberId, member);
            member.lastPollNs = nowNs;
        } else {
            member = null == group ? null : group.members.get(memberId);
            if (null == member) {
                throw unknownMember(group, groupId, memberId);
            }
            if (memberEpoch > JOIN_EPOCH) {
                repeated = memberEpoch == member.rejoinEpoch &&
                    member.topics.equals(new ArrayList<>(new TreeSet<>(topics)));
                member.rejoinEpoch = memberEpoch;
            }
        }
        member.sessionId = sessionId;
        member.sessionTimeoutMs = sessionTimeoutMs;
        member.rebalanceTimeoutMs = rebalanceTimeoutMs > 0 ? rebalanceTimeoutMs : sessionTimeoutMs;
        member.maxPollIntervalMs = maxPollIntervalMs;
        member.topics = new ArrayList<>(new TreeSet<>(topics));
        member.lastSeenNs = nowNs;
        if (takeover || repeated) {
            group.reconcile(nowNs);
        } else {
            rebalance(group, nowNs);
        }
        member.answered();
        dirty.add(groupId);
        return member;
    }

    /**
     * A member's heartbeat, reporting what it owns.
     *
     * @return the member, with its current assignment and epoch.
     * @throws BrokerException GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION (a stale member epoch:
     *                         the member must drop its partitions and join again), FENCED_INSTANCE_ID.
     */
    Group.Member heartbeat(
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final Collection<GroupPartition> owned,
        final long nowNs) {
        return heartbeat(groupId, memberId, memberEpoch, owned, -1, nowNs);
    }

    /**
     * A member's heartbeat, reporting what it owns and how long ago its application last polled.
     *
     * @param pollAgeMs ms since the member's last poll; negative when not reported.
     * @return the member, with its current assignment and epoch.
     * @throws BrokerException GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID (also when the reported poll age exceeds the
     *                         member's max poll interval: it is evicted), ILLEGAL_GENERATION (a stale member
     *                         epoch: the member must drop its partitions and join again), FENCED_INSTANCE_ID.
     */
    Group.Member heartbeat(
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final Collection<GroupPartition> owned,
        final int pollAgeMs,
        final long nowNs) {
        final Group.Member member = member(groupId, memberId, memberEpoch);
        final Group group = groups.get(groupId);
        member.lastSeenNs = nowNs;
        if (pollAgeMs >= 0) {
            member.lastPollNs = nowNs - TimeUnit.MILLISECONDS.toNanos(pollAgeMs);
            if (pollExpired(member, nowNs)) {
                group.members.remove(memberId);
                rebalance(group, nowNs);
                dirty.add(groupId);
                throw new BrokerException(ErrorCode.UNKNOWN_MEMBER_ID, "member '" + memberId + "' of group '" +
                    groupId + "' was evicted: no poll for " + pollAgeMs + " ms, more than its max.poll.interval.ms " +
                    "of " + member.maxPollIntervalMs + " ms; join again");
            }
        }
        final Set<GroupPartition> reported = new TreeSet<>(owned);
        final boolean ownedChanged = !reported.equals(member.owned);
        member.owned = reported;
        final boolean changed;
        if (!currentPartitionCounts(group).equals(group.partitionCounts)) {
            rebalance(group, nowNs);
            changed = true;
        } else {
            changed = !group.reconcile(nowNs).isEmpty();
        }
        final int answeredBefore = member.answeredEpoch;
        member.answered();
        if (changed || ownedChanged || answeredBefore != member.answeredEpoch) {
            dirty.add(groupId);
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
            throw unknownMember(group, groupId, memberId);
        }
        rebalance(group, nowNs);
        dirty.add(groupId);
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
            if (group.fenced.containsKey(memberId)) {
                throw unknownMember(group, groupId, memberId);
            }
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
                if (member.lastSeenNs == Group.RESTORED) {
                    member.lastSeenNs = nowNs;
                    member.lastPollNs = nowNs;
                }
                final boolean sessionExpired =
                    nowNs - member.lastSeenNs > TimeUnit.MILLISECONDS.toNanos(member.sessionTimeoutMs);
                final boolean revokeExpired = member.revokingSinceNs != Long.MIN_VALUE &&
                    nowNs - member.revokingSinceNs > TimeUnit.MILLISECONDS.toNanos(member.rebalanceTimeoutMs);
                if (sessionExpired || revokeExpired || pollExpired(member, nowNs)) {
                    it.remove();
                    changed = true;
                    evicted++;
                }
            }
            if (changed) {
                rebalance(group, nowNs);
                dirty.add(group.groupId);
            }
        }
        return evicted;
    }

    private static boolean pollExpired(final Group.Member member, final long nowNs) {
        return member.maxPollIntervalMs > 0 &&
            nowNs - member.lastPollNs > TimeUnit.MILLISECONDS.toNanos(member.maxPollIntervalMs);
    }

    /**
     * Takes the ids of the groups whose membership or assignment changed since the last call, so that their
     * state is written to the offsets log.
     */
    Set<String> takeDirty() {
        if (dirty.isEmpty()) {
            return Set.of();
        }
        final Set<String> taken = new TreeSet<>(dirty);
        dirty.clear();
        return taken;
    }

    /**
     * Checks that a group may be deleted: it exists and has no members.
     *
     * @throws BrokerException INVALID_GROUP_ID, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP.
     */
    Group checkDelete(final String groupId) {
        final Group group = existing(groupId);
        if (!group.members.isEmpty()) {
            throw new BrokerException(ErrorCode.NON_EMPTY_GROUP, "group '" + groupId + "' has " +
                group.members.size() + " member(s): stop its consumers first");
        }
        return group;
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

    /** Replay: a group's membership, as a group-state record holds it. */
    @Override
    public void onGroupState(
        final String groupId, final org.agrona.DirectBuffer value, final int offset, final int length) {
        final Group group = groups.computeIfAbsent(groupId, Group::new);
        GroupStateRecord.decodeInto(value, offset, length, group);
        group.partitionCounts = currentPartitionCounts(group);
    }

    /** Replay, and the admin thread once a deletion is durable: the group and its offsets are gone. */
    @Override
    public void onGroupDeleted(final String groupId) {
        groups.remove(groupId);
        dirty.remove(groupId);
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
            throw unknownMember(group, groupId, memberId);
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

    private static void checkMemberId(final String memberId) {
        final int bytes = memberId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_MEMBER_ID_BYTES || memberId.isBlank()) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "member id '" + memberId + "' is " +
                (memberId.isBlank() ? "blank" : bytes + " bytes long; at most " + MAX_MEMBER_ID_BYTES + " are " +
                "allowed") + ": a client chooses a UUID");
        }
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

    private static BrokerException unknownMember(final Group group, final String groupId, final String memberId) {
        final String instanceId = null == group ? null : group.fenced.get(memberId);
        if (null != instanceId) {
            return new BrokerException(ErrorCode.FENCED_INSTANCE_ID, "member '" + memberId + "' of group '" +
                groupId + "' was fenced: a newer member joined with its group.instance.id '" + instanceId + "'");
        }
        return new BrokerException(ErrorCode.UNKNOWN_MEMBER_ID, "member '" + memberId + "' is not in group '" +
            groupId + "' (evicted, or the broker restarted): join again with an empty member id");
    }
}

package io.sequent.broker;

import io.sequent.codec.client.Assignor;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.GroupState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator on a scripted clock: joins, incremental rebalances that revoke before they reassign, eviction
 * on session timeout, stale member epochs.
 */
class GroupCoordinatorTest {
    private static final int SESSION_MS = 10_000;
    private final Map<String, Integer> topics = new HashMap<>(Map.of("t", 6, "u", 3));
    private final GroupCoordinator coordinator = new GroupCoordinator(t -> topics.getOrDefault(t, -1));
    private long nowNs;

    private Group.Member join(final String clientId, final String... subscribed) {
        return coordinator.join("g", "", clientId, 1, List.of(subscribed), Assignor.STICKY, SESSION_MS, SESSION_MS,
            nowNs);
    }

    /** The member heartbeats reporting exactly what it was last assigned (it revoked and adopted it all). */
    private Group.Member sync(final Group.Member member) {
        return coordinator.heartbeat("g", member.memberId, member.epoch, member.assigned, nowNs);
    }

    /** Heartbeats every member until nothing changes (each owns what it was given). */
    private void settle() {
        for (int round = 0; round < 10; round++) {
            boolean changed = false;
            for (final Group.Member member : new ArrayList<>(coordinator.group("g").members.values())) {
                final int epoch = member.epoch;
                sync(member);
                changed |= member.epoch != epoch;
            }
            if (!changed && coordinator.group("g").state() == GroupState.STABLE) {
                return;
            }
        }
        throw new AssertionError("the group did not settle: " + coordinator.group("g").members);
    }

    private static Set<GroupPartition> partitions(final String topic, final int... ids) {
        final Set<GroupPartition> set = new TreeSet<>();
        for (final int id : ids) {
            set.add(new GroupPartition(topic, id));
        }
        return set;
    }

    @Test
    void aFirstMemberGetsEveryPartitionAtOnce() {
        final Group.Member a = join("a", "t");
        assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), a.assigned);
        assertEquals(1, a.epoch);
        assertEquals(GroupState.RECONCILING, coordinator.group("g").state(), "until it reports owning them");
        sync(a);
        assertEquals(GroupState.STABLE, coordinator.group("g").state());
    }

    @Test
    void aJoinMovesOnlyThePartitionsTheNewMemberTakesAndRevokesBeforeReassigning() {
        final Group.Member a = join("a", "t");
        settle();
        final Group.Member b = join("b", "t");
        assertEquals(3, a.target.size());
        assertEquals(3, b.target.size());
        assertTrue(b.assigned.isEmpty(), "b gets nothing while a still owns the partitions: " + b.assigned);
        assertEquals(a.target, a.assigned, "a is told at once to keep only its target");

        final Set<GroupPartition> revoked = new TreeSet<>(a.owned);
        revoked.removeAll(a.assigned);
        assertEquals(b.target, revoked, "exactly the partitions b takes leave a");
        final Set<GroupPartition> kept = new TreeSet<>(a.assigned);
        sync(a);
        assertEquals(kept, a.assigned, "a keeps consuming the rest meanwhile");
        sync(b);
        assertEquals(b.target, b.assigned, "once a has revoked, b is assigned them");
        settle();

        final Group.Member c = join("c", "t");
        settle();
        assertEquals(2, a.assigned.size());
        assertEquals(2, b.assigned.size());
        assertEquals(2, c.assigned.size());
        assertTrue(kept.containsAll(a.assigned), "a only lost partitions: " + a.assigned + " of " + kept);
        assertDisjointAndComplete(6, a, b, c);
    }

    @Test
    void aLeaveMovesOnlyTheLeaversPartitions() {
        final Group.Member a = join("a", "t");
        final Group.Member b = join("b", "t");
        final Group.Member c = join("c", "t");
        settle();
        final Set<GroupPartition> aBefore = new TreeSet<>(a.assigned);
        final Set<GroupPartition> bBefore = new TreeSet<>(b.assigned);
        coordinator.leave("g", c.memberId, nowNs);
        settle();
        assertTrue(a.assigned.containsAll(aBefore), a.assigned + " keeps " + aBefore);
        assertTrue(b.assigned.containsAll(bBefore), b.assigned + " keeps " + bBefore);
        assertEquals(3, a.assigned.size());
        assertEquals(3, b.assigned.size());
        assertDisjointAndComplete(6, a, b);
    }

    @Test
    void aMemberPastItsSessionTimeoutIsEvictedAndItsPartitionsMove() {
        final Group.Member a = join("a", "t");
        final Group.Member b = join("b", "t");
        settle();
        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS - 1);
        sync(a);
        assertEquals(0, coordinator.poll(nowNs), "b is not late yet");
        nowNs += TimeUnit.MILLISECONDS.toNanos(2);
        assertEquals(1, coordinator.poll(nowNs), "b is evicted");
        assertFalse(coordinator.group("g").members.containsKey(b.memberId));
        sync(a);
        assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), a.assigned);
        final BrokerException late = assertThrows(BrokerException.class, () -> sync(b));
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, late.code());
    }

    @Test
    void aMemberThatKeepsARevokedPartitionPastItsRebalanceTimeoutIsEvicted() {
        final Group.Member a = join("a", "t");
        settle();
        final Group.Member b = join("b", "t");
        final Set<GroupPartition> stillOwned = new TreeSet<>(a.owned);
        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS / 2);
        coordinator.heartbeat("g", a.memberId, a.epoch, stillOwned, nowNs);
        sync(b);
        assertTrue(b.assigned.isEmpty(), "b waits while a holds on");
        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS / 2 + 1);
        coordinator.heartbeat("g", a.memberId, a.epoch, stillOwned, nowNs);
        assertEquals(1, coordinator.poll(nowNs));
        sync(b);
        assertEquals(6, b.assigned.size());
    }

    @Test
    void aStaleMemberEpochIsRefused() {
        final Group.Member a = join("a", "t");
        settle();
        join("b", "t");
        sync(a);
        final int stale = a.previousEpoch - 1;
        final BrokerException ex = assertThrows(BrokerException.class,
            () -> coordinator.heartbeat("g", a.memberId, stale, a.assigned, nowNs));
        assertEquals(ErrorCode.ILLEGAL_GENERATION, ex.code());
        assertTrue(ex.getMessage().contains("stale member epoch"), ex.getMessage());
        final BrokerException commit = assertThrows(BrokerException.class,
            () -> coordinator.checkCommit("g", a.memberId, stale));
        assertEquals(ErrorCode.ILLEGAL_GENERATION, commit.code());
        coordinator.heartbeat("g", a.memberId, a.previousEpoch, a.assigned, nowNs);
    }

    @Test
    void unknownGroupsMembersAndBadInputHaveTheirOwnCodes() {
        assertEquals(ErrorCode.GROUP_ID_NOT_FOUND, assertThrows(BrokerException.class,
            () -> coordinator.heartbeat("nope", "m", 1, List.of(), nowNs)).code());
        join("a", "t");
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, assertThrows(BrokerException.class,
            () -> coordinator.heartbeat("g", "m", 1, List.of(), nowNs)).code());
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, assertThrows(BrokerException.class,
            () -> coordinator.leave("g", "m", nowNs)).code());
        assertEquals(ErrorCode.INVALID_GROUP_ID, assertThrows(BrokerException.class,
            () -> coordinator.join("", "", "c", 1, List.of("t"), Assignor.STICKY, SESSION_MS, SESSION_MS, nowNs))
            .code());
        assertEquals(ErrorCode.INVALID_GROUP_ID, assertThrows(BrokerException.class,
            () -> coordinator.checkCommit("g".repeat(GroupCoordinator.MAX_GROUP_ID_BYTES + 1), "", -1)).code(),
            "a group id too long for the offsets log's key");
        assertEquals(ErrorCode.INVALID_SESSION_TIMEOUT, assertThrows(BrokerException.class,
            () -> coordinator.join("g", "", "c", 1, List.of("t"), Assignor.STICKY, 10, SESSION_MS, nowNs)).code());
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, assertThrows(BrokerException.class,
            () -> coordinator.checkCommit("g", "", -1)).code(), "a group with members takes commits only from them");
        assertEquals(1, coordinator.group("g").members.size(), "nothing refused changed the group");
    }

    @Test
    void newPartitionsOfASubscribedTopicAreAssignedAtTheNextHeartbeat() {
        final Group.Member a = join("a", "t");
        final Group.Member b = join("b", "u");
        settle();
        assertEquals(3, b.assigned.size());
        topics.put("u", 5);
        settle();
        assertEquals(partitions("u", 0, 1, 2, 3, 4), b.assigned);
        assertEquals(6, a.assigned.size());
    }

    @Test
    void offsetsExpireOnlyOnceTheGroupHasBeenEmptyForTheRetention() {
        final long retentionNs = TimeUnit.MINUTES.toNanos(10);
        final Group.Member a = join("a", "t");
        coordinator.onCommit("g", new GroupPartition("t", 0), 5, -1, 0, "");
        coordinator.poll(nowNs);
        nowNs += retentionNs * 2;
        sync(a);
        coordinator.poll(nowNs);
        assertTrue(coordinator.expired(nowNs, retentionNs).isEmpty(), "a group with members keeps its offsets");
        coordinator.leave("g", a.memberId, nowNs);
        coordinator.poll(nowNs);
        nowNs += retentionNs - 1;
        assertTrue(coordinator.expired(nowNs, retentionNs).isEmpty(), "not yet");
        nowNs += 1;
        assertEquals(List.of(coordinator.group("g")), coordinator.expired(nowNs, retentionNs));
        coordinator.removeIfDead("g");
        assertTrue(null != coordinator.group("g"), "a group with offsets is not removed");
        coordinator.onDelete("g", new GroupPartition("t", 0));
        coordinator.removeIfDead("g");
        assertNull(coordinator.group("g"));
    }

    @Test
    void rangeAndRoundRobinAssignors() {
        final Map<String, List<String>> subscriptions = Map.of("m1", List.of("t", "u"), "m2", List.of("t", "u"));
        final Map<String, Integer> counts = Map.of("t", 3, "u", 3);
        final Map<String, Set<GroupPartition>> range =
            GroupAssignor.assign(Assignor.RANGE, subscriptions, counts, Map.of());
        final Set<GroupPartition> m1Range = partitions("t", 0, 1);
        m1Range.addAll(partitions("u", 0, 1));
        assertEquals(m1Range, range.get("m1"));
        final Map<String, Set<GroupPartition>> roundRobin =
            GroupAssignor.assign(Assignor.ROUND_ROBIN, subscriptions, counts, Map.of());
        final Set<GroupPartition> m1RoundRobin = partitions("t", 0, 2);
        m1RoundRobin.addAll(partitions("u", 1));
        assertEquals(m1RoundRobin, roundRobin.get("m1"));
        assertEquals(3, roundRobin.get("m2").size());
    }

    @Test
    void stickyKeepsPreviousOwnersAndBalances() {
        final Map<String, Set<GroupPartition>> previous = Map.of(
            "a", partitions("t", 0, 1, 2, 3, 4, 5));
        final Map<String, Set<GroupPartition>> target = GroupAssignor.assign(Assignor.STICKY,
            Map.of("a", List.of("t"), "b", List.of("t"), "c", List.of("t")), Map.of("t", 6), previous);
        assertEquals(partitions("t", 0, 1), target.get("a"));
        assertEquals(2, target.get("b").size());
        assertEquals(2, target.get("c").size());
    }

    private static void assertDisjointAndComplete(final int count, final Group.Member... members) {
        final Set<GroupPartition> all = new HashSet<>();
        int total = 0;
        for (final Group.Member member : members) {
            all.addAll(member.assigned);
            total += member.assigned.size();
        }
        assertEquals(count, total, "no partition assigned twice");
        assertEquals(count, all.size(), "every partition assigned");
    }

    private Group.Member joinStatic(final String clientId, final String instanceId, final String... subscribed) {
        return coordinator.join("g", "", instanceId, clientId, 1, List.of(subscribed), Assignor.STICKY, SESSION_MS,
            SESSION_MS, 0, nowNs);
    }

    private Group.Member joinAs(final String memberId, final String instanceId, final String clientId,
        final String... subscribed) {
        return coordinator.join("g", memberId, GroupCoordinator.JOIN_EPOCH, instanceId, clientId, 1,
            List.of(subscribed), Assignor.STICKY, SESSION_MS, SESSION_MS, 0, nowNs);
    }

    @Test
    void aJoinUnderTheClientsMemberIdSentAgainAfterALostAnswerFindsItsMemberAndMovesNothing() {
        final Group.Member a = join("a", "t");
        settle();
        final Group.Member b = joinAs("id-of-b", "", "b", "t");
        assertEquals("id-of-b", b.memberId, "the id the client chose");
        final int groupEpoch = coordinator.group("g").groupEpoch;
        final Set<GroupPartition> aAssigned = new TreeSet<>(a.assigned);
        final Set<GroupPartition> bTarget = new TreeSet<>(b.target);
        final int bEpoch = b.epoch;

        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS / 2);
        final Group.Member again = joinAs("id-of-b", "", "b", "t");
        assertTrue(again == b, "the same member, not a phantom beside it");
        assertEquals(2, coordinator.group("g").members.size());
        assertEquals(groupEpoch, coordinator.group("g").groupEpoch, "no rebalance for the repeated join");
        assertEquals(bEpoch, again.epoch);
        assertEquals(bTarget, again.target);
        assertEquals(aAssigned, a.assigned);
        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS * 3 / 4);
        sync(a);
        assertEquals(0, coordinator.poll(nowNs), "the repeated join counted as b being seen");
        settle();
        assertDisjointAndComplete(6, a, b);
        assertEquals(3, b.assigned.size());

        final Group.Member resubscribed = joinAs("id-of-b", "", "b", "t", "u");
        assertTrue(resubscribed == b);
        assertEquals(groupEpoch + 1, coordinator.group("g").groupEpoch, "a new subscription is a rebalance");
        final int epochNow = coordinator.group("g").groupEpoch;
        coordinator.join("g", "id-of-b", b.epoch, "", "b", 1, List.of("t", "u"), Assignor.STICKY, SESSION_MS,
            SESSION_MS, 0, nowNs);
        assertEquals(epochNow + 1, coordinator.group("g").groupEpoch, "a rejoin at the member's epoch rebalances");
    }

    private Group.Member rejoin(final String memberId, final int memberEpoch, final String... subscribed) {
        return coordinator.join("g", memberId, memberEpoch, "", memberId, 1, List.of(subscribed), Assignor.STICKY,
            SESSION_MS, SESSION_MS, 0, nowNs);
    }

    @Test
    void aRejoinSentAgainAtTheSameMemberEpochAfterALostAnswerMovesNothing() {
        final Group.Member a = joinAs("a", "", "a", "t");
        final Group.Member b = joinAs("b", "", "b", "t");
        settle();
        final Group group = coordinator.group("g");

        final int sentEpoch = b.epoch;
        rejoin("b", sentEpoch, "t", "u");
        final int groupEpoch = group.groupEpoch;
        settle(); // the answer to b's rejoin was lost, the group moved on
        final Set<GroupPartition> aAssigned = new TreeSet<>(a.assigned);
        final Set<GroupPartition> bAssigned = new TreeSet<>(b.assigned);
        final int aEpoch = a.epoch;
        final int bEpoch = b.epoch;
        assertTrue(bEpoch != sentEpoch, "b took partitions of u since: " + b);

        final Group.Member again = rejoin("b", sentEpoch, "u", "t");
        assertTrue(again == b);
        assertEquals(groupEpoch, group.groupEpoch, "the repeated rejoin is no rebalance");
        assertEquals(bEpoch, again.epoch, "answered with the member as it stands");
        assertEquals(bAssigned, again.assigned);
        assertEquals(aAssigned, a.assigned);
        assertEquals(aEpoch, a.epoch);
        assertEquals(GroupState.STABLE, group.state());
        coordinator.heartbeat("g", "b", again.epoch, again.assigned, nowNs);
        assertEquals(groupEpoch, group.groupEpoch);

        final int enforcedAt = b.epoch;
        rejoin("b", enforcedAt, "t", "u");
        assertEquals(groupEpoch + 1, group.groupEpoch, "a rejoin at a newer epoch rebalances (enforceRebalance)");
        settle();
        assertEquals(enforcedAt, b.epoch, "the sticky assignor moved nothing");
        rejoin("b", enforcedAt, "t", "u");
        assertEquals(groupEpoch + 1, group.groupEpoch, "the same rejoin again, before anything moved, is a retry");
        rejoin("b", enforcedAt, "t");
        assertEquals(groupEpoch + 2, group.groupEpoch, "a new subscription at the same epoch rebalances");
        settle();
        assertDisjointAndComplete(6, a, b);
        assertTrue(b.assigned.stream().allMatch(tp -> tp.topic.equals("t")), "b dropped u: " + b);

        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS / 2);
        assertEquals(0, coordinator.poll(nowNs));
        final int before = group.groupEpoch;
        final BrokerException unknown = assertThrows(BrokerException.class, () -> rejoin("c", 5, "t"));
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, unknown.code());
        assertEquals(before, group.groupEpoch);
    }

    @Test
    void aChosenMemberIdIsCheckedAndAFencedOneStaysFenced() {
        final BrokerException tooLong = assertThrows(BrokerException.class, () -> joinAs("x".repeat(65), "", "c",
            "t"));
        assertEquals(ErrorCode.INVALID_REQUEST, tooLong.code());
        assertTrue(tooLong.getMessage().contains("at most 64"), tooLong.getMessage());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(BrokerException.class,
            () -> joinAs("  ", "", "c", "t")).code());
        final BrokerException unknownRejoin = assertThrows(BrokerException.class,
            () -> coordinator.join("g", "never-joined", 3, "", "c", 1, List.of("t"), Assignor.STICKY, SESSION_MS,
                SESSION_MS, 0, nowNs));
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, unknownRejoin.code(), "only epoch 0 creates a member");

        final Group.Member first = joinAs("first-id", "instance", "first", "t");
        final Group.Member second = joinAs("second-id", "instance", "second", "t");
        assertEquals("second-id", second.memberId, "a static takeover under the new client's id");
        assertEquals(first.epoch, second.epoch);
        final BrokerException fenced = assertThrows(BrokerException.class,
            () -> joinAs("first-id", "instance", "first", "t"));
        assertEquals(ErrorCode.FENCED_INSTANCE_ID, fenced.code(), "a late retry of the fenced member's join");
        final BrokerException held = assertThrows(BrokerException.class, () -> joinAs("second-id", "", "x", "t"));
        assertEquals(ErrorCode.INVALID_REQUEST, held.code());
        assertTrue(held.getMessage().contains("instance id 'instance'"), held.getMessage());
        assertEquals(1, coordinator.group("g").members.size());
    }

    @Test
    void aStaticMemberRestartingWithinItsSessionTimeoutGetsItsAssignmentBackAndNobodyMoves() {
        final Group.Member a = joinStatic("a", "instance-a", "t");
        final Group.Member b = joinStatic("b", "instance-b", "t");
        final Group.Member c = join("c", "t");
        settle();
        final int groupEpoch = coordinator.group("g").groupEpoch;
        final Set<GroupPartition> aBefore = new TreeSet<>(a.assigned);
        final Set<GroupPartition> bBefore = new TreeSet<>(b.assigned);
        final Set<GroupPartition> cBefore = new TreeSet<>(c.assigned);
        final int bEpoch = b.epoch;
        final int cEpoch = c.epoch;

        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS / 2);
        sync(a);
        sync(c);
        final Group.Member restarted = joinStatic("b2", "instance-b", "t");
        assertEquals(bBefore, restarted.assigned, "the restarted member gets its partitions back at once");
        assertEquals(bEpoch, restarted.epoch);
        assertFalse(restarted.memberId.equals(b.memberId), "a new member id");
        assertEquals(groupEpoch, coordinator.group("g").groupEpoch, "no rebalance");
        settle();
        assertEquals(aBefore, a.assigned);
        assertEquals(cBefore, c.assigned);
        assertEquals(cEpoch, c.epoch, "c was not even told of a change");
        assertEquals(3, coordinator.group("g").members.size());
        assertDisjointAndComplete(6, a, restarted, c);

        final BrokerException fenced = assertThrows(BrokerException.class, () -> sync(b));
        assertEquals(ErrorCode.FENCED_INSTANCE_ID, fenced.code());
        assertTrue(fenced.getMessage().contains("instance-b"), fenced.getMessage());
        final BrokerException commit = assertThrows(BrokerException.class,
            () -> coordinator.checkCommit("g", b.memberId, b.epoch));
        assertEquals(ErrorCode.FENCED_INSTANCE_ID, commit.code());
    }

    @Test
    void aSecondLiveMemberWithTheSameInstanceIdFencesTheFirst() {
        final Group.Member first = joinStatic("first", "same", "t");
        sync(first);
        final Group.Member second = joinStatic("second", "same", "t");
        assertEquals(1, coordinator.group("g").members.size(), "one member per instance id");
        final BrokerException fenced = assertThrows(BrokerException.class, () -> sync(first));
        assertEquals(ErrorCode.FENCED_INSTANCE_ID, fenced.code());
        final BrokerException again = assertThrows(BrokerException.class,
            () -> coordinator.join("g", first.memberId, "same", "first", 1, List.of("t"), Assignor.STICKY,
                SESSION_MS, SESSION_MS, 0, nowNs));
        assertEquals(ErrorCode.FENCED_INSTANCE_ID, again.code());
        sync(second);
        assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), second.assigned);
    }

    @Test
    void aStaticMemberPastItsSessionTimeoutIsEvictedLikeAnyOther() {
        final Group.Member a = joinStatic("a", "instance-a", "t");
        final Group.Member b = join("b", "t");
        settle();
        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS + 1);
        sync(b);
        assertEquals(1, coordinator.poll(nowNs));
        settle();
        assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), b.assigned);
        final Group.Member back = joinStatic("a2", "instance-a", "t");
        assertTrue(back.assigned.isEmpty() || back.assigned.size() < 6, "a new member, rebalanced as any join");
        assertFalse(a.memberId.equals(back.memberId));
    }

    @Test
    void aMemberWhoseHeartbeatReportsAPollGapBeyondMaxPollIntervalIsEvicted() {
        final Group.Member a = coordinator.join("g", "", "", "a", 1, List.of("t"), Assignor.STICKY, SESSION_MS,
            SESSION_MS, 2_000, nowNs);
        final Group.Member b = join("b", "t");
        settle();
        coordinator.heartbeat("g", a.memberId, a.epoch, a.assigned, 1_999, nowNs);
        final BrokerException evicted = assertThrows(BrokerException.class,
            () -> coordinator.heartbeat("g", a.memberId, a.epoch, a.assigned, 2_001, nowNs));
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, evicted.code());
        assertTrue(evicted.getMessage().contains("max.poll.interval.ms"), evicted.getMessage());
        assertFalse(coordinator.group("g").members.containsKey(a.memberId));
        settle();
        assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), b.assigned, "its partitions moved");
    }

    @Test
    void aMemberThatStopsPollingIsEvictedByTheTimerEvenWhileItHeartbeats() {
        final Group.Member a = coordinator.join("g", "", "", "a", 1, List.of("t"), Assignor.STICKY, SESSION_MS,
            SESSION_MS, 3_000, nowNs);
        final Group.Member b = join("b", "t");
        settle();
        final long polledAt = nowNs;
        nowNs += TimeUnit.MILLISECONDS.toNanos(1_000);
        coordinator.heartbeat("g", a.memberId, a.epoch, a.assigned, 1_000, nowNs);
        sync(b);
        nowNs = polledAt + TimeUnit.MILLISECONDS.toNanos(3_000);
        assertEquals(0, coordinator.poll(nowNs), "exactly max.poll.interval.ms is not late");
        nowNs += TimeUnit.MILLISECONDS.toNanos(1);
        assertEquals(1, coordinator.poll(nowNs), "a is evicted");
        assertNull(coordinator.group("g").members.get(a.memberId));
        assertThrows(BrokerException.class, () -> coordinator.join("g", "", "", "x", 1, List.of("t"),
            Assignor.STICKY, SESSION_MS, SESSION_MS, -1, nowNs), "a negative max poll interval is refused");
    }

    @Test
    void membershipIsRebuiltFromItsGroupStateRecord() {
        final Group.Member a = joinStatic("a", "instance-a", "t", "u");
        final Group.Member b = coordinator.join("g", "", "", "b", 1, List.of("t"), Assignor.STICKY, SESSION_MS,
            SESSION_MS, 5_000, nowNs);
        settle();
        join("c", "t");
        sync(a);
        coordinator.onCommit("g", new GroupPartition("t", 1), 42, -1, 7, "meta");
        assertFalse(coordinator.takeDirty().isEmpty(), "the changes marked the group dirty");
        assertTrue(coordinator.takeDirty().isEmpty(), "taken once");
        final Group original = coordinator.group("g");

        final org.agrona.ExpandableArrayBuffer value = new org.agrona.ExpandableArrayBuffer();
        final int length = GroupStateRecord.encodeValue(original, value);
        final GroupCoordinator rebuilt = new GroupCoordinator(t -> topics.getOrDefault(t, -1));
        rebuilt.onCommit("g", new GroupPartition("t", 1), 42, -1, 7, "meta");
        rebuilt.onGroupState("g", value, 0, length);
        final Group copy = rebuilt.group("g");
        assertEquals(original.groupEpoch, copy.groupEpoch);
        assertEquals(original.assignor, copy.assignor);
        assertEquals(42, copy.offsets.get(new GroupPartition("t", 1)).offset, "offsets stay");
        assertEquals(original.members.keySet(), copy.members.keySet());
        for (final Group.Member m : original.members.values()) {
            final Group.Member r = copy.members.get(m.memberId);
            assertEquals(m.instanceId, r.instanceId);
            assertEquals(m.clientId, r.clientId);
            assertEquals(m.epoch, r.epoch);
            assertEquals(m.answeredEpoch, r.answeredEpoch);
            assertEquals(m.topics, r.topics);
            assertEquals(m.target, r.target);
            assertEquals(m.assigned, r.assigned);
            assertEquals(m.owned, r.owned);
            assertEquals(m.maxPollIntervalMs, r.maxPollIntervalMs);
        }
        assertEquals(original.state(), copy.state());

        final long later = nowNs + TimeUnit.MILLISECONDS.toNanos(SESSION_MS * 5L);
        assertEquals(0, rebuilt.poll(later), "restored members get a full session timeout from the first check");
        final Group.Member restoredB = copy.members.get(b.memberId);
        final Group.Member answered = rebuilt.heartbeat("g", b.memberId, restoredB.epoch, restoredB.assigned, 0,
            later + 1);
        assertEquals(b.assigned, answered.assigned, "a member carries on with its member id and epoch");
        assertEquals(1, rebuilt.poll(later + TimeUnit.MILLISECONDS.toNanos(SESSION_MS + 1)) > 0 ? 1 : 0,
            "and one that never comes back is evicted after its session timeout");

        rebuilt.onGroupDeleted("g");
        assertNull(rebuilt.group("g"));
        final org.agrona.ExpandableArrayBuffer bad = new org.agrona.ExpandableArrayBuffer();
        bad.putBytes(0, value, 0, length);
        assertThrows(RuntimeException.class, () -> rebuilt.onGroupState("h", bad, 0, length - 3),
            "a cut record is refused");
    }

    @Test
    void aGroupWithMembersCannotBeDeleted() {
        final Group.Member a = join("a", "t");
        final BrokerException busy = assertThrows(BrokerException.class, () -> coordinator.checkDelete("g"));
        assertEquals(ErrorCode.NON_EMPTY_GROUP, busy.code());
        assertEquals(ErrorCode.GROUP_ID_NOT_FOUND,
            assertThrows(BrokerException.class, () -> coordinator.checkDelete("nope")).code());
        coordinator.leave("g", a.memberId, nowNs);
        assertEquals("g", coordinator.checkDelete("g").groupId);
    }

    @Test
    void aJoinAfterAnEvictionMovesOnlyWhatTheNewcomerTakes() {
        final Group.Member b = join("b", "t");
        settle();
        final Group.Member a = join("a", "t");
        settle();
        final Group.Member c = join("c", "t");
        settle();
        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS - 1);
        sync(a);
        sync(b);
        nowNs += TimeUnit.MILLISECONDS.toNanos(2);
        assertEquals(1, coordinator.poll(nowNs));
        settle();
        assertEquals(3, a.assigned.size());
        assertEquals(3, b.assigned.size());
        assertDisjointAndComplete(6, a, b);
        final Set<GroupPartition> aBefore = new TreeSet<>(a.assigned);
        final Set<GroupPartition> bBefore = new TreeSet<>(b.assigned);
        final Group.Member d = join("d", "t");
        settle();
        assertEquals(2, d.assigned.size());
        assertTrue(aBefore.containsAll(a.assigned), a.assigned + " only lost partitions of " + aBefore);
        assertTrue(bBefore.containsAll(b.assigned), b.assigned + " only lost partitions of " + bBefore);
        assertDisjointAndComplete(6, a, b, d);
        assertFalse(coordinator.group("g").members.containsKey(c.memberId), "c was evicted");
    }

    /**
     * The member's epoch moves twice before its next heartbeat (b joins, then c, while a's heartbeat is on its
     * way): a still heartbeats with the epoch it was last answered with, and is not fenced. Refusing it made the
     * consumer drop everything and join again under a new member id while the broker kept the old one until its
     * session timeout: a phantom member, and partitions revoked and given back.
     */
    @Test
    void aMemberWhoseEpochMovedTwiceSinceItsLastAnswerIsNotFenced() {
        final Group.Member a = join("a", "t");
        final int told = a.epoch;
        final Set<GroupPartition> owned = new TreeSet<>(a.assigned);
        coordinator.heartbeat("g", a.memberId, told, owned, nowNs);
        final Group.Member b = join("b", "t");
        final Group.Member c = join("c", "t");
        assertEquals(told + 2, a.epoch, "two revocations, two epochs");
        final int groupEpoch = coordinator.group("g").groupEpoch;

        coordinator.heartbeat("g", a.memberId, told, owned, nowNs);
        assertEquals(2, a.assigned.size(), "answered with its current assignment");
        assertEquals(groupEpoch, coordinator.group("g").groupEpoch, "no rebalance");
        assertEquals(3, coordinator.group("g").members.size(), "nobody left, nobody joined");
        coordinator.checkCommit("g", a.memberId, told);
        settle();
        assertDisjointAndComplete(6, a, b, c);
    }

    /**
     * A newcomer waits for partitions that two members release in two heartbeats: each release moves its epoch.
     * Its first heartbeat carries the epoch of its join answer, and must get it the freed partitions, nothing else
     * moving.
     */
    @Test
    void aNewcomerWhoseEpochMovedTwiceBeforeItsFirstHeartbeatGetsItsShare() {
        final Group.Member a = join("a", "t");
        settle();
        final Group.Member b = join("b", "t");
        settle();
        final Set<GroupPartition> aBefore = new TreeSet<>(a.assigned);
        final Set<GroupPartition> bBefore = new TreeSet<>(b.assigned);
        final Group.Member d = join("d", "t");
        final int joinedAt = d.epoch;
        final int groupEpoch = coordinator.group("g").groupEpoch;
        sync(a);
        sync(b);
        assertEquals(joinedAt + 2, d.epoch, "a's release, then b's");

        coordinator.heartbeat("g", d.memberId, joinedAt, Set.of(), nowNs);
        assertEquals(2, d.assigned.size());
        assertEquals(groupEpoch, coordinator.group("g").groupEpoch, "the join was the only rebalance");
        settle();
        assertEquals(3, coordinator.group("g").members.size());
        final Set<GroupPartition> moved = new TreeSet<>(aBefore);
        moved.removeAll(a.assigned);
        final Set<GroupPartition> fromB = new TreeSet<>(bBefore);
        fromB.removeAll(b.assigned);
        moved.addAll(fromB);
        assertEquals(d.assigned, moved, "d got exactly what a and b gave up");
        assertTrue(aBefore.containsAll(a.assigned) && bBefore.containsAll(b.assigned), "nothing moved back");
    }

    /** An answer that never arrived (a lost connection): the epoch answered before it is still accepted. */
    @Test
    void theEpochAnsweredBeforeALostAnswerIsAcceptedButNotOlderOnes() {
        final Group.Member a = join("a", "t");
        settle();
        final int received = a.epoch;
        join("b", "t");
        coordinator.heartbeat("g", a.memberId, received, a.owned, nowNs);
        final int lost = a.answeredEpoch;
        assertTrue(lost > received);
        join("c", "t");
        coordinator.heartbeat("g", a.memberId, received, a.owned, nowNs);
        final BrokerException stale = assertThrows(BrokerException.class,
            () -> coordinator.heartbeat("g", a.memberId, received - 1, a.owned, nowNs));
        assertEquals(ErrorCode.ILLEGAL_GENERATION, stale.code());
    }

    @Test
    void theHeartbeatIntervalIsATenthOfTheSessionTimeoutWithinBounds() {
        assertEquals(200, GroupCoordinator.heartbeatIntervalMs(2_000));
        assertEquals(GroupCoordinator.MIN_HEARTBEAT_INTERVAL_MS,
            GroupCoordinator.heartbeatIntervalMs(GroupCoordinator.MIN_SESSION_TIMEOUT_MS));
        assertEquals(GroupCoordinator.MAX_HEARTBEAT_INTERVAL_MS, GroupCoordinator.heartbeatIntervalMs(45_000));
    }
}

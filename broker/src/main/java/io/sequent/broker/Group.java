package io.sequent.broker;

import io.sequent.codec.client.Assignor;
import io.sequent.codec.client.GroupState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One consumer group: its members with their target and current assignments, and its committed offsets.
 *
 * <p>Per member the coordinator keeps three sets, as Kafka's KIP-848 protocol does:
 * <pre>
 *   target    what the assignor wants it to own
 *   assigned  what the broker has told it to own (its current assignment, sent with its member epoch)
 *   owned     what it last reported owning in a heartbeat
 * </pre>
 * A partition leaves {@code assigned} as soon as it leaves {@code target} (revocation), but enters another
 * member's {@code assigned} only once no other member has it in {@code assigned} or {@code owned}: it is revoked
 * from its old owner before it is assigned to a new one, and every member keeps consuming the partitions it
 * keeps meanwhile.
 *
 * <p>A static member ({@code group.instance.id}) that restarts takes its member over: a new member id with the
 * same target, assignment and epoch, so nobody else's partitions move; the old member id is fenced.
 *
 * <p>Written by the admin thread only (through the {@link GroupCoordinator}).
 */
final class Group {
    static final long NOT_EMPTY = Long.MIN_VALUE;

    /** Member ids whose instance id a newer member took over, kept to answer them FENCED_INSTANCE_ID. */
    static final int FENCED_MEMORY = 64;
    /** {@link Member#lastSeenNs} of a member restored from the log: set to the time of the first check. */
    static final long RESTORED = Long.MIN_VALUE;
    /** {@link Member#rejoinEpoch} of a member that has not rejoined. */
    static final int NO_REJOIN = Integer.MIN_VALUE;

    /** A member and its assignment. */
    static final class Member {
        final String memberId;
        final String clientId;
        /** {@code group.instance.id}, empty for a dynamic member. */
        final String instanceId;
        long sessionId;
        /**
         * The host of the session the member last spoke on (its response channel's endpoint, {@code ipc} for an
         * IPC client), for DescribeGroups; empty until it joins or heartbeats after a restart (not logged).
         */
        String host = "";
        int sessionTimeoutMs;
        int rebalanceTimeoutMs;
        /** {@code max.poll.interval.ms}; 0 when the broker does not watch the member's polls. */
        int maxPollIntervalMs;
        List<String> topics;
        long lastSeenNs;
        /** When the application last polled, as its heartbeats report it; by the broker's clock. */
        long lastPollNs;
        /** The epoch of {@link #assigned}; bumped each time it changes. */
        int epoch;
        /**
         * The epoch the member was last answered with (join or heartbeat): its next request carries it, however
         * often other members' heartbeats moved {@link #epoch} meanwhile.
         */
        int answeredEpoch;
        /** The epoch answered before {@link #answeredEpoch}, still accepted from a member that missed that answer. */
        int previousEpoch;
        /**
         * The member epoch its last rejoin carried ({@link #NO_REJOIN} before one): a rejoin sent again at that
         * epoch with the same subscription (its answer was lost) is answered with the member as it stands. Soft
         * state, not in the group-state record.
         */
        int rejoinEpoch = NO_REJOIN;
        /** Since when the member has owned a partition it was asked to revoke; Long.MIN_VALUE when none. */
        long revokingSinceNs = Long.MIN_VALUE;
        Set<GroupPartition> target = new TreeSet<>();
        Set<GroupPartition> assigned = new TreeSet<>();
        Set<GroupPartition> owned = new TreeSet<>();

        Member(final String memberId, final String clientId) {
            this(memberId, clientId, "");
        }

        Member(final String memberId, final String clientId, final String instanceId) {
            this.memberId = memberId;
            this.clientId = clientId;
            this.instanceId = instanceId;
        }

        boolean isStatic() {
            return !instanceId.isEmpty();
        }

        /**
         * Whether a request carrying this member epoch comes from the member's current view: the epoch it was last
         * answered with (or the one before, when that answer was lost), or the current one. Not merely the epoch
         * before the last change: a member's epoch moves at every change of its assignment, and several changes
         * (another member's join, others releasing partitions it waits for) can come between two of its
         * heartbeats.
         */
        boolean acceptsEpoch(final int memberEpoch) {
            return memberEpoch == epoch || memberEpoch == answeredEpoch || memberEpoch == previousEpoch;
        }

        /** The member is being answered with its current epoch and assignment. */
        void answered() {
            if (answeredEpoch != epoch) {
                previousEpoch = answeredEpoch;
                answeredEpoch = epoch;
            }
        }

        @Override
        public String toString() {
            return memberId + "@" + epoch + assigned;
        }
    }

    /** A committed offset. */
    static final class Committed {
        final long offset;
        final int leaderEpoch;
        final long timestampMs;
        final String metadata;

        Committed(final long offset, final int leaderEpoch, final long timestampMs, final String metadata) {
            this.offset = offset;
            this.leaderEpoch = leaderEpoch;
            this.timestampMs = timestampMs;
            this.metadata = metadata;
        }
    }

    final String groupId;
    Assignor assignor = Assignor.STICKY;
    /** Bumped at each change of membership, subscriptions or subscribed partition counts. */
    int groupEpoch;
    final Map<String, Member> members = new TreeMap<>();
    final Map<GroupPartition, Committed> offsets = new TreeMap<>();
    Map<String, Integer> partitionCounts = new TreeMap<>();
    /** Since when the group has had no members ({@link #NOT_EMPTY} while it has some); by the broker's clock. */
    long emptySinceNs = NOT_EMPTY;
    /** The most recent member ids fenced by a newer member with the same instance id, to their instance id. */
    final Map<String, String> fenced = new java.util.LinkedHashMap<>();

    /** The member holding this {@code group.instance.id}, or null. */
    Member staticMember(final String instanceId) {
        for (final Member member : members.values()) {
            if (member.instanceId.equals(instanceId)) {
                return member;
            }
        }
        return null;
    }

    void fence(final Member member) {
        fenced.put(member.memberId, member.instanceId);
        if (fenced.size() > FENCED_MEMORY) {
            fenced.remove(fenced.keySet().iterator().next());
        }
    }

    Group(final String groupId) {
        this.groupId = groupId;
    }

    GroupState state() {
        if (members.isEmpty()) {
            return GroupState.EMPTY;
        }
        for (final Member member : members.values()) {
            if (!member.assigned.equals(member.target) || !member.owned.equals(member.assigned)) {
                return GroupState.RECONCILING;
            }
        }
        return GroupState.STABLE;
    }

    /** The member that the broker currently assigns {@code tp} to, or null. */
    Member assignee(final GroupPartition tp) {
        for (final Member member : members.values()) {
            if (member.assigned.contains(tp)) {
                return member;
            }
        }
        return null;
    }

    /** Every topic some member subscribes to. */
    Set<String> subscribedTopics() {
        final Set<String> topics = new TreeSet<>();
        for (final Member member : members.values()) {
            topics.addAll(member.topics);
        }
        return topics;
    }

    /**
     * Moves every member's current assignment towards its target: first revokes from each what left its target,
     * then adds to each the partitions of its target that no other member holds (assigned or still owned).
     *
     * @return the members whose assignment (and epoch) changed.
     */
    List<Member> reconcile(final long nowNs) {
        final List<Member> changed = new ArrayList<>();
        for (final Member member : members.values()) {
            final Set<GroupPartition> next = new TreeSet<>(member.assigned);
            next.retainAll(member.target);
            if (!next.equals(member.assigned)) {
                member.assigned = next;
                changed.add(member);
            }
        }
        for (final Member member : members.values()) {
            boolean grew = false;
            for (final GroupPartition tp : member.target) {
                if (!member.assigned.contains(tp) && isFreeFor(tp, member)) {
                    member.assigned.add(tp);
                    grew = true;
                }
            }
            if (grew && !changed.contains(member)) {
                changed.add(member);
            }
        }
        for (final Member member : changed) {
            member.epoch++;
        }
        for (final Member member : members.values()) {
            final boolean revoking = !member.assigned.containsAll(member.owned);
            if (!revoking) {
                member.revokingSinceNs = Long.MIN_VALUE;
            } else if (member.revokingSinceNs == Long.MIN_VALUE) {
                member.revokingSinceNs = nowNs;
            }
        }
        return changed;
    }

    private boolean isFreeFor(final GroupPartition tp, final Member candidate) {
        for (final Member other : members.values()) {
            if (other != candidate && (other.assigned.contains(tp) || other.owned.contains(tp))) {
                return false;
            }
        }
        return true;
    }
}

package io.sequent.client;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.client.ErrorCode;

/**
 * A consumer's membership of its group, in KIP-848 style: joins, heartbeats every interval the broker names
 * (reporting the partitions it owns), and hands the consumer each new assignment the broker answers with.
 * The consumer reconciles (revokes, adopts) and reports back with {@link #owned}; the next heartbeat goes at
 * once so the broker can hand revoked partitions on.
 *
 * <p>Not thread-safe: the consumer's calling thread only (requests complete on the I/O thread, and are read
 * here once done).
 */
final class GroupMember {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);

    /** What a {@link #poll} found. */
    enum Event {
        NONE,
        /** {@link #assignment()} changed: reconcile. */
        ASSIGNMENT,
        /** The membership was fenced (evicted, stale epoch): the owned partitions are lost; rejoining. */
        FENCED
    }

    final String groupId;
    private final ClientIo io;
    private final ConsumerConfig config;
    private final long requestTimeoutNs;
    private final long retryBackoffNs;
    private List<String> topics;
    private String memberId = "";
    private int epoch;
    private Set<TopicPartition> assignment = new TreeSet<>(GroupCalls.PARTITION_ORDER);
    private Set<TopicPartition> owned = new TreeSet<>(GroupCalls.PARTITION_ORDER);
    private Call<GroupCalls.Membership> inFlight;
    private boolean rejoin;
    private long nextHeartbeatNs;
    private long intervalNs;

    GroupMember(final String groupId, final ClientIo io, final ConsumerConfig config, final long requestTimeoutNs) {
        this.groupId = groupId;
        this.io = io;
        this.config = config;
        this.requestTimeoutNs = requestTimeoutNs;
        this.retryBackoffNs = TimeUnit.MILLISECONDS.toNanos(config.retryBackoffMs());
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(config.sessionTimeoutMs() / 3);
    }

    /** Subscribes to these topics: joins, or rejoins with the new subscription, at the next {@link #poll}. */
    void subscribe(final Collection<String> topics) {
        this.topics = List.copyOf(topics);
        rejoin = true;
        nextHeartbeatNs = System.nanoTime();
    }

    String memberId() {
        return memberId;
    }

    int epoch() {
        return epoch;
    }

    boolean isMember() {
        return !memberId.isEmpty();
    }

    /** The partitions the broker last assigned. */
    Set<TopicPartition> assignment() {
        return assignment;
    }

    /** The consumer now owns exactly these partitions: tell the broker at once. */
    void owned(final Set<TopicPartition> partitions) {
        owned = new TreeSet<>(GroupCalls.PARTITION_ORDER);
        owned.addAll(partitions);
        nextHeartbeatNs = System.nanoTime();
    }

    Set<TopicPartition> owned() {
        return owned;
    }

    /**
     * Sends the join or heartbeat that is due and reads the one that finished.
     *
     * @param now {@link System#nanoTime()}.
     * @param waiter the thread to wake when a request completes.
     * @return what happened.
     */
    Event poll(final long now, final Thread waiter) {
        Event event = Event.NONE;
        final Call<GroupCalls.Membership> call = inFlight;
        if (call != null) {
            if (!call.future.isDone()) {
                return Event.NONE;
            }
            inFlight = null;
            event = complete(call, now);
        }
        if (inFlight == null && now - nextHeartbeatNs >= 0 && topics != null) {
            final Call<GroupCalls.Membership> next;
            if (memberId.isEmpty() || rejoin) {
                next = new GroupCalls.JoinCall(groupId, memberId, topics,
                    GroupCalls.assignor(config.groupRemoteAssignor()), config.sessionTimeoutMs(), requestTimeoutNs);
                rejoin = false;
            } else {
                next = new GroupCalls.HeartbeatCall(groupId, memberId, epoch, owned, requestTimeoutNs);
            }
            next.future.whenComplete((r, e) -> LockSupport.unpark(waiter));
            nextHeartbeatNs = now + intervalNs;
            inFlight = next;
            io.submit(next);
        }
        return event;
    }

    private Event complete(final Call<GroupCalls.Membership> call, final long now) {
        final GroupCalls.Membership membership;
        try {
            membership = call.future.join();
        } catch (final RuntimeException ex) {
            final SequentException failure = ex.getCause() instanceof SequentException se ? se
                : new SequentException(ErrorCode.NULL_VAL, String.valueOf(ex.getCause()), ex);
            final ErrorCode code = failure.errorCode();
            if (code == ErrorCode.UNKNOWN_MEMBER_ID || code == ErrorCode.ILLEGAL_GENERATION ||
                code == ErrorCode.GROUP_ID_NOT_FOUND) {
                LOG.info("consumer {}: membership of group '{}' fenced ({}); joining again", io.clientId(), groupId,
                    failure.getMessage());
                memberId = "";
                epoch = 0;
                assignment = new TreeSet<>(GroupCalls.PARTITION_ORDER);
                nextHeartbeatNs = now;
                return Event.FENCED;
            }
            if (!failure.isRetriable() && code != ErrorCode.NULL_VAL) {
                throw failure;
            }
            LOG.debug("consumer {}: group request failed, retrying: {}", io.clientId(), failure.getMessage());
            nextHeartbeatNs = now + retryBackoffNs;
            return Event.NONE;
        }
        memberId = membership.memberId();
        intervalNs = TimeUnit.MILLISECONDS.toNanos(membership.heartbeatIntervalMs());
        final boolean changed = membership.memberEpoch() != epoch || !membership.assigned().equals(assignment);
        epoch = membership.memberEpoch();
        if (changed) {
            assignment = membership.assigned();
            return Event.ASSIGNMENT;
        }
        return Event.NONE;
    }

    /**
     * Leaves the group (waits for the answer, bounded by the request timeout); failures are logged.
     */
    void leave() {
        final Call<GroupCalls.Membership> call = inFlight;
        if (call != null) {
            try {
                ClientIo.await(call.future, TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs));
                complete(call, System.nanoTime());
            } catch (final RuntimeException ex) {
                LOG.debug("consumer {}: last group request failed: {}", io.clientId(), ex.getMessage());
            }
            inFlight = null;
        }
        if (memberId.isEmpty()) {
            return;
        }
        try {
            io.call(new GroupCalls.LeaveCall(groupId, memberId, requestTimeoutNs));
        } catch (final RuntimeException ex) {
            LOG.warn("consumer {}: leaving group '{}' failed: {}", io.clientId(), groupId, ex.getMessage());
        }
        memberId = "";
        epoch = 0;
        topics = null;
        assignment = new TreeSet<>(GroupCalls.PARTITION_ORDER);
        owned = new TreeSet<>(GroupCalls.PARTITION_ORDER);
    }
}

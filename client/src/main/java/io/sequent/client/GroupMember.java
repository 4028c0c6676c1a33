package io.sequent.client;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.client.ErrorCode;

/**
 * A consumer's membership of its group, in KIP-848 style: joins, heartbeats every interval the broker names
 * (reporting the partitions it owns and how long ago the application last polled), and hands the consumer each
 * new assignment the broker answers with. The consumer reconciles (revokes, adopts) and reports back with
 * {@link #owned}; the next heartbeat goes at once so the broker can hand revoked partitions on.
 *
 * <p>Joins and heartbeats are sent from the consumer's I/O thread ({@link #doWork}, as Kafka's heartbeat
 * thread), so a slow {@code poll} loop does not miss the session timeout; the broker evicts a member whose
 * heartbeats report no poll for longer than {@code max.poll.interval.ms}.
 *
 * <p>Threads: the consumer's calling thread writes the subscription, the owned set and the time of its last
 * poll, and reads events with {@link #poll}; the I/O thread alone sends requests and writes the membership
 * (member id, epoch, assignment, fenced or failed). What one writes and the other reads is volatile; each value
 * published is immutable. The subscription goes over as one {@link Subscription} (topics and sequence together):
 * published as two values, the I/O thread could join with the new topics under the old sequence, then see the
 * new sequence and join a second time, a rejoin that bumps the group epoch for nothing.
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

    /**
     * What the member subscribes to, published by the calling thread in one volatile write: the topics and the
     * sequence number of the subscribe (or rejoin) that set them; the I/O thread joins again when it sees a new
     * sequence.
     */
    private record Subscription(List<String> topics, int seq) {
    }

    final String groupId;
    private final ClientIo io;
    private final ConsumerConfig config;
    private final long requestTimeoutNs;
    private final long retryBackoffNs;
    private final String instanceId;

    // written by the calling thread
    private volatile Subscription subscription;
    private volatile Set<TopicPartition> owned = Set.of();
    private volatile boolean urgent;
    private volatile long lastPollNs = System.nanoTime();
    private volatile boolean stopped;
    private volatile Thread waiter;
    private int seenAssignmentSeq;

    // written by the I/O thread
    private volatile String memberId = "";
    /**
     * The member id the next join goes under, chosen here before the first join (KIP-1082) and kept for its
     * retries: a join whose answer was lost and that is sent again finds the member the broker made of the first
     * one, rather than leaving it as a phantom that holds partitions until its session timeout. A new one after
     * the membership is fenced.
     */
    private String joinId = newMemberId();
    private volatile int epoch;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile int assignmentSeq;
    private volatile boolean fenced;
    private volatile SequentException fatal;
    private volatile Call<GroupCalls.Membership> inFlight;
    private int joinedSeq = -1;
    private long nextHeartbeatNs;
    private long intervalNs;

    GroupMember(final String groupId, final ClientIo io, final ConsumerConfig config, final long requestTimeoutNs) {
        this.groupId = groupId;
        this.io = io;
        this.config = config;
        this.requestTimeoutNs = requestTimeoutNs;
        this.retryBackoffNs = TimeUnit.MILLISECONDS.toNanos(config.retryBackoffMs());
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(config.sessionTimeoutMs() / 3);
        this.instanceId = config.groupInstanceId();
    }

    /** Subscribes to these topics: joins, or rejoins with the new subscription, from the I/O thread. */
    void subscribe(final Collection<String> topics) {
        final Subscription current = subscription;
        subscription = new Subscription(List.copyOf(topics), null == current ? 0 : current.seq() + 1);
    }

    /** Joins again with the same subscription: the broker recomputes the assignment (enforceRebalance). */
    void rejoin() {
        final Subscription current = subscription;
        if (null != current) {
            subscription = new Subscription(current.topics(), current.seq() + 1);
        }
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

    boolean isStatic() {
        return !instanceId.isEmpty();
    }

    /** The partitions the broker last assigned. */
    Set<TopicPartition> assignment() {
        return assignment;
    }

    /** The consumer now owns exactly these partitions: tell the broker at once. */
    void owned(final Set<TopicPartition> partitions) {
        final Set<TopicPartition> copy = new TreeSet<>(GroupCalls.PARTITION_ORDER);
        copy.addAll(partitions);
        owned = java.util.Collections.unmodifiableSet(copy);
        urgent = true;
    }

    Set<TopicPartition> owned() {
        return owned;
    }

    /**
     * Reads what the I/O thread learned since the last call, and notes that the application polled.
     *
     * @param now    {@link System#nanoTime()}.
     * @param caller the thread to wake when something arrives.
     * @return what happened.
     * @throws FencedInstanceIdException when a newer member took this one's {@code group.instance.id} over, or
     *                                   the broker's non-retriable error.
     */
    Event poll(final long now, final Thread caller) {
        waiter = caller;
        lastPollNs = now;
        final SequentException failure = fatal;
        if (failure != null) {
            throw failure;
        }
        if (fenced) {
            return Event.FENCED;
        }
        final int seq = assignmentSeq;
        if (seq != seenAssignmentSeq) {
            seenAssignmentSeq = seq;
            return Event.ASSIGNMENT;
        }
        return Event.NONE;
    }

    /** The consumer has told its listener the partitions are lost and owns nothing: join again. */
    void rejoinAfterFenced() {
        owned = Set.of();
        seenAssignmentSeq = assignmentSeq;
        fenced = false;
    }

    /**
     * I/O thread: takes the answer to the request in flight, and sends the join or heartbeat that is due.
     *
     * @param now {@link System#nanoTime()}.
     * @return work done.
     */
    int doWork(final long now) {
        if (stopped || fatal != null) {
            return 0;
        }
        int work = 0;
        final Call<GroupCalls.Membership> call = inFlight;
        if (call != null) {
            if (!call.future.isDone()) {
                return 0;
            }
            inFlight = null;
            complete(call, now);
            work++;
        }
        final Subscription subscribed = subscription;
        if (fenced || fatal != null || subscribed == null) {
            return work;
        }
        final int seq = subscribed.seq();
        final boolean join = memberId.isEmpty() || seq != joinedSeq;
        if (join || urgent || now - nextHeartbeatNs >= 0) {
            final Call<GroupCalls.Membership> next;
            urgent = false; // before owned is read: an owned set published after the read raises it again
            if (join) {
                joinedSeq = seq;
                final boolean first = memberId.isEmpty();
                next = new GroupCalls.MemberJoinCall(groupId, first ? joinId : memberId, first ? 0 : epoch,
                    instanceId, subscribed.topics(),
                    GroupCalls.assignor(config.groupRemoteAssignor()), config.sessionTimeoutMs(),
                    config.maxPollIntervalMs(), requestTimeoutNs);
            } else {
                final long pollAgeMs = TimeUnit.NANOSECONDS.toMillis(Math.max(0, now - lastPollNs));
                next = new GroupCalls.MemberHeartbeatCall(groupId, memberId, epoch,
                    (int) Math.min(Integer.MAX_VALUE, pollAgeMs), owned, requestTimeoutNs);
            }
            nextHeartbeatNs = now + intervalNs;
            inFlight = next;
            io.submit(next);
            work++;
        }
        return work;
    }

    private void complete(final Call<GroupCalls.Membership> call, final long now) {
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
                joinId = newMemberId();
                epoch = 0;
                assignment = Set.of();
                fenced = true;
                wake();
                return;
            }
            if (code == ErrorCode.FENCED_INSTANCE_ID || !failure.isRetriable() && code != ErrorCode.NULL_VAL) {
                LOG.warn("consumer {}: group '{}' refused the member: {}", io.clientId(), groupId,
                    failure.getMessage());
                fatal = failure;
                wake();
                return;
            }
            LOG.debug("consumer {}: group request failed, retrying: {}", io.clientId(), failure.getMessage());
            nextHeartbeatNs = now + retryBackoffNs;
            if (call instanceof GroupCalls.MemberJoinCall) {
                joinedSeq = -1;
            }
            return;
        }
        memberId = membership.memberId();
        intervalNs = TimeUnit.MILLISECONDS.toNanos(membership.heartbeatIntervalMs());
        final boolean changed = membership.memberEpoch() != epoch || !membership.assigned().equals(assignment);
        epoch = membership.memberEpoch();
        if (changed) {
            assignment = java.util.Collections.unmodifiableSet(membership.assigned());
            assignmentSeq++;
            wake();
        }
    }

    private static String newMemberId() {
        return java.util.UUID.randomUUID().toString();
    }

    private void wake() {
        final Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Stops heartbeating and leaves the group (waits for the answer, bounded by the request timeout); failures
     * are logged. A static member ({@code group.instance.id}) does not leave: the broker keeps its partitions
     * for it until its session timeout, so a restart gets them back.
     */
    void leave() {
        final CompletableFuture<Void> halted = new CompletableFuture<>();
        try {
            io.execute(() -> {
                stopped = true;
                halted.complete(null);
            });
            io.await(halted, TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs));
        } catch (final RuntimeException ex) {
            stopped = true;
            LOG.debug("consumer {}: stopping the heartbeats: {}", io.clientId(), ex.toString());
        }
        final Call<GroupCalls.Membership> call = inFlight;
        if (call != null) {
            try {
                io.await(call.future, TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs));
                complete(call, System.nanoTime());
            } catch (final RuntimeException ex) {
                LOG.debug("consumer {}: last group request failed: {}", io.clientId(), ex.getMessage());
            }
            inFlight = null;
        }
        final String id = memberId;
        if (!id.isEmpty() && !isStatic() && fatal == null) {
            try {
                io.call(new GroupCalls.LeaveCall(groupId, id, requestTimeoutNs));
            } catch (final RuntimeException ex) {
                LOG.warn("consumer {}: leaving group '{}' failed: {}", io.clientId(), groupId, ex.getMessage());
            }
        }
        memberId = "";
        epoch = 0;
        subscription = null;
        assignment = Set.of();
        owned = Set.of();
    }
}

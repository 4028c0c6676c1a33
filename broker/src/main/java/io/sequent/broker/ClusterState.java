package io.sequent.broker;

import io.sequent.replica.Role;
import io.sequent.sequencer.CommitPosition;

/**
 * What the other threads see of this member's place in its replica group, published by the {@link ReplicaAgent}
 * (the single writer) with release semantics and read with one volatile read each, allocation-free: whether this
 * member takes writes, the leader (as far as it knows) and its epoch, and the commit position the release stage
 * answers acks=all and moves high watermarks by (on every member).
 *
 * <p>Seqs: the protocol numbers batches from 1 (0 is the empty log's end); the sequencer's group sequence from 0.
 * The batch with replica seq {@code s} has group seq {@code s - 1}; {@link #commitSeq()} is in group seqs.
 */
final class ClusterState implements CommitPosition {
    private final int selfId;
    private final ClusterMembers members;
    private volatile boolean writable;
    private volatile int role = Role.FOLLOWER.ordinal();
    private volatile int epoch;
    private volatile int leaderId = -1;
    private volatile long commitGroupSeq = -1;
    private volatile long abandonedThrough = -1;
    private volatile int votesGranted;
    private volatile int votesAnswered;
    private volatile long noLeaderSinceNs;

    ClusterState(final int selfId, final ClusterMembers members) {
        this.selfId = selfId;
        this.members = members;
    }

    /** @return true when this member is the leader and takes writes (produce, admin changes). */
    boolean isWritable() {
        return writable;
    }

    /** @return the leader's broker id, -1 when none is known. */
    int leaderId() {
        return leaderId;
    }

    /** @return the current epoch. */
    int epoch() {
        return epoch;
    }

    /** @return this member's role. */
    Role role() {
        return Role.values()[role];
    }

    /** @return this broker's id. */
    int selfId() {
        return selfId;
    }

    /** @return the members of the group. */
    ClusterMembers members() {
        return members;
    }

    /**
     * @param advertisedSelf this broker's own ingress channel as clients reach it (resolved port).
     * @return the leader's ingress channel, empty when no leader is known.
     */
    String leaderIngressChannel(final String advertisedSelf) {
        final int leader = leaderId;
        if (leader < 0) {
            return "";
        }
        if (leader == selfId || !members.isConfigured()) {
            return advertisedSelf;
        }
        final ClusterMembers.Member member = members.member(leader);
        return null == member ? "" : member.ingressChannel();
    }

    @Override
    public long commitSeq() {
        return commitGroupSeq;
    }

    @Override
    public long abandonedThrough() {
        return abandonedThrough;
    }

    void publish(final Role role, final int epoch, final int leaderId, final boolean writable) {
        this.epoch = epoch;
        this.leaderId = leaderId;
        this.role = role.ordinal();
        this.writable = writable;
    }

    /**
     * The state of this member's election while it knows no leader: published by the agent each duty cycle.
     *
     * @param granted         member indexes (bits) that granted this member's current (pre-)vote, itself included.
     * @param answered        member indexes (bits) that answered it at all, granted or refused.
     * @param noLeaderSinceNs when this member last lost (or never had) a leader, the agent's nano clock.
     */
    void publishElection(final int granted, final int answered, final long noLeaderSinceNs) {
        if (granted != votesGranted) {
            votesGranted = granted;
        }
        if (answered != votesAnswered) {
            votesAnswered = answered;
        }
        if (noLeaderSinceNs != this.noLeaderSinceNs) {
            this.noLeaderSinceNs = noLeaderSinceNs;
        }
    }

    /**
     * Why no leader is named, for a client that waits for one (ConnectResponse, MetadataResponse): who this member
     * is, how long it has known no leader, and which members it does not reach or that refuse it. Cold path.
     *
     * @param nowNs the same nano clock the agent publishes with.
     * @return the reason, or "" when a leader is known.
     */
    String noLeaderReason(final long nowNs) {
        if (leaderId >= 0) {
            return "";
        }
        final int count = members.size();
        final int majority = count / 2 + 1;
        final int selfIndex = members.isConfigured() ? selfId : 0; // member ids are indexes
        final long forMs = Math.max(0, (nowNs - noLeaderSinceNs) / 1_000_000L);
        final StringBuilder reason = new StringBuilder(160)
            .append("no leader in epoch ").append(epoch).append(" for ").append(forMs).append(" ms: member ")
            .append(selfId);
        if (Role.CANDIDATE.ordinal() == role) {
            final int granted = votesGranted | (1 << selfIndex);
            final int answered = votesAnswered;
            reason.append(" stands for election with ").append(Integer.bitCount(granted)).append(" of the ")
                .append(majority).append(" votes a leader of ").append(count).append(" members needs");
            appendMembers(reason, "; not answering: member ", ~(answered | granted), count);
            appendMembers(reason, "; refusing (a longer log, or it hears a leader): member ", answered & ~granted,
                count);
        } else {
            reason.append(" is a follower waiting to hear a leader");
        }
        return reason.toString();
    }

    private static void appendMembers(
        final StringBuilder reason, final String label, final int bits, final int count) {
        String separator = label;
        for (int i = 0; i < count; i++) {
            if (0 != (bits & (1 << i))) {
                reason.append(separator).append(i);
                separator = ", ";
            }
        }
    }

    void commitGroupSeq(final long commitGroupSeq) {
        if (commitGroupSeq > this.commitGroupSeq) {
            this.commitGroupSeq = commitGroupSeq;
        }
    }

    void abandonThrough(final long ringSequence) {
        if (ringSequence > abandonedThrough) {
            abandonedThrough = ringSequence;
        }
    }
}

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

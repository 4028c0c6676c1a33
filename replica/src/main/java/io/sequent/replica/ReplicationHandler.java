package io.sequent.replica;

import org.agrona.DirectBuffer;

import io.sequent.codec.replication.StepDownReason;

/**
 * Receives decoded replication messages (Aeron's Adapter role dispatches to it); the parameters mirror
 * {@link MemberProxy}'s. {@link ReplicaNode} implements it.
 */
public interface ReplicationHandler {
    /**
     * @param epoch       the epoch the candidate wants to lead.
     * @param candidateId the candidate.
     * @param lastEpoch   epoch of the candidate's last batch.
     * @param lastSeq     the candidate's log end.
     * @param preVote     true for a pre-vote probe.
     */
    void onRequestVote(int epoch, int candidateId, int lastEpoch, long lastSeq, boolean preVote);

    /**
     * @param epoch          the voter's current epoch.
     * @param candidateEpoch epoch of the request answered.
     * @param candidateId    the candidate.
     * @param voterId        the voter.
     * @param preVote        answers a pre-vote.
     * @param granted        the vote.
     */
    void onVote(int epoch, int candidateEpoch, int candidateId, int voterId, boolean preVote, boolean granted);

    /**
     * @param epoch      the leader's epoch.
     * @param leaderId   the leader.
     * @param commitSeq  the leader's commit seq.
     * @param batchEpoch epoch stamped on the batch.
     * @param seq        of the batch.
     * @param topicId    of the batch.
     * @param partition  of the batch.
     * @param buffer     holding the batch bytes, valid only during the call.
     * @param offset     of the first byte.
     * @param length     of the batch.
     */
    void onReplicatedBatch(
        int epoch, int leaderId, long commitSeq, int batchEpoch, long seq, int topicId, int partition,
        DirectBuffer buffer, int offset, int length);

    /**
     * @param epoch     the leader's epoch.
     * @param leaderId  the leader.
     * @param commitSeq the leader's commit seq.
     * @param lastSeq   the leader's log end.
     */
    void onHeartbeat(int epoch, int leaderId, long commitSeq, long lastSeq);

    /**
     * @param epoch    the follower's epoch.
     * @param memberId the follower.
     * @param seq      the follower's durable log end.
     */
    void onAppendPosition(int epoch, int memberId, long seq);

    /**
     * @param epoch     the leader's epoch the follower joins.
     * @param memberId  the follower.
     * @param lastEpoch epoch of the follower's last batch.
     * @param lastSeq   the follower's log end.
     */
    void onFollowerJoin(int epoch, int memberId, int lastEpoch, long lastSeq);

    /**
     * @param epoch         the leader's epoch.
     * @param leaderId      the leader.
     * @param memberId      the follower addressed.
     * @param truncateToSeq divergence point.
     * @param truncateEpoch epoch of the leader's batch at the divergence point.
     * @param leaderLastSeq the leader's log end.
     * @param commitSeq     the leader's commit seq.
     */
    void onFollowerJoinResponse(
        int epoch, int leaderId, int memberId, long truncateToSeq, int truncateEpoch, long leaderLastSeq,
        long commitSeq);

    /**
     * @param epoch    the leader's epoch.
     * @param memberId the follower.
     * @param fromSeq  first seq to replay.
     * @param toSeq    last seq to replay, -1 for "until caught up".
     */
    void onReplayRequest(int epoch, int memberId, long fromSeq, long toSeq);

    /**
     * @param epoch     the new leader's epoch.
     * @param leaderId  the new leader.
     * @param lastSeq   its log end.
     * @param commitSeq its commit seq.
     */
    void onNewLeader(int epoch, int leaderId, long lastSeq, long commitSeq);

    /**
     * @param epoch    the epoch given up.
     * @param leaderId the leader stepping down.
     * @param reason   why.
     */
    void onStepDown(int epoch, int leaderId, StepDownReason reason);

    /**
     * @param epoch    the leader's epoch.
     * @param leaderId the leader.
     * @param targetId the follower that should start an election now.
     */
    void onTransferLeadership(int epoch, int leaderId, int targetId);
}

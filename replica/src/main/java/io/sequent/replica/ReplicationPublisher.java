package io.sequent.replica;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.replication.AppendPositionEncoder;
import io.sequent.codec.replication.BooleanType;
import io.sequent.codec.replication.FollowerJoinEncoder;
import io.sequent.codec.replication.FollowerJoinResponseEncoder;
import io.sequent.codec.replication.HeartbeatEncoder;
import io.sequent.codec.replication.MessageHeaderEncoder;
import io.sequent.codec.replication.NewLeaderEncoder;
import io.sequent.codec.replication.ReplayRequestEncoder;
import io.sequent.codec.replication.ReplicatedBatchEncoder;
import io.sequent.codec.replication.RequestVoteEncoder;
import io.sequent.codec.replication.StepDownEncoder;
import io.sequent.codec.replication.StepDownReason;
import io.sequent.codec.replication.TransferLeadershipEncoder;
import io.sequent.codec.replication.VoteEncoder;

/**
 * The {@link MemberProxy} of one destination member: encodes each message with the generated SBE flyweights into
 * one pre-allocated buffer and offers the frame to a {@link FrameSink}. Allocation-free; one instance per
 * destination, used by the replica's thread only.
 */
public final class ReplicationPublisher implements MemberProxy {
    /** Bytes of a ReplicatedBatch frame around the batch: header, fixed block, var-data length. */
    public static final int BATCH_FRAME_OVERHEAD = MessageHeaderEncoder.ENCODED_LENGTH +
        ReplicatedBatchEncoder.BLOCK_LENGTH + ReplicatedBatchEncoder.batchHeaderLength();

    private final FrameSink sink;
    private final UnsafeBuffer buffer;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final RequestVoteEncoder requestVote = new RequestVoteEncoder();
    private final VoteEncoder vote = new VoteEncoder();
    private final ReplicatedBatchEncoder replicatedBatch = new ReplicatedBatchEncoder();
    private final HeartbeatEncoder heartbeat = new HeartbeatEncoder();
    private final AppendPositionEncoder appendPosition = new AppendPositionEncoder();
    private final FollowerJoinEncoder followerJoin = new FollowerJoinEncoder();
    private final FollowerJoinResponseEncoder followerJoinResponse = new FollowerJoinResponseEncoder();
    private final ReplayRequestEncoder replayRequest = new ReplayRequestEncoder();
    private final NewLeaderEncoder newLeader = new NewLeaderEncoder();
    private final StepDownEncoder stepDown = new StepDownEncoder();
    private final TransferLeadershipEncoder transferLeadership = new TransferLeadershipEncoder();

    /**
     * @param sink           where frames go.
     * @param maxBatchLength the largest batch a ReplicatedBatch must carry.
     */
    public ReplicationPublisher(final FrameSink sink, final int maxBatchLength) {
        this.sink = sink;
        this.buffer = new UnsafeBuffer(new byte[BATCH_FRAME_OVERHEAD + maxBatchLength]);
    }

    /** {@inheritDoc} */
    public boolean requestVote(
        final int epoch, final int candidateId, final int lastEpoch, final long lastSeq, final boolean preVote) {
        requestVote.wrapAndApplyHeader(buffer, 0, header)
            .lastSeq(lastSeq).epoch(epoch).lastEpoch(lastEpoch).candidateId(candidateId).preVote(bool(preVote));
        return offer(requestVote.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean vote(
        final int epoch, final int candidateEpoch, final int candidateId, final int voterId, final boolean preVote,
        final boolean granted) {
        vote.wrapAndApplyHeader(buffer, 0, header).epoch(epoch).candidateEpoch(candidateEpoch)
            .candidateId(candidateId).voterId(voterId).preVote(bool(preVote)).granted(bool(granted));
        return offer(vote.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean replicatedBatch(
        final int epoch, final int leaderId, final long commitSeq, final int batchEpoch, final long seq,
        final int topicId, final int partition, final DirectBuffer batch, final int offset, final int length) {
        if (length > buffer.capacity() - BATCH_FRAME_OVERHEAD) {
            return false;
        }
        replicatedBatch.wrapAndApplyHeader(buffer, 0, header).commitSeq(commitSeq).seq(seq).epoch(epoch)
            .batchEpoch(batchEpoch).leaderId(leaderId).topicId(topicId).partition(partition)
            .putBatch(batch, offset, length);
        return offer(replicatedBatch.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean heartbeat(final int epoch, final int leaderId, final long commitSeq, final long lastSeq) {
        heartbeat.wrapAndApplyHeader(buffer, 0, header)
            .commitSeq(commitSeq).lastSeq(lastSeq).epoch(epoch).leaderId(leaderId);
        return offer(heartbeat.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean appendPosition(final int epoch, final int memberId, final long seq) {
        appendPosition.wrapAndApplyHeader(buffer, 0, header).seq(seq).epoch(epoch).memberId(memberId);
        return offer(appendPosition.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean followerJoin(final int epoch, final int memberId, final int lastEpoch, final long lastSeq) {
        followerJoin.wrapAndApplyHeader(buffer, 0, header)
            .lastSeq(lastSeq).epoch(epoch).lastEpoch(lastEpoch).memberId(memberId);
        return offer(followerJoin.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean followerJoinResponse(
        final int epoch, final int leaderId, final int memberId, final long truncateToSeq, final int truncateEpoch,
        final long leaderLastSeq, final long commitSeq) {
        followerJoinResponse.wrapAndApplyHeader(buffer, 0, header).truncateToSeq(truncateToSeq)
            .leaderLastSeq(leaderLastSeq).commitSeq(commitSeq).epoch(epoch).leaderId(leaderId).memberId(memberId)
            .truncateEpoch(truncateEpoch);
        return offer(followerJoinResponse.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean replayRequest(final int epoch, final int memberId, final long fromSeq, final long toSeq) {
        replayRequest.wrapAndApplyHeader(buffer, 0, header)
            .fromSeq(fromSeq).toSeq(toSeq).epoch(epoch).memberId(memberId).replayStreamId(0);
        return offer(replayRequest.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean newLeader(final int epoch, final int leaderId, final long lastSeq, final long commitSeq) {
        newLeader.wrapAndApplyHeader(buffer, 0, header)
            .lastSeq(lastSeq).commitSeq(commitSeq).epoch(epoch).leaderId(leaderId);
        return offer(newLeader.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean stepDown(final int epoch, final int leaderId, final StepDownReason reason) {
        stepDown.wrapAndApplyHeader(buffer, 0, header).epoch(epoch).leaderId(leaderId).reason(reason);
        return offer(stepDown.encodedLength());
    }

    /** {@inheritDoc} */
    public boolean transferLeadership(final int epoch, final int leaderId, final int targetId) {
        transferLeadership.wrapAndApplyHeader(buffer, 0, header).epoch(epoch).leaderId(leaderId).targetId(targetId);
        return offer(transferLeadership.encodedLength());
    }

    private boolean offer(final int encodedLength) {
        return sink.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encodedLength);
    }

    private static BooleanType bool(final boolean value) {
        return value ? BooleanType.TRUE : BooleanType.FALSE;
    }
}

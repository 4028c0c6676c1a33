package io.sequent.replica;

import io.sequent.codec.FrameError;
import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.replication.AppendPositionDecoder;
import io.sequent.codec.replication.BooleanType;
import io.sequent.codec.replication.FollowerJoinDecoder;
import io.sequent.codec.replication.FollowerJoinResponseDecoder;
import io.sequent.codec.replication.HeartbeatDecoder;
import io.sequent.codec.replication.MessageHeaderDecoder;
import io.sequent.codec.replication.NewLeaderDecoder;
import io.sequent.codec.replication.ReplayRequestDecoder;
import io.sequent.codec.replication.ReplicatedBatchDecoder;
import io.sequent.codec.replication.RequestVoteDecoder;
import io.sequent.codec.replication.StepDownDecoder;
import io.sequent.codec.replication.TransferLeadershipDecoder;
import io.sequent.codec.replication.VoteDecoder;
import org.agrona.DirectBuffer;

/**
 * Decodes one replication frame and dispatches it to a {@link ReplicationHandler} as primitive arguments (Aeron's
 * Adapter role). Every frame is checked by {@link ProtocolFrames#validate} first; a frame that fails, or is of
 * another schema, is dropped and its negative {@link FrameError} code returned, so a corrupt or hostile frame never
 * reaches a decoder. Allocation-free; one instance per receiving thread.
 */
public final class ReplicationAdapter {
    /** {@link #onFrame}: a valid frame of another schema (the client protocol's), dropped. */
    public static final int WRONG_SCHEMA = -100;

    private final ReplicationHandler handler;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final RequestVoteDecoder requestVote = new RequestVoteDecoder();
    private final VoteDecoder vote = new VoteDecoder();
    private final ReplicatedBatchDecoder replicatedBatch = new ReplicatedBatchDecoder();
    private final HeartbeatDecoder heartbeat = new HeartbeatDecoder();
    private final AppendPositionDecoder appendPosition = new AppendPositionDecoder();
    private final FollowerJoinDecoder followerJoin = new FollowerJoinDecoder();
    private final FollowerJoinResponseDecoder followerJoinResponse = new FollowerJoinResponseDecoder();
    private final ReplayRequestDecoder replayRequest = new ReplayRequestDecoder();
    private final NewLeaderDecoder newLeader = new NewLeaderDecoder();
    private final StepDownDecoder stepDown = new StepDownDecoder();
    private final TransferLeadershipDecoder transferLeadership = new TransferLeadershipDecoder();

    /**
     * @param handler receives the decoded messages.
     */
    public ReplicationAdapter(final ReplicationHandler handler) {
        this.handler = handler;
    }

    /**
     * @param buffer holding the frame.
     * @param offset of the SBE message header.
     * @param length of the frame.
     * @return {@link FrameError#NONE} when dispatched, otherwise a negative code and nothing was dispatched.
     */
    public int onFrame(final DirectBuffer buffer, final int offset, final int length) {
        final int result = ProtocolFrames.validate(buffer, offset, length);
        if (FrameError.NONE != result) {
            return result;
        }
        header.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != header.schemaId()) {
            return WRONG_SCHEMA;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        switch (header.templateId()) {
            case RequestVoteDecoder.TEMPLATE_ID:
                requestVote.wrap(buffer, bodyOffset, blockLength, version);
                handler.onRequestVote(requestVote.epoch(), requestVote.candidateId(), requestVote.lastEpoch(),
                    requestVote.lastSeq(), BooleanType.TRUE == requestVote.preVote());
                break;
            case VoteDecoder.TEMPLATE_ID:
                vote.wrap(buffer, bodyOffset, blockLength, version);
                handler.onVote(vote.epoch(), vote.candidateEpoch(), vote.candidateId(), vote.voterId(),
                    BooleanType.TRUE == vote.preVote(), BooleanType.TRUE == vote.granted());
                break;
            case ReplicatedBatchDecoder.TEMPLATE_ID:
                replicatedBatch.wrap(buffer, bodyOffset, blockLength, version);
                final long commitSeq = replicatedBatch.commitSeq();
                final long seq = replicatedBatch.seq();
                final int epoch = replicatedBatch.epoch();
                final int batchEpoch = replicatedBatch.batchEpoch();
                final int leaderId = replicatedBatch.leaderId();
                final int topicId = replicatedBatch.topicId();
                final int partition = replicatedBatch.partition();
                final int batchLength = replicatedBatch.batchLength();
                final int batchOffset = replicatedBatch.limit() + ReplicatedBatchDecoder.batchHeaderLength();
                handler.onReplicatedBatch(epoch, leaderId, commitSeq, batchEpoch, seq, topicId, partition, buffer,
                    batchOffset, batchLength);
                break;
            case HeartbeatDecoder.TEMPLATE_ID:
                heartbeat.wrap(buffer, bodyOffset, blockLength, version);
                handler.onHeartbeat(heartbeat.epoch(), heartbeat.leaderId(), heartbeat.commitSeq(),
                    heartbeat.lastSeq());
                break;
            case AppendPositionDecoder.TEMPLATE_ID:
                appendPosition.wrap(buffer, bodyOffset, blockLength, version);
                handler.onAppendPosition(appendPosition.epoch(), appendPosition.memberId(), appendPosition.seq());
                break;
            case FollowerJoinDecoder.TEMPLATE_ID:
                followerJoin.wrap(buffer, bodyOffset, blockLength, version);
                handler.onFollowerJoin(followerJoin.epoch(), followerJoin.memberId(), followerJoin.lastEpoch(),
                    followerJoin.lastSeq());
                break;
            case FollowerJoinResponseDecoder.TEMPLATE_ID:
                followerJoinResponse.wrap(buffer, bodyOffset, blockLength, version);
                handler.onFollowerJoinResponse(followerJoinResponse.epoch(), followerJoinResponse.leaderId(),
                    followerJoinResponse.memberId(), followerJoinResponse.truncateToSeq(),
                    followerJoinResponse.truncateEpoch(), followerJoinResponse.leaderLastSeq(),
                    followerJoinResponse.commitSeq());
                break;
            case ReplayRequestDecoder.TEMPLATE_ID:
                replayRequest.wrap(buffer, bodyOffset, blockLength, version);
                handler.onReplayRequest(replayRequest.epoch(), replayRequest.memberId(), replayRequest.fromSeq(),
                    replayRequest.toSeq());
                break;
            case NewLeaderDecoder.TEMPLATE_ID:
                newLeader.wrap(buffer, bodyOffset, blockLength, version);
                handler.onNewLeader(newLeader.epoch(), newLeader.leaderId(), newLeader.lastSeq(),
                    newLeader.commitSeq());
                break;
            case StepDownDecoder.TEMPLATE_ID:
                stepDown.wrap(buffer, bodyOffset, blockLength, version);
                handler.onStepDown(stepDown.epoch(), stepDown.leaderId(), stepDown.reason());
                break;
            case TransferLeadershipDecoder.TEMPLATE_ID:
                transferLeadership.wrap(buffer, bodyOffset, blockLength, version);
                handler.onTransferLeadership(transferLeadership.epoch(), transferLeadership.leaderId(),
                    transferLeadership.targetId());
                break;
            default:
                return FrameError.UNKNOWN_TEMPLATE;
        }
        return FrameError.NONE;
    }
}

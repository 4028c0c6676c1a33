package io.sequent.client;

import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ClusterStatusRequestEncoder;
import io.sequent.codec.client.ClusterStatusResponseDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.TransferLeadershipRequestEncoder;
import io.sequent.codec.client.TransferLeadershipResponseDecoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.List;

/** The replica group's admin calls: ClusterStatus and TransferLeadership. */
final class ClusterCalls {
    private ClusterCalls() {
    }

    /** ClusterStatus: the connected member's view of the group. */
    static final class StatusCall extends Call<ClusterStatus> {
        StatusCall(final long timeoutNs) {
            this.timeoutNs = timeoutNs;
        }

        @Override
        boolean anyMember() {
            return true; // every member answers with its own view
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final ClusterStatusRequestEncoder encoder = new ClusterStatusRequestEncoder();
            encoder.wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return ClusterStatusResponseDecoder.TEMPLATE_ID;
        }

        @Override
        ClusterStatus decode(final DirectBuffer buffer, final int offset, final int length) {
            final ClusterStatusResponseDecoder decoder = new ClusterStatusResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final ErrorCode code = decoder.errorCode();
            final int memberId = decoder.memberId();
            final int leaderId = decoder.leaderId();
            final int epoch = decoder.epoch();
            final List<ClusterStatus.Member> members = new ArrayList<>();
            for (final ClusterStatusResponseDecoder.MembersDecoder m : decoder.members()) {
                final long logEnd = m.logEndSeq();
                final long commit = m.commitSeq();
                final long lagBatches = m.lagBatches();
                final long lagBytes = m.lagBytes();
                final long contact = m.lastContactMsAgo();
                final int id = m.memberId();
                final int memberEpoch = m.epoch();
                final int memberLeader = m.leaderId();
                final String role = m.role().name();
                final boolean behind = m.behindRetention() == BooleanType.TRUE;
                members.add(new ClusterStatus.Member(id, role, memberEpoch, memberLeader, commit, logEnd, lagBatches,
                    lagBytes, contact, behind, m.ingressChannel()));
            }
            final String message = decoder.message();
            if (code != ErrorCode.NONE) {
                throw SequentException.of(code, "cluster status: " + (message.isEmpty() ? code.name() : message));
            }
            return new ClusterStatus(memberId, leaderId, epoch, List.copyOf(members), message);
        }
    }

    /** TransferLeadership to one member; completes once it leads. */
    static final class TransferCall extends Call<Integer> {
        private final int targetId;

        TransferCall(final int targetId, final long timeoutNs) {
            this.targetId = targetId;
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            final TransferLeadershipRequestEncoder encoder = new TransferLeadershipRequestEncoder();
            encoder.wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
                .correlationId(correlationId)
                .sessionId(sessionId)
                .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutNs / 1_000_000))
                .targetId(targetId);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return TransferLeadershipResponseDecoder.TEMPLATE_ID;
        }

        @Override
        Integer decode(final DirectBuffer buffer, final int offset, final int length) {
            final TransferLeadershipResponseDecoder decoder = new TransferLeadershipResponseDecoder();
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
            decoder.correlationId();
            final ErrorCode code = decoder.errorCode();
            final int leaderId = decoder.leaderId();
            final int epoch = decoder.epoch();
            final String message = decoder.message();
            if (code != ErrorCode.NONE) {
                throw SequentException.of(code, "cannot transfer leadership to broker " + targetId + ": " +
                    (message.isEmpty() ? code.name() : message) + (leaderId >= 0 ? " (leader: broker " + leaderId +
                    ", epoch " + epoch + ")" : ""));
            }
            return leaderId;
        }
    }
}

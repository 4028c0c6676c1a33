package io.sequent.broker;

import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ClusterStatusRequestDecoder;
import io.sequent.codec.client.ClusterStatusResponseEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MemberRole;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.TransferLeadershipRequestDecoder;
import io.sequent.codec.client.TransferLeadershipResponseEncoder;
import io.sequent.replica.ReplicaNode;
import io.sequent.replica.Role;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ClusterStatus and TransferLeadership, on the admin thread. Both need the replica node, which only the replica
 * agent's thread may touch: the admin thread queues a command on the agent ({@link ReplicaAgent#submit}), the
 * agent fills in a {@link Snapshot} (or starts the transfer) and marks it done, and the admin thread answers from
 * its duty cycle once it is. A transfer is answered once the target leads, or REQUEST_TIMED_OUT.
 */
final class ClusterAdmin {
    private static final long COMMAND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long LAG_BYTES_LIMIT = 100_000;

    private final BrokerContext ctx;
    private final ClusterState cluster;
    private final ResponseSender sender;
    private final String ingressChannel;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ClusterStatusRequestDecoder statusDecoder = new ClusterStatusRequestDecoder();
    private final ClusterStatusResponseEncoder statusEncoder = new ClusterStatusResponseEncoder();
    private final TransferLeadershipRequestDecoder transferDecoder = new TransferLeadershipRequestDecoder();
    private final TransferLeadershipResponseEncoder transferEncoder = new TransferLeadershipResponseEncoder();
    private final List<Snapshot> statuses = new ArrayList<>();
    private final List<Transfer> transfers = new ArrayList<>();
    private ReplicaAgent agent;

    /** One member's row, as the agent saw it. */
    static final class Row {
        int memberId;
        MemberRole role = MemberRole.UNKNOWN;
        int epoch = -1;
        int leaderId = -1;
        long commitSeq = -1;
        long logEndSeq = -1;
        long lagBatches = -1;
        long lagBytes = -1;
        long lastContactMsAgo = -1;
        boolean behindRetention;
    }

    /** A status request waiting for the agent's snapshot. */
    static final class Snapshot {
        final long sessionId;
        final long correlationId;
        final long deadlineNs;
        final Row[] rows;
        long storageFailingSinceMs;
        volatile boolean done;

        Snapshot(final long sessionId, final long correlationId, final long deadlineNs, final int members) {
            this.sessionId = sessionId;
            this.correlationId = correlationId;
            this.deadlineNs = deadlineNs;
            this.rows = new Row[members];
            for (int i = 0; i < members; i++) {
                rows[i] = new Row();
            }
        }
    }

    private static final class Transfer {
        final long sessionId;
        final long correlationId;
        final long deadlineNs;
        final int targetId;
        volatile boolean started;
        volatile boolean refused;

        Transfer(final long sessionId, final long correlationId, final long deadlineNs, final int targetId) {
            this.sessionId = sessionId;
            this.correlationId = correlationId;
            this.deadlineNs = deadlineNs;
            this.targetId = targetId;
        }
    }

    ClusterAdmin(final BrokerContext ctx, final ClusterState cluster, final ResponseSender sender,
        final String ingressChannel) {
        this.ctx = ctx;
        this.cluster = cluster;
        this.sender = sender;
        this.ingressChannel = ingressChannel;
    }

    void agent(final ReplicaAgent agent) {
        this.agent = agent;
    }

    void onClusterStatus(final AdminRequest request, final Session session, final long nowNs) {
        final ClusterStatusRequestDecoder decoder = statusDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final Snapshot snapshot = new Snapshot(session.id(), decoder.correlationId(), nowNs + COMMAND_TIMEOUT_NS,
            ctx.clusterMembers().size());
        if (!agent.submit(() -> fill(snapshot))) {
            sendStatus(session, snapshot, ErrorCode.BACK_PRESSURED, "the replica agent is busy; retry");
            return;
        }
        statuses.add(snapshot);
    }

    void onTransferLeadership(final AdminRequest request, final Session session, final long nowNs) {
        final TransferLeadershipRequestDecoder decoder =
            transferDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final int timeoutMs = decoder.timeoutMs();
        final int targetId = decoder.targetId();
        if (!cluster.isWritable()) {
            sendTransfer(session, correlationId, ErrorCode.NOT_LEADER, cluster.leaderId() < 0 ?
                "not the leader; no leader is known yet" : "not the leader; the leader is broker " +
                cluster.leaderId());
            return;
        }
        if (null == ctx.clusterMembers().member(targetId) || !ctx.clusterMembers().isConfigured() ||
            targetId == cluster.selfId()) {
            sendTransfer(session, correlationId, ErrorCode.INVALID_REQUEST, "broker " + targetId +
                " is not another member of the group (" + ctx.clusterMembers() + ")");
            return;
        }
        final long timeoutNs = timeoutMs > 0 ? TimeUnit.MILLISECONDS.toNanos(timeoutMs) :
            TimeUnit.MILLISECONDS.toNanos(4L * ctx.electionTimeoutMs());
        final Transfer transfer = new Transfer(session.id(), correlationId, nowNs + timeoutNs, targetId);
        if (!agent.submit(() -> {
            transfer.refused = !agent.node().transferLeadership(targetId);
            transfer.started = true;
        })) {
            sendTransfer(session, correlationId, ErrorCode.BACK_PRESSURED, "the replica agent is busy; retry");
            return;
        }
        transfers.add(transfer);
    }

    /** Answers what is ready. Admin thread, every duty cycle. */
    int poll(final long nowNs, final SessionTable sessions) {
        int work = 0;
        for (final Iterator<Snapshot> it = statuses.iterator(); it.hasNext();) {
            final Snapshot snapshot = it.next();
            if (snapshot.done || nowNs - snapshot.deadlineNs > 0) {
                it.remove();
                final Session session = sessions.get(snapshot.sessionId);
                if (null != session) {
                    sendStatus(session, snapshot, snapshot.done ? ErrorCode.NONE : ErrorCode.REQUEST_TIMED_OUT,
                        snapshot.done ? condition(snapshot) : "the replica agent did not answer");
                }
                work++;
            }
        }
        for (final Iterator<Transfer> it = transfers.iterator(); it.hasNext();) {
            final Transfer transfer = it.next();
            final Session session = sessions.get(transfer.sessionId);
            final boolean moved = cluster.leaderId() == transfer.targetId;
            if (transfer.started && transfer.refused) {
                it.remove();
                send(session, transfer, ErrorCode.NOT_LEADER, "this member no longer leads");
            } else if (moved) {
                it.remove();
                send(session, transfer, ErrorCode.NONE, "");
            } else if (nowNs - transfer.deadlineNs > 0) {
                it.remove();
                send(session, transfer, ErrorCode.REQUEST_TIMED_OUT, "broker " + transfer.targetId +
                    " did not take over in time (it must catch up first; the leader abandons a transfer after " +
                    "one election timeout)");
            } else {
                continue;
            }
            work++;
        }
        return work;
    }

    private void send(final Session session, final Transfer transfer, final ErrorCode code, final String message) {
        if (null != session) {
            sendTransfer(session, transfer.correlationId, code, message);
        }
    }

    /** Agent thread: the node's view of every member. */
    private void fill(final Snapshot snapshot) {
        final ReplicaNode node = agent.node();
        final MemberLogAdapter log = agent.log();
        final long lastSeq = log.lastSeq();
        final boolean leader = Role.LEADER == node.role();
        final long firstSeq = leader ? log.firstSeq() : -1;
        final long nowNs = node.nowNs();
        final int leaderIndex = node.leaderId();
        final int leaderId = leaderIndex < 0 ? -1 : agent.brokerId(leaderIndex);
        for (int i = 0; i < snapshot.rows.length; i++) {
            final Row row = snapshot.rows[i];
            row.memberId = agent.brokerId(i);
            if (i == agent.selfIndex()) {
                row.role = role(node.role());
                row.epoch = node.epoch();
                row.leaderId = leaderId;
                row.commitSeq = node.commitSeq();
                row.logEndSeq = lastSeq;
                row.lagBatches = leader ? 0 : -1;
                row.lagBytes = leader ? 0 : -1;
            } else if (leader) {
                final long match = node.matchSeq(i);
                final long contact = node.lastContactNs(i);
                final boolean heard = nowNs - contact < TimeUnit.MILLISECONDS.toNanos(ctx.electionTimeoutMs());
                row.role = heard ? MemberRole.FOLLOWER : MemberRole.UNKNOWN;
                row.epoch = heard ? node.epoch() : -1;
                row.leaderId = heard ? leaderId : -1;
                row.logEndSeq = match;
                row.lagBatches = Math.max(0, lastSeq - match);
                row.lagBytes = log.bytesAfter(match, LAG_BYTES_LIMIT);
                row.lastContactMsAgo = TimeUnit.NANOSECONDS.toMillis(nowNs - contact);
                row.behindRetention = match + 1 < firstSeq;
            } else if (i == leaderIndex) {
                row.role = MemberRole.LEADER;
                row.epoch = node.epoch();
                row.leaderId = leaderId;
            }
        }
        snapshot.storageFailingSinceMs = agent.storageFailingSinceMs();
        snapshot.done = true;
    }

    /** The answering member's own trouble, for the status message ("" for none). Cold path. */
    private String condition(final Snapshot snapshot) {
        final long since = snapshot.storageFailingSinceMs;
        final String noLeader = cluster.noLeaderReason(ctx.nanoClock().nanoTime());
        if (0 == since) {
            return noLeader;
        }
        return (noLeader.isEmpty() ? "" : noLeader + "; ") + "STORAGE FAILING for " +
            Math.max(0, ctx.epochClock().time() - since) / 1000 + " s: its appends are " +
            "refused (disk full or I/O error; see its log), so it acknowledges nothing new; it catches up once " +
            "they succeed again";
    }

    private static MemberRole role(final Role role) {
        switch (role) {
            case LEADER:
                return MemberRole.LEADER;
            case CANDIDATE:
                return MemberRole.CANDIDATE;
            default:
                return MemberRole.FOLLOWER;
        }
    }

    private void sendStatus(final Session session, final Snapshot snapshot, final ErrorCode code,
        final String message) {
        final ClusterStatusResponseEncoder encoder = statusEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(snapshot.correlationId)
            .errorCode(code)
            .memberId(cluster.selfId())
            .leaderId(cluster.leaderId())
            .epoch(cluster.epoch());
        final ClusterStatusResponseEncoder.MembersEncoder members = encoder.membersCount(snapshot.rows.length);
        for (final Row row : snapshot.rows) {
            final ClusterMembers.Member member = ctx.clusterMembers().isConfigured() ?
                ctx.clusterMembers().member(row.memberId) : null;
            members.next()
                .logEndSeq(row.logEndSeq)
                .commitSeq(row.commitSeq)
                .lagBatches(row.lagBatches)
                .lagBytes(row.lagBytes)
                .lastContactMsAgo(row.lastContactMsAgo)
                .memberId(row.memberId)
                .epoch(row.epoch)
                .leaderId(row.leaderId)
                .role(row.role)
                .behindRetention(row.behindRetention ? BooleanType.TRUE : BooleanType.FALSE)
                .ingressChannel(row.memberId == cluster.selfId() || null == member ? ingressChannel :
                    member.ingressChannel());
        }
        encoder.message(message);
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private void sendTransfer(final Session session, final long correlationId, final ErrorCode code,
        final String message) {
        transferEncoder.wrapAndApplyHeader(sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .errorCode(code)
            .leaderId(cluster.leaderId())
            .epoch(cluster.epoch())
            .message(message);
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + transferEncoder.encodedLength());
    }
}

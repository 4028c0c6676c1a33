package io.sequent.broker;

import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.client.AlterConfigsRequestDecoder;
import io.sequent.codec.client.ClusterStatusRequestDecoder;
import io.sequent.codec.client.ConnectRequestDecoder;
import io.sequent.codec.client.CreateTopicsRequestDecoder;
import io.sequent.codec.client.DeleteTopicsRequestDecoder;
import io.sequent.codec.client.DescribeConfigsRequestDecoder;
import io.sequent.codec.client.DeleteGroupsRequestDecoder;
import io.sequent.codec.client.DisconnectRequestDecoder;
import io.sequent.codec.client.DescribeGroupsRequestDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.HeartbeatRequestDecoder;
import io.sequent.codec.client.InitProducerIdRequestDecoder;
import io.sequent.codec.client.JoinGroupRequestDecoder;
import io.sequent.codec.client.LeaveGroupRequestDecoder;
import io.sequent.codec.client.ListGroupsRequestDecoder;
import io.sequent.codec.client.MemberHeartbeatRequestDecoder;
import io.sequent.codec.client.MemberJoinRequestDecoder;
import io.sequent.codec.client.MetadataRequestDecoder;
import io.sequent.codec.client.OffsetCommitRequestDecoder;
import io.sequent.codec.client.OffsetFetchRequestDecoder;
import io.sequent.codec.client.TransferLeadershipRequestDecoder;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The admin (janitor) agent: the broker's cold work, on a thread that sleeps when idle.
 *
 * <ul>
 *   <li>requests the ingress hands over: Connect and Disconnect ({@link SessionManager}); Metadata,
 *   CreateTopics and DeleteTopics ({@link TopicAdmin}); InitProducerId ({@link ProducerIdAdmin});
 *   DescribeConfigs and AlterConfigs ({@link ConfigAdmin}); the consumer-group requests ({@link GroupRequests},
 *   the {@link GroupCoordinator}'s writer);</li>
 *   <li>events from other threads (an ingress image that went away), as commands on its queue;</li>
 *   <li>timers: pending connects and session expiry, acks=all produce requests past their timeout
 *   ({@link PendingAcks}), deletions waiting for the pipeline, and group members past their session or
 *   rebalance timeout;</li>
 *   <li>requests waiting for their metadata-log records to commit (topic creation and deletion, config
 *   changes, producer-id blocks) and offset commits waiting for their {@link OffsetsLog} batch.</li>
 * </ul>
 *
 * <p>Time comes from the broker's injected {@link NanoClock} ({@link BrokerContext#nanoClock()}), once per duty
 * cycle, so a test can drive the timers with a scripted clock.
 *
 * <p>Retention and the pre-allocation of the partitions' next segments are the sequencer's log janitor's
 * (its own sleeping thread, {@code sequencer.retention.check.interval.ms}): a log has one janitor.
 *
 * <p>A failure handling one request is logged and answered UNKNOWN_SERVER_ERROR; it never stops the agent.
 */
final class AdminAgent implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(AdminAgent.class);
    private static final int REQUEST_LIMIT = 16;
    static final long ACK_SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ManyToOneConcurrentArrayQueue<AdminRequest> requests;
    private final ManyToOneConcurrentArrayQueue<Runnable> events;
    private final SessionTable sessions;
    private final SessionManager sessionManager;
    private final TopicAdmin topicAdmin;
    private final ConfigAdmin configAdmin;
    private final ProducerIdAdmin producerIdAdmin;
    private final GroupRequests groups;
    private final PendingAcks pendingAcks;
    private final ResponseSender sender;
    private final BrokerCounters counters;
    private final NanoClock clock;
    private final PendingAcks.TimeoutHandler onAckTimeout = this::onAckTimeout;
    private long nextAckScanNs;
    private long nowNs;
    private ClusterState cluster;
    private ClusterAdmin clusterAdmin;

    AdminAgent(
        final ManyToOneConcurrentArrayQueue<AdminRequest> requests,
        final ManyToOneConcurrentArrayQueue<Runnable> events,
        final SessionTable sessions,
        final SessionManager sessionManager,
        final TopicAdmin topicAdmin,
        final ConfigAdmin configAdmin,
        final ProducerIdAdmin producerIdAdmin,
        final GroupRequests groups,
        final PendingAcks pendingAcks,
        final ResponseSender sender,
        final BrokerCounters counters,
        final NanoClock clock) {
        this.requests = requests;
        this.events = events;
        this.sessions = sessions;
        this.sessionManager = sessionManager;
        this.topicAdmin = topicAdmin;
        this.configAdmin = configAdmin;
        this.producerIdAdmin = producerIdAdmin;
        this.groups = groups;
        this.pendingAcks = pendingAcks;
        this.sender = sender;
        this.counters = counters;
        this.clock = clock;
    }

    @Override
    public String roleName() {
        return "sequent-admin";
    }

    @Override
    public int doWork() {
        return doWork(clock.nanoTime());
    }

    /**
     * One duty cycle at {@code nowNs} (of the broker's {@link NanoClock}); tests step it with a scripted clock.
     *
     * @param nowNs the time of this cycle.
     * @return the work done.
     */
    int doWork(final long nowNs) {
        this.nowNs = nowNs;
        int work = 0;
        Runnable event;
        while (null != (event = events.poll())) {
            event.run();
            work++;
        }
        work += groups.lead(null == cluster || cluster.isWritable(), null == cluster ? 0 : cluster.epoch());
        AdminRequest request;
        for (int i = 0; i < REQUEST_LIMIT && null != (request = requests.poll()); i++) {
            onRequest(request);
            work++;
        }
        work += sessionManager.poll(nowNs);
        work += topicAdmin.poll(nowNs, sessions);
        work += configAdmin.poll(sessions);
        work += producerIdAdmin.poll(nowNs, sessions);
        work += groups.poll(nowNs);
        if (groups.leading()) {
            work += groups.coordinator().poll(nowNs);
        }
        if (null != clusterAdmin) {
            work += clusterAdmin.poll(nowNs, sessions);
        }
        if (nowNs - nextAckScanNs >= 0) {
            nextAckScanNs = nowNs + ACK_SCAN_INTERVAL_NS;
            work += pendingAcks.scanTimeouts(nowNs, onAckTimeout);
        }
        return work;
    }

    private void onRequest(final AdminRequest request) {
        final int templateId = request.templateId;
        if (templateId == ConnectRequestDecoder.TEMPLATE_ID) {
            try {
                sessionManager.onConnect(request, nowNs);
            } catch (final RuntimeException ex) {
                counters.errors.increment();
                sessionManager.onUndecodableConnect(ex);
            }
            return;
        }
        final Session session = sessions.get(request.frame.getLong(
            ProtocolFrames.HEADER_LENGTH + ProtocolFrames.SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN));
        if (null == session) {
            counters.framesDropped.increment();
            return;
        }
        if (null != cluster && !cluster.isWritable() && needsLeader(templateId)) {
            final int leader = cluster.leaderId();
            sender.sendError(session, ProtocolFrames.correlationId(request.frame, 0, request.frame.capacity()),
                templateId, ErrorCode.NOT_LEADER, leader < 0 ? "not the leader; no leader is known yet, retry" :
                "not the leader; the leader is broker " + leader + " at " + cluster.leaderIngressChannel(""));
            session.touch(clock.nanoTime());
            return;
        }
        if (!groups.leading() && GroupRequests.isGroupRequest(templateId)) {
            sender.sendError(session, ProtocolFrames.correlationId(request.frame, 0, request.frame.capacity()),
                templateId, ErrorCode.COORDINATOR_NOT_AVAILABLE,
                "the group coordinator is loading the groups' state as the new leader; retry");
            session.touch(clock.nanoTime());
            return;
        }
        try {
            switch (templateId) {
                case DisconnectRequestDecoder.TEMPLATE_ID:
                    sessionManager.onDisconnect(session);
                    break;
                case MetadataRequestDecoder.TEMPLATE_ID:
                    topicAdmin.onMetadata(request, session);
                    break;
                case CreateTopicsRequestDecoder.TEMPLATE_ID:
                    topicAdmin.onCreateTopics(request, session, nowNs);
                    break;
                case DeleteTopicsRequestDecoder.TEMPLATE_ID:
                    topicAdmin.onDeleteTopics(request, session, nowNs);
                    break;
                case DescribeConfigsRequestDecoder.TEMPLATE_ID:
                    configAdmin.onDescribeConfigs(request, session);
                    break;
                case AlterConfigsRequestDecoder.TEMPLATE_ID:
                    configAdmin.onAlterConfigs(request, session);
                    break;
                case InitProducerIdRequestDecoder.TEMPLATE_ID:
                    producerIdAdmin.onInitProducerId(request, session, nowNs);
                    break;
                case JoinGroupRequestDecoder.TEMPLATE_ID:
                    groups.onJoinGroup(request, session, nowNs);
                    break;
                case HeartbeatRequestDecoder.TEMPLATE_ID:
                    groups.onHeartbeat(request, session, nowNs);
                    break;
                case LeaveGroupRequestDecoder.TEMPLATE_ID:
                    groups.onLeaveGroup(request, session, nowNs);
                    break;
                case OffsetCommitRequestDecoder.TEMPLATE_ID:
                    groups.onOffsetCommit(request, session);
                    break;
                case OffsetFetchRequestDecoder.TEMPLATE_ID:
                    groups.onOffsetFetch(request, session);
                    break;
                case DescribeGroupsRequestDecoder.TEMPLATE_ID:
                    groups.onDescribeGroups(request, session);
                    break;
                case ListGroupsRequestDecoder.TEMPLATE_ID:
                    groups.onListGroups(request, session);
                    break;
                case ClusterStatusRequestDecoder.TEMPLATE_ID:
                    clusterAdmin.onClusterStatus(request, session, nowNs);
                    break;
                case TransferLeadershipRequestDecoder.TEMPLATE_ID:
                    clusterAdmin.onTransferLeadership(request, session, nowNs);
                    break;
                case MemberJoinRequestDecoder.TEMPLATE_ID:
                    groups.onMemberJoin(request, session, nowNs);
                    break;
                case MemberHeartbeatRequestDecoder.TEMPLATE_ID:
                    groups.onMemberHeartbeat(request, session, nowNs);
                    break;
                case DeleteGroupsRequestDecoder.TEMPLATE_ID:
                    groups.onDeleteGroups(request, session);
                    break;
                default:
                    sender.sendError(session, ProtocolFrames.correlationId(request.frame, 0, request.frame.capacity()),
                        templateId, ErrorCode.INVALID_REQUEST, "not an admin request");
                    break;
            }
            session.touch(clock.nanoTime());
        } catch (final RuntimeException ex) {
            counters.errors.increment();
            LOG.error("cannot handle request template {} of session {}", templateId, session.id(), ex);
            sender.sendError(session, ProtocolFrames.correlationId(request.frame, 0, request.frame.capacity()),
                templateId, ErrorCode.UNKNOWN_SERVER_ERROR, "the broker failed to handle the request: " + ex);
        }
    }

    /**
     * Whether a request needs the leader: everything the admin thread handles except what any member answers from
     * its own state (Disconnect, Metadata, DescribeConfigs, ClusterStatus; TransferLeadership answers NOT_LEADER
     * itself, with its own response). Topic and config changes and producer ids are written to the replicated log by
     * the leader only, and the group coordinator (membership, offsets, DeleteGroups) runs on the leader: a follower
     * answering a join or a heartbeat would hand out assignments from state nobody else sees. Listing the requests
     * any member answers, rather than those that need the leader, keeps a new request on the leader until it is
     * shown to be safe elsewhere.
     */
    static boolean needsLeader(final int templateId) {
        switch (templateId) {
            case DisconnectRequestDecoder.TEMPLATE_ID:
            case MetadataRequestDecoder.TEMPLATE_ID:
            case DescribeConfigsRequestDecoder.TEMPLATE_ID:
            case ClusterStatusRequestDecoder.TEMPLATE_ID:
            case TransferLeadershipRequestDecoder.TEMPLATE_ID:
                return false;
            default:
                return true;
        }
    }

    /** Writes are answered NOT_LEADER while this member does not lead; set before the agent starts. */
    void cluster(final ClusterState cluster, final ClusterAdmin clusterAdmin) {
        this.cluster = cluster;
        this.clusterAdmin = clusterAdmin;
    }

    private void onAckTimeout(final long sessionId, final long correlationId, final int partition) {
        counters.produceTimeouts.incrementRelease();
        sender.sendProduce(sessions.get(sessionId), correlationId, partition, -1, -1, -1, ErrorCode.REQUEST_TIMED_OUT);
    }

    @Override
    public void onClose() {
        Runnable event;
        while (null != (event = events.poll())) {
            event.run();
        }
    }
}

package io.sequent.broker;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Publication;
import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.TransportMtu;
import io.sequent.codec.client.ConnectRequestDecoder;
import io.sequent.codec.client.ConnectResponseEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens and ends client sessions (see docs/protocol-sessions.md). Admin thread only.
 *
 * <p>Connect: the broker adds a publication to the channel and stream the client named (adding the 16 MiB
 * term length unless the channel names one), without blocking: {@code asyncAddPublication}, then each duty
 * cycle checks whether it is ready and connected. Once connected the session gets a slot and an id that is
 * never reused ({@link SessionTable}) and the ConnectResponse is sent. A client whose channel does not
 * connect within {@code session.connect.timeout.ms} is given up; one that cannot be reached at all (a
 * channel that does not parse) cannot be answered and is only logged. When every slot is taken the
 * ConnectResponse says POLICY_VIOLATION.
 *
 * <p>A session ends on DisconnectRequest, when its ingress image goes unavailable (the client closed or
 * died), or after {@code session.timeout.ms} without a request. Its slot is cleared first, then its
 * publication closed, so other threads stop sending to it.
 */
final class SessionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    private static final long EXPIRY_SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Room a response publication must have before the ConnectResponse (a few hundred bytes) is offered. */
    private static final int MAX_CONNECT_RESPONSE_LENGTH = 4096;

    private final Aeron aeron;
    private final SessionTable sessions;
    private final BrokerContext ctx;
    private final BrokerCounters counters;
    private final ResponseSender sender;
    private final String ingressChannel;
    private ClusterState cluster;
    private final long sessionTimeoutNs;
    private final long connectTimeoutNs;
    private final List<PendingConnect> pending = new ArrayList<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestDecoder connectDecoder = new ConnectRequestDecoder();
    private final ConnectResponseEncoder connectEncoder = new ConnectResponseEncoder();
    private final RateLimitedLog unusableChannels = RateLimitedLog.warnings(LOG, SystemNanoClock.INSTANCE);
    private final RateLimitedLog failedPublications = RateLimitedLog.warnings(LOG, SystemNanoClock.INSTANCE);
    private final RateLimitedLog unconnectedChannels = RateLimitedLog.warnings(LOG, SystemNanoClock.INSTANCE);
    private final RateLimitedLog undecodableConnects = RateLimitedLog.warnings(LOG, SystemNanoClock.INSTANCE);
    private final List<RateLimitedLog> otherLogs = new ArrayList<>();
    private long nextExpiryScanNs;

    /** A ConnectRequest whose response publication is not ready or not connected yet. */
    private static final class PendingConnect {
        final long correlationId;
        final String channel;
        final int streamId;
        final int protocolVersion;
        final String clientId;
        final int aeronSessionId;
        final long imageCorrelationId;
        final long registrationId;
        final long deadlineNs;
        Publication publication;

        PendingConnect(
            final long correlationId,
            final String channel,
            final int streamId,
            final int protocolVersion,
            final String clientId,
            final int aeronSessionId,
            final long imageCorrelationId,
            final long registrationId,
            final long deadlineNs) {
            this.correlationId = correlationId;
            this.channel = channel;
            this.streamId = streamId;
            this.protocolVersion = protocolVersion;
            this.clientId = clientId;
            this.aeronSessionId = aeronSessionId;
            this.imageCorrelationId = imageCorrelationId;
            this.registrationId = registrationId;
            this.deadlineNs = deadlineNs;
        }
    }

    SessionManager(
        final Aeron aeron,
        final SessionTable sessions,
        final BrokerContext ctx,
        final BrokerCounters counters,
        final ResponseSender sender,
        final String ingressChannel) {
        this.aeron = aeron;
        this.sessions = sessions;
        this.ctx = ctx;
        this.counters = counters;
        this.sender = sender;
        this.ingressChannel = ingressChannel;
        this.sessionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.sessionTimeoutMs());
        this.connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.sessionConnectTimeoutMs());
    }

    /** A ConnectRequest from the ingress. */
    void onConnect(final AdminRequest request, final long nowNs) {
        final ConnectRequestDecoder decoder = connectDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        final int streamId = decoder.responseStreamId();
        final int protocolVersion = decoder.protocolVersion();
        final String channel = decoder.responseChannel();
        final String clientId = decoder.clientId();
        final String responseChannel;
        try {
            final ChannelUri uri = ChannelUri.parse(channel);
            if (!uri.isUdp() && !uri.isIpc()) {
                throw new IllegalArgumentException("media must be udp or ipc");
            }
            if (null == uri.get(CommonContext.TERM_LENGTH_PARAM_NAME)) {
                uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, BrokerContext.TERM_LENGTH);
            }
            final String mtu = uri.get(TransportMtu.CHANNEL_PARAM);
            if (null == mtu) {
                uri.put(TransportMtu.CHANNEL_PARAM, Integer.toString(
                    TransportMtu.resolve(ctx.transportMtu(), uri.get(CommonContext.ENDPOINT_PARAM_NAME))));
            } else {
                final String problem = TransportMtu.check(Integer.parseInt(mtu));
                if (null != problem || TransportMtu.AUTO == Integer.parseInt(mtu)) {
                    throw new IllegalArgumentException("mtu " + (null == problem ? "must not be 0" : problem));
                }
            }
            responseChannel = uri.toString();
        } catch (final RuntimeException ex) {
            counters.framesDropped.increment();
            counters.malformedRequests.increment();
            unusableChannels.warn("ConnectRequest from client '" + clientId + "' names a response channel that " +
                "cannot be used, '" + channel + "': " + ex.getMessage() + "; it cannot be answered", null);
            return;
        }
        final long registrationId;
        try {
            registrationId = aeron.asyncAddPublication(responseChannel, streamId);
        } catch (final RuntimeException ex) {
            counters.framesDropped.increment();
            counters.malformedRequests.increment();
            failedPublications.warn("cannot add the response publication " + responseChannel + " stream " + streamId +
                " of client '" + clientId + "': " + ex, null);
            return;
        }
        pending.add(new PendingConnect(correlationId, responseChannel, streamId, protocolVersion, clientId,
            request.aeronSessionId, request.imageCorrelationId, registrationId, nowNs + connectTimeoutNs));
    }

    /**
     * A ConnectRequest that could not be decoded: counted, and logged at a bounded rate.
     *
     * @param ex what the decoder threw.
     */
    void onUndecodableConnect(final RuntimeException ex) {
        counters.malformedRequests.increment();
        undecodableConnects.warn("cannot handle a ConnectRequest: " + ex, ex);
    }

    /**
     * Another bounded log whose summary lines this manager writes on its admin-thread duty cycle.
     *
     * @param log the log, for example the media driver's errors.
     */
    void pollAlso(final RateLimitedLog log) {
        otherLogs.add(log);
    }

    /** Advances pending connects and expires idle sessions. */
    int poll(final long nowNs) {
        int work = 0;
        for (final Iterator<PendingConnect> it = pending.iterator(); it.hasNext(); ) {
            final PendingConnect connect = it.next();
            try {
                if (null == connect.publication) {
                    connect.publication = aeron.getPublication(connect.registrationId);
                }
            } catch (final RuntimeException ex) {
                counters.malformedRequests.increment();
                failedPublications.warn("response publication " + connect.channel + " stream " + connect.streamId +
                    " of client '" + connect.clientId + "' failed: " + ex, null);
                it.remove();
                work++;
                continue;
            }
            // Connected is not enough: the driver raises the publication's limit a little after the first status
            // message connects it, and an offer before that is back-pressured and the ConnectResponse lost.
            if (null != connect.publication && connect.publication.isConnected() &&
                connect.publication.availableWindow() >= MAX_CONNECT_RESPONSE_LENGTH) {
                it.remove();
                complete(connect, nowNs);
                work++;
            } else if (nowNs - connect.deadlineNs > 0) {
                it.remove();
                unconnectedChannels.warn("response channel " + connect.channel + " stream " + connect.streamId +
                    " of client '" + connect.clientId + "' did not connect within " + ctx.sessionConnectTimeoutMs() +
                    " ms; session refused", null);
                if (null != connect.publication) {
                    CloseHelper.quietClose(connect.publication);
                } else {
                    aeron.asyncRemovePublication(connect.registrationId);
                }
                work++;
            }
        }
        if (nowNs - nextExpiryScanNs >= 0) {
            nextExpiryScanNs = nowNs + EXPIRY_SCAN_INTERVAL_NS;
            work += expire(nowNs);
            unusableChannels.poll(nowNs);
            failedPublications.poll(nowNs);
            unconnectedChannels.poll(nowNs);
            undecodableConnects.poll(nowNs);
            for (int i = 0; i < otherLogs.size(); i++) {
                otherLogs.get(i).poll(nowNs);
            }
        }
        return work;
    }

    private void complete(final PendingConnect connect, final long nowNs) {
        final int ourVersion = ProtocolFrames.schemaVersion(ProtocolFrames.CLIENT_SCHEMA_ID);
        final int slot = sessions.freeSlot();
        if (connect.protocolVersion < 1 || slot < 0 || sessions.count() >= ctx.maxSessions()) {
            final ErrorCode code = connect.protocolVersion < 1 ? ErrorCode.UNSUPPORTED_VERSION :
                ErrorCode.POLICY_VIOLATION;
            final String message = connect.protocolVersion < 1 ?
                "protocol version " + connect.protocolVersion + " is not supported; this broker speaks 1 to " +
                ourVersion :
                "too many sessions: " + BrokerContext.MAX_SESSIONS_PROP + "=" + ctx.maxSessions();
            final int length = encodeConnectResponse(connect, 0, 0, code, message);
            sender.offer(connect.publication, sender.buffer(), 0, length);
            LOG.warn("refused a session for client '{}': {}", connect.clientId, message);
            CloseHelper.quietClose(connect.publication);
            return;
        }
        final long sessionId = sessions.newSessionId(slot);
        final int version = Math.min(connect.protocolVersion, ourVersion);
        final Session session = new Session(sessionId, slot, connect.clientId, connect.channel, connect.streamId,
            connect.aeronSessionId, connect.imageCorrelationId, version, connect.publication, nowNs);
        sessions.install(session);
        counters.sessionsOpened.incrementRelease();
        final int length = encodeConnectResponse(connect, sessionId, version, ErrorCode.NONE,
            null == cluster ? "" : cluster.noLeaderReason(ctx.nanoClock().nanoTime()));
        sender.send(session, length);
        LOG.info("session {} opened for client '{}' (responses on {} stream {})", sessionId, connect.clientId,
            connect.channel, connect.streamId);
    }

    private int encodeConnectResponse(
        final PendingConnect connect, final long sessionId, final int version, final ErrorCode code,
        final String message) {
        connectEncoder.wrapAndApplyHeader(sender.buffer(), 0, sender.headerEncoder())
            .correlationId(connect.correlationId)
            .sessionId(sessionId)
            .brokerId(ctx.brokerId())
            .leaderId(null == cluster ? ctx.brokerId() : cluster.leaderId())
            .leaderEpoch(null == cluster ? 0 : cluster.epoch())
            .sessionTimeoutMs(ctx.sessionTimeoutMs())
            .protocolVersion(version)
            .errorCode(code)
            .leaderIngressChannel(null == cluster ? ingressChannel : cluster.leaderIngressChannel(ingressChannel))
            .message(message);
        return MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength();
    }

    /** The group's leader, for ConnectResponse; set before the agents start. */
    void cluster(final ClusterState cluster) {
        this.cluster = cluster;
    }

    /** A DisconnectRequest: ends the session without an answer. */
    void onDisconnect(final Session session) {
        end(session, "disconnected");
    }

    /** The ingress image {@code imageCorrelationId} went away: the client closed or died. */
    void onImageLost(final long imageCorrelationId, final int aeronSessionId) {
        for (final Session session : sessions.snapshot()) {
            if (session.imageCorrelationId() == imageCorrelationId ||
                (session.imageCorrelationId() < 0 && session.aeronSessionId() == aeronSessionId)) {
                end(session, "its ingress image went away");
            }
        }
        for (final Iterator<PendingConnect> it = pending.iterator(); it.hasNext(); ) {
            final PendingConnect connect = it.next();
            if (connect.imageCorrelationId == imageCorrelationId) {
                it.remove();
                if (null != connect.publication) {
                    CloseHelper.quietClose(connect.publication);
                } else {
                    aeron.asyncRemovePublication(connect.registrationId);
                }
            }
        }
    }

    private int expire(final long nowNs) {
        int expired = 0;
        for (final Session session : sessions.snapshot()) {
            if (nowNs - session.lastActivityNs() > sessionTimeoutNs) {
                counters.sessionsTimedOut.incrementRelease();
                end(session, "no request for " + ctx.sessionTimeoutMs() + " ms (" +
                    BrokerContext.SESSION_TIMEOUT_MS_PROP + ")");
                expired++;
            }
        }
        return expired;
    }

    private void end(final Session session, final String reason) {
        if (!sessions.remove(session)) {
            return;
        }
        counters.sessionsClosed.incrementRelease();
        LOG.info("session {} of client '{}' ended: {}", session.id(), session.clientId(), reason);
        CloseHelper.quietClose(session.detachPublication());
    }

    @Override
    public void close() {
        unusableChannels.flush();
        failedPublications.flush();
        unconnectedChannels.flush();
        undecodableConnects.flush();
        for (int i = 0; i < otherLogs.size(); i++) {
            otherLogs.get(i).flush();
        }
        for (final PendingConnect connect : pending) {
            if (null != connect.publication) {
                CloseHelper.quietClose(connect.publication);
            }
        }
        pending.clear();
        for (final Session session : sessions.snapshot()) {
            if (sessions.remove(session)) {
                CloseHelper.quietClose(session.detachPublication());
            }
        }
    }
}

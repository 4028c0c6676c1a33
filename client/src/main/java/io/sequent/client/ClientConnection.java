package io.sequent.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.FrameError;
import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.client.ConnectRequestEncoder;
import io.sequent.codec.client.ConnectResponseDecoder;
import io.sequent.codec.client.DisconnectRequestEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.ErrorResponseDecoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataRequestEncoder;
import io.sequent.codec.client.MetadataResponseDecoder;

/**
 * One client's session with a broker, as docs/protocol-sessions.md fixes it: a response subscription
 * on {@code aeron:udp?endpoint=<response host>:0} (stream {@value #RESPONSE_STREAM_ID}), an
 * exclusive ingress publication to the broker (stream {@value #INGRESS_STREAM_ID}, 16 MiB terms),
 * the Connect handshake, correlation ids, the table of requests awaiting an answer with their
 * timeouts, the keep-alive, and re-establishing a lost session.
 *
 * <pre>
 *   INIT -> RESOLVING (response port) -> CONNECTING (any bootstrap publication connected)
 *        -> AWAIT_RESPONSE (ConnectRequest sent) -> CONNECTED
 *   CONNECTING / AWAIT_RESPONSE --timeout--> BACKOFF -> CONNECTING ...   (first connect: FAILED)
 *   AWAIT_RESPONSE --NOT_LEADER + leader channel--> CONNECTING to the leader
 *   CONNECTED --publication or image lost--> CONNECTING (in-flight requests fail, retriable)
 *   CONNECTED --ErrorResponse(UNKNOWN_SESSION)--> CONNECTING (the request is sent again after)
 *   any --Aeron client lost ({@link #dropAeron}, {@link #useAeron})--> INIT (in-flight requests fail, retriable)
 * </pre>
 *
 * <p>Responses are routed by correlation id, whichever broker sends them, so requests in flight
 * survive a redirect to the leader. Every frame is checked with {@link ProtocolFrames#validate}
 * before a decoder touches it; frames that fail, or answer nothing pending, are dropped and counted.
 *
 * <p>Single writer: the client's I/O thread calls every method (the constructor excepted). No
 * allocation in steady state on the send and receive paths; state changes and errors may allocate
 * and log.
 */
final class ClientConnection implements RequestSender, AutoCloseable {
    /** Stream of the broker's ingress channel. */
    static final int INGRESS_STREAM_ID = 1001;
    /** Stream of a client's response channel. */
    static final int RESPONSE_STREAM_ID = 1002;
    /** Term length of the ingress publication: messages up to 2 MiB. */
    static final String TERM_LENGTH = "16m";

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    private static final int FRAGMENT_LIMIT = 32;
    private static final long TIMEOUT_SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DEFAULT_SESSION_TIMEOUT_MS = 30_000;
    private static final int MAX_REDIRECTS = 5;

    enum State {
        INIT, RESOLVING, CONNECTING, AWAIT_RESPONSE, CONNECTED, BACKOFF, FAILED, CLOSED
    }

    private Aeron aeron;
    private final String clientId;
    private final List<String> bootstrapChannels;
    private final String responseHost;
    private final long connectTimeoutNs;
    private final long requestTimeoutNs;
    private final long reconnectBackoffNs;
    private final CompletableFuture<Void> connectFuture = new CompletableFuture<>();

    private final Long2ObjectHashMap<PendingRequest> pending = new Long2ObjectHashMap<>();
    private final ArrayDeque<PendingRequest> outbound = new ArrayDeque<>();
    private final ArrayList<PendingRequest> expired = new ArrayList<>();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestEncoder connectEncoder = new ConnectRequestEncoder();
    private final ConnectResponseDecoder connectDecoder = new ConnectResponseDecoder();
    private final DisconnectRequestEncoder disconnectEncoder = new DisconnectRequestEncoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final SessionMetadata sessionMetadata = new SessionMetadata();

    private State state = State.INIT;
    private Subscription subscription;
    private String responseChannel;
    private ExclusivePublication publication;
    private ExclusivePublication[] candidates = new ExclusivePublication[0];
    private List<String> candidateChannels = List.of();
    private long connectDeadlineNs;
    private long attemptDeadlineNs;
    private long backoffUntilNs;
    private long connectCorrelationId = -1;
    private boolean connectSent;
    private int redirects;
    private long nowNs;
    private long lastSendNs;
    private long lastScanNs;
    private long keepAliveIntervalNs = TimeUnit.MILLISECONDS.toNanos(DEFAULT_SESSION_TIMEOUT_MS / 3);
    private long nextCorrelationId = 1;
    private long sessionId = -1;
    private int brokerId = -1;
    private int leaderId = -1;
    private long droppedFrames;

    /**
     * @param aeron    the Aeron client.
     * @param config   the connection settings.
     * @param clientId the client id sent in the handshake.
     */
    ClientConnection(final Aeron aeron, final ClientConfig config, final String clientId) {
        this.aeron = aeron;
        this.clientId = clientId;
        final List<String> channels = new ArrayList<>();
        for (final String endpoint : config.bootstrapEndpoints()) {
            channels.add(ingressChannel(endpoint));
        }
        bootstrapChannels = List.copyOf(channels);
        responseHost = config.responseHost();
        connectTimeoutNs = config.connectTimeout().toNanos();
        requestTimeoutNs = config.requestTimeout().toNanos();
        reconnectBackoffNs = config.reconnectBackoff().toNanos();
    }

    /**
     * The Aeron channel of a broker's ingress: a {@code host:port} endpoint, or a full channel (as
     * a broker names its leader), with the 16 MiB term length added when absent.
     *
     * @param endpointOrChannel {@code host:port} or {@code aeron:udp?...}.
     * @return the channel.
     */
    static String ingressChannel(final String endpointOrChannel) {
        final String trimmed = endpointOrChannel.trim();
        if (!trimmed.startsWith("aeron:")) {
            return "aeron:udp?endpoint=" + trimmed + "|" + CommonContext.TERM_LENGTH_PARAM_NAME + "=" + TERM_LENGTH;
        }
        final ChannelUri uri = ChannelUri.parse(trimmed);
        if (uri.get(CommonContext.TERM_LENGTH_PARAM_NAME) == null) {
            uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, TERM_LENGTH);
        }
        return uri.toString();
    }

    /**
     * @return completes when the first session is established, or fails with
     *     {@link BrokerUnreachableException} (or the broker's refusal) after the connect timeout.
     */
    CompletableFuture<Void> connectFuture() {
        return connectFuture;
    }

    @Override
    public boolean isConnected() {
        return state == State.CONNECTED;
    }

    State state() {
        return state;
    }

    long sessionId() {
        return sessionId;
    }

    int brokerId() {
        return brokerId;
    }

    long droppedFrames() {
        return droppedFrames;
    }

    int pendingCount() {
        return pending.size();
    }

    long requestTimeoutNs() {
        return requestTimeoutNs;
    }

    /**
     * @return true when Aeron closed the response subscription or the ingress publication under
     *     this connection, which it does only when its client gave up (the connection closes them
     *     itself only on {@link #close}).
     */
    boolean aeronResourcesClosed() {
        return (subscription != null && subscription.isClosed()) || (publication != null && publication.isClosed());
    }

    /**
     * The Aeron client died: forgets the session and every publication and subscription made with
     * it, and fails the requests in flight as after a lost connection (retriable, so a producer
     * sends them again); queued requests wait for the next session. Nothing is done until
     * {@link #useAeron} hands over a new client.
     *
     * @param now    the I/O thread's clock.
     * @param reason why, for the failures.
     */
    void dropAeron(final long now, final String reason) {
        if (state == State.CLOSED) {
            return;
        }
        nowNs = now;
        closeCandidates(null);
        candidates = new ExclusivePublication[0];
        CloseHelper.quietClose(publication);
        publication = null;
        CloseHelper.quietClose(subscription);
        subscription = null;
        aeron = null;
        sessionId = -1;
        connectCorrelationId = -1;
        connectSent = false;
        if (state != State.FAILED) {
            state = State.INIT;
        }
        failAll(new BrokerUnreachableException("connection to the broker lost: " + reason), now, false);
    }

    /**
     * Continues with a new Aeron client after {@link #dropAeron}: binds a new response channel and
     * connects again through the bootstrap brokers.
     *
     * @param next the new Aeron client.
     */
    void useAeron(final Aeron next) {
        aeron = next;
    }

    /**
     * One duty cycle: advance the handshake, poll responses, send queued requests, expire
     * timeouts, keep the session alive, notice a lost connection.
     *
     * @param now the I/O thread's clock.
     * @return work done.
     */
    int doWork(final long now) {
        nowNs = now;
        if (aeron == null || aeronResourcesClosed()) {
            return scanTimeouts(now); // the Aeron client is gone: nothing to do until the I/O thread rebuilds it
        }
        int work = 0;
        switch (state) {
            case INIT:
                work += init(now);
                break;
            case RESOLVING:
                work += resolve(now);
                break;
            case CONNECTING:
                work += awaitPublication(now);
                break;
            case AWAIT_RESPONSE:
                work += awaitConnectResponse(now);
                break;
            case BACKOFF:
                if (now - backoffUntilNs >= 0) {
                    startAttempt(now, reconnectChannels());
                    work++;
                }
                break;
            default:
                break;
        }
        if (subscription != null && state != State.CLOSED) {
            work += subscription.poll(assembler, FRAGMENT_LIMIT);
        }
        if (state == State.CONNECTED) {
            if (!publication.isConnected()) {
                connectionLost(now, "the broker's ingress is no longer connected");
                work++;
            } else if (subscription.imageCount() == 0) {
                connectionLost(now, "the broker's responses stopped (image unavailable)");
                work++;
            } else {
                work += drainOutbound(now);
                if (now - lastSendNs >= keepAliveIntervalNs && sessionMetadata.correlationId < 0) {
                    sessionMetadata.checkLeader = false;
                    trySend(sessionMetadata, now);
                }
            }
        }
        return work + scanTimeouts(now);
    }

    private int scanTimeouts(final long now) {
        if (now - lastScanNs >= TIMEOUT_SCAN_INTERVAL_NS) {
            lastScanNs = now;
            return expire(now);
        }
        return 0;
    }

    @Override
    public boolean trySend(final PendingRequest request, final long now) {
        if (state != State.CONNECTED) {
            return false;
        }
        request.deadlineNs = now + request.timeoutNs;
        return offer(request, now);
    }

    @Override
    public void enqueue(final PendingRequest request, final long now) {
        if (state == State.CLOSED || state == State.FAILED) {
            request.onFailure(new SequentException(ErrorCode.NULL_VAL, "client is closed"), now);
            return;
        }
        request.deadlineNs = now + request.timeoutNs;
        if (outbound.isEmpty() && state == State.CONNECTED && offer(request, now)) {
            return;
        }
        outbound.addLast(request);
    }

    @Override
    public void onNotLeader(final long now) {
        if (state == State.CONNECTED && sessionMetadata.correlationId < 0) {
            sessionMetadata.checkLeader = true;
            trySend(sessionMetadata, now);
        } else {
            sessionMetadata.checkLeader = true;
        }
    }

    /**
     * Ends the session: a best-effort DisconnectRequest, every request failed, resources closed.
     */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.CONNECTED && publication != null) {
            disconnectEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
                .correlationId(nextCorrelationId++)
                .sessionId(sessionId);
            publication.offer(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength());
        }
        state = State.CLOSED;
        final SequentException closed = new SequentException(ErrorCode.NULL_VAL, "client is closed");
        failAll(closed, nowNs, true);
        if (!connectFuture.isDone()) {
            connectFuture.completeExceptionally(closed);
        }
        closeCandidates(null);
        CloseHelper.quietClose(publication);
        publication = null;
        CloseHelper.quietClose(subscription);
        subscription = null;
    }

    private int init(final long now) {
        connectDeadlineNs = now + connectTimeoutNs;
        lastScanNs = now;
        subscription = aeron.addSubscription("aeron:udp?endpoint=" + responseHost + ":0", RESPONSE_STREAM_ID);
        state = State.RESOLVING;
        return 1;
    }

    private int resolve(final long now) {
        final String resolved = subscription.tryResolveChannelEndpointPort();
        if (resolved == null) {
            if (now - connectDeadlineNs >= 0) {
                fail(new BrokerUnreachableException("could not bind the response channel on " + responseHost));
            }
            return 0;
        }
        responseChannel = resolved;
        startAttempt(now, bootstrapChannels);
        return 1;
    }

    private void startAttempt(final long now, final List<String> channels) {
        final ExclusivePublication[] next = new ExclusivePublication[channels.size()];
        for (int i = 0; i < next.length; i++) {
            final String channel = channels.get(i);
            if (publication != null && publication.channel().equals(channel)) {
                next[i] = publication;
                continue;
            }
            try {
                next[i] = aeron.addExclusivePublication(channel, INGRESS_STREAM_ID);
            } catch (final RuntimeException ex) {
                LOG.warn("client {}: cannot open ingress channel {}: {}", clientId, channel, ex.toString());
            }
        }
        closeCandidates(null);
        candidates = next;
        candidateChannels = channels;
        connectSent = false;
        attemptDeadlineNs = connectFuture.isDone() ? now + connectTimeoutNs : connectDeadlineNs;
        state = State.CONNECTING;
    }

    private int awaitPublication(final long now) {
        for (final ExclusivePublication candidate : candidates) {
            if (candidate != null && candidate.isConnected()) {
                if (publication != null && publication != candidate) {
                    CloseHelper.quietClose(publication);
                }
                publication = candidate;
                closeCandidates(candidate);
                candidates = new ExclusivePublication[0];
                state = State.AWAIT_RESPONSE;
                connectSent = false;
                return 1 + awaitConnectResponse(now);
            }
        }
        if (now - attemptDeadlineNs >= 0) {
            attemptFailed(now, "no broker reachable at " + candidateChannels);
        }
        return 0;
    }

    private int awaitConnectResponse(final long now) {
        if (!connectSent) {
            connectCorrelationId = nextCorrelationId++;
            connectEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
                .correlationId(connectCorrelationId)
                .responseStreamId(RESPONSE_STREAM_ID)
                .protocolVersion(ConnectRequestEncoder.SCHEMA_VERSION)
                .responseChannel(responseChannel)
                .clientId(clientId);
            final long result = publication.offer(
                scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength());
            if (result > 0) {
                connectSent = true;
                lastSendNs = now;
                return 1;
            }
        }
        if (now - attemptDeadlineNs >= 0) {
            attemptFailed(now, "no answer to the session handshake from " + publication.channel());
        }
        return 0;
    }

    private void attemptFailed(final long now, final String reason) {
        connectCorrelationId = -1;
        if (!connectFuture.isDone()) {
            if (now - connectDeadlineNs >= 0) {
                fail(new BrokerUnreachableException(
                    reason + " within " + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNs) + " ms"));
                return;
            }
        } else {
            LOG.warn("client {}: {}; retrying", clientId, reason);
        }
        state = State.BACKOFF;
        backoffUntilNs = now + reconnectBackoffNs;
    }

    private void fail(final SequentException failure) {
        state = State.FAILED;
        closeCandidates(null);
        connectFuture.completeExceptionally(failure);
    }

    private List<String> reconnectChannels() {
        if (publication == null || bootstrapChannels.contains(publication.channel())) {
            return bootstrapChannels;
        }
        final List<String> channels = new ArrayList<>();
        channels.add(publication.channel());
        channels.addAll(bootstrapChannels);
        return channels;
    }

    private void closeCandidates(final ExclusivePublication keep) {
        for (final ExclusivePublication candidate : candidates) {
            if (candidate != null && candidate != keep && candidate != publication) {
                CloseHelper.quietClose(candidate);
            }
        }
    }

    private void onConnectResponse(final DirectBuffer buffer, final int offset) {
        connectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        connectDecoder.correlationId();
        final long session = connectDecoder.sessionId();
        final int broker = connectDecoder.brokerId();
        final int leader = connectDecoder.leaderId();
        connectDecoder.leaderEpoch();
        final int sessionTimeoutMs = connectDecoder.sessionTimeoutMs();
        connectDecoder.protocolVersion();
        final ErrorCode code = connectDecoder.errorCode();
        final String leaderChannel = connectDecoder.leaderIngressChannel();
        final String message = connectDecoder.message();
        connectCorrelationId = -1;
        if (code == ErrorCode.NONE) {
            sessionId = session;
            brokerId = broker;
            leaderId = leader;
            final long timeoutMs = sessionTimeoutMs > 0 ? sessionTimeoutMs : DEFAULT_SESSION_TIMEOUT_MS;
            keepAliveIntervalNs = TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs / 3));
            state = State.CONNECTED;
            redirects = 0;
            lastSendNs = nowNs;
            LOG.debug("client {}: session {} with broker {} (leader {}) over {}",
                clientId, session, broker, leader, publication.channel());
            connectFuture.complete(null);
            if (sessionMetadata.checkLeader && sessionMetadata.correlationId < 0) {
                trySend(sessionMetadata, nowNs);
            }
        } else if (code == ErrorCode.NOT_LEADER && !leaderChannel.isEmpty() && redirects < MAX_REDIRECTS) {
            redirects++;
            LOG.info("client {}: broker {} is not the leader; redirected to {}", clientId, broker, leaderChannel);
            startAttempt(nowNs, List.of(ingressChannel(leaderChannel)));
        } else if (!connectFuture.isDone() && code != ErrorCode.NOT_LEADER && !SequentException.isRetriable(code)) {
            fail(SequentException.of(code, "broker refused the session: " + message));
        } else {
            attemptFailed(nowNs, "broker refused the session with " + code + ": " + message);
        }
    }

    private void redirect(final String channel) {
        if (publication != null && publication.channel().equals(channel)) {
            return;
        }
        LOG.info("client {}: leader is at {}; reconnecting", clientId, channel);
        startAttempt(nowNs, List.of(channel));
    }

    /**
     * Offers a request on the ingress publication. A request too large for one Aeron message fails
     * at once, through its {@link PendingRequest#onFailure}, and counts as handled (true).
     */
    private boolean offer(final PendingRequest request, final long now) {
        final long correlationId = nextCorrelationId++;
        final int length = request.encode(scratch, correlationId, sessionId);
        if (length > publication.maxMessageLength()) {
            request.correlationId = -1;
            request.onFailure(new RecordTooLargeException("request of " + length
                + " bytes exceeds the largest message of " + publication.maxMessageLength() + " bytes"), now);
            return true;
        }
        final long result = publication.offer(request.encodedBuffer(scratch), 0, length);
        if (result > 0) {
            lastSendNs = now;
            request.correlationId = correlationId;
            if (request.expectsResponse()) {
                pending.put(correlationId, request);
            }
            request.onSent(now);
            return true;
        }
        if (result == Publication.CLOSED && publication.isClosed()) {
            return false; // closed by a dying Aeron client: the I/O thread rebuilds it
        }
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
            CloseHelper.quietClose(publication);
            publication = null;
            connectionLost(now, "ingress publication unusable (" + Publication.errorString(result) + ")");
        } else if (result == Publication.NOT_CONNECTED) {
            connectionLost(now, "ingress publication not connected");
        }
        return false;
    }

    private int drainOutbound(final long now) {
        int work = 0;
        while (!outbound.isEmpty() && state == State.CONNECTED) {
            final PendingRequest request = outbound.pollFirst();
            if (!offer(request, now)) {
                outbound.addFirst(request);
                break;
            }
            work++;
        }
        return work;
    }

    private void connectionLost(final long now, final String reason) {
        if (aeronResourcesClosed()) {
            return; // the Aeron client died under the session: the I/O thread rebuilds it and reconnects
        }
        LOG.warn("client {}: session {} lost: {}; reconnecting", clientId, sessionId, reason);
        sessionId = -1;
        startAttempt(now, reconnectChannels());
        failAll(new BrokerUnreachableException("connection to the broker lost: " + reason), now, false);
    }

    private void failAll(final SequentException failure, final long now, final boolean includeOutbound) {
        expired.clear();
        for (final PendingRequest request : pending.values()) {
            expired.add(request);
        }
        pending.clear();
        if (includeOutbound) {
            expired.addAll(outbound);
            outbound.clear();
        }
        for (int i = 0; i < expired.size(); i++) {
            final PendingRequest request = expired.get(i);
            request.correlationId = -1;
            request.onFailure(failure, now);
        }
        expired.clear();
    }

    private int expire(final long now) {
        expired.clear();
        for (final PendingRequest request : pending.values()) {
            if (now - request.deadlineNs >= 0) {
                expired.add(request);
            }
        }
        final int timedOut = expired.size();
        for (int i = 0; i < timedOut; i++) {
            pending.remove(expired.get(i).correlationId);
        }
        for (final Iterator<PendingRequest> it = outbound.iterator(); it.hasNext();) {
            final PendingRequest request = it.next();
            if (now - request.deadlineNs >= 0) {
                it.remove();
                expired.add(request);
            }
        }
        for (int i = 0; i < expired.size(); i++) {
            final PendingRequest request = expired.get(i);
            request.correlationId = -1;
            final long waitedMs = TimeUnit.NANOSECONDS.toMillis(request.timeoutNs);
            if (i < timedOut) {
                request.onFailure(new RequestTimeoutException("no response within " + waitedMs + " ms"), now);
            } else if (state == State.CONNECTED) {
                request.onFailure(new RequestTimeoutException("could not send within " + waitedMs + " ms"), now);
            } else {
                request.onFailure(new BrokerUnreachableException(
                    "no session with a broker for " + waitedMs + " ms (" + candidateChannels + ")"), now);
            }
        }
        final int work = expired.size();
        expired.clear();
        return work;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header) {
        if (ProtocolFrames.validate(buffer, offset, length) != FrameError.NONE) {
            droppedFrames++;
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != ProtocolFrames.CLIENT_SCHEMA_ID) {
            droppedFrames++;
            return;
        }
        final int templateId = headerDecoder.templateId();
        final long correlationId = ProtocolFrames.correlationId(buffer, offset, length);
        if (templateId == ConnectResponseDecoder.TEMPLATE_ID) {
            if (state == State.AWAIT_RESPONSE && correlationId == connectCorrelationId) {
                onConnectResponse(buffer, offset);
            } else {
                droppedFrames++;
            }
            return;
        }
        if (templateId == ErrorResponseDecoder.TEMPLATE_ID) {
            onErrorResponse(buffer, offset, correlationId);
            return;
        }
        final PendingRequest request = pending.remove(correlationId);
        if (request == null) {
            droppedFrames++;
            return;
        }
        request.correlationId = -1;
        if (templateId != request.responseTemplateId()) {
            request.onFailure(new SequentException(
                ErrorCode.CORRUPT_MESSAGE, "unexpected response template " + templateId), nowNs);
            return;
        }
        request.onResponse(buffer, offset, length, nowNs);
    }

    private void onErrorResponse(final DirectBuffer buffer, final int offset, final long correlationId) {
        errorDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        errorDecoder.correlationId();
        errorDecoder.requestTemplateId();
        final ErrorCode code = errorDecoder.errorCode();
        final String message = errorDecoder.message();
        final PendingRequest request = correlationId < 0 ? null : pending.remove(correlationId);
        if (code == ErrorCode.UNKNOWN_SESSION) {
            if (request != null) {
                request.correlationId = -1;
                outbound.addLast(request);
            }
            if (state == State.CONNECTED) {
                LOG.warn("client {}: broker no longer knows session {}; reconnecting", clientId, sessionId);
                sessionId = -1;
                startAttempt(nowNs, reconnectChannels());
            }
            return;
        }
        if (request == null) {
            droppedFrames++;
            return;
        }
        request.correlationId = -1;
        request.onFailure(SequentException.of(code, message.isEmpty() ? code.name() : message), nowNs);
    }

    /**
     * The session's own MetadataRequest (all topics): the keep-alive, and the leader check after a
     * NOT_LEADER answer, which reconnects to the leader when it is another broker.
     */
    private final class SessionMetadata extends PendingRequest {
        private final MetadataRequestEncoder encoder = new MetadataRequestEncoder();
        private final MetadataResponseDecoder decoder = new MetadataResponseDecoder();
        private boolean checkLeader;

        SessionMetadata() {
            timeoutNs = requestTimeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer buffer, final long correlationId, final long sessionId) {
            encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .correlationId(correlationId)
                .sessionId(sessionId)
                .topicsCount(0);
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        @Override
        int responseTemplateId() {
            return MetadataResponseDecoder.TEMPLATE_ID;
        }

        @Override
        void onResponse(final DirectBuffer buffer, final int offset, final int length, final long now) {
            decoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            decoder.correlationId();
            final int leader = decoder.leaderId();
            decoder.leaderEpoch();
            decoder.errorCode();
            leaderId = leader;
            if (!checkLeader) {
                return;
            }
            checkLeader = false;
            String leaderChannel = null;
            for (final MetadataResponseDecoder.BrokersDecoder broker : decoder.brokers()) {
                final int id = broker.brokerId();
                final String channel = broker.ingressChannel();
                if (id == leader) {
                    leaderChannel = channel;
                }
            }
            if (leader >= 0 && leader != brokerId && leaderChannel != null && !leaderChannel.isEmpty()) {
                redirect(ingressChannel(leaderChannel));
            }
        }

        @Override
        void onFailure(final SequentException failure, final long now) {
            // a keep-alive needs no answer; a failed leader check is tried again on the next NOT_LEADER
        }
    }
}

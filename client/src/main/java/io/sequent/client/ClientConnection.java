package io.sequent.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.FrameError;
import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.TransportMtu;
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
 * One client's session with a member of a replica group, as docs/protocol-sessions.md fixes it: a
 * response subscription on {@code aeron:udp?endpoint=<response host>:0} (stream
 * {@value #RESPONSE_STREAM_ID}), an exclusive ingress publication to the member (stream
 * {@value #INGRESS_STREAM_ID}, 16 MiB terms), the Connect handshake, correlation ids, the table of
 * requests awaiting an answer with their timeouts, the keep-alive, and re-establishing a lost session.
 *
 * <pre>
 *   INIT -> RESOLVING (response port) -> CONNECTING (publications to every candidate member at once)
 *        -> AWAIT_RESPONSE (ConnectRequest sent to the first connected) -> CONNECTED
 *   CONNECTING --attempt timeout--> BACKOFF -> CONNECTING ...        (first connect: FAILED, naming all)
 *   AWAIT_RESPONSE --no answer--> CONNECTING to the members not tried (first connect), else BACKOFF
 *   AWAIT_RESPONSE --answer names another leader (following the leader)--> CONNECTING to the leader
 *   CONNECTED --NOT_LEADER(hint), or a leader check names another member--> CONNECTING to the leader
 *   CONNECTED --publication or the session's image lost, no answer to a leader check, or the member
 *        silent for liveness.timeout.ms while requests wait--> CONNECTING to any member
 *        (in-flight requests fail, retriable)
 *   CONNECTED --ErrorResponse(UNKNOWN_SESSION)--> CONNECTING (the request is sent again after)
 *   any --Aeron client lost ({@link #dropAeron}, {@link #useAeron})--> INIT (in-flight requests fail, retriable)
 * </pre>
 *
 * <p>Members: the connection learns the group's members (id and ingress channel) and its leader from
 * every ConnectResponse and MetadataResponse (it asks for metadata once per session, and with each
 * keep-alive). A connection that follows the leader (producers, admin, consumers reading from the
 * leader) keeps its session with the leader: a member that answers the handshake naming another
 * leader, a {@code NOT_LEADER} answer and a request timeout send it there, the leader hint first, else
 * the leader a member names when asked, asking again every {@code reconnect.backoff.ms} doubling up to
 * {@code reconnect.backoff.max.ms} while no member knows one. A connection that reads from a follower
 * stays with the first member of the bootstrap order that answers, and falls back to any live member.
 *
 * <p>Failover: a member silent for {@code liveness.timeout.ms} while a request waits for a prompt answer
 * is lost ({@link SessionLiveness}; probed halfway; long-poll fetches do not count), which notices a dead
 * leader long before a request times out. The reconnect takes the other members first: the silent one,
 * which may still look connected (a hung process), only after {@code reconnect.backoff.max.ms}. After the
 * loss, answers that still name the lost leader in its old epoch count as "no leader
 * known", leader checks go every {@code reconnect.backoff.ms} while the group elects
 * ({@link LeaderSearch}), and {@link #isConnected} stays false until the session is with the new
 * leader, so the producer holds its batches instead of collecting {@code NOT_LEADER} answers (and
 * their retry backoff) from a follower.
 *
 * <p>Candidates are tried together, not in turn: a publication to every candidate is added at once
 * and the first to connect (the preferred one first, when there is one, for a grace of
 * {@code reconnect.backoff.max.ms}) gets the handshake, so a dead member costs no connect timeout.
 * On the first connect each attempt has its own {@code connect.timeout.ms}; a member that connects
 * but does not answer the handshake is left out of the next attempt.
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
    private static final String NO_TOPIC = "";

    enum State {
        INIT, RESOLVING, CONNECTING, AWAIT_RESPONSE, CONNECTED, BACKOFF, FAILED, CLOSED
    }

    private Aeron aeron;
    private final String clientId;
    private final List<String> bootstrapChannels;
    /** {@link ClientConfig#TRANSPORT_MTU}: the MTU of every ingress channel and of the response channel. */
    private final int transportMtu;
    private final String responseHost;
    private final long connectTimeoutNs;
    private final long requestTimeoutNs;
    private final long reconnectBackoffNs;
    private final long reconnectBackoffMaxNs;
    private final boolean followLeader;
    private final SessionLiveness liveness;
    private final LeaderSearch search;
    private final CompletableFuture<Void> connectFuture = new CompletableFuture<>();
    /** Members learned from ConnectResponse and MetadataResponse: broker id to ingress channel. */
    private final Int2ObjectHashMap<String> members = new Int2ObjectHashMap<>();
    /** First connect: what became of each bootstrap channel, for the failure message. */
    private final Map<String, String> outcomes = new LinkedHashMap<>();
    private final ArrayList<PendingRequest> delayed = new ArrayList<>();

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
    private long preferFirstUntilNs;
    private long deferLastUntilNs;
    private int failedAttempts;
    private int responseImageSessionId;
    private boolean leaderCheckDue;
    private boolean memberSilent;
    private long leaderCheckAtNs;
    private int leaderChecks;
    private long backoffUntilNs;
    private long connectCorrelationId = -1;
    private boolean connectSent;
    private int redirects;
    private String avoidOnce;
    private long nowNs;
    private long lastSendNs;
    private long lastScanNs;
    private long keepAliveIntervalNs = TimeUnit.MILLISECONDS.toNanos(DEFAULT_SESSION_TIMEOUT_MS / 3);
    private long nextCorrelationId = 1;
    private long sessionId = -1;
    private int brokerId = -1;
    private int leaderId = -1;
    private String noLeaderReason = "";
    private int leaderEpoch = -1;
    private volatile int memberCount = 1;
    private long droppedFrames;
    private long silentLosses;
    /** Requests in {@link #pending} the broker may hold (long-poll fetches): they do not make silence suspect. */
    private int pendingLongPolls;

    /**
     * A connection that follows the leader.
     *
     * @param aeron    the Aeron client.
     * @param config   the connection settings.
     * @param clientId the client id sent in the handshake.
     */
    ClientConnection(final Aeron aeron, final ClientConfig config, final String clientId) {
        this(aeron, config, clientId, true);
    }

    /**
     * @param aeron        the Aeron client.
     * @param config       the connection settings.
     * @param clientId     the client id sent in the handshake.
     * @param followLeader true to keep the session with the group's leader; false to stay with the
     *                     first member of the bootstrap order that answers (reads from a follower).
     */
    ClientConnection(final Aeron aeron, final ClientConfig config, final String clientId, final boolean followLeader) {
        this.aeron = aeron;
        this.followLeader = followLeader;
        this.clientId = clientId;
        transportMtu = config.transportMtu();
        final List<String> channels = new ArrayList<>();
        for (final String endpoint : config.bootstrapEndpoints()) {
            channels.add(ingressChannel(endpoint, transportMtu));
        }
        bootstrapChannels = List.copyOf(channels);
        responseHost = config.responseHost();
        connectTimeoutNs = config.connectTimeout().toNanos();
        requestTimeoutNs = config.requestTimeout().toNanos();
        reconnectBackoffNs = config.reconnectBackoff().toNanos();
        reconnectBackoffMaxNs = config.reconnectBackoffMax().toNanos();
        liveness = new SessionLiveness(config.livenessTimeout().toNanos());
        search = new LeaderSearch(reconnectBackoffNs, reconnectBackoffMaxNs);
        sessionMetadata.timeoutNs = requestTimeoutNs;
    }

    /**
     * The Aeron channel of a broker's ingress: a {@code host:port} endpoint, or a full channel (as
     * a broker names its leader), with the 16 MiB term length added when absent, and the MTU: the
     * configured one always, {@link TransportMtu#AUTO}'s choice for the endpoint when the channel names none.
     *
     * @param endpointOrChannel {@code host:port} or {@code aeron:udp?...}.
     * @param mtu               {@link ClientConfig#TRANSPORT_MTU}.
     * @return the channel.
     */
    static String ingressChannel(final String endpointOrChannel, final int mtu) {
        final String trimmed = endpointOrChannel.trim();
        final ChannelUri uri =
            ChannelUri.parse(trimmed.startsWith("aeron:") ? trimmed : "aeron:udp?endpoint=" + trimmed);
        if (uri.get(CommonContext.TERM_LENGTH_PARAM_NAME) == null) {
            uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, TERM_LENGTH);
        }
        return withMtu(uri, mtu, uri.get(CommonContext.ENDPOINT_PARAM_NAME));
    }

    /**
     * @param uri      a channel.
     * @param mtu      {@link ClientConfig#TRANSPORT_MTU}.
     * @param endpoint where the channel's datagrams go, for {@link TransportMtu#AUTO}.
     * @return the channel with its {@code mtu}: {@code mtu} when configured, else the one it names, else the
     *     one {@link TransportMtu#AUTO} chooses for {@code endpoint}.
     */
    private static String withMtu(final ChannelUri uri, final int mtu, final String endpoint) {
        if (mtu != TransportMtu.AUTO || uri.get(TransportMtu.CHANNEL_PARAM) == null) {
            uri.put(TransportMtu.CHANNEL_PARAM, Integer.toString(TransportMtu.resolve(mtu, endpoint)));
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

    /**
     * @return whether a request only the leader serves can be sent: a session is up and, after the
     *     session with the leader was lost, it is with the new leader (not with a member that knows no
     *     leader yet while the group elects one, which would only answer {@code NOT_LEADER}).
     */
    @Override
    public boolean isConnected() {
        return state == State.CONNECTED && (!followLeader || leaderId == brokerId || !search.searching());
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

    int leaderId() {
        return leaderId;
    }

    @Override
    public String noLeaderReason() {
        return noLeaderReason;
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    boolean followsLeader() {
        return followLeader;
    }

    /**
     * @return the members known (at least 1); read from any thread.
     */
    int memberCount() {
        return memberCount;
    }

    /**
     * @return the ingress channel of the member the session is with, or null.
     */
    String channel() {
        return publication == null ? null : publication.channel();
    }

    /**
     * @return the known members, broker id to ingress channel (a copy).
     */
    Map<Integer, String> members() {
        return new TreeMap<>(members);
    }

    long droppedFrames() {
        return droppedFrames;
    }

    /**
     * @return how many sessions were given up because the member stayed silent for
     *     {@code liveness.timeout.ms} while requests waited.
     */
    long silentLosses() {
        return silentLosses;
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
                    startAttempt(now, reconnectChannels(null), !followLeader);
                    work++;
                }
                break;
            default:
                break;
        }
        if (subscription != null && state != State.CLOSED) {
            work += subscription.poll(assembler, FRAGMENT_LIMIT);
        }
        if (!delayed.isEmpty()) {
            work += releaseDelayed(now);
        }
        if (state == State.CONNECTED) {
            final int verdict = liveness.check(now, awaitingAnswer());
            if (memberSilent) {
                memberSilent = false;
                connectionLost(now, "no answer to a metadata request within "
                    + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs) + " ms", true);
                work++;
            } else if (verdict == SessionLiveness.LOST) {
                silentLosses++;
                connectionLost(now, "no answer for " + TimeUnit.NANOSECONDS.toMillis(liveness.silentNs(now, true))
                    + " ms while " + pending.size() + " request(s) wait (" + ClientConfig.LIVENESS_TIMEOUT_MS + " "
                    + TimeUnit.NANOSECONDS.toMillis(liveness.timeoutNs()) + ")", true);
                work++;
            } else if (!publication.isConnected()) {
                connectionLost(now, "the broker's ingress is no longer connected", false);
                work++;
            } else if (subscription.imageBySessionId(responseImageSessionId) == null) {
                connectionLost(now, "the broker's responses stopped (image unavailable)", false);
                work++;
            } else {
                work += drainOutbound(now);
                if (sessionMetadata.correlationId < 0 && state == State.CONNECTED) {
                    if (leaderCheckDue && now - leaderCheckAtNs >= 0) {
                        sessionMetadata.checkLeader = true; // a probe too: any answer says the member is there
                        if (trySend(sessionMetadata, now)) {
                            leaderCheckDue = false;
                            work++;
                        }
                    } else if (verdict == SessionLiveness.PROBE) {
                        sessionMetadata.checkLeader = false; // is the member still there? any answer says so
                        if (trySend(sessionMetadata, now)) {
                            work++;
                        }
                    } else if (now - lastSendNs >= keepAliveIntervalNs) {
                        sessionMetadata.checkLeader = false;
                        trySend(sessionMetadata, now);
                    }
                }
            }
        }
        return work + scanTimeouts(now);
    }

    private int releaseDelayed(final long now) {
        int work = 0;
        for (int i = delayed.size() - 1; i >= 0; i--) {
            final PendingRequest request = delayed.get(i);
            if (now - request.retryAtNs >= 0) {
                delayed.remove(i);
                enqueue(request, now);
                work++;
            }
        }
        return work;
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
        request.sender = this;
        request.deadlineNs = now + request.timeoutNs;
        return offer(request, now);
    }

    @Override
    public void enqueue(final PendingRequest request, final long now) {
        if (state == State.CLOSED || state == State.FAILED) {
            request.onFailure(new SequentException(ErrorCode.NULL_VAL, "client is closed"), now);
            return;
        }
        request.sender = this;
        request.deadlineNs = now + request.timeoutNs;
        if (outbound.isEmpty() && state == State.CONNECTED && offer(request, now)) {
            return;
        }
        outbound.addLast(request);
    }

    @Override
    public void retryAt(final PendingRequest request, final long atNs) {
        if (state == State.CLOSED || state == State.FAILED) {
            request.onFailure(new SequentException(ErrorCode.NULL_VAL, "client is closed"), nowNs);
            return;
        }
        request.sender = this;
        request.retryAtNs = atNs;
        delayed.add(request);
    }

    @Override
    public void onNotLeader(final int leaderHint, final long now) {
        if (state == State.CLOSED || state == State.FAILED) {
            return;
        }
        if (!followLeader) {
            // a member that refuses to serve a follower read: read from the leader it names instead
            final String hinted = leaderHint >= 0 && leaderHint != brokerId ? members.get(leaderHint) : null;
            if (hinted != null && state == State.CONNECTED) {
                nowNs = now;
                redirect(hinted, leaderHint);
            }
            return;
        }
        nowNs = now;
        if (state != State.CONNECTED) {
            leaderCheckDue = true; // moving already; ask the member reached next
            return;
        }
        if (leaderHint >= 0 && leaderHint == brokerId) {
            return; // an answer from a member left behind, naming the one the session is with now
        }
        final int trustedHint = search.trusted(leaderHint, -1, brokerId, now);
        final String hinted = trustedHint >= 0 ? members.get(trustedHint) : null;
        if (hinted != null) {
            leaderId = trustedHint;
            redirect(hinted, trustedHint);
            return;
        }
        scheduleLeaderCheck(now, false);
    }

    /**
     * Asks the member the session is with who leads: at once, or after the pause of
     * {@link LeaderSearch#checkBackoffNs} when the last answers named no leader.
     */
    private void scheduleLeaderCheck(final long now, final boolean backOff) {
        if (backOff) {
            leaderChecks++;
        }
        final long at = backOff ? now + search.checkBackoffNs(leaderChecks) : now;
        if (!leaderCheckDue || at - leaderCheckAtNs < 0) {
            leaderCheckAtNs = at;
        }
        leaderCheckDue = true;
    }

    @Override
    public long backoffNs(final int failures) {
        final long backoff = reconnectBackoffNs << Math.min(Math.max(0, failures - 1), 20);
        return backoff <= 0 ? reconnectBackoffMaxNs : Math.min(backoff, reconnectBackoffMaxNs);
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
        for (int i = 0; i < delayed.size(); i++) {
            delayed.get(i).onFailure(closed, nowNs);
        }
        delayed.clear();
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
        // the broker's response publication takes the MTU this channel names
        responseChannel = withMtu(ChannelUri.parse(resolved), transportMtu, responseHost);
        startAttempt(now, connectFuture.isDone() ? reconnectChannels(null) : bootstrapChannels, !followLeader);
        return 1;
    }

    /**
     * Adds a publication to every candidate at once; the first that connects gets the handshake.
     *
     * @param channels    the candidates, the preferred first.
     * @param preferFirst whether the first candidate wins over the others while the grace lasts.
     */
    private void startAttempt(final long now, final List<String> channels, final boolean preferFirst) {
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
                outcomes.put(channel, "cannot open the channel (" + ex.getMessage() + ")");
            }
        }
        closeCandidates(null);
        candidates = next;
        candidateChannels = channels;
        connectSent = false;
        attemptDeadlineNs = now + connectTimeoutNs;
        preferFirstUntilNs = preferFirst && channels.size() > 1 ? now + reconnectBackoffMaxNs : now;
        deferLastUntilNs = now;
        state = State.CONNECTING;
    }

    private int awaitPublication(final long now) {
        ExclusivePublication chosen = null;
        for (int i = 0; i < candidates.length && chosen == null; i++) {
            final ExclusivePublication candidate = candidates[i];
            if (candidate != null && candidate.isConnected() && (i == 0 || now - preferFirstUntilNs >= 0)
                && (i == 0 || i < candidates.length - 1 || now - deferLastUntilNs >= 0)) {
                chosen = candidate;
            }
        }
        if (chosen != null) {
            if (publication != null && publication != chosen) {
                CloseHelper.quietClose(publication);
            }
            publication = chosen;
            closeCandidates(chosen);
            candidates = new ExclusivePublication[0];
            state = State.AWAIT_RESPONSE;
            connectSent = false;
            return 1 + awaitConnectResponse(now);
        }
        if (now - attemptDeadlineNs >= 0) {
            for (final String channel : candidateChannels) {
                outcomes.putIfAbsent(channel, "not reachable");
            }
            attemptFailed(now, "no broker reachable at " + endpoints(candidateChannels), null);
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
            final String channel = publication.channel();
            outcomes.put(channel, "connected but did not answer the session handshake");
            attemptFailed(now, "no answer to the session handshake from " + endpoint(channel), channel);
        }
        return 0;
    }

    /**
     * @param silent the channel of a member that connected but did not answer, left out of the next
     *               attempt while others remain; null when none connected.
     */
    private void attemptFailed(final long now, final String reason, final String silent) {
        connectCorrelationId = -1;
        if (!connectFuture.isDone()) {
            final List<String> untried = new ArrayList<>();
            for (final String channel : bootstrapChannels) {
                if (!outcomes.containsKey(channel)) {
                    untried.add(channel);
                }
            }
            if (silent != null && !untried.isEmpty()) {
                LOG.info("client {}: {}; trying {}", clientId, reason, endpoints(untried));
                startAttempt(now, untried, !followLeader);
                return;
            }
            if (silent != null || now - connectDeadlineNs >= 0 || untried.isEmpty()) {
                fail(new BrokerUnreachableException(unreachableMessage()));
                return;
            }
        } else {
            LOG.warn("client {}: {}; retrying", clientId, reason);
        }
        failedAttempts++;
        state = State.BACKOFF;
        backoffUntilNs = now + backoffNs(failedAttempts);
        avoidOnce = silent;
    }

    private String unreachableMessage() {
        final StringBuilder text = new StringBuilder("no broker reachable within ")
            .append(TimeUnit.NANOSECONDS.toMillis(connectTimeoutNs)).append(" ms (")
            .append(ClientConfig.BOOTSTRAP_SERVERS).append(" = ").append(endpoints(bootstrapChannels)).append("): ");
        String separator = "";
        for (final String channel : bootstrapChannels) {
            text.append(separator).append(endpoint(channel)).append(' ')
                .append(outcomes.getOrDefault(channel, "not reachable"));
            separator = "; ";
        }
        for (final Map.Entry<String, String> entry : outcomes.entrySet()) {
            if (!bootstrapChannels.contains(entry.getKey())) {
                text.append(separator).append(endpoint(entry.getKey())).append(' ').append(entry.getValue());
            }
        }
        return text.toString();
    }

    /**
     * @param channel an ingress channel.
     * @return its {@code host:port}, for messages.
     */
    static String endpoint(final String channel) {
        try {
            final String endpoint = ChannelUri.parse(channel).get(CommonContext.ENDPOINT_PARAM_NAME);
            return endpoint == null ? channel : endpoint;
        } catch (final RuntimeException ex) {
            return channel;
        }
    }

    private static String endpoints(final List<String> channels) {
        final StringBuilder text = new StringBuilder();
        for (final String channel : channels) {
            text.append(text.length() == 0 ? "" : ", ").append(endpoint(channel));
        }
        return text.toString();
    }

    private void fail(final SequentException failure) {
        state = State.FAILED;
        closeCandidates(null);
        connectFuture.completeExceptionally(failure);
    }

    /**
     * Where to reconnect: the known leader first (following the leader), the member the session was
     * with, every known member and the bootstrap list, each once; {@code avoid} (a member that stopped
     * answering) last.
     */
    private List<String> reconnectChannels(final String avoid) {
        final List<String> channels = new ArrayList<>();
        final String skip = avoid != null ? avoid : avoidOnce;
        avoidOnce = null;
        if (followLeader && leaderId >= 0) {
            addChannel(channels, members.get(leaderId), skip);
        }
        if (!followLeader) {
            for (final String channel : bootstrapChannels) {
                addChannel(channels, channel, skip);
            }
        }
        if (publication != null) {
            addChannel(channels, publication.channel(), skip);
        }
        for (final String channel : new TreeMap<>(members).values()) {
            addChannel(channels, channel, skip);
        }
        for (final String channel : bootstrapChannels) {
            addChannel(channels, channel, skip);
        }
        if (skip != null && !channels.contains(skip)) {
            channels.add(skip);
        }
        return channels;
    }

    private static void addChannel(final List<String> channels, final String channel, final String skip) {
        if (channel != null && !channel.equals(skip) && !channels.contains(channel)) {
            channels.add(channel);
        }
    }

    private void closeCandidates(final ExclusivePublication keep) {
        for (final ExclusivePublication candidate : candidates) {
            if (candidate != null && candidate != keep && candidate != publication) {
                CloseHelper.quietClose(candidate);
            }
        }
    }

    private void learnMember(final int id, final String channel) {
        if (id < 0 || channel == null || channel.isEmpty()) {
            return;
        }
        final String normalized = ingressChannel(channel, transportMtu);
        if (!normalized.equals(members.get(id))) {
            members.put(id, normalized);
            memberCount = Math.max(1, members.size());
        }
    }

    private void onConnectResponse(final DirectBuffer buffer, final int offset, final int imageSessionId) {
        connectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        connectDecoder.correlationId();
        final long session = connectDecoder.sessionId();
        final int broker = connectDecoder.brokerId();
        final int namedLeader = connectDecoder.leaderId();
        final int epoch = connectDecoder.leaderEpoch();
        final int leader = search.trusted(namedLeader, epoch, broker, nowNs);
        final int sessionTimeoutMs = connectDecoder.sessionTimeoutMs();
        connectDecoder.protocolVersion();
        final ErrorCode code = connectDecoder.errorCode();
        final String leaderChannel = connectDecoder.leaderIngressChannel();
        final String message = connectDecoder.message();
        connectCorrelationId = -1;
        if (leader >= 0) {
            learnMember(leader, leaderChannel);
        }
        if (code == ErrorCode.NONE) {
            noLeaderReason = leader < 0 ? message : "";
            learnMember(broker, publication.channel());
            sessionId = session;
            brokerId = broker;
            leaderId = leader;
            leaderEpoch = epoch;
            responseImageSessionId = imageSessionId;
            liveness.onSessionStart(nowNs);
            memberSilent = false;
            final long timeoutMs = sessionTimeoutMs > 0 ? sessionTimeoutMs : DEFAULT_SESSION_TIMEOUT_MS;
            keepAliveIntervalNs = TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs / 3));
            lastSendNs = nowNs;
            if (followLeader && leader >= 0 && leader != broker && members.get(leader) != null
                && redirects < MAX_REDIRECTS) {
                redirects++;
                LOG.info("client {}: broker {} is not the leader; connecting to the leader, broker {} at {}",
                    clientId, broker, leader, endpoint(members.get(leader)));
                disconnect();
                startAttempt(nowNs, redirectChannels(members.get(leader)), true);
                return;
            }
            state = State.CONNECTED;
            failedAttempts = 0;
            if (leader == broker || !followLeader) {
                redirects = 0;
                leaderChecks = 0;
                leaderFound();
            }
            LOG.debug("client {}: session {} with broker {} (leader {}, epoch {}) over {}",
                clientId, session, broker, leader, epoch, publication.channel());
            connectFuture.complete(null);
            // learn every member at once (for a failover) and, with no leader known, who leads
            scheduleLeaderCheck(nowNs, followLeader && leader < 0 && leaderChecks > 0);
        } else if (code == ErrorCode.NOT_LEADER && !leaderChannel.isEmpty() && redirects < MAX_REDIRECTS
            && (leader >= 0 || namedLeader < 0)) {
            redirects++;
            LOG.info("client {}: broker {} is not the leader; redirected to {}", clientId, broker, leaderChannel);
            startAttempt(nowNs, redirectChannels(ingressChannel(leaderChannel, transportMtu)), true);
        } else if (!connectFuture.isDone() && code != ErrorCode.NOT_LEADER && !SequentException.isRetriable(code)) {
            fail(SequentException.of(code, "broker refused the session: " + message));
        } else {
            attemptFailed(nowNs, "broker refused the session with " + code + ": " + message, null);
        }
    }

    /** A session with the leader is up: after a lost session, says how long finding it took. */
    private void leaderFound() {
        if (followLeader && search.searching()) {
            final int lostFrom = search.lostFrom();
            final long tookNs = search.found(nowNs);
            LOG.info("client {}: session {} with the leader, broker {} (epoch {}), {} ms after the session with "
                + "broker {} was lost", clientId, sessionId, brokerId, leaderEpoch,
                TimeUnit.NANOSECONDS.toMillis(tookNs), lostFrom);
        }
    }

    /** The leader's channel first, then every other member: the leader wins while its grace lasts. */
    private List<String> redirectChannels(final String leaderChannel) {
        final List<String> channels = new ArrayList<>();
        channels.add(leaderChannel);
        for (final String channel : reconnectChannels(null)) {
            addChannel(channels, channel, null);
        }
        return channels;
    }

    private void redirect(final String channel, final int leader) {
        if (publication != null && publication.channel().equals(channel)) {
            return;
        }
        if (redirects >= MAX_REDIRECTS) {
            redirects = 0; // members that disagree on the leader: ask again after the backoff, not at once
            scheduleLeaderCheck(nowNs, true);
            return;
        }
        redirects++;
        LOG.info("client {}: leader is broker {} at {}; reconnecting", clientId, leader, endpoint(channel));
        disconnect();
        sessionId = -1;
        startAttempt(nowNs, redirectChannels(channel), true);
    }

    /** A best-effort DisconnectRequest, so that the member left behind ends the session at once. */
    private void disconnect() {
        if (publication == null || sessionId < 0) {
            return;
        }
        disconnectEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .correlationId(nextCorrelationId++)
            .sessionId(sessionId);
        publication.offer(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength());
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
                if (request.longPoll()) {
                    pendingLongPolls++;
                } else if (!awaitingAnswer()) {
                    liveness.onFirstAwaiting(now);
                }
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
            connectionLost(now, "ingress publication unusable (" + Publication.errorString(result) + ")", false);
        } else if (result == Publication.NOT_CONNECTED) {
            connectionLost(now, "ingress publication not connected", false);
        }
        return false;
    }

    /**
     * @return whether a request the member should answer promptly waits for its answer (long-poll
     *     fetches left out): only then does the member's silence count ({@link SessionLiveness}).
     */
    private boolean awaitingAnswer() {
        return pending.size() > pendingLongPolls;
    }

    private PendingRequest removePending(final long correlationId) {
        final PendingRequest request = pending.remove(correlationId);
        if (request != null && request.longPoll()) {
            pendingLongPolls--;
        }
        return request;
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

    /**
     * @param avoidCurrent true when the member still looks alive but stopped answering: another
     *                     member is preferred for the next session.
     */
    private void connectionLost(final long now, final String reason, final boolean avoidCurrent) {
        if (aeronResourcesClosed()) {
            return; // the Aeron client died under the session: the I/O thread rebuilds it and reconnects
        }
        final String lost = publication == null ? null : publication.channel();
        LOG.warn("client {}: session {} with broker {} lost: {}; reconnecting", clientId, sessionId, brokerId, reason);
        if (avoidCurrent) {
            disconnect();
        }
        sessionId = -1;
        if (followLeader) {
            search.sessionLost(brokerId, leaderId, leaderEpoch, now);
        }
        if (lost != null && (avoidCurrent || leaderId == brokerId)) {
            leaderId = -1; // the leader is gone (or silent): whoever answers next names the new one
        }
        final List<String> channels = reconnectChannels(avoidCurrent ? lost : null);
        if (avoidCurrent && publication != null) {
            CloseHelper.quietClose(publication);
            publication = null;
        }
        startAttempt(now, channels, !followLeader);
        if (avoidCurrent && lost != null && channels.size() > 1) {
            // a member that stopped answering may still be connected (a hung process): the others first
            deferLastUntilNs = now + reconnectBackoffMaxNs;
        }
        failAll(new BrokerUnreachableException("connection to the broker lost: " + reason), now, false);
    }

    private void failAll(final SequentException failure, final long now, final boolean includeOutbound) {
        expired.clear();
        for (final PendingRequest request : pending.values()) {
            expired.add(request);
        }
        pending.clear();
        pendingLongPolls = 0;
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
            removePending(expired.get(i).correlationId);
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
                if (state == State.CONNECTED && request != sessionMetadata) {
                    scheduleLeaderCheck(now, false); // is the member still there (and still the leader)?
                }
                request.onFailure(new RequestTimeoutException("no response within " + waitedMs + " ms"), now);
            } else if (state == State.CONNECTED) {
                request.onFailure(new RequestTimeoutException("could not send within " + waitedMs + " ms"), now);
            } else {
                request.onFailure(new BrokerUnreachableException(
                    "no session with a broker for " + waitedMs + " ms (" + endpoints(candidateChannels) + ")"), now);
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
        if (header.sessionId() == responseImageSessionId) {
            liveness.onHeard(nowNs);
        }
        final int templateId = headerDecoder.templateId();
        final long correlationId = ProtocolFrames.correlationId(buffer, offset, length);
        if (templateId == ConnectResponseDecoder.TEMPLATE_ID) {
            if (state == State.AWAIT_RESPONSE && correlationId == connectCorrelationId) {
                onConnectResponse(buffer, offset, header.sessionId());
            } else {
                droppedFrames++;
            }
            return;
        }
        if (templateId == ErrorResponseDecoder.TEMPLATE_ID) {
            onErrorResponse(buffer, offset, correlationId);
            return;
        }
        final PendingRequest request = removePending(correlationId);
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
        final PendingRequest request = correlationId < 0 ? null : removePending(correlationId);
        if (code == ErrorCode.UNKNOWN_SESSION) {
            if (request != null) {
                request.correlationId = -1;
                outbound.addLast(request);
            }
            if (state == State.CONNECTED) {
                LOG.warn("client {}: broker no longer knows session {}; reconnecting", clientId, sessionId);
                sessionId = -1;
                startAttempt(nowNs, reconnectChannels(null), !followLeader);
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
     * The session's own MetadataRequest (no topic: only the leader and the members): the keep-alive,
     * the liveness probe ({@link SessionLiveness}), and the leader check, which learns the members
     * and, following the leader, reconnects to it when it is another member (or asks again after a
     * pause while no member knows a leader). It is also sent when another request timed out; no
     * answer to it means the member stopped answering: the connection moves to another member.
     */
    private final class SessionMetadata extends PendingRequest {
        private final MetadataRequestEncoder encoder = new MetadataRequestEncoder();
        private final MetadataResponseDecoder decoder = new MetadataResponseDecoder();
        private boolean checkLeader;

        @Override
        int encode(final MutableDirectBuffer buffer, final long correlationId, final long sessionId) {
            // one empty name, which names no topic: the answer carries the leader and the members only
            encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .correlationId(correlationId)
                .sessionId(sessionId)
                .topicsCount(1)
                .next().name(NO_TOPIC);
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
            final int namedLeader = decoder.leaderId();
            final int epoch = decoder.leaderEpoch();
            final int leader = search.trusted(namedLeader, epoch, brokerId, now);
            decoder.errorCode();
            for (final MetadataResponseDecoder.BrokersDecoder broker : decoder.brokers()) {
                final int id = broker.brokerId();
                learnMember(id, broker.ingressChannel());
            }
            for (final MetadataResponseDecoder.TopicsDecoder topic : decoder.topics()) {
                for (final MetadataResponseDecoder.TopicsDecoder.PartitionsDecoder partition : topic.partitions()) {
                    partition.partition();
                }
                topic.name();
            }
            decoder.clusterId();
            noLeaderReason = leader < 0 ? decoder.message() : "";
            leaderId = leader;
            leaderEpoch = epoch;
            final boolean check = checkLeader;
            checkLeader = false;
            if (!followLeader || state != State.CONNECTED) {
                return;
            }
            if (leader < 0) {
                if (check) {
                    scheduleLeaderCheck(now, true);
                }
            } else if (leader != brokerId && members.get(leader) != null) {
                // also from a keep-alive: an idle client follows a leadership change before it sends
                redirect(members.get(leader), leader);
            } else {
                leaderChecks = 0;
                redirects = 0;
                if (leader == brokerId) {
                    leaderFound();
                }
            }
        }

        @Override
        void onFailure(final SequentException failure, final long now) {
            if (state == State.CONNECTED && failure instanceof RequestTimeoutException) {
                memberSilent = true; // acted on in the next duty cycle, outside the timeout scan
            }
        }
    }
}

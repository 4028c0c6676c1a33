package io.sequent.broker;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Publication;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One client session: where its responses go and when it was last heard from.
 *
 * <p>Writers: the admin thread creates the session, installs it in the {@link SessionTable} and, when the
 * session ends, clears {@link #publication()} before closing it. The ingress records activity when a request
 * arrives, and the admin thread again when it has handled a slow (admin) request, so time spent serving the
 * session never counts as idleness; either write is a recent time, so the race between them is harmless.
 * Any thread that answers a request (ingress, fetch, the sequencer's release stage, admin) reads the
 * publication, a volatile field, and offers to it: a concurrent publication, safe from several threads.
 */
final class Session {
    private static final VarHandle LAST_ACTIVITY_NS;

    static {
        try {
            LAST_ACTIVITY_NS = MethodHandles.lookup().findVarHandle(Session.class, "lastActivityNs", long.class);
        } catch (final ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long id;
    private final int slot;
    private final String clientId;
    private final String responseChannel;
    private final String host;
    private final int responseStreamId;
    private final int aeronSessionId;
    private final long imageCorrelationId;
    private final int protocolVersion;
    private volatile Publication publication;
    @SuppressWarnings("unused")
    private volatile long lastActivityNs;

    Session(
        final long id,
        final int slot,
        final String clientId,
        final String responseChannel,
        final int responseStreamId,
        final int aeronSessionId,
        final long imageCorrelationId,
        final int protocolVersion,
        final Publication publication,
        final long nowNs) {
        this.id = id;
        this.slot = slot;
        this.clientId = clientId;
        this.responseChannel = responseChannel;
        this.host = host(responseChannel);
        this.responseStreamId = responseStreamId;
        this.aeronSessionId = aeronSessionId;
        this.imageCorrelationId = imageCorrelationId;
        this.protocolVersion = protocolVersion;
        this.publication = publication;
        LAST_ACTIVITY_NS.setRelease(this, nowNs);
    }

    long id() {
        return id;
    }

    int slot() {
        return slot;
    }

    String clientId() {
        return clientId;
    }

    String responseChannel() {
        return responseChannel;
    }

    /** Where the client speaks from: the host of its response channel ({@link #host(String)}). */
    String host() {
        return host;
    }

    /**
     * The host of a response channel: its endpoint's address ({@code aeron:udp?endpoint=10.0.0.7:40123} is
     * {@code 10.0.0.7}, {@code [::1]:40123} is {@code ::1}), {@code ipc} for an IPC channel, empty when it names
     * none or does not parse.
     */
    static String host(final String responseChannel) {
        try {
            final ChannelUri uri = ChannelUri.parse(responseChannel);
            if (uri.isIpc()) {
                return "ipc";
            }
            final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
            if (null == endpoint) {
                return "";
            }
            final int colon = endpoint.lastIndexOf(':');
            final String host = colon < 0 || endpoint.endsWith("]") ? endpoint : endpoint.substring(0, colon);
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        } catch (final RuntimeException ex) {
            return "";
        }
    }

    int responseStreamId() {
        return responseStreamId;
    }

    /** The Aeron session id of the client's ingress publication (the image the session came from). */
    int aeronSessionId() {
        return aeronSessionId;
    }

    /** Correlation id of the ingress image the session came from, or -1 when unknown. */
    long imageCorrelationId() {
        return imageCorrelationId;
    }

    /** The protocol version agreed at connect. */
    int protocolVersion() {
        return protocolVersion;
    }

    /** The response publication, or null once the session has ended. Any thread. */
    Publication publication() {
        return publication;
    }

    /** Detaches the response publication for closing (admin thread). */
    Publication detachPublication() {
        final Publication current = publication;
        publication = null;
        return current;
    }

    /** Records activity (ingress, admin): a release store, no fence; readers see it soon enough for timeouts. */
    void touch(final long nowNs) {
        LAST_ACTIVITY_NS.setRelease(this, nowNs);
    }

    long lastActivityNs() {
        return (long) LAST_ACTIVITY_NS.getAcquire(this);
    }

    @Override
    public String toString() {
        return "Session{id=" + id + ", client='" + clientId + "', responses=" + responseChannel + " stream " +
            responseStreamId + '}';
    }
}

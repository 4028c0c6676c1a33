package io.sequent.broker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The static membership of a replica group, parsed from {@code cluster.members}:
 *
 * <pre>
 *   id@host:port[/replicationPort/controlPort][,id@host:port...]
 *
 *   0@127.0.0.1:9090,1@127.0.0.1:9190,2@127.0.0.1:9290      ports derived: replication = port + 1, control = port + 2
 *   0@10.0.0.1:9090/9500/9501,1@10.0.0.2:9090/9500/9501     ports given
 * </pre>
 *
 * <p>{@code port} is the member's client ingress port. Member ids are {@code 0 .. n-1} (each once, in any order):
 * the replication protocol indexes its members by id. A broker started without {@code cluster.members} is a
 * group of one, {@link #single}. Immutable.
 */
public final class ClusterMembers {
    /** Largest group: the protocol core's limit. */
    public static final int MAX_MEMBERS = 7;

    /** One member: where its clients, its leader's live stream and its control messages go. */
    public static final class Member {
        private final int id;
        private final String host;
        private final int port;
        private final int replicationPort;
        private final int controlPort;

        Member(final int id, final String host, final int port, final int replicationPort, final int controlPort) {
            this.id = id;
            this.host = host;
            this.port = port;
            this.replicationPort = replicationPort;
            this.controlPort = controlPort;
        }

        public int id() {
            return id;
        }

        public String host() {
            return host;
        }

        /** The client ingress port. */
        public int port() {
            return port;
        }

        /** Where this member, as a follower, receives its leader's live batch stream. */
        public int replicationPort() {
            return replicationPort;
        }

        /** Where this member receives control messages (votes, heartbeats, acknowledgements, joins, replay). */
        public int controlPort() {
            return controlPort;
        }

        /** The client ingress channel clients publish to. */
        public String ingressChannel() {
            return "aeron:udp?endpoint=" + host + ":" + port;
        }

        @Override
        public String toString() {
            return id + "@" + host + ":" + port + "/" + replicationPort + "/" + controlPort;
        }
    }

    private final List<Member> members;
    private final boolean configured;

    private ClusterMembers(final List<Member> members, final boolean configured) {
        this.members = members;
        this.configured = configured;
    }

    /** A group of one: this broker alone (no replication endpoints are opened). */
    static ClusterMembers single(final int id, final String host, final int port) {
        return new ClusterMembers(List.of(new Member(id, host, port, 0, 0)), false);
    }

    /**
     * @param value the {@code cluster.members} setting.
     * @return the members, in id order.
     * @throws BrokerException (INVALID_CONFIG) naming what is wrong: a malformed entry, a bad port, a repeated id,
     *                         ids that are not 0..n-1, too many members, two endpoints on one host and port.
     */
    public static ClusterMembers parse(final String value) {
        final String key = BrokerContext.CLUSTER_MEMBERS_PROP;
        if (null == value || value.isBlank()) {
            throw BrokerException.invalidConfig(key, value, "must list the members as id@host:port,...");
        }
        final String[] entries = value.split(",");
        if (entries.length > MAX_MEMBERS) {
            throw BrokerException.invalidConfig(key, value, "must have at most " + MAX_MEMBERS + " members");
        }
        final Member[] byId = new Member[entries.length];
        for (final String raw : entries) {
            final String entry = raw.trim();
            final int at = entry.indexOf('@');
            final int colon = entry.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == entry.length() - 1) {
                throw BrokerException.invalidConfig(key, value,
                    "entry '" + entry + "' is not id@host:port or id@host:port/replicationPort/controlPort");
            }
            final int id = number(key, value, entry, entry.substring(0, at), "id");
            final String host = entry.substring(at + 1, colon);
            if (host.contains("|") || host.contains("?") || host.contains("/") || host.contains("@")) {
                throw BrokerException.invalidConfig(key, value, "entry '" + entry + "' has a bad host '" + host + "'");
            }
            final String[] ports = entry.substring(colon + 1).split("/", -1);
            if (ports.length != 1 && ports.length != 3) {
                throw BrokerException.invalidConfig(key, value,
                    "entry '" + entry + "' must give one port or port/replicationPort/controlPort");
            }
            final int port = port(key, value, entry, ports[0]);
            final int replicationPort = ports.length == 3 ? port(key, value, entry, ports[1]) : port + 1;
            final int controlPort = ports.length == 3 ? port(key, value, entry, ports[2]) : port + 2;
            if (port == 0 || replicationPort > 65535 || controlPort > 65535 || replicationPort == 0 ||
                controlPort == 0) {
                throw BrokerException.invalidConfig(key, value,
                    "entry '" + entry + "' needs fixed ports (not 0, derived ones at most 65535)");
            }
            if (id >= entries.length) {
                throw BrokerException.invalidConfig(key, value,
                    "member ids must be 0 to " + (entries.length - 1) + " (one each), found " + id);
            }
            if (null != byId[id]) {
                throw BrokerException.invalidConfig(key, value, "member id " + id + " is listed twice");
            }
            byId[id] = new Member(id, host, port, replicationPort, controlPort);
        }
        final List<Member> members = new ArrayList<>(List.of(byId));
        for (final Member a : members) {
            for (final Member b : members) {
                for (final int pa : new int[]{a.port, a.replicationPort, a.controlPort}) {
                    for (final int pb : new int[]{b.port, b.replicationPort, b.controlPort}) {
                        if (pa == pb && a.host.equals(b.host) && (a != b || countOf(a, pa) > 1)) {
                            throw BrokerException.invalidConfig(key, value, "members " + a.id + " and " + b.id +
                                " both use " + a.host + ":" + pa + " (replication = port + 1, control = port + 2 " +
                                "unless given): space the ports by at least 3");
                        }
                    }
                }
            }
        }
        return new ClusterMembers(Collections.unmodifiableList(members), true);
    }

    private static int countOf(final Member m, final int port) {
        int n = 0;
        for (final int p : new int[]{m.port, m.replicationPort, m.controlPort}) {
            n += p == port ? 1 : 0;
        }
        return n;
    }

    private static int number(
        final String key, final String value, final String entry, final String text, final String what) {
        try {
            final int n = Integer.parseInt(text.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (final NumberFormatException ex) {
            throw BrokerException.invalidConfig(key, value, "entry '" + entry + "' has a bad " + what + " '" + text +
                "'");
        }
    }

    private static int port(final String key, final String value, final String entry, final String text) {
        final int port = number(key, value, entry, text, "port");
        if (port > 65535) {
            throw BrokerException.invalidConfig(key, value, "entry '" + entry + "' has a port above 65535");
        }
        return port;
    }

    /** @return the members, index = id. */
    public List<Member> members() {
        return members;
    }

    /** @return the number of members. */
    public int size() {
        return members.size();
    }

    /** @return the member with this id, or null. */
    public Member member(final int id) {
        return id >= 0 && id < members.size() ? members.get(id) : null;
    }

    /** @return true when {@code cluster.members} was given (false: the default group of one). */
    public boolean isConfigured() {
        return configured;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        for (final Member m : members) {
            sb.append(sb.length() == 0 ? "" : ",").append(m);
        }
        return sb.toString();
    }
}

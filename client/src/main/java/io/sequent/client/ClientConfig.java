package io.sequent.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.TransportMtu;

/**
 * Settings shared by {@link Producer}, {@link Consumer} and {@link Admin}: where the broker is and
 * how the connection to it behaves. Fluent and mutable; a client copies it when it starts.
 *
 * <table>
 *   <caption>Properties read by {@link #fromProperties}</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #BOOTSTRAP_SERVERS}</td><td>{@value #DEFAULT_BOOTSTRAP}</td><td>comma-separated
 *       {@code host:port} list of broker ingress endpoints; the first that answers is used, and a
 *       follower redirects the client to the leader</td></tr>
 *   <tr><td>{@value #CLIENT_ID}</td><td>generated ({@code producer-1}, {@code consumer-2}, ...)</td>
 *       <td>name sent to the broker in the session handshake, used in thread names and logs</td></tr>
 *   <tr><td>{@value #AERON_DIR}</td><td>unset</td><td>directory of a running Aeron media driver to use;
 *       unset starts an embedded driver for this client alone (own directory under /dev/shm, deleted
 *       on close, SHARED threading mode, idle strategy {@value #DRIVER_IDLE_STRATEGY})</td></tr>
 *   <tr><td>{@value #CONNECT_TIMEOUT_MS}</td><td>10000</td><td>how long to wait for a broker to
 *       connect and answer the handshake before {@link BrokerUnreachableException}</td></tr>
 *   <tr><td>{@value #REQUEST_TIMEOUT_MS}</td><td>30000</td><td>how long to wait for any answer
 *       before {@link RequestTimeoutException} (a fetch adds its {@code fetch.max.wait.ms})</td></tr>
 *   <tr><td>{@value #RESPONSE_HOST}</td><td>{@value #DEFAULT_RESPONSE_HOST}</td><td>local address the
 *       client receives responses on (port chosen by the system); must be reachable from the broker</td></tr>
 *   <tr><td>{@value #IDLE_STRATEGY}</td><td>{@value #DEFAULT_IDLE_STRATEGY}</td><td>what the client's
 *       I/O thread does when idle: {@code adaptive} (spin, yield for a few milliseconds after work, then
 *       park up to 10 ms: near-zero CPU when idle, yielding latency under load), {@code backoff} (spin,
 *       yield briefly, then park up to 1 ms), {@code yielding} (lowest latency without busy spinning, but
 *       keeps a core busy while idle), {@code sleeping} (park 1 ms), {@code busy-spin} (only with a spare
 *       core)</td></tr>
 *   <tr><td>{@value #DRIVER_IDLE_STRATEGY}</td><td>{@value #DEFAULT_DRIVER_IDLE_STRATEGY}</td><td>idle
 *       strategy of the embedded media driver's shared thread (same names)</td></tr>
 *   <tr><td>{@value #THREADING_MODE}</td><td>{@code dedicated}</td><td>where the client's I/O runs:
 *       {@code dedicated}, on an I/O thread of its own (with the Aeron conductor and the embedded
 *       driver on threads of theirs); {@code caller}, on the threads that call the client (send,
 *       flush, poll, close and every wait inside them run the I/O duty cycle, the embedded driver
 *       and the Aeron conductor included), with a sleeping backstop thread that runs it when no call
 *       has for {@value ThreadingMode#BACKSTOP_INTERVAL_MS} ms; see {@link ThreadingMode}</td></tr>
 *   <tr><td>{@value #METADATA_MAX_AGE_MS}</td><td>300000</td><td>topic metadata older than this is
 *       refreshed, so that added partitions are seen</td></tr>
 *   <tr><td>{@value #RECONNECT_BACKOFF_MS}</td><td>100</td><td>pause between attempts to re-establish
 *       a lost session or to find the leader again; doubles with each failed attempt</td></tr>
 *   <tr><td>{@value #RECONNECT_BACKOFF_MAX_MS}</td><td>1000</td><td>the bound of that doubling (as
 *       Kafka's {@code reconnect.backoff.max.ms}); at least {@value #RECONNECT_BACKOFF_MS}</td></tr>
 *   <tr><td>{@value #LIVENESS_TIMEOUT_MS}</td><td>500</td><td>a member that sends nothing for this long
 *       while a request waits for a prompt answer (a long-poll fetch does not count) is lost and the session
 *       moves to another member; halfway through the silence the client probes it with a small
 *       MetadataRequest naming no topic, which a live member answers at once; at least 2</td></tr>
 *   <tr><td>{@value #TRANSPORT_MTU}</td><td>{@code auto}</td><td>MTU in bytes of the Aeron channels of the
 *       client's sessions: its ingress publications to the members, and the response channel it names in the
 *       handshake, on which the broker sends acknowledgements and fetched records back; 64 to 65504, a
 *       multiple of 32 (Aeron's rules). {@code auto}: 65504 towards a loopback address (127.0.0.0/8, ::1,
 *       {@code localhost}), 1408 (Aeron's default, one Ethernet frame) towards any other host; see
 *       {@link TransportMtu}</td></tr>
 * </table>
 */
public final class ClientConfig {
    /** Property key of {@link #bootstrap(String)}. */
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    /** Property key of {@link #clientId(String)}. */
    public static final String CLIENT_ID = "client.id";
    /** Property key of {@link #aeronDirectory(String)}. */
    public static final String AERON_DIR = "aeron.dir";
    /** Property key of {@link #connectTimeout(Duration)}. */
    public static final String CONNECT_TIMEOUT_MS = "connect.timeout.ms";
    /** Property key of {@link #requestTimeout(Duration)}. */
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    /** Property key of {@link #responseHost(String)}. */
    public static final String RESPONSE_HOST = "client.response.host";
    /** Property key of {@link #idleStrategy(String)}. */
    public static final String IDLE_STRATEGY = "idle.strategy";
    /** Property key of {@link #driverIdleStrategy(String)}. */
    public static final String DRIVER_IDLE_STRATEGY = "driver.idle.strategy";
    /** Property key of {@link #threadingMode(ThreadingMode)}. */
    public static final String THREADING_MODE = "client.threading.mode";
    /** Property key of {@link #metadataMaxAge(Duration)}. */
    public static final String METADATA_MAX_AGE_MS = "metadata.max.age.ms";
    /** Property key of {@link #reconnectBackoff(Duration)}. */
    public static final String RECONNECT_BACKOFF_MS = "reconnect.backoff.ms";
    /** Property key of {@link #reconnectBackoffMax(Duration)}. */
    public static final String RECONNECT_BACKOFF_MAX_MS = "reconnect.backoff.max.ms";
    /** Property key of {@link #livenessTimeout(Duration)}. */
    public static final String LIVENESS_TIMEOUT_MS = "liveness.timeout.ms";
    /** Property key of {@link #transportMtu(int)}. */
    public static final String TRANSPORT_MTU = "transport.mtu";

    /** Default of {@value #BOOTSTRAP_SERVERS}. */
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9090";
    /** Default of {@value #RESPONSE_HOST}. */
    public static final String DEFAULT_RESPONSE_HOST = "127.0.0.1";
    /** Default of {@value #IDLE_STRATEGY}. */
    public static final String DEFAULT_IDLE_STRATEGY = "adaptive";
    /** Default of {@value #DRIVER_IDLE_STRATEGY}. */
    public static final String DEFAULT_DRIVER_IDLE_STRATEGY = "adaptive";

    /** Every key {@link #fromProperties} reads. */
    static final Set<String> KEYS = Set.of(BOOTSTRAP_SERVERS, CLIENT_ID, AERON_DIR, CONNECT_TIMEOUT_MS,
        REQUEST_TIMEOUT_MS, RESPONSE_HOST, IDLE_STRATEGY, DRIVER_IDLE_STRATEGY, THREADING_MODE, METADATA_MAX_AGE_MS,
        RECONNECT_BACKOFF_MS, RECONNECT_BACKOFF_MAX_MS, LIVENESS_TIMEOUT_MS, TRANSPORT_MTU);

    private static final Logger LOG = LoggerFactory.getLogger(ClientConfig.class);
    private static final long MAX_TIMEOUT_MS = Integer.MAX_VALUE;

    private String bootstrap = DEFAULT_BOOTSTRAP;
    private List<String> bootstrapEndpoints = List.of(DEFAULT_BOOTSTRAP);
    private String clientId = "";
    private String aeronDirectory;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private String responseHost = DEFAULT_RESPONSE_HOST;
    private String idleStrategy = DEFAULT_IDLE_STRATEGY;
    private String driverIdleStrategy = DEFAULT_DRIVER_IDLE_STRATEGY;
    private ThreadingMode threadingMode = ThreadingMode.DEDICATED;
    private Duration metadataMaxAge = Duration.ofMinutes(5);
    private Duration reconnectBackoff = Duration.ofMillis(100);
    private Duration reconnectBackoffMax = Duration.ofSeconds(1);
    private Duration livenessTimeout = Duration.ofMillis(500);
    private int transportMtu = TransportMtu.AUTO;

    /**
     * Where a client's I/O runs ({@value #THREADING_MODE}).
     *
     * <p>{@link #CALLER} puts the whole client on the application's thread: a produce -> ack round
     * trip then needs two hot threads, the application's and the broker's, which is what fits a
     * small machine (two cores) best. Its price, like Kafka's consumer with its
     * {@code max.poll.interval.ms}: the I/O moves only while the application calls the client. A
     * thread that stops calling (busy elsewhere, or blocked in a future's {@code get()}) leaves
     * acknowledgements, fetch responses, lingering batches, session keep-alives and a consumer's
     * group heartbeats to the backstop thread, which runs the duty cycle only after
     * {@value #BACKSTOP_INTERVAL_MS} ms without a call: the session and the group membership stay
     * alive, but the answer waits up to that long. The producer's encoding and sending moves onto
     * the sending thread too, so one producer's saturated throughput is lower than with a dedicated
     * I/O thread working beside it. Producer callbacks run on whichever thread ran the duty cycle;
     * one that blocks on the client (flush, a future's get) gets an {@link IllegalStateException}
     * from the client's own waits.
     */
    public enum ThreadingMode {
        /** An I/O thread of its own, and threads for the Aeron conductor and the embedded driver. */
        DEDICATED,
        /** On the calling threads, with a sleeping backstop thread. */
        CALLER;

        /** How long the duty cycle may go without a call before the backstop thread runs it. */
        public static final long BACKSTOP_INTERVAL_MS = 10;
    }

    /** All defaults. */
    public ClientConfig() {
    }

    /**
     * Reads the keys of this class present in {@code properties}. Any other key is ignored with a
     * warning naming it ("supplied but isn't a known config", as Kafka's clients say), so that a typo
     * does not pass silently; {@link #unknownKeys} lists them.
     *
     * @param properties the properties.
     * @return a new config.
     * @throws InvalidConfigException naming the key of a bad value.
     */
    public static ClientConfig fromProperties(final Properties properties) {
        final ClientConfig config = read(properties);
        Settings.warnUnknown(LOG, "client", unknownKeys(properties));
        return config;
    }

    /**
     * @param properties the properties.
     * @return the keys of {@code properties} that {@link #fromProperties} does not know, sorted.
     */
    public static List<String> unknownKeys(final Properties properties) {
        return Settings.unknownKeys(properties, KEYS);
    }

    /** {@link #fromProperties} without the warning, for the configs that extend the key set. */
    static ClientConfig read(final Properties properties) {
        final ClientConfig config = new ClientConfig();
        String v = Settings.string(properties, BOOTSTRAP_SERVERS);
        if (v != null) {
            config.bootstrap(v);
        }
        v = Settings.string(properties, CLIENT_ID);
        if (v != null) {
            config.clientId(v);
        }
        v = Settings.string(properties, AERON_DIR);
        if (v != null) {
            config.aeronDirectory(v.isEmpty() ? null : v);
        }
        v = Settings.string(properties, CONNECT_TIMEOUT_MS);
        if (v != null) {
            config.connectTimeout(millis(CONNECT_TIMEOUT_MS, v));
        }
        v = Settings.string(properties, REQUEST_TIMEOUT_MS);
        if (v != null) {
            config.requestTimeout(millis(REQUEST_TIMEOUT_MS, v));
        }
        v = Settings.string(properties, RESPONSE_HOST);
        if (v != null) {
            config.responseHost(v);
        }
        v = Settings.string(properties, IDLE_STRATEGY);
        if (v != null) {
            config.idleStrategy(v);
        }
        v = Settings.string(properties, DRIVER_IDLE_STRATEGY);
        if (v != null) {
            config.driverIdleStrategy(v);
        }
        v = Settings.string(properties, THREADING_MODE);
        if (v != null) {
            config.threadingMode(ThreadingMode.valueOf(
                Settings.requireOneOf(THREADING_MODE, v, "dedicated", "caller").toUpperCase(java.util.Locale.ROOT)));
        }
        v = Settings.string(properties, METADATA_MAX_AGE_MS);
        if (v != null) {
            config.metadataMaxAge(millis(METADATA_MAX_AGE_MS, v));
        }
        v = Settings.string(properties, RECONNECT_BACKOFF_MS);
        if (v != null) {
            config.reconnectBackoff(millis(RECONNECT_BACKOFF_MS, v));
        }
        v = Settings.string(properties, RECONNECT_BACKOFF_MAX_MS);
        if (v != null) {
            config.reconnectBackoffMax(millis(RECONNECT_BACKOFF_MAX_MS, v));
        }
        v = Settings.string(properties, LIVENESS_TIMEOUT_MS);
        if (v != null) {
            config.livenessTimeout(millis(LIVENESS_TIMEOUT_MS, v));
        }
        v = Settings.string(properties, TRANSPORT_MTU);
        if (v != null) {
            final int mtu;
            try {
                mtu = TransportMtu.parse(v);
            } catch (final NumberFormatException ex) {
                throw InvalidConfigException.forKey(TRANSPORT_MTU, v, "expected 'auto' or a number of bytes");
            }
            config.transportMtu(mtu);
        }
        return config;
    }

    /**
     * @param hostPortList comma-separated {@code host:port} endpoints ({@value #BOOTSTRAP_SERVERS}).
     * @return this.
     */
    public ClientConfig bootstrap(final String hostPortList) {
        bootstrapEndpoints = parseEndpoints(hostPortList);
        bootstrap = hostPortList.trim();
        return this;
    }

    /**
     * @return the bootstrap list as given.
     */
    public String bootstrap() {
        return bootstrap;
    }

    /**
     * @return the bootstrap endpoints, parsed and in order.
     */
    List<String> bootstrapEndpoints() {
        return bootstrapEndpoints;
    }

    /**
     * @param clientId the client's name ({@value #CLIENT_ID}); empty for a generated one.
     * @return this.
     */
    public ClientConfig clientId(final String clientId) {
        if (clientId == null) {
            throw InvalidConfigException.forKey(CLIENT_ID, null, "must not be null (use an empty string)");
        }
        this.clientId = clientId.trim();
        return this;
    }

    /**
     * @return the client id; empty when it is to be generated.
     */
    public String clientId() {
        return clientId;
    }

    /**
     * @param directory a running media driver's directory ({@value #AERON_DIR}), or null to start
     *                  an embedded driver.
     * @return this.
     */
    public ClientConfig aeronDirectory(final String directory) {
        aeronDirectory = directory == null || directory.isBlank() ? null : directory.trim();
        return this;
    }

    /**
     * @return the media driver directory, or null for an embedded driver.
     */
    public String aeronDirectory() {
        return aeronDirectory;
    }

    /**
     * @param timeout connect and handshake limit ({@value #CONNECT_TIMEOUT_MS}), 1 ms or more.
     * @return this.
     */
    public ClientConfig connectTimeout(final Duration timeout) {
        connectTimeout = positive(CONNECT_TIMEOUT_MS, timeout);
        return this;
    }

    /**
     * @return the connect timeout.
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * @param timeout limit for any answer ({@value #REQUEST_TIMEOUT_MS}), 1 ms or more.
     * @return this.
     */
    public ClientConfig requestTimeout(final Duration timeout) {
        requestTimeout = positive(REQUEST_TIMEOUT_MS, timeout);
        return this;
    }

    /**
     * @return the request timeout.
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * @param host local address for responses ({@value #RESPONSE_HOST}).
     * @return this.
     */
    public ClientConfig responseHost(final String host) {
        if (host == null || host.isBlank() || host.contains(":") && !host.startsWith("[")) {
            throw InvalidConfigException.forKey(RESPONSE_HOST, host, "expected a host name or address");
        }
        responseHost = host.trim();
        return this;
    }

    /**
     * @return the local address for responses.
     */
    public String responseHost() {
        return responseHost;
    }

    /**
     * @param name the I/O thread's idle strategy ({@value #IDLE_STRATEGY}).
     * @return this.
     */
    public ClientConfig idleStrategy(final String name) {
        idleStrategy = IdleStrategies.validate(IDLE_STRATEGY, name);
        return this;
    }

    /**
     * @return the I/O thread's idle strategy name.
     */
    public String idleStrategy() {
        return idleStrategy;
    }

    /**
     * @param name the embedded driver's idle strategy ({@value #DRIVER_IDLE_STRATEGY}).
     * @return this.
     */
    public ClientConfig driverIdleStrategy(final String name) {
        driverIdleStrategy = IdleStrategies.validate(DRIVER_IDLE_STRATEGY, name);
        return this;
    }

    /**
     * @return the embedded driver's idle strategy name.
     */
    public String driverIdleStrategy() {
        return driverIdleStrategy;
    }

    /**
     * @param mode where the client's I/O runs ({@value #THREADING_MODE}).
     * @return this.
     */
    public ClientConfig threadingMode(final ThreadingMode mode) {
        if (mode == null) {
            throw InvalidConfigException.forKey(THREADING_MODE, null, "must be one of dedicated, caller");
        }
        threadingMode = mode;
        return this;
    }

    /**
     * @return where the client's I/O runs.
     */
    public ThreadingMode threadingMode() {
        return threadingMode;
    }

    /**
     * @param maxAge refresh age of topic metadata ({@value #METADATA_MAX_AGE_MS}).
     * @return this.
     */
    public ClientConfig metadataMaxAge(final Duration maxAge) {
        metadataMaxAge = positive(METADATA_MAX_AGE_MS, maxAge);
        return this;
    }

    /**
     * @return the metadata refresh age.
     */
    public Duration metadataMaxAge() {
        return metadataMaxAge;
    }

    /**
     * @param backoff pause between reconnection attempts ({@value #RECONNECT_BACKOFF_MS}).
     * @return this.
     */
    public ClientConfig reconnectBackoff(final Duration backoff) {
        reconnectBackoff = positive(RECONNECT_BACKOFF_MS, backoff);
        return this;
    }

    /**
     * @return the reconnection backoff.
     */
    public Duration reconnectBackoff() {
        return reconnectBackoff;
    }

    /**
     * @param max the bound of the doubling reconnection backoff ({@value #RECONNECT_BACKOFF_MAX_MS}).
     * @return this.
     */
    public ClientConfig reconnectBackoffMax(final Duration max) {
        reconnectBackoffMax = positive(RECONNECT_BACKOFF_MAX_MS, max);
        return this;
    }

    /**
     * @return the bound of the reconnection backoff, never below {@link #reconnectBackoff()}.
     */
    public Duration reconnectBackoffMax() {
        return reconnectBackoffMax.compareTo(reconnectBackoff) < 0 ? reconnectBackoff : reconnectBackoffMax;
    }

    /**
     * @param timeout how long a member may stay silent while requests wait for its answers before the
     *                session leaves it ({@value #LIVENESS_TIMEOUT_MS}), 2 ms or more.
     * @return this.
     */
    public ClientConfig livenessTimeout(final Duration timeout) {
        final Duration value = positive(LIVENESS_TIMEOUT_MS, timeout);
        if (value.toMillis() < 2) {
            throw InvalidConfigException.forKey(LIVENESS_TIMEOUT_MS, value.toMillis(),
                "must be between 2 and " + MAX_TIMEOUT_MS + " ms (the probe goes out halfway)");
        }
        livenessTimeout = value;
        return this;
    }

    /**
     * @return the liveness timeout.
     */
    public Duration livenessTimeout() {
        return livenessTimeout;
    }

    /**
     * @param bytes the MTU of the session's channels ({@value #TRANSPORT_MTU}): 64 to 65504 and a multiple
     *              of 32, or {@link TransportMtu#AUTO} to choose it by the endpoint.
     * @return this.
     */
    public ClientConfig transportMtu(final int bytes) {
        final String reason = TransportMtu.check(bytes);
        if (reason != null) {
            throw InvalidConfigException.forKey(TRANSPORT_MTU, bytes, reason);
        }
        transportMtu = bytes;
        return this;
    }

    /**
     * @return the configured MTU of the session's channels, {@link TransportMtu#AUTO} when chosen by the endpoint.
     */
    public int transportMtu() {
        return transportMtu;
    }

    /**
     * A copy, so that a running client is not affected by later changes to this instance.
     *
     * @return a new config with the same values.
     */
    public ClientConfig copy() {
        final ClientConfig c = new ClientConfig();
        c.bootstrap = bootstrap;
        c.bootstrapEndpoints = bootstrapEndpoints;
        c.clientId = clientId;
        c.aeronDirectory = aeronDirectory;
        c.connectTimeout = connectTimeout;
        c.requestTimeout = requestTimeout;
        c.responseHost = responseHost;
        c.idleStrategy = idleStrategy;
        c.driverIdleStrategy = driverIdleStrategy;
        c.threadingMode = threadingMode;
        c.metadataMaxAge = metadataMaxAge;
        c.reconnectBackoff = reconnectBackoff;
        c.reconnectBackoffMax = reconnectBackoffMax;
        c.livenessTimeout = livenessTimeout;
        c.transportMtu = transportMtu;
        return c;
    }

    @Override
    public String toString() {
        return "ClientConfig{" + BOOTSTRAP_SERVERS + "=" + bootstrap + ", " + CLIENT_ID + "=" + clientId
            + ", " + AERON_DIR + "=" + aeronDirectory + ", " + CONNECT_TIMEOUT_MS + "=" + connectTimeout.toMillis()
            + ", " + REQUEST_TIMEOUT_MS + "=" + requestTimeout.toMillis() + ", " + RESPONSE_HOST + "=" + responseHost
            + ", " + IDLE_STRATEGY + "=" + idleStrategy + ", " + DRIVER_IDLE_STRATEGY + "=" + driverIdleStrategy
            + ", " + THREADING_MODE + "=" + threadingMode.name().toLowerCase(java.util.Locale.ROOT)
            + ", " + METADATA_MAX_AGE_MS + "=" + metadataMaxAge.toMillis()
            + ", " + RECONNECT_BACKOFF_MS + "=" + reconnectBackoff.toMillis()
            + ", " + RECONNECT_BACKOFF_MAX_MS + "=" + reconnectBackoffMax.toMillis()
            + ", " + LIVENESS_TIMEOUT_MS + "=" + livenessTimeout.toMillis()
            + ", " + TRANSPORT_MTU + "=" + TransportMtu.toString(transportMtu) + "}";
    }

    static Duration millis(final String key, final String value) {
        return Duration.ofMillis(Settings.longValue(key, value));
    }

    static Duration positive(final String key, final Duration value) {
        if (value == null || value.isNegative() || value.isZero() || value.toMillis() > MAX_TIMEOUT_MS) {
            throw InvalidConfigException.forKey(
                key, value == null ? null : value.toMillis(), "must be between 1 and " + MAX_TIMEOUT_MS + " ms");
        }
        return value;
    }

    private static List<String> parseEndpoints(final String hostPortList) {
        if (hostPortList == null || hostPortList.isBlank()) {
            throw InvalidConfigException.forKey(BOOTSTRAP_SERVERS, hostPortList, "expected host:port[,host:port...]");
        }
        final List<String> endpoints = new ArrayList<>();
        for (final String part : hostPortList.split(",")) {
            final String endpoint = part.trim();
            if (endpoint.isEmpty()) {
                continue;
            }
            final int colon = endpoint.lastIndexOf(':');
            if (colon <= 0 || colon == endpoint.length() - 1) {
                throw InvalidConfigException.forKey(
                    BOOTSTRAP_SERVERS, hostPortList, "'" + endpoint + "' is not host:port");
            }
            final int port;
            try {
                port = Integer.parseInt(endpoint.substring(colon + 1));
            } catch (final NumberFormatException ex) {
                throw InvalidConfigException.forKey(BOOTSTRAP_SERVERS, hostPortList, "bad port in '" + endpoint + "'");
            }
            if (port < 1 || port > 65535) {
                throw InvalidConfigException.forKey(
                    BOOTSTRAP_SERVERS, hostPortList, "port out of range in '" + endpoint + "'");
            }
            endpoints.add(endpoint);
        }
        if (endpoints.isEmpty()) {
            throw InvalidConfigException.forKey(BOOTSTRAP_SERVERS, hostPortList, "expected host:port[,host:port...]");
        }
        return Collections.unmodifiableList(endpoints);
    }
}

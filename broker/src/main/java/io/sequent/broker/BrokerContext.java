package io.sequent.broker;

import io.aeron.ChannelUri;
import io.sequent.log.LogConfig;
import io.sequent.log.LogException;
import io.sequent.sequencer.IdleStrategies;
import io.sequent.sequencer.SequencerContext;
import io.sequent.sequencer.SequencerException;
import io.sequent.codec.TransportMtu;
import io.sequent.codec.client.ErrorCode;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Settings of a {@link Broker}, in the style of an Aeron {@code Context}: fluent setters and getters,
 * {@link #conclude()} validates the whole set and fills in derived defaults, and a bad value fails with
 * a {@link BrokerException} ({@link ErrorCode#INVALID_CONFIG}) naming its key.
 *
 * <p>Every broker setting is documented once, here, on its {@code *_PROP} constant with its default.
 * Two families are passed through to the modules that own them and documented there:
 * <ul>
 *   <li>{@code log.*}: the defaults of every topic's logs, read by {@link LogConfig#fromProperties}
 *   (segment size, retention, flush policy, ...), plus the two topic-level keys of {@link TopicConfig}
 *   ({@code log.message.timestamp.type}, {@code log.cleanup.policy}). A topic created with overrides
 *   ({@code --config retention.ms=...}) keeps them in the topic catalog; see {@link TopicConfig}.</li>
 *   <li>{@code sequencer.*}: the write pipeline, read by {@link SequencerContext#fromProperties}, including
 *   its log janitor (segment pre-allocation, and retention every
 *   {@code sequencer.retention.check.interval.ms}). Its threading mode is decided by
 *   {@link #THREADING_MODE_PROP} below.</li>
 * </ul>
 *
 * <p>{@link #load(Path)} reads a properties file and lays the JVM's system properties with the same keys
 * over it, so {@code -Dbroker.port=9191} overrides the file.
 */
public final class BrokerContext {
    /** Stream id of the broker's ingress channel, on which every client publishes its requests. */
    public static final int INGRESS_STREAM_ID = 1001;

    /** Id of this broker, reported in responses and metadata. At least 0. Default 0. */
    public static final String BROKER_ID_PROP = "broker.id";
    public static final int BROKER_ID_DEFAULT = 0;

    /**
     * Host (interface address) of the ingress channel, also advertised to clients in metadata as this
     * broker's address. Default 127.0.0.1.
     */
    public static final String HOST_PROP = "broker.host";
    public static final String HOST_DEFAULT = "127.0.0.1";

    /**
     * UDP port of the ingress channel {@code aeron:udp?endpoint=<broker.host>:<broker.port>}, stream
     * {@value #INGRESS_STREAM_ID}. 0 picks a free port once the subscription is added (see
     * {@link Broker#ingressEndpoint()}). 0 to 65535. Default 9090.
     */
    public static final String PORT_PROP = "broker.port";
    public static final int PORT_DEFAULT = 9090;

    /**
     * Directory of the metadata log ({@code __cluster_metadata-0/}), of every partition's log
     * ({@code <data.dir>/<topic>-<partition>/}) and of the counters file ({@code counters.dat}).
     * Created if missing. Default {@code ./data}.
     */
    public static final String DATA_DIR_PROP = "data.dir";
    public static final String DATA_DIR_DEFAULT = "./data";

    /**
     * Aeron directory of the media driver. With the embedded driver it is deleted on start (a killed broker
     * leaves it behind) and on close. Default {@code /dev/shm/sequent-broker-<broker.port>} (the system
     * temporary directory when there is no {@code /dev/shm}); with port 0 a name unique to this process.
     */
    public static final String AERON_DIR_PROP = "aeron.dir";

    /**
     * true: the broker runs its own media driver in {@link #AERON_DIR_PROP}: as an agent of the broker thread
     * (Aeron's INVOKER threading mode) when {@link #THREADING_MODE_PROP} is {@code shared}, on a thread of its own
     * (SHARED threading mode) when it is {@code dedicated}. false: it connects to a media driver already running
     * there. Default true.
     */
    public static final String EMBEDDED_DRIVER_PROP = "aeron.driver.embedded";
    public static final boolean EMBEDDED_DRIVER_DEFAULT = true;

    /**
     * Idle strategy of the embedded media driver's own thread in {@code dedicated} threading mode (names as
     * {@link IdleStrategies}); in {@code shared} mode the driver runs on the broker thread, which idles per
     * {@link #IDLE_STRATEGY_PROP}, and this setting is not used. Default {@code adaptive}: yields while traffic
     * flows, parks up to 10 ms after a quiet spell; {@code yielding} for the low-latency profile on a machine with
     * a core to spare.
     */
    public static final String DRIVER_IDLE_STRATEGY_PROP = "aeron.driver.idle.strategy";

    /**
     * Idle strategy of the broker's hot threads (ingress, fetch, and the sequencer stages they step in
     * shared mode): {@code adaptive}, {@code yielding}, {@code backoff}, {@code sleeping}, {@code busy-spin}
     * or {@code noop} (see {@link IdleStrategies}). Default {@code adaptive} (near-zero CPU when idle,
     * yielding latency under load); {@code yielding} is the low-latency profile for machines with a core to
     * spare per thread; never busy-spin on a machine without a spare core per spinning thread.
     */
    public static final String IDLE_STRATEGY_PROP = "broker.idle.strategy";

    /**
     * How the broker's hot work maps onto threads. {@code shared}: the embedded media driver (Aeron's INVOKER
     * mode), ingress, the sequencer's four stages (stepped as an invoker, whatever {@code sequencer.threading.mode}
     * says), the replica agent and fetch run on one thread, {@code sequent-broker}: one hot thread in all.
     * {@code dedicated}: the embedded driver, ingress and fetch get a thread each and the sequencer runs its own
     * threads per {@code sequencer.threading.mode}. Either way a sleeping admin thread does the cold work.
     * Default: shared on machines with four cores or fewer (there the extra hot threads of dedicated mode outnumber
     * the cores once a client runs beside the broker, and a round trip pays for their contention), dedicated
     * otherwise.
     */
    public static final String THREADING_MODE_PROP = "broker.threading.mode";

    /**
     * A session with no request for this long ends (clients send a keep-alive every third of it).
     * At least 100. Default 30000 ms.
     */
    public static final String SESSION_TIMEOUT_MS_PROP = "session.timeout.ms";
    public static final int SESSION_TIMEOUT_MS_DEFAULT = 30_000;

    /**
     * The committed offsets of a consumer group that has had no members for this long are deleted (written as
     * deletions to {@code __consumer_offsets}). At least 1000. Default 604800000 ms (7 days, as Kafka's).
     */
    public static final String OFFSETS_RETENTION_MS_PROP = "offsets.retention.ms";

    /**
     * Port of the Prometheus text endpoint {@code /metrics} (HTTP); -1 (the default) serves none, 0 takes an
     * ephemeral port ({@code Broker.metricsPort()}).
     */
    public static final String METRICS_PORT_PROP = "metrics.port";
    public static final int METRICS_PORT_DEFAULT = -1;

    /** Address the metrics endpoint binds. Default: the broker's host ({@code broker.host}). */
    public static final String METRICS_HOST_PROP = "metrics.host";
    public static final long OFFSETS_RETENTION_MS_DEFAULT = 7L * 24 * 60 * 60 * 1000;

    /**
     * How long the broker waits for a connecting client's response channel to connect before it gives
     * the session up. At least 100. Default 10000 ms.
     */
    public static final String SESSION_CONNECT_TIMEOUT_MS_PROP = "session.connect.timeout.ms";
    public static final int SESSION_CONNECT_TIMEOUT_MS_DEFAULT = 10_000;

    /** Most sessions open at once; a ConnectRequest beyond it is refused. 1 to 65536. Default 1024. */
    public static final String MAX_SESSIONS_PROP = "broker.max.sessions";
    public static final int MAX_SESSIONS_DEFAULT = 1024;

    /**
     * Most record bytes in one FetchResponse (a request may ask for less); the first batch is returned
     * whole even when larger, so a consumer always makes progress. 1024 to {@link #MAX_RESPONSE_RECORDS}.
     * Default 1 MiB.
     */
    public static final String FETCH_MAX_BYTES_PROP = "fetch.max.bytes";
    public static final int FETCH_MAX_BYTES_DEFAULT = 1024 * 1024;

    /**
     * MTU in bytes of a client's response publication (acknowledgements and fetched records) when the response
     * channel the client names in its ConnectRequest has no {@code mtu} of its own (a client names the one of its
     * {@code transport.mtu}, so this applies to clients that do not). 64 to 65504 and a multiple of 32 (Aeron's
     * rules), or {@code auto}: 65504 towards a loopback response address, 1408 (Aeron's default, one Ethernet
     * frame) towards any other; see {@link TransportMtu}. Default {@code auto}.
     */
    public static final String TRANSPORT_MTU_PROP = "broker.transport.mtu";

    /** Partitions of a topic created without a count (partitions = -1). 1 to 10000. Default 1. */
    public static final String NUM_PARTITIONS_PROP = "num.partitions";
    public static final int NUM_PARTITIONS_DEFAULT = 1;

    /**
     * How long an acks=all produce request may wait for commit before it is answered REQUEST_TIMED_OUT,
     * when the request's own timeoutMs is 0 or less. At least 1. Default 30000 ms.
     */
    public static final String PRODUCE_TIMEOUT_MS_PROP = "produce.timeout.ms";
    public static final int PRODUCE_TIMEOUT_MS_DEFAULT = 30_000;

    /**
     * The members of this broker's replica group, {@code id@host:port[/replicationPort/controlPort],...} (see
     * {@link ClusterMembers}): {@code port} is each member's client ingress port; its replication port (where it
     * receives its leader's live stream) and control port (votes, heartbeats, acknowledgements, joins, replay)
     * are {@code port + 1} and {@code port + 2} unless given. Ids are 0 to n-1; {@link #BROKER_ID_PROP} must be
     * one of them, and this member's host and port are the broker's ingress ({@link #HOST_PROP} and
     * {@link #PORT_PROP} may be left out, or must agree). 1, 3 or 5 members (an even count is allowed, with a
     * warning: it tolerates no more failures than one member fewer). Unset (the default): a group of one, this
     * broker alone, running the same code.
     */
    public static final String CLUSTER_MEMBERS_PROP = "cluster.members";

    /**
     * The channel of the leader's live batch stream to its followers. Unset (the default): Aeron
     * multi-destination-cast over UDP unicast ({@code aeron:udp?control-mode=manual}, one destination per
     * follower's replication port): works on any network. A multicast channel
     * ({@code aeron:udp?endpoint=224.x.x.x:port|interface=...}) sends each batch once for every follower; every
     * member then subscribes to it.
     */
    public static final String REPLICATION_CHANNEL_PROP = "replication.channel";

    /**
     * Election timeout: a follower that hears no leader for a random time in [t, 2t) stands for election; a leader
     * that hears from no majority for t steps down. Above the heartbeat interval. Default 500 ms.
     */
    public static final String ELECTION_TIMEOUT_MS_PROP = "replication.election.timeout.ms";
    public static final int ELECTION_TIMEOUT_MS_DEFAULT = 500;

    /** The leader's heartbeat period; also the retry period of joins and replay requests. Default 50 ms. */
    public static final String HEARTBEAT_INTERVAL_MS_PROP = "replication.heartbeat.interval.ms";
    public static final int HEARTBEAT_INTERVAL_MS_DEFAULT = 50;

    /**
     * Most record bytes a response can carry: messages are limited to a term length / 8 (2 MiB with the
     * 16 MiB terms used on these channels), less room for the response's own fields.
     */
    public static final int MAX_RESPONSE_RECORDS = 2 * 1024 * 1024 - 64 * 1024;

    /** Term length of the broker's response publications unless the client's channel names one. */
    static final String TERM_LENGTH = "16m";
    static final int TERM_LENGTH_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(BrokerContext.class);
    private static final String LOG_PREFIX = "log.";
    private static final String[] OWN_PREFIXES =
        {"broker.", "session.", "fetch.", "produce.", "num.", "cluster.", "replication."};
    private static final String[] KNOWN_KEYS = {
        BROKER_ID_PROP, HOST_PROP, PORT_PROP, DATA_DIR_PROP, AERON_DIR_PROP, EMBEDDED_DRIVER_PROP,
        DRIVER_IDLE_STRATEGY_PROP, IDLE_STRATEGY_PROP, THREADING_MODE_PROP, SESSION_TIMEOUT_MS_PROP,
        SESSION_CONNECT_TIMEOUT_MS_PROP, MAX_SESSIONS_PROP, FETCH_MAX_BYTES_PROP, NUM_PARTITIONS_PROP,
        PRODUCE_TIMEOUT_MS_PROP, OFFSETS_RETENTION_MS_PROP, CLUSTER_MEMBERS_PROP, REPLICATION_CHANNEL_PROP,
        ELECTION_TIMEOUT_MS_PROP, HEARTBEAT_INTERVAL_MS_PROP, METRICS_PORT_PROP, METRICS_HOST_PROP,
        TRANSPORT_MTU_PROP,
    };
    private static final String[] SEQUENCER_KEYS = {
        SequencerContext.RING_SIZE_PROP, SequencerContext.DATA_BUFFER_BYTES_PROP,
        SequencerContext.MAX_BATCH_BYTES_PROP, SequencerContext.THREADING_MODE_PROP,
        SequencerContext.IDLE_STRATEGY_PROP, SequencerContext.CLOSE_TIMEOUT_MS_PROP,
        SequencerContext.JANITOR_INTERVAL_MS_PROP, SequencerContext.RETENTION_CHECK_INTERVAL_MS_PROP,
    };
    private static final AtomicInteger EPHEMERAL_DIRS = new AtomicInteger();

    /** How the broker's hot work maps onto threads; see {@link #THREADING_MODE_PROP}. */
    public enum ThreadingMode {
        /** Ingress, sequencer stages and fetch composed onto one thread. */
        SHARED,
        /** Ingress and fetch on a thread each; the sequencer runs its own threads. */
        DEDICATED;

        /** SHARED on machines with four cores or fewer, DEDICATED otherwise. */
        public static ThreadingMode forCores(final int cores) {
            return cores <= 4 ? SHARED : DEDICATED;
        }
    }

    private int brokerId = BROKER_ID_DEFAULT;
    private String host = HOST_DEFAULT;
    private int port = PORT_DEFAULT;
    private Path dataDir = Paths.get(DATA_DIR_DEFAULT);
    private String aeronDir;
    private boolean embeddedDriver = EMBEDDED_DRIVER_DEFAULT;
    private String driverIdleStrategy = IdleStrategies.DEFAULT;
    private String idleStrategy = IdleStrategies.DEFAULT;
    private ThreadingMode threadingMode = ThreadingMode.forCores(Runtime.getRuntime().availableProcessors());
    private int sessionTimeoutMs = SESSION_TIMEOUT_MS_DEFAULT;
    private long offsetsRetentionMs = OFFSETS_RETENTION_MS_DEFAULT;
    private int metricsPort = METRICS_PORT_DEFAULT;
    private String metricsHost;
    private int sessionConnectTimeoutMs = SESSION_CONNECT_TIMEOUT_MS_DEFAULT;
    private int maxSessions = MAX_SESSIONS_DEFAULT;
    private int fetchMaxBytes = FETCH_MAX_BYTES_DEFAULT;
    private int transportMtu = TransportMtu.AUTO;
    private int numPartitions = NUM_PARTITIONS_DEFAULT;
    private int produceTimeoutMs = PRODUCE_TIMEOUT_MS_DEFAULT;
    private String clusterMembersSetting;
    private ClusterMembers clusterMembers;
    private String replicationChannel;
    private int electionTimeoutMs = ELECTION_TIMEOUT_MS_DEFAULT;
    private int heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS_DEFAULT;
    private Properties topicDefaults = new Properties();
    private SequencerContext sequencerContext = new SequencerContext();
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochClock epochClock;
    private LogConfig logConfig;
    private TopicConfig topicConfigDefaults;
    private boolean concluded;

    /**
     * Reads a properties file (when given) and lays the system properties of the same families over it.
     *
     * @param configFileOrNull a properties file, or null for system properties and defaults only.
     * @return the merged properties.
     * @throws BrokerException when the file cannot be read.
     */
    public static Properties load(final Path configFileOrNull) {
        final Properties merged = new Properties();
        if (null != configFileOrNull) {
            try (InputStream in = Files.newInputStream(configFileOrNull)) {
                merged.load(in);
            } catch (final IOException ex) {
                throw new BrokerException(ErrorCode.INVALID_CONFIG,
                    "cannot read the configuration file " + configFileOrNull + ": " + ex, ex);
            }
        }
        final Properties system = System.getProperties();
        for (final String key : system.stringPropertyNames()) {
            if (isBrokerFamilyKey(key)) {
                merged.setProperty(key, system.getProperty(key));
            }
        }
        return merged;
    }

    private static boolean isBrokerFamilyKey(final String key) {
        if (key.startsWith(LOG_PREFIX) || key.startsWith("sequencer.") || key.equals(DATA_DIR_PROP) ||
            key.equals(AERON_DIR_PROP) || key.equals(EMBEDDED_DRIVER_PROP) || key.equals(DRIVER_IDLE_STRATEGY_PROP)) {
            return true;
        }
        for (final String prefix : OWN_PREFIXES) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads every setting present in {@code properties}; absent ones keep their defaults. The result is
     * concluded.
     *
     * @param properties the settings, for example from {@link #load(Path)}.
     * @return a concluded context.
     * @throws BrokerException naming the key of a value that does not parse or is out of range.
     */
    public static BrokerContext fromProperties(final Properties properties) {
        final BrokerContext ctx = new BrokerContext();
        ctx.brokerId(intValue(properties, BROKER_ID_PROP, BROKER_ID_DEFAULT));
        ctx.host(properties.getProperty(HOST_PROP, HOST_DEFAULT).trim());
        ctx.port(intValue(properties, PORT_PROP, PORT_DEFAULT));
        ctx.dataDir(Paths.get(properties.getProperty(DATA_DIR_PROP, DATA_DIR_DEFAULT).trim()));
        final String aeronDir = properties.getProperty(AERON_DIR_PROP);
        if (null != aeronDir) {
            ctx.aeronDir(aeronDir.trim());
        }
        ctx.embeddedDriver(booleanValue(properties, EMBEDDED_DRIVER_PROP, EMBEDDED_DRIVER_DEFAULT));
        ctx.driverIdleStrategy(properties.getProperty(DRIVER_IDLE_STRATEGY_PROP, IdleStrategies.DEFAULT));
        ctx.idleStrategy(properties.getProperty(IDLE_STRATEGY_PROP, IdleStrategies.DEFAULT));
        final String mode = properties.getProperty(THREADING_MODE_PROP);
        if (null != mode) {
            try {
                ctx.threadingMode(ThreadingMode.valueOf(mode.trim().toUpperCase(Locale.ROOT)));
            } catch (final IllegalArgumentException ex) {
                throw BrokerException.invalidConfig(THREADING_MODE_PROP, mode, "must be shared or dedicated");
            }
        }
        ctx.sessionTimeoutMs(intValue(properties, SESSION_TIMEOUT_MS_PROP, SESSION_TIMEOUT_MS_DEFAULT));
        ctx.metricsPort(intValue(properties, METRICS_PORT_PROP, METRICS_PORT_DEFAULT));
        if (null != properties.getProperty(METRICS_HOST_PROP)) {
            ctx.metricsHost(properties.getProperty(METRICS_HOST_PROP).trim());
        }
        final String retention = properties.getProperty(OFFSETS_RETENTION_MS_PROP);
        if (null != retention) {
            try {
                ctx.offsetsRetentionMs(Long.parseLong(retention.trim()));
            } catch (final NumberFormatException ex) {
                throw BrokerException.invalidConfig(OFFSETS_RETENTION_MS_PROP, retention, "must be an integer");
            }
        }
        ctx.sessionConnectTimeoutMs(
            intValue(properties, SESSION_CONNECT_TIMEOUT_MS_PROP, SESSION_CONNECT_TIMEOUT_MS_DEFAULT));
        ctx.maxSessions(intValue(properties, MAX_SESSIONS_PROP, MAX_SESSIONS_DEFAULT));
        ctx.fetchMaxBytes(intValue(properties, FETCH_MAX_BYTES_PROP, FETCH_MAX_BYTES_DEFAULT));
        final String mtu = properties.getProperty(TRANSPORT_MTU_PROP);
        if (null != mtu) {
            try {
                ctx.transportMtu(TransportMtu.parse(mtu));
            } catch (final NumberFormatException ex) {
                throw BrokerException.invalidConfig(TRANSPORT_MTU_PROP, mtu, "expected 'auto' or a number of bytes");
            }
        }
        ctx.numPartitions(intValue(properties, NUM_PARTITIONS_PROP, NUM_PARTITIONS_DEFAULT));
        ctx.produceTimeoutMs(intValue(properties, PRODUCE_TIMEOUT_MS_PROP, PRODUCE_TIMEOUT_MS_DEFAULT));
        final String members = properties.getProperty(CLUSTER_MEMBERS_PROP);
        if (null != members) {
            ctx.clusterMembers(members);
            // this member's entry gives the ingress unless broker.host / broker.port say otherwise
            final ClusterMembers parsed = ClusterMembers.parse(members);
            final ClusterMembers.Member self = parsed.member(ctx.brokerId());
            if (null != self) {
                if (null == properties.getProperty(HOST_PROP)) {
                    ctx.host(self.host());
                }
                if (null == properties.getProperty(PORT_PROP)) {
                    ctx.port(self.port());
                }
            }
        }
        ctx.replicationChannel(properties.getProperty(REPLICATION_CHANNEL_PROP));
        ctx.electionTimeoutMs(intValue(properties, ELECTION_TIMEOUT_MS_PROP, ELECTION_TIMEOUT_MS_DEFAULT));
        ctx.heartbeatIntervalMs(intValue(properties, HEARTBEAT_INTERVAL_MS_PROP, HEARTBEAT_INTERVAL_MS_DEFAULT));

        final Properties defaults = new Properties();
        for (final String key : properties.stringPropertyNames()) {
            if (key.startsWith(LOG_PREFIX)) {
                defaults.setProperty(key, properties.getProperty(key));
            }
        }
        ctx.topicDefaults(defaults);
        try {
            ctx.sequencerContext(SequencerContext.fromProperties(properties));
        } catch (final SequencerException | IllegalArgumentException ex) {
            throw new BrokerException(ErrorCode.INVALID_CONFIG, ex.getMessage(), ex);
        }
        warnUnknownKeys(properties);
        return ctx.conclude();
    }

    private static void warnUnknownKeys(final Properties properties) {
        for (final String warning : unknownKeys(properties)) {
            LOG.warn(warning);
        }
    }

    /**
     * One line per key of {@code properties} that no broker, topic ({@code log.*}) or sequencer setting has,
     * as Kafka words it ("supplied but isn't a known config"), with the nearest known key when one is a typo
     * away. Such keys are ignored, not refused: a file can keep a setting an older or newer broker knows.
     *
     * @param properties the settings, for example from {@link #load(Path)}.
     * @return the warnings, in key order; empty when every key is known.
     */
    static List<String> unknownKeys(final Properties properties) {
        final List<String> known = new ArrayList<>(Arrays.asList(KNOWN_KEYS));
        known.addAll(TopicConfig.KEYS);
        known.addAll(Arrays.asList(SEQUENCER_KEYS));
        final List<String> warnings = new ArrayList<>();
        for (final String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (known.contains(key)) {
                continue;
            }
            String nearest = null;
            int nearestDistance = 3;
            for (final String candidate : known) {
                final int distance = editDistance(key, candidate);
                if (distance < nearestDistance) {
                    nearest = candidate;
                    nearestDistance = distance;
                }
            }
            warnings.add("The configuration '" + key + "' was supplied but isn't a known config; it is ignored" +
                (null != nearest ? " (did you mean '" + nearest + "'?)" : ""));
        }
        return warnings;
    }

    private static int editDistance(final String a, final String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * Validates every setting and derives the defaults that depend on others. Idempotent.
     *
     * @return this.
     * @throws BrokerException naming the first invalid key.
     */
    public BrokerContext conclude() {
        if (brokerId < 0) {
            throw BrokerException.invalidConfig(BROKER_ID_PROP, brokerId, "must be >= 0");
        }
        if (null == host || host.isEmpty() || host.contains("|") || host.contains("?")) {
            throw BrokerException.invalidConfig(HOST_PROP, host, "must be a host name or address");
        }
        if (port < 0 || port > 65535) {
            throw BrokerException.invalidConfig(PORT_PROP, port, "must be between 0 and 65535");
        }
        if (null == dataDir || dataDir.toString().isEmpty()) {
            throw BrokerException.invalidConfig(DATA_DIR_PROP, dataDir, "must name a directory");
        }
        if (null == aeronDir || aeronDir.isEmpty()) {
            aeronDir = defaultAeronDir(port);
        }
        checkIdle(DRIVER_IDLE_STRATEGY_PROP, driverIdleStrategy);
        checkIdle(IDLE_STRATEGY_PROP, idleStrategy);
        if (null == threadingMode) {
            throw BrokerException.invalidConfig(THREADING_MODE_PROP, null, "must be shared or dedicated");
        }
        if (sessionTimeoutMs < 100) {
            throw BrokerException.invalidConfig(SESSION_TIMEOUT_MS_PROP, sessionTimeoutMs, "must be >= 100");
        }
        if (metricsPort < -1 || metricsPort > 65535) {
            throw BrokerException.invalidConfig(METRICS_PORT_PROP, metricsPort, "must be -1 (none), 0 or a port");
        }
        if (null == metricsHost || metricsHost.isEmpty()) {
            metricsHost = host;
        }
        if (offsetsRetentionMs < 1000) {
            throw BrokerException.invalidConfig(OFFSETS_RETENTION_MS_PROP, offsetsRetentionMs, "must be >= 1000");
        }
        if (sessionConnectTimeoutMs < 100) {
            throw BrokerException.invalidConfig(
                SESSION_CONNECT_TIMEOUT_MS_PROP, sessionConnectTimeoutMs, "must be >= 100");
        }
        if (maxSessions < 1 || maxSessions > SessionTable.MAX_SLOTS) {
            throw BrokerException.invalidConfig(
                MAX_SESSIONS_PROP, maxSessions, "must be between 1 and " + SessionTable.MAX_SLOTS);
        }
        if (fetchMaxBytes < 1024 || fetchMaxBytes > MAX_RESPONSE_RECORDS) {
            throw BrokerException.invalidConfig(
                FETCH_MAX_BYTES_PROP, fetchMaxBytes, "must be between 1024 and " + MAX_RESPONSE_RECORDS);
        }
        final String mtuProblem = TransportMtu.check(transportMtu);
        if (null != mtuProblem) {
            throw BrokerException.invalidConfig(TRANSPORT_MTU_PROP, transportMtu, mtuProblem);
        }
        if (numPartitions < 1 || numPartitions > TopicAdmin.MAX_PARTITIONS) {
            throw BrokerException.invalidConfig(
                NUM_PARTITIONS_PROP, numPartitions, "must be between 1 and " + TopicAdmin.MAX_PARTITIONS);
        }
        if (produceTimeoutMs < 1) {
            throw BrokerException.invalidConfig(PRODUCE_TIMEOUT_MS_PROP, produceTimeoutMs, "must be >= 1");
        }
        try {
            logConfig = LogConfig.fromProperties(topicDefaults);
            topicConfigDefaults = TopicConfig.defaults(topicDefaults);
        } catch (final LogException ex) {
            throw new BrokerException(ErrorCode.INVALID_CONFIG, ex.getMessage(), ex);
        }
        try {
            sequencerContext.conclude();
        } catch (final SequencerException ex) {
            throw new BrokerException(ErrorCode.INVALID_CONFIG, ex.getMessage(), ex);
        }
        if (null == nanoClock) {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        if (null != epochClock) {
            sequencerContext.epochClock(epochClock);
        }
        concludeCluster();
        if (sequencerContext.maxBatchBytes() > MAX_RESPONSE_RECORDS) {
            throw BrokerException.invalidConfig(SequencerContext.MAX_BATCH_BYTES_PROP,
                sequencerContext.maxBatchBytes(), "must be <= " + MAX_RESPONSE_RECORDS + " so a batch fits a response");
        }
        concluded = true;
        return this;
    }

    private void concludeCluster() {
        if (heartbeatIntervalMs < 1) {
            throw BrokerException.invalidConfig(HEARTBEAT_INTERVAL_MS_PROP, heartbeatIntervalMs, "must be >= 1");
        }
        if (electionTimeoutMs <= heartbeatIntervalMs) {
            throw BrokerException.invalidConfig(ELECTION_TIMEOUT_MS_PROP, electionTimeoutMs,
                "must be above " + HEARTBEAT_INTERVAL_MS_PROP + " (" + heartbeatIntervalMs + ")");
        }
        if (null != replicationChannel && !replicationChannel.isBlank()) {
            try {
                ChannelUri.parse(replicationChannel);
            } catch (final RuntimeException ex) {
                throw BrokerException.invalidConfig(REPLICATION_CHANNEL_PROP, replicationChannel,
                    "must be an Aeron channel (" + ex.getMessage() + ")");
            }
            if (!replicationChannel.startsWith("aeron:udp?endpoint=")) {
                throw BrokerException.invalidConfig(REPLICATION_CHANNEL_PROP, replicationChannel,
                    "must be a multicast channel aeron:udp?endpoint=224.x.x.x:port|interface=...");
            }
        }
        if (null == clusterMembersSetting) {
            clusterMembers = ClusterMembers.single(brokerId, host, port);
            return;
        }
        clusterMembers = ClusterMembers.parse(clusterMembersSetting);
        final ClusterMembers.Member self = clusterMembers.member(brokerId);
        if (null == self) {
            throw BrokerException.invalidConfig(CLUSTER_MEMBERS_PROP, clusterMembersSetting,
                "must list this broker (" + BROKER_ID_PROP + "=" + brokerId + ", --node-id)");
        }
        if (self.port() != port || !self.host().equals(host)) {
            throw BrokerException.invalidConfig(CLUSTER_MEMBERS_PROP, clusterMembersSetting,
                "names " + self.host() + ":" + self.port() + " for member " + brokerId +
                " but this broker listens on " + HOST_PROP + ":" + PORT_PROP + " " + host + ":" + port);
        }
        if (clusterMembers.size() % 2 == 0 && !concluded) {
            LOG.warn("{} has {} members: a group of {} tolerates no more failed members than one of {}",
                CLUSTER_MEMBERS_PROP, clusterMembers.size(), clusterMembers.size(), clusterMembers.size() - 1);
        }
    }

    private static void checkIdle(final String key, final String value) {
        try {
            IdleStrategies.parse(null == value ? "" : value);
        } catch (final IllegalArgumentException ex) {
            throw new BrokerException(ErrorCode.INVALID_CONFIG, key + ": " + ex.getMessage(), ex);
        }
    }

    static String defaultAeronDir(final int port) {
        final Path shm = Paths.get("/dev/shm");
        final String base = Files.isDirectory(shm) ? shm.toString() : System.getProperty("java.io.tmpdir");
        final String name = 0 == port ?
            "sequent-broker-" + ProcessHandle.current().pid() + "-" + EPHEMERAL_DIRS.incrementAndGet() :
            "sequent-broker-" + port;
        return Paths.get(base, name).toString();
    }

    private static int intValue(final Properties properties, final String key, final int defaultValue) {
        final String value = properties.getProperty(key);
        if (null == value) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (final NumberFormatException ex) {
            throw BrokerException.invalidConfig(key, value, "must be an integer");
        }
    }

    private static boolean booleanValue(final Properties properties, final String key, final boolean defaultValue) {
        final String value = properties.getProperty(key);
        if (null == value) {
            return defaultValue;
        }
        final String v = value.trim().toLowerCase(Locale.ROOT);
        if ("true".equals(v)) {
            return true;
        }
        if ("false".equals(v)) {
            return false;
        }
        throw BrokerException.invalidConfig(key, value, "must be true or false");
    }

    /**
     * @return the ingress channel, with the configured port (0 before it is resolved).
     */
    public String ingressChannel() {
        return "aeron:udp?endpoint=" + host + ":" + port;
    }

    public boolean isConcluded() {
        return concluded;
    }

    public int brokerId() {
        return brokerId;
    }

    public BrokerContext brokerId(final int brokerId) {
        this.brokerId = brokerId;
        return this;
    }

    public String host() {
        return host;
    }

    public BrokerContext host(final String host) {
        this.host = host;
        return this;
    }

    public int port() {
        return port;
    }

    public BrokerContext port(final int port) {
        this.port = port;
        return this;
    }

    public Path dataDir() {
        return dataDir;
    }

    public BrokerContext dataDir(final Path dataDir) {
        this.dataDir = dataDir;
        return this;
    }

    public String aeronDir() {
        return aeronDir;
    }

    public BrokerContext aeronDir(final String aeronDir) {
        this.aeronDir = aeronDir;
        return this;
    }

    public boolean embeddedDriver() {
        return embeddedDriver;
    }

    public BrokerContext embeddedDriver(final boolean embeddedDriver) {
        this.embeddedDriver = embeddedDriver;
        return this;
    }

    public String driverIdleStrategy() {
        return driverIdleStrategy;
    }

    public BrokerContext driverIdleStrategy(final String driverIdleStrategy) {
        this.driverIdleStrategy = driverIdleStrategy;
        return this;
    }

    public String idleStrategy() {
        return idleStrategy;
    }

    public BrokerContext idleStrategy(final String idleStrategy) {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public ThreadingMode threadingMode() {
        return threadingMode;
    }

    /**
     * @return true when the embedded media driver runs as an agent of the broker thread: embedded, shared mode.
     */
    public boolean driverOnBrokerThread() {
        return embeddedDriver && threadingMode == ThreadingMode.SHARED;
    }

    public BrokerContext threadingMode(final ThreadingMode threadingMode) {
        this.threadingMode = threadingMode;
        return this;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public BrokerContext sessionTimeoutMs(final int sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
        return this;
    }

    public long offsetsRetentionMs() {
        return offsetsRetentionMs;
    }

    public int metricsPort() {
        return metricsPort;
    }

    public BrokerContext metricsPort(final int metricsPort) {
        this.metricsPort = metricsPort;
        return this;
    }

    public String metricsHost() {
        return metricsHost;
    }

    public BrokerContext metricsHost(final String metricsHost) {
        this.metricsHost = metricsHost;
        return this;
    }

    public BrokerContext offsetsRetentionMs(final long offsetsRetentionMs) {
        this.offsetsRetentionMs = offsetsRetentionMs;
        return this;
    }

    public int sessionConnectTimeoutMs() {
        return sessionConnectTimeoutMs;
    }

    public BrokerContext sessionConnectTimeoutMs(final int sessionConnectTimeoutMs) {
        this.sessionConnectTimeoutMs = sessionConnectTimeoutMs;
        return this;
    }

    public int maxSessions() {
        return maxSessions;
    }

    public BrokerContext maxSessions(final int maxSessions) {
        this.maxSessions = maxSessions;
        return this;
    }

    public int fetchMaxBytes() {
        return fetchMaxBytes;
    }

    public BrokerContext fetchMaxBytes(final int fetchMaxBytes) {
        this.fetchMaxBytes = fetchMaxBytes;
        return this;
    }

    /** @return {@link #TRANSPORT_MTU_PROP}, {@link TransportMtu#AUTO} when chosen by the response address. */
    public int transportMtu() {
        return transportMtu;
    }

    public BrokerContext transportMtu(final int transportMtu) {
        this.transportMtu = transportMtu;
        return this;
    }

    public int numPartitions() {
        return numPartitions;
    }

    public BrokerContext numPartitions(final int numPartitions) {
        this.numPartitions = numPartitions;
        return this;
    }

    public int produceTimeoutMs() {
        return produceTimeoutMs;
    }

    public BrokerContext produceTimeoutMs(final int produceTimeoutMs) {
        this.produceTimeoutMs = produceTimeoutMs;
        return this;
    }

    /**
     * @param members the {@link #CLUSTER_MEMBERS_PROP} setting, null for a group of one.
     * @return this.
     */
    public BrokerContext clusterMembers(final String members) {
        this.clusterMembersSetting = members;
        return this;
    }

    /** @return the replica group, concluded ({@link ClusterMembers#single} without {@link #CLUSTER_MEMBERS_PROP}). */
    public ClusterMembers clusterMembers() {
        return clusterMembers;
    }

    /** @return the {@link #REPLICATION_CHANNEL_PROP} setting, null for multi-destination-cast. */
    public String replicationChannel() {
        return replicationChannel;
    }

    public BrokerContext replicationChannel(final String replicationChannel) {
        this.replicationChannel = null == replicationChannel || replicationChannel.isBlank() ? null :
            replicationChannel.trim();
        return this;
    }

    public int electionTimeoutMs() {
        return electionTimeoutMs;
    }

    public BrokerContext electionTimeoutMs(final int electionTimeoutMs) {
        this.electionTimeoutMs = electionTimeoutMs;
        return this;
    }

    public int heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public BrokerContext heartbeatIntervalMs(final int heartbeatIntervalMs) {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        return this;
    }

    /**
     * @return the {@code log.*} settings every topic inherits unless it overrides them (a copy).
     */
    public Properties topicDefaults() {
        final Properties copy = new Properties();
        copy.putAll(topicDefaults);
        return copy;
    }

    /**
     * @param topicDefaults {@code log.*} settings every topic inherits; other keys are ignored.
     * @return this.
     */
    public BrokerContext topicDefaults(final Properties topicDefaults) {
        this.topicDefaults = new Properties();
        this.topicDefaults.putAll(topicDefaults);
        return this;
    }

    /**
     * Sets one topic default.
     *
     * @param key   a {@code log.*} key.
     * @param value its value.
     * @return this.
     */
    public BrokerContext topicDefault(final String key, final String value) {
        topicDefaults.setProperty(key, value);
        return this;
    }

    /**
     * @return the log settings topics inherit, derived from {@link #topicDefaults()} by {@link #conclude()}.
     */
    public LogConfig logConfig() {
        return null == logConfig ? null : logConfig.copy();
    }

    TopicConfig topicConfigDefaults() {
        return topicConfigDefaults;
    }

    public SequencerContext sequencerContext() {
        return sequencerContext;
    }

    /**
     * @return the clock the broker's agents read once per duty cycle for their timers (session expiry, connect
     * and produce timeouts, long polls, admin deadlines). Default {@link SystemNanoClock}.
     */
    public NanoClock nanoClock() {
        return nanoClock;
    }

    /**
     * @param nanoClock the agents' clock; tests pass a scripted one (Agrona's {@code CachedNanoClock}) and step
     *                  it. Must be safe to read from several threads.
     * @return this.
     */
    public BrokerContext nanoClock(final NanoClock nanoClock) {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * @return the wall clock of record timestamps the broker writes (metadata records, LogAppendTime) and of
     * the logs; the sequencer's unless set. Default {@link SystemEpochClock}.
     */
    public EpochClock epochClock() {
        return null != epochClock ? epochClock : sequencerContext.epochClock();
    }

    /**
     * @param epochClock the wall clock; when set, the sequencer and the logs use it too.
     * @return this.
     */
    public BrokerContext epochClock(final EpochClock epochClock) {
        this.epochClock = epochClock;
        return this;
    }

    public BrokerContext sequencerContext(final SequencerContext sequencerContext) {
        this.sequencerContext = sequencerContext;
        return this;
    }

    @Override
    public String toString() {
        return "BrokerContext{" +
            BROKER_ID_PROP + "=" + brokerId +
            ", " + HOST_PROP + "=" + host +
            ", " + PORT_PROP + "=" + port +
            ", " + DATA_DIR_PROP + "=" + dataDir +
            ", " + AERON_DIR_PROP + "=" + aeronDir +
            ", " + EMBEDDED_DRIVER_PROP + "=" + embeddedDriver +
            ", " + DRIVER_IDLE_STRATEGY_PROP + "=" + driverIdleStrategy +
            ", " + IDLE_STRATEGY_PROP + "=" + idleStrategy +
            ", " + THREADING_MODE_PROP + "=" + threadingMode +
            ", " + SESSION_TIMEOUT_MS_PROP + "=" + sessionTimeoutMs +
            ", " + SESSION_CONNECT_TIMEOUT_MS_PROP + "=" + sessionConnectTimeoutMs +
            ", " + MAX_SESSIONS_PROP + "=" + maxSessions +
            ", " + FETCH_MAX_BYTES_PROP + "=" + fetchMaxBytes +
            ", " + TRANSPORT_MTU_PROP + "=" + TransportMtu.toString(transportMtu) +
            ", " + NUM_PARTITIONS_PROP + "=" + numPartitions +
            ", " + PRODUCE_TIMEOUT_MS_PROP + "=" + produceTimeoutMs +
            ", topicDefaults=" + topicDefaults +
            '}';
    }
}

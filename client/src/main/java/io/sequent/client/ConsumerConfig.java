package io.sequent.client;

import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings of a {@link Consumer}, named as Kafka names them. Fluent and mutable; the consumer copies
 * it when it starts.
 *
 * <table>
 *   <caption>Properties read by {@link #fromProperties} (besides {@link ClientConfig}'s)</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #FETCH_MAX_WAIT_MS}</td><td>500</td><td>how long the broker may hold a fetch
 *       (long poll) while fewer than {@value #FETCH_MIN_BYTES} are available</td></tr>
 *   <tr><td>{@value #FETCH_MIN_BYTES}</td><td>1</td><td>bytes a fetch waits for before it is
 *       answered</td></tr>
 *   <tr><td>{@value #FETCH_MAX_BYTES}</td><td>1048576</td><td>bytes one fetch response may carry for
 *       all its partitions; at most {@value #FETCH_MAX_BYTES_LIMIT} (2 MiB Aeron messages)</td></tr>
 *   <tr><td>{@value #MAX_PARTITION_FETCH_BYTES}</td><td>1048576</td><td>bytes one fetch may carry per
 *       partition; a batch larger than this is still fetched, with a limit raised to its size</td></tr>
 *   <tr><td>{@value #MAX_POLL_RECORDS}</td><td>500</td><td>records one {@code poll} returns at most</td></tr>
 *   <tr><td>{@value #AUTO_OFFSET_RESET}</td><td>latest</td><td>where a partition without a position
 *       starts, and where it restarts when its position is out of range: {@code earliest},
 *       {@code latest}, or {@code none} ({@link OffsetOutOfRangeException} from {@code poll})</td></tr>
 *   <tr><td>{@value #ISOLATION_LEVEL}</td><td>read_uncommitted</td><td>sent with fetches and offset
 *       lookups: {@code read_uncommitted} or {@code read_committed}</td></tr>
 *   <tr><td>{@value #CLIENT_RACK}</td><td>empty</td><td>the consumer's rack, sent with fetches so a
 *       nearby replica may serve them</td></tr>
 *   <tr><td>{@value #CLIENT_READ_FROM}</td><td>leader</td><td>which member of a replica group serves
 *       fetches: {@code leader} (the group's leader, as every other request), or {@code follower} (the
 *       first member of {@code bootstrap.servers} that answers, falling back to any live member: it serves
 *       committed data only, up to its own high watermark)</td></tr>
 *   <tr><td>{@value #RETRY_BACKOFF_MS}</td><td>100</td><td>pause before a fetch or lookup that failed
 *       with a retriable error is tried again, and between metadata lookups of subscribed topics that
 *       do not exist yet</td></tr>
 *   <tr><td>{@value #GROUP_ID}</td><td>empty</td><td>the consumer group {@code subscribe} joins; without it
 *       a subscriber reads every partition of its topics alone</td></tr>
 *   <tr><td>{@value #ENABLE_AUTO_COMMIT}</td><td>true</td><td>with a group: commit the positions every
 *       {@value #AUTO_COMMIT_INTERVAL_MS} from {@code poll}, before partitions are revoked, and at close</td></tr>
 *   <tr><td>{@value #AUTO_COMMIT_INTERVAL_MS}</td><td>5000</td><td>the auto-commit period</td></tr>
 *   <tr><td>{@value #SESSION_TIMEOUT_MS}</td><td>45000</td><td>how long the broker waits for a heartbeat
 *       before it evicts the member and moves its partitions (1000 to 1800000)</td></tr>
 *   <tr><td>{@value #GROUP_REMOTE_ASSIGNOR}</td><td>sticky</td><td>the broker-side assignor a new group
 *       uses: {@code sticky}, {@code range} or {@code roundrobin}</td></tr>
 *   <tr><td>{@value #GROUP_INSTANCE_ID}</td><td>empty</td><td>static membership: a restart within the session
 *       timeout gets the same partitions back and moves nobody's; a second live consumer with the same id fences
 *       the first ({@link FencedInstanceIdException})</td></tr>
 *   <tr><td>{@value #MAX_POLL_INTERVAL_MS}</td><td>300000</td><td>the longest gap between two {@code poll}s
 *       before the broker evicts the member and moves its partitions (the next {@code poll} tells
 *       {@code onPartitionsLost} and joins again)</td></tr>
 * </table>
 */
public final class ConsumerConfig {
    /** Property key of {@link #fetchMaxWaitMs(long)}. */
    public static final String FETCH_MAX_WAIT_MS = "fetch.max.wait.ms";
    /** Property key of {@link #fetchMinBytes(int)}. */
    public static final String FETCH_MIN_BYTES = "fetch.min.bytes";
    /** Property key of {@link #fetchMaxBytes(int)}. */
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    /** Property key of {@link #maxPartitionFetchBytes(int)}. */
    public static final String MAX_PARTITION_FETCH_BYTES = "max.partition.fetch.bytes";
    /** Property key of {@link #maxPollRecords(int)}. */
    public static final String MAX_POLL_RECORDS = "max.poll.records";
    /** Property key of {@link #autoOffsetReset(String)}. */
    public static final String AUTO_OFFSET_RESET = "auto.offset.reset";
    /** Property key of {@link #isolationLevel(String)}. */
    public static final String ISOLATION_LEVEL = "isolation.level";
    /** Property key of {@link #clientRack(String)}. */
    public static final String CLIENT_RACK = "client.rack";
    /** Property key of {@link #clientReadFrom(String)}. */
    public static final String CLIENT_READ_FROM = "client.read.from";
    /** Property key of {@link #retryBackoffMs(long)}. */
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    /** Property key of {@link #groupId(String)}. */
    public static final String GROUP_ID = "group.id";
    /** Property key of {@link #enableAutoCommit(boolean)}. */
    public static final String ENABLE_AUTO_COMMIT = "enable.auto.commit";
    /** Property key of {@link #autoCommitIntervalMs(long)}. */
    public static final String AUTO_COMMIT_INTERVAL_MS = "auto.commit.interval.ms";
    /** Property key of {@link #sessionTimeoutMs(int)}. */
    public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
    /** Property key of {@link #groupRemoteAssignor(String)}. */
    public static final String GROUP_REMOTE_ASSIGNOR = "group.remote.assignor";
    /** Property key of {@link #groupInstanceId(String)}. */
    public static final String GROUP_INSTANCE_ID = "group.instance.id";
    /** Property key of {@link #maxPollIntervalMs(int)}. */
    public static final String MAX_POLL_INTERVAL_MS = "max.poll.interval.ms";

    /** Every key {@link #fromProperties} reads besides {@link ClientConfig}'s. */
    static final Set<String> KEYS = Set.of(FETCH_MAX_WAIT_MS, FETCH_MIN_BYTES, FETCH_MAX_BYTES,
        MAX_PARTITION_FETCH_BYTES, MAX_POLL_RECORDS, AUTO_OFFSET_RESET, ISOLATION_LEVEL, CLIENT_RACK, RETRY_BACKOFF_MS,
        CLIENT_READ_FROM, GROUP_ID, ENABLE_AUTO_COMMIT, AUTO_COMMIT_INTERVAL_MS, SESSION_TIMEOUT_MS,
        GROUP_REMOTE_ASSIGNOR, GROUP_INSTANCE_ID, MAX_POLL_INTERVAL_MS);

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerConfig.class);

    /** Upper bound of {@value #FETCH_MAX_BYTES} and {@value #MAX_PARTITION_FETCH_BYTES}. */
    public static final int FETCH_MAX_BYTES_LIMIT = 2 * 1024 * 1024 - 64 * 1024;

    private final ClientConfig client;
    private int fetchMaxWaitMs = 500;
    private int fetchMinBytes = 1;
    private int fetchMaxBytes = 1024 * 1024;
    private int maxPartitionFetchBytes = 1024 * 1024;
    private int maxPollRecords = 500;
    private String autoOffsetReset = "latest";
    private String isolationLevel = "read_uncommitted";
    private String clientRack = "";
    private String clientReadFrom = "leader";
    private long retryBackoffMs = 100;
    private String groupId = "";
    private boolean enableAutoCommit = true;
    private long autoCommitIntervalMs = 5_000;
    private int sessionTimeoutMs = 45_000;
    private String groupRemoteAssignor = "sticky";
    private String groupInstanceId = "";
    private int maxPollIntervalMs = 300_000;

    /**
     * @param client the connection settings.
     */
    public ConsumerConfig(final ClientConfig client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Reads {@link ClientConfig}'s keys and this class's keys present in {@code properties}; any other
     * key is ignored with a warning naming it ({@link #unknownKeys} lists them).
     *
     * @param properties the properties.
     * @return a new config.
     * @throws InvalidConfigException naming the key of a bad value.
     */
    public static ConsumerConfig fromProperties(final Properties properties) {
        final ConsumerConfig c = new ConsumerConfig(ClientConfig.read(properties));
        Settings.warnUnknown(LOG, "consumer", unknownKeys(properties));
        String v = Settings.string(properties, FETCH_MAX_WAIT_MS);
        if (v != null) {
            c.fetchMaxWaitMs(Settings.longValue(FETCH_MAX_WAIT_MS, v));
        }
        v = Settings.string(properties, FETCH_MIN_BYTES);
        if (v != null) {
            c.fetchMinBytes(Settings.intValue(FETCH_MIN_BYTES, v));
        }
        v = Settings.string(properties, FETCH_MAX_BYTES);
        if (v != null) {
            c.fetchMaxBytes(Settings.intValue(FETCH_MAX_BYTES, v));
        }
        v = Settings.string(properties, MAX_PARTITION_FETCH_BYTES);
        if (v != null) {
            c.maxPartitionFetchBytes(Settings.intValue(MAX_PARTITION_FETCH_BYTES, v));
        }
        v = Settings.string(properties, MAX_POLL_RECORDS);
        if (v != null) {
            c.maxPollRecords(Settings.intValue(MAX_POLL_RECORDS, v));
        }
        v = Settings.string(properties, AUTO_OFFSET_RESET);
        if (v != null) {
            c.autoOffsetReset(v);
        }
        v = Settings.string(properties, ISOLATION_LEVEL);
        if (v != null) {
            c.isolationLevel(v);
        }
        v = Settings.string(properties, CLIENT_RACK);
        if (v != null) {
            c.clientRack(v);
        }
        v = Settings.string(properties, CLIENT_READ_FROM);
        if (v != null) {
            c.clientReadFrom(v);
        }
        v = Settings.string(properties, RETRY_BACKOFF_MS);
        if (v != null) {
            c.retryBackoffMs(Settings.longValue(RETRY_BACKOFF_MS, v));
        }
        v = Settings.string(properties, GROUP_ID);
        if (v != null) {
            c.groupId(v);
        }
        v = Settings.string(properties, ENABLE_AUTO_COMMIT);
        if (v != null) {
            c.enableAutoCommit(Settings.booleanValue(ENABLE_AUTO_COMMIT, v));
        }
        v = Settings.string(properties, AUTO_COMMIT_INTERVAL_MS);
        if (v != null) {
            c.autoCommitIntervalMs(Settings.longValue(AUTO_COMMIT_INTERVAL_MS, v));
        }
        v = Settings.string(properties, SESSION_TIMEOUT_MS);
        if (v != null) {
            c.sessionTimeoutMs(Settings.intValue(SESSION_TIMEOUT_MS, v));
        }
        v = Settings.string(properties, GROUP_REMOTE_ASSIGNOR);
        if (v != null) {
            c.groupRemoteAssignor(v);
        }
        v = Settings.string(properties, GROUP_INSTANCE_ID);
        if (v != null) {
            c.groupInstanceId(v);
        }
        v = Settings.string(properties, MAX_POLL_INTERVAL_MS);
        if (v != null) {
            c.maxPollIntervalMs(Settings.intValue(MAX_POLL_INTERVAL_MS, v));
        }
        return c;
    }

    /**
     * @param properties the properties.
     * @return the keys of {@code properties} that {@link #fromProperties} does not know, sorted.
     */
    public static List<String> unknownKeys(final Properties properties) {
        return Settings.unknownKeys(properties, ClientConfig.KEYS, KEYS);
    }

    /**
     * @return the connection settings.
     */
    public ClientConfig client() {
        return client;
    }

    /**
     * @param ms long-poll limit, 0 to 1073741823 ({@value #FETCH_MAX_WAIT_MS}).
     * @return this.
     */
    public ConsumerConfig fetchMaxWaitMs(final long ms) {
        fetchMaxWaitMs = (int) Settings.requireRange(FETCH_MAX_WAIT_MS, ms, 0, Integer.MAX_VALUE / 2);
        return this;
    }

    /**
     * @return the long-poll limit in ms.
     */
    public int fetchMaxWaitMs() {
        return fetchMaxWaitMs;
    }

    /**
     * @param bytes bytes a fetch waits for ({@value #FETCH_MIN_BYTES}).
     * @return this.
     */
    public ConsumerConfig fetchMinBytes(final int bytes) {
        fetchMinBytes = Settings.requireRange(FETCH_MIN_BYTES, bytes, 0, FETCH_MAX_BYTES_LIMIT);
        return this;
    }

    /**
     * @return the minimum fetch bytes.
     */
    public int fetchMinBytes() {
        return fetchMinBytes;
    }

    /**
     * @param bytes limit of a fetch response ({@value #FETCH_MAX_BYTES}).
     * @return this.
     */
    public ConsumerConfig fetchMaxBytes(final int bytes) {
        fetchMaxBytes = Settings.requireRange(FETCH_MAX_BYTES, bytes, 1, FETCH_MAX_BYTES_LIMIT);
        return this;
    }

    /**
     * @return the fetch response limit.
     */
    public int fetchMaxBytes() {
        return fetchMaxBytes;
    }

    /**
     * @param bytes per-partition fetch limit ({@value #MAX_PARTITION_FETCH_BYTES}).
     * @return this.
     */
    public ConsumerConfig maxPartitionFetchBytes(final int bytes) {
        maxPartitionFetchBytes = Settings.requireRange(MAX_PARTITION_FETCH_BYTES, bytes, 1, FETCH_MAX_BYTES_LIMIT);
        return this;
    }

    /**
     * @return the per-partition fetch limit.
     */
    public int maxPartitionFetchBytes() {
        return maxPartitionFetchBytes;
    }

    /**
     * @param records records per poll, 1 or more ({@value #MAX_POLL_RECORDS}).
     * @return this.
     */
    public ConsumerConfig maxPollRecords(final int records) {
        maxPollRecords = Settings.requireRange(MAX_POLL_RECORDS, records, 1, Integer.MAX_VALUE);
        return this;
    }

    /**
     * @return records per poll.
     */
    public int maxPollRecords() {
        return maxPollRecords;
    }

    /**
     * @param reset {@code earliest}, {@code latest} or {@code none} ({@value #AUTO_OFFSET_RESET}).
     * @return this.
     */
    public ConsumerConfig autoOffsetReset(final String reset) {
        autoOffsetReset = Settings.requireOneOf(AUTO_OFFSET_RESET, reset, "earliest", "latest", "none");
        return this;
    }

    /**
     * @return the reset policy.
     */
    public String autoOffsetReset() {
        return autoOffsetReset;
    }

    /**
     * @param level {@code read_uncommitted} or {@code read_committed} ({@value #ISOLATION_LEVEL}).
     * @return this.
     */
    public ConsumerConfig isolationLevel(final String level) {
        isolationLevel = Settings.requireOneOf(ISOLATION_LEVEL, level, "read_uncommitted", "read_committed");
        return this;
    }

    /**
     * @return the isolation level.
     */
    public String isolationLevel() {
        return isolationLevel;
    }

    /**
     * @param rack the consumer's rack, empty for none ({@value #CLIENT_RACK}).
     * @return this.
     */
    public ConsumerConfig clientRack(final String rack) {
        clientRack = rack == null ? "" : rack.trim();
        return this;
    }

    /**
     * @return the rack, empty when none.
     */
    public String clientRack() {
        return clientRack;
    }

    /**
     * @param from {@code leader} or {@code follower} ({@value #CLIENT_READ_FROM}).
     * @return this.
     */
    public ConsumerConfig clientReadFrom(final String from) {
        clientReadFrom = Settings.requireOneOf(CLIENT_READ_FROM, from, "leader", "follower");
        return this;
    }

    /**
     * @return {@code leader} or {@code follower}.
     */
    public String clientReadFrom() {
        return clientReadFrom;
    }

    /**
     * @return whether fetches go to a follower ({@value #CLIENT_READ_FROM}{@code =follower}).
     */
    boolean readsFromFollower() {
        return "follower".equals(clientReadFrom);
    }

    /**
     * @param ms pause before retrying a failed fetch or lookup ({@value #RETRY_BACKOFF_MS}).
     * @return this.
     */
    public ConsumerConfig retryBackoffMs(final long ms) {
        retryBackoffMs = Settings.requireRange(RETRY_BACKOFF_MS, ms, 0, Integer.MAX_VALUE);
        return this;
    }

    /**
     * @return the retry backoff in ms.
     */
    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    /**
     * @param id the consumer group {@code subscribe} joins, empty for none ({@value #GROUP_ID}).
     * @return this.
     */
    public ConsumerConfig groupId(final String id) {
        groupId = id == null ? "" : id.trim();
        return this;
    }

    /**
     * @return the group id, empty when none.
     */
    public String groupId() {
        return groupId;
    }

    /**
     * @param enable commit positions automatically ({@value #ENABLE_AUTO_COMMIT}).
     * @return this.
     */
    public ConsumerConfig enableAutoCommit(final boolean enable) {
        enableAutoCommit = enable;
        return this;
    }

    /**
     * @return whether positions are committed automatically.
     */
    public boolean enableAutoCommit() {
        return enableAutoCommit;
    }

    /**
     * @param ms the auto-commit period ({@value #AUTO_COMMIT_INTERVAL_MS}).
     * @return this.
     */
    public ConsumerConfig autoCommitIntervalMs(final long ms) {
        autoCommitIntervalMs = Settings.requireRange(AUTO_COMMIT_INTERVAL_MS, ms, 1, Integer.MAX_VALUE);
        return this;
    }

    /**
     * @return the auto-commit period in ms.
     */
    public long autoCommitIntervalMs() {
        return autoCommitIntervalMs;
    }

    /**
     * @param ms how long the broker waits for a heartbeat ({@value #SESSION_TIMEOUT_MS}).
     * @return this.
     */
    public ConsumerConfig sessionTimeoutMs(final int ms) {
        sessionTimeoutMs = Settings.requireRange(SESSION_TIMEOUT_MS, ms, 1_000, 1_800_000);
        return this;
    }

    /**
     * @return the session timeout in ms.
     */
    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /**
     * @param assignor {@code sticky}, {@code range} or {@code roundrobin} ({@value #GROUP_REMOTE_ASSIGNOR}).
     * @return this.
     */
    public ConsumerConfig groupRemoteAssignor(final String assignor) {
        groupRemoteAssignor = Settings.requireOneOf(GROUP_REMOTE_ASSIGNOR, assignor, "sticky", "range", "roundrobin");
        return this;
    }

    /**
     * @return the broker-side assignor a new group uses.
     */
    public String groupRemoteAssignor() {
        return groupRemoteAssignor;
    }

    /**
     * @param id the static member id, unique in the group; empty for a dynamic member
     *           ({@value #GROUP_INSTANCE_ID}).
     * @return this.
     */
    public ConsumerConfig groupInstanceId(final String id) {
        Objects.requireNonNull(id, GROUP_INSTANCE_ID);
        if (!id.isEmpty() && id.isBlank()) {
            throw new InvalidConfigException(GROUP_INSTANCE_ID + " must not be blank: '" + id + "'");
        }
        groupInstanceId = id;
        return this;
    }

    /**
     * @return the static member id, empty for a dynamic member.
     */
    public String groupInstanceId() {
        return groupInstanceId;
    }

    /**
     * @param ms the longest gap between polls, 1000 or more ({@value #MAX_POLL_INTERVAL_MS}).
     * @return this.
     */
    public ConsumerConfig maxPollIntervalMs(final int ms) {
        maxPollIntervalMs = Settings.requireRange(MAX_POLL_INTERVAL_MS, ms, 1_000, Integer.MAX_VALUE);
        return this;
    }

    /**
     * @return the longest gap between polls, in ms.
     */
    public int maxPollIntervalMs() {
        return maxPollIntervalMs;
    }

    /**
     * A copy with a copied {@link ClientConfig}.
     *
     * @return a new config with the same values.
     */
    public ConsumerConfig copy() {
        final ConsumerConfig c = new ConsumerConfig(client.copy());
        c.fetchMaxWaitMs = fetchMaxWaitMs;
        c.fetchMinBytes = fetchMinBytes;
        c.fetchMaxBytes = fetchMaxBytes;
        c.maxPartitionFetchBytes = maxPartitionFetchBytes;
        c.maxPollRecords = maxPollRecords;
        c.autoOffsetReset = autoOffsetReset;
        c.isolationLevel = isolationLevel;
        c.clientRack = clientRack;
        c.clientReadFrom = clientReadFrom;
        c.retryBackoffMs = retryBackoffMs;
        c.groupId = groupId;
        c.enableAutoCommit = enableAutoCommit;
        c.autoCommitIntervalMs = autoCommitIntervalMs;
        c.sessionTimeoutMs = sessionTimeoutMs;
        c.groupRemoteAssignor = groupRemoteAssignor;
        c.groupInstanceId = groupInstanceId;
        c.maxPollIntervalMs = maxPollIntervalMs;
        return c;
    }

    @Override
    public String toString() {
        return "ConsumerConfig{" + FETCH_MAX_WAIT_MS + "=" + fetchMaxWaitMs + ", " + FETCH_MIN_BYTES + "="
            + fetchMinBytes + ", " + FETCH_MAX_BYTES + "=" + fetchMaxBytes + ", " + MAX_PARTITION_FETCH_BYTES + "="
            + maxPartitionFetchBytes + ", " + MAX_POLL_RECORDS + "=" + maxPollRecords + ", " + AUTO_OFFSET_RESET
            + "=" + autoOffsetReset + ", " + ISOLATION_LEVEL + "=" + isolationLevel + ", " + CLIENT_RACK + "="
            + clientRack + ", " + CLIENT_READ_FROM + "=" + clientReadFrom + ", " + RETRY_BACKOFF_MS + "="
            + retryBackoffMs + ", " + GROUP_ID + "=" + groupId + ", "
            + ENABLE_AUTO_COMMIT + "=" + enableAutoCommit + ", " + AUTO_COMMIT_INTERVAL_MS + "=" + autoCommitIntervalMs
            + ", " + SESSION_TIMEOUT_MS + "=" + sessionTimeoutMs + ", " + GROUP_REMOTE_ASSIGNOR + "="
            + groupRemoteAssignor + ", " + GROUP_INSTANCE_ID + "=" + groupInstanceId + ", " + MAX_POLL_INTERVAL_MS
            + "=" + maxPollIntervalMs + ", " + client + "}";
    }
}

package io.sequent.client;

import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.Batches;
import io.sequent.codec.Compression;

/**
 * Settings of a {@link Producer}, named as Kafka names them where Kafka has the setting. Fluent and
 * mutable; the producer copies it when it starts and checks the combination then.
 *
 * <table>
 *   <caption>Properties read by {@link #fromProperties} (besides {@link ClientConfig}'s)</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #ACKS}</td><td>all</td><td>{@code 0}: no answer (the record counts as sent once
 *       handed to the transport, no retries, offset -1); {@code 1}: answered after the leader's journal
 *       append; {@code all} (or {@code -1}): answered once a majority holds the batch</td></tr>
 *   <tr><td>{@value #LINGER_MS}</td><td>5</td><td>how long a batch that is not full waits for more
 *       records before it is sent</td></tr>
 *   <tr><td>{@value #BATCH_SIZE}</td><td>16384</td><td>target batch size in bytes (uncompressed,
 *       header included); a record larger than this travels alone in its own batch</td></tr>
 *   <tr><td>{@value #COMPRESSION_TYPE}</td><td>none</td><td>{@code none}, {@code lz4} or {@code zstd};
 *       a batch is stored compressed only when that makes it smaller</td></tr>
 *   <tr><td>{@value #RETRIES}</td><td>2147483647</td><td>resends of a batch after retriable errors
 *       (back-pressure, timeouts, leader change, storage error), bounded by
 *       {@value #DELIVERY_TIMEOUT_MS}</td></tr>
 *   <tr><td>{@value #DELIVERY_TIMEOUT_MS}</td><td>120000</td><td>upper bound from {@code send} to the
 *       record's success or failure; at least {@value #LINGER_MS} + {@code request.timeout.ms}</td></tr>
 *   <tr><td>{@value #RETRY_BACKOFF_MS}</td><td>100</td><td>pause before resending a batch to a
 *       partition after a retriable error</td></tr>
 *   <tr><td>{@value #ENABLE_IDEMPOTENCE}</td><td>true</td><td>obtain a producer id and number each
 *       partition's batches so that retries are never written twice; needs {@value #ACKS}=all and at
 *       most 5 requests in flight per partition (when not set explicitly, other values turn it off,
 *       as in Kafka)</td></tr>
 *   <tr><td>{@value #MAX_REQUEST_SIZE}</td><td>1048576</td><td>largest batch frame sent; a record whose
 *       batch would be larger fails with {@link RecordTooLargeException}; at most
 *       {@value #MAX_REQUEST_SIZE_LIMIT} (an Aeron message on the 16 MiB-term channels is limited to
 *       2 MiB)</td></tr>
 *   <tr><td>{@value #BUFFER_MEMORY}</td><td>33554432</td><td>bytes of records accepted by {@code send}
 *       but not yet acknowledged; when full, {@code send} blocks</td></tr>
 *   <tr><td>{@value #MAX_BLOCK_MS}</td><td>60000</td><td>how long {@code send} blocks for buffer room
 *       ({@link BufferExhaustedException} after), how long a record waits for its topic's metadata,
 *       and the limit of {@code partitionsFor}</td></tr>
 *   <tr><td>{@value #MAX_IN_FLIGHT}</td><td>5</td><td>unacknowledged produce requests per partition;
 *       with 1, order is kept even without idempotence. Kafka's
 *       {@code max.in.flight.requests.per.connection} is read as the same setting</td></tr>
 * </table>
 */
public final class ProducerConfig {
    /** Property key of {@link #acks(String)}. */
    public static final String ACKS = "acks";
    /** Property key of {@link #lingerMs(long)}. */
    public static final String LINGER_MS = "linger.ms";
    /** Property key of {@link #batchSize(int)}. */
    public static final String BATCH_SIZE = "batch.size";
    /** Property key of {@link #compression(String)}. */
    public static final String COMPRESSION_TYPE = "compression.type";
    /** Property key of {@link #retries(int)}. */
    public static final String RETRIES = "retries";
    /** Property key of {@link #deliveryTimeoutMs(long)}. */
    public static final String DELIVERY_TIMEOUT_MS = "delivery.timeout.ms";
    /** Property key of {@link #retryBackoffMs(long)}. */
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    /** Property key of {@link #enableIdempotence(boolean)}. */
    public static final String ENABLE_IDEMPOTENCE = "enable.idempotence";
    /** Property key of {@link #maxRequestSize(int)}. */
    public static final String MAX_REQUEST_SIZE = "max.request.size";
    /** Property key of {@link #bufferMemory(long)}. */
    public static final String BUFFER_MEMORY = "buffer.memory";
    /** Property key of {@link #maxBlockMs(long)}. */
    public static final String MAX_BLOCK_MS = "max.block.ms";
    /** Property key of {@link #maxInFlightRequestsPerPartition(int)}. */
    public static final String MAX_IN_FLIGHT = "max.in.flight.requests.per.partition";
    /** Kafka's key for {@link #MAX_IN_FLIGHT}, read as an alias. */
    public static final String MAX_IN_FLIGHT_KAFKA = "max.in.flight.requests.per.connection";

    /** Every key {@link #fromProperties} reads besides {@link ClientConfig}'s. */
    static final Set<String> KEYS = Set.of(ACKS, LINGER_MS, BATCH_SIZE, COMPRESSION_TYPE, RETRIES,
        DELIVERY_TIMEOUT_MS, RETRY_BACKOFF_MS, ENABLE_IDEMPOTENCE, MAX_REQUEST_SIZE, BUFFER_MEMORY, MAX_BLOCK_MS,
        MAX_IN_FLIGHT, MAX_IN_FLIGHT_KAFKA);

    private static final Logger LOG = LoggerFactory.getLogger(ProducerConfig.class);

    /** Upper bound of {@value #MAX_REQUEST_SIZE}: 2 MiB messages less room for the request's own fields. */
    public static final int MAX_REQUEST_SIZE_LIMIT = 2 * 1024 * 1024 - 8 * 1024;
    /** The most requests in flight per partition an idempotent producer may have (the broker keeps 5). */
    public static final int MAX_IN_FLIGHT_IDEMPOTENT = 5;

    private final ClientConfig client;
    private String acks = "all";
    private long lingerMs = 5;
    private int batchSize = 16384;
    private String compression = "none";
    private int retries = Integer.MAX_VALUE;
    private long deliveryTimeoutMs = 120_000;
    private boolean deliveryTimeoutSet;
    private long retryBackoffMs = 100;
    private boolean enableIdempotence = true;
    private boolean idempotenceSet;
    private int maxRequestSize = 1024 * 1024;
    private long bufferMemory = 32L * 1024 * 1024;
    private long maxBlockMs = 60_000;
    private int maxInFlight = 5;

    /**
     * @param client the connection settings.
     */
    public ProducerConfig(final ClientConfig client) {
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
    public static ProducerConfig fromProperties(final Properties properties) {
        final ProducerConfig c = new ProducerConfig(ClientConfig.read(properties));
        Settings.warnUnknown(LOG, "producer", unknownKeys(properties));
        String v = Settings.string(properties, ACKS);
        if (v != null) {
            c.acks(v);
        }
        v = Settings.string(properties, LINGER_MS);
        if (v != null) {
            c.lingerMs(Settings.longValue(LINGER_MS, v));
        }
        v = Settings.string(properties, BATCH_SIZE);
        if (v != null) {
            c.batchSize(Settings.intValue(BATCH_SIZE, v));
        }
        v = Settings.string(properties, COMPRESSION_TYPE);
        if (v != null) {
            c.compression(v);
        }
        v = Settings.string(properties, RETRIES);
        if (v != null) {
            c.retries(Settings.intValue(RETRIES, v));
        }
        v = Settings.string(properties, DELIVERY_TIMEOUT_MS);
        if (v != null) {
            c.deliveryTimeoutMs(Settings.longValue(DELIVERY_TIMEOUT_MS, v));
        }
        v = Settings.string(properties, RETRY_BACKOFF_MS);
        if (v != null) {
            c.retryBackoffMs(Settings.longValue(RETRY_BACKOFF_MS, v));
        }
        v = Settings.string(properties, ENABLE_IDEMPOTENCE);
        if (v != null) {
            c.enableIdempotence(Settings.booleanValue(ENABLE_IDEMPOTENCE, v));
        }
        v = Settings.string(properties, MAX_REQUEST_SIZE);
        if (v != null) {
            c.maxRequestSize(Settings.intValue(MAX_REQUEST_SIZE, v));
        }
        v = Settings.string(properties, BUFFER_MEMORY);
        if (v != null) {
            c.bufferMemory(Settings.longValue(BUFFER_MEMORY, v));
        }
        v = Settings.string(properties, MAX_BLOCK_MS);
        if (v != null) {
            c.maxBlockMs(Settings.longValue(MAX_BLOCK_MS, v));
        }
        v = Settings.string(properties, MAX_IN_FLIGHT_KAFKA);
        if (v != null) {
            c.maxInFlightRequestsPerPartition(Settings.intValue(MAX_IN_FLIGHT_KAFKA, v));
        }
        v = Settings.string(properties, MAX_IN_FLIGHT);
        if (v != null) {
            c.maxInFlightRequestsPerPartition(Settings.intValue(MAX_IN_FLIGHT, v));
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
     * @param acks {@code 0}, {@code 1}, {@code all} or {@code -1} ({@value #ACKS}).
     * @return this.
     */
    public ProducerConfig acks(final String acks) {
        final String v = Settings.requireOneOf(ACKS, acks, "0", "1", "all", "-1");
        this.acks = "-1".equals(v) ? "all" : v;
        return this;
    }

    /**
     * @return {@code 0}, {@code 1} or {@code all}.
     */
    public String acks() {
        return acks;
    }

    /**
     * @param lingerMs batching delay, 0 or more ({@value #LINGER_MS}).
     * @return this.
     */
    public ProducerConfig lingerMs(final long lingerMs) {
        this.lingerMs = Settings.requireRange(LINGER_MS, lingerMs, 0, Integer.MAX_VALUE);
        return this;
    }

    /**
     * @return the batching delay in ms.
     */
    public long lingerMs() {
        return lingerMs;
    }

    /**
     * @param batchSize target batch bytes, 0 or more ({@value #BATCH_SIZE}).
     * @return this.
     */
    public ProducerConfig batchSize(final int batchSize) {
        this.batchSize = Settings.requireRange(BATCH_SIZE, batchSize, 0, Batches.MAX_FRAME_LENGTH);
        return this;
    }

    /**
     * @return the target batch size.
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * @param compression {@code none}, {@code lz4} or {@code zstd} ({@value #COMPRESSION_TYPE}).
     * @return this.
     */
    public ProducerConfig compression(final String compression) {
        this.compression = Settings.requireOneOf(COMPRESSION_TYPE, compression, "none", "lz4", "zstd");
        return this;
    }

    /**
     * @return the compression name.
     */
    public String compression() {
        return compression;
    }

    Compression compressionCodec() {
        switch (compression) {
            case "lz4":
                return Compression.LZ4;
            case "zstd":
                return Compression.ZSTD;
            default:
                return Compression.NONE;
        }
    }

    /**
     * @param retries resends per batch, 0 or more ({@value #RETRIES}).
     * @return this.
     */
    public ProducerConfig retries(final int retries) {
        this.retries = Settings.requireRange(RETRIES, retries, 0, Integer.MAX_VALUE);
        return this;
    }

    /**
     * @return resends per batch.
     */
    public int retries() {
        return retries;
    }

    /**
     * @param deliveryTimeoutMs bound from send to outcome ({@value #DELIVERY_TIMEOUT_MS}).
     * @return this.
     */
    public ProducerConfig deliveryTimeoutMs(final long deliveryTimeoutMs) {
        this.deliveryTimeoutMs = Settings.requireRange(DELIVERY_TIMEOUT_MS, deliveryTimeoutMs, 1, Integer.MAX_VALUE);
        deliveryTimeoutSet = true;
        return this;
    }

    /**
     * @return the delivery timeout in ms as set (see {@link #effectiveDeliveryTimeoutMs()}).
     */
    public long deliveryTimeoutMs() {
        return deliveryTimeoutMs;
    }

    /**
     * @param retryBackoffMs pause before a resend ({@value #RETRY_BACKOFF_MS}).
     * @return this.
     */
    public ProducerConfig retryBackoffMs(final long retryBackoffMs) {
        this.retryBackoffMs = Settings.requireRange(RETRY_BACKOFF_MS, retryBackoffMs, 0, Integer.MAX_VALUE);
        return this;
    }

    /**
     * @return the retry backoff in ms.
     */
    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    /**
     * @param enable whether to number batches so that retries never duplicate ({@value #ENABLE_IDEMPOTENCE}).
     * @return this.
     */
    public ProducerConfig enableIdempotence(final boolean enable) {
        enableIdempotence = enable;
        idempotenceSet = true;
        return this;
    }

    /**
     * @return whether idempotence was asked for (see {@link #effectiveIdempotence()}).
     */
    public boolean enableIdempotence() {
        return enableIdempotence;
    }

    /**
     * @param maxRequestSize largest batch frame ({@value #MAX_REQUEST_SIZE}).
     * @return this.
     */
    public ProducerConfig maxRequestSize(final int maxRequestSize) {
        this.maxRequestSize = Settings.requireRange(
            MAX_REQUEST_SIZE, maxRequestSize, Batches.MIN_FRAME_LENGTH + 64, MAX_REQUEST_SIZE_LIMIT);
        return this;
    }

    /**
     * @return the largest batch frame.
     */
    public int maxRequestSize() {
        return maxRequestSize;
    }

    /**
     * @param bufferMemory bytes of unacknowledged records ({@value #BUFFER_MEMORY}).
     * @return this.
     */
    public ProducerConfig bufferMemory(final long bufferMemory) {
        this.bufferMemory = Settings.requireRange(BUFFER_MEMORY, bufferMemory, 1024, Long.MAX_VALUE / 2);
        return this;
    }

    /**
     * @return the buffer memory.
     */
    public long bufferMemory() {
        return bufferMemory;
    }

    /**
     * @param maxBlockMs how long send may block ({@value #MAX_BLOCK_MS}).
     * @return this.
     */
    public ProducerConfig maxBlockMs(final long maxBlockMs) {
        this.maxBlockMs = Settings.requireRange(MAX_BLOCK_MS, maxBlockMs, 0, Integer.MAX_VALUE);
        return this;
    }

    /**
     * @return the max block time in ms.
     */
    public long maxBlockMs() {
        return maxBlockMs;
    }

    /**
     * @param maxInFlight unacknowledged requests per partition, 1 or more ({@value #MAX_IN_FLIGHT}).
     * @return this.
     */
    public ProducerConfig maxInFlightRequestsPerPartition(final int maxInFlight) {
        this.maxInFlight = Settings.requireRange(MAX_IN_FLIGHT, maxInFlight, 1, 1024);
        return this;
    }

    /**
     * @return unacknowledged requests per partition.
     */
    public int maxInFlightRequestsPerPartition() {
        return maxInFlight;
    }

    /**
     * Whether the producer will be idempotent: as asked, or, when not set explicitly, only if
     * acks=all and at most {@value #MAX_IN_FLIGHT_IDEMPOTENT} requests in flight.
     *
     * @return true for an idempotent producer.
     * @throws InvalidConfigException when idempotence was asked for explicitly with acks other than
     *     all or more than {@value #MAX_IN_FLIGHT_IDEMPOTENT} in flight.
     */
    public boolean effectiveIdempotence() {
        if (!enableIdempotence) {
            return false;
        }
        final boolean compatible = "all".equals(acks) && maxInFlight <= MAX_IN_FLIGHT_IDEMPOTENT;
        if (!compatible && idempotenceSet) {
            throw new InvalidConfigException(ENABLE_IDEMPOTENCE + "=true needs " + ACKS + "=all and "
                + MAX_IN_FLIGHT + " <= " + MAX_IN_FLIGHT_IDEMPOTENT + " (got " + ACKS + "=" + acks + ", "
                + MAX_IN_FLIGHT + "=" + maxInFlight + ")");
        }
        return compatible;
    }

    /**
     * The delivery timeout in force: as set, which must then be at least linger + request timeout,
     * or the default raised to that sum.
     *
     * @return ms.
     * @throws InvalidConfigException when set explicitly below linger.ms + request.timeout.ms.
     */
    public long effectiveDeliveryTimeoutMs() {
        final long floor = lingerMs + client.requestTimeout().toMillis();
        if (deliveryTimeoutMs < floor) {
            if (deliveryTimeoutSet) {
                throw InvalidConfigException.forKey(DELIVERY_TIMEOUT_MS, deliveryTimeoutMs,
                    "must be at least " + LINGER_MS + " + " + ClientConfig.REQUEST_TIMEOUT_MS + " = " + floor);
            }
            return floor;
        }
        return deliveryTimeoutMs;
    }

    /**
     * A copy with a copied {@link ClientConfig}.
     *
     * @return a new config with the same values.
     */
    public ProducerConfig copy() {
        final ProducerConfig c = new ProducerConfig(client.copy());
        c.acks = acks;
        c.lingerMs = lingerMs;
        c.batchSize = batchSize;
        c.compression = compression;
        c.retries = retries;
        c.deliveryTimeoutMs = deliveryTimeoutMs;
        c.deliveryTimeoutSet = deliveryTimeoutSet;
        c.retryBackoffMs = retryBackoffMs;
        c.enableIdempotence = enableIdempotence;
        c.idempotenceSet = idempotenceSet;
        c.maxRequestSize = maxRequestSize;
        c.bufferMemory = bufferMemory;
        c.maxBlockMs = maxBlockMs;
        c.maxInFlight = maxInFlight;
        return c;
    }

    @Override
    public String toString() {
        return "ProducerConfig{" + ACKS + "=" + acks + ", " + LINGER_MS + "=" + lingerMs + ", " + BATCH_SIZE + "="
            + batchSize + ", " + COMPRESSION_TYPE + "=" + compression + ", " + RETRIES + "=" + retries + ", "
            + DELIVERY_TIMEOUT_MS + "=" + deliveryTimeoutMs + ", " + RETRY_BACKOFF_MS + "=" + retryBackoffMs + ", "
            + ENABLE_IDEMPOTENCE + "=" + enableIdempotence + ", " + MAX_REQUEST_SIZE + "=" + maxRequestSize + ", "
            + BUFFER_MEMORY + "=" + bufferMemory + ", " + MAX_BLOCK_MS + "=" + maxBlockMs + ", " + MAX_IN_FLIGHT
            + "=" + maxInFlight + ", " + client + "}";
    }
}

package io.sequent.broker;

import io.sequent.codec.client.ConfigSource;
import io.sequent.codec.client.ErrorCode;
import io.sequent.log.FlushPolicy;
import io.sequent.log.LogConfig;
import io.sequent.log.LogException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A topic's settings: the broker's {@code log.*} defaults with the topic's own overrides laid over them.
 *
 * <p>Overrides are given at creation ({@code --config key=value}) or by AlterConfigs, under either the
 * {@code log.*} key or the Kafka-style short name below, and are stored under the {@code log.*} key.
 * Besides {@link LogConfig}'s keys a topic has two settings of its own, documented here:
 * <ul>
 *   <li>{@value #TIMESTAMP_TYPE} ({@code message.timestamp.type}): {@code CreateTime} (default) keeps the
 *   producer's record timestamps; {@code LogAppendTime} stamps every batch with the broker's clock.</li>
 *   <li>{@value #CLEANUP_POLICY} ({@code cleanup.policy}): {@code delete} (default), retention by time and
 *   size; {@code compact} is not supported yet and refused.</li>
 * </ul>
 *
 * <table>
 *   <caption>Short names</caption>
 *   <tr><th>short name</th><th>key</th></tr>
 *   <tr><td>retention.ms</td><td>log.retention.ms</td></tr>
 *   <tr><td>retention.bytes</td><td>log.retention.bytes</td></tr>
 *   <tr><td>segment.bytes</td><td>log.segment.bytes</td></tr>
 *   <tr><td>segment.ms</td><td>log.segment.ms</td></tr>
 *   <tr><td>index.interval.bytes</td><td>log.index.interval.bytes</td></tr>
 *   <tr><td>flush.policy</td><td>log.flush.policy</td></tr>
 *   <tr><td>flush.ms, flush.interval.ms</td><td>log.flush.interval.ms</td></tr>
 *   <tr><td>preallocate</td><td>log.preallocate</td></tr>
 *   <tr><td>max.message.bytes</td><td>log.max.frame.bytes</td></tr>
 *   <tr><td>checkpoint.interval.ms</td><td>log.checkpoint.interval.ms</td></tr>
 *   <tr><td>append.verify.crc</td><td>log.append.verify.crc</td></tr>
 *   <tr><td>message.timestamp.type</td><td>log.message.timestamp.type</td></tr>
 *   <tr><td>cleanup.policy</td><td>log.cleanup.policy</td></tr>
 * </table>
 *
 * <p>An open partition log keeps the settings it was opened with, so a change made by AlterConfigs is
 * stored at once and takes effect when the broker next opens the topic (its next start).
 *
 * <p>Immutable; built and used by the admin thread (and at launch).
 */
final class TopicConfig {
    /** Topic setting: {@code CreateTime} or {@code LogAppendTime}; see the class comment. */
    static final String TIMESTAMP_TYPE = "log.message.timestamp.type";
    static final String CREATE_TIME = "CreateTime";
    static final String LOG_APPEND_TIME = "LogAppendTime";

    /** Topic setting: {@code delete}; see the class comment. */
    static final String CLEANUP_POLICY = "log.cleanup.policy";
    static final String CLEANUP_DELETE = "delete";

    /** Every key a topic understands, in the order DescribeConfigs lists them. */
    static final List<String> KEYS = List.of(
        LogConfig.RETENTION_MS_PROP_NAME,
        LogConfig.RETENTION_BYTES_PROP_NAME,
        LogConfig.SEGMENT_BYTES_PROP_NAME,
        LogConfig.SEGMENT_MS_PROP_NAME,
        LogConfig.INDEX_INTERVAL_BYTES_PROP_NAME,
        LogConfig.FLUSH_POLICY_PROP_NAME,
        LogConfig.FLUSH_INTERVAL_MS_PROP_NAME,
        LogConfig.PREALLOCATE_PROP_NAME,
        LogConfig.MAX_FRAME_LENGTH_PROP_NAME,
        LogConfig.CHECKPOINT_INTERVAL_MS_PROP_NAME,
        LogConfig.VERIFY_CRC_ON_APPEND_PROP_NAME,
        TIMESTAMP_TYPE,
        CLEANUP_POLICY);

    private static final Map<String, String> SHORT_NAMES = shortNames();

    private final Properties brokerDefaults;
    private final Map<String, String> overrides;
    private final LogConfig logConfig;
    private final boolean logAppendTime;

    private TopicConfig(final Properties brokerDefaults, final Map<String, String> overrides) {
        this.brokerDefaults = brokerDefaults;
        this.overrides = Collections.unmodifiableMap(new TreeMap<>(overrides));
        final Properties merged = new Properties();
        merged.putAll(brokerDefaults);
        merged.putAll(this.overrides);
        try {
            this.logConfig = LogConfig.fromProperties(merged);
        } catch (final LogException ex) {
            throw new BrokerException(ErrorCode.INVALID_CONFIG, ex.getMessage(), ex);
        }
        final String timestampType = merged.getProperty(TIMESTAMP_TYPE, CREATE_TIME);
        this.logAppendTime = LOG_APPEND_TIME.equals(canonicalValue(TIMESTAMP_TYPE, timestampType));
        canonicalValue(CLEANUP_POLICY, merged.getProperty(CLEANUP_POLICY, CLEANUP_DELETE));
    }

    private static Map<String, String> shortNames() {
        final Map<String, String> names = new LinkedHashMap<>();
        names.put("retention.ms", LogConfig.RETENTION_MS_PROP_NAME);
        names.put("retention.bytes", LogConfig.RETENTION_BYTES_PROP_NAME);
        names.put("segment.bytes", LogConfig.SEGMENT_BYTES_PROP_NAME);
        names.put("segment.ms", LogConfig.SEGMENT_MS_PROP_NAME);
        names.put("index.interval.bytes", LogConfig.INDEX_INTERVAL_BYTES_PROP_NAME);
        names.put("flush.policy", LogConfig.FLUSH_POLICY_PROP_NAME);
        names.put("flush.ms", LogConfig.FLUSH_INTERVAL_MS_PROP_NAME);
        names.put("flush.interval.ms", LogConfig.FLUSH_INTERVAL_MS_PROP_NAME);
        names.put("preallocate", LogConfig.PREALLOCATE_PROP_NAME);
        names.put("max.message.bytes", LogConfig.MAX_FRAME_LENGTH_PROP_NAME);
        names.put("checkpoint.interval.ms", LogConfig.CHECKPOINT_INTERVAL_MS_PROP_NAME);
        names.put("append.verify.crc", LogConfig.VERIFY_CRC_ON_APPEND_PROP_NAME);
        names.put("message.timestamp.type", TIMESTAMP_TYPE);
        names.put("cleanup.policy", CLEANUP_POLICY);
        return names;
    }

    /**
     * The broker-level defaults, validated.
     *
     * @param brokerDefaults the broker's {@code log.*} properties.
     * @return the settings of a topic without overrides.
     * @throws BrokerException naming the key of an invalid value.
     */
    static TopicConfig defaults(final Properties brokerDefaults) {
        final Properties copy = new Properties();
        copy.putAll(brokerDefaults);
        return new TopicConfig(copy, Map.of());
    }

    /**
     * @param key a {@code log.*} key or a short name, any case.
     * @return the {@code log.*} key, or null when a topic has no such setting.
     */
    static String canonicalKey(final String key) {
        if (null == key) {
            return null;
        }
        final String trimmed = key.trim().toLowerCase(Locale.ROOT);
        if (KEYS.contains(trimmed)) {
            return trimmed;
        }
        return SHORT_NAMES.get(trimmed);
    }

    /**
     * A topic with these overrides on top of this topic's defaults; both are validated together.
     *
     * @param rawOverrides overrides under {@code log.*} keys or short names.
     * @return the topic's settings.
     * @throws BrokerException ({@link ErrorCode#INVALID_CONFIG}) naming an unknown key or an invalid value.
     */
    TopicConfig withOverrides(final Map<String, String> rawOverrides) {
        final Map<String, String> canonical = new TreeMap<>();
        for (final Map.Entry<String, String> entry : rawOverrides.entrySet()) {
            final String key = canonicalKey(entry.getKey());
            if (null == key) {
                throw new BrokerException(ErrorCode.INVALID_CONFIG, "unknown topic config '" + entry.getKey() +
                    "'; topics accept " + String.join(", ", KEYS) + " and their short names " +
                    String.join(", ", SHORT_NAMES.keySet()));
            }
            if (null == entry.getValue()) {
                throw new BrokerException(ErrorCode.INVALID_CONFIG, "topic config '" + entry.getKey() +
                    "' has no value");
            }
            canonical.put(key, canonicalValue(key, entry.getValue().trim()));
        }
        return new TopicConfig(brokerDefaults, canonical);
    }

    /**
     * Checks and normalises the value of one of the topic's own settings (others pass unchanged and are
     * checked by {@link LogConfig}).
     */
    private static String canonicalValue(final String key, final String value) {
        if (TIMESTAMP_TYPE.equals(key)) {
            if (CREATE_TIME.equalsIgnoreCase(value)) {
                return CREATE_TIME;
            }
            if (LOG_APPEND_TIME.equalsIgnoreCase(value)) {
                return LOG_APPEND_TIME;
            }
            throw BrokerException.invalidConfig(key, value, "must be " + CREATE_TIME + " or " + LOG_APPEND_TIME);
        }
        if (CLEANUP_POLICY.equals(key)) {
            final String policy = value.toLowerCase(Locale.ROOT);
            if (CLEANUP_DELETE.equals(policy)) {
                return CLEANUP_DELETE;
            }
            if (policy.contains("compact")) {
                throw new BrokerException(ErrorCode.INVALID_CONFIG, "cleanup.policy=" + value +
                    " is not supported yet: topics are cleaned by retention only (cleanup.policy=delete)");
            }
            throw BrokerException.invalidConfig(key, value, "must be delete");
        }
        return value;
    }

    /** @return the overrides, under {@code log.*} keys, sorted. */
    Map<String, String> overrides() {
        return overrides;
    }

    /** @return the log settings of the topic's partitions (a copy). */
    LogConfig logConfig() {
        return logConfig.copy();
    }

    boolean logAppendTime() {
        return logAppendTime;
    }

    /** One line of DescribeConfigs. */
    static final class Entry {
        final String key;
        final String value;
        final ConfigSource source;

        Entry(final String key, final String value, final ConfigSource source) {
            this.key = key;
            this.value = value;
            this.source = source;
        }

        @Override
        public String toString() {
            return key + "=" + value + " (" + source + ")";
        }
    }

    /** @return every setting with its value in force for new logs and where it comes from. */
    List<Entry> describe() {
        final List<Entry> entries = new ArrayList<>(KEYS.size());
        for (final String key : KEYS) {
            final ConfigSource source;
            if (overrides.containsKey(key)) {
                source = ConfigSource.TOPIC;
            } else if (brokerDefaults.containsKey(key)) {
                source = ConfigSource.BROKER;
            } else {
                source = ConfigSource.DEFAULT;
            }
            entries.add(new Entry(key, value(key), source));
        }
        return entries;
    }

    /** @return the value of one setting as text. */
    String value(final String key) {
        switch (key) {
            case LogConfig.RETENTION_MS_PROP_NAME:
                return Long.toString(logConfig.retentionMs());
            case LogConfig.RETENTION_BYTES_PROP_NAME:
                return Long.toString(logConfig.retentionBytes());
            case LogConfig.SEGMENT_BYTES_PROP_NAME:
                return Integer.toString(logConfig.segmentBytes());
            case LogConfig.SEGMENT_MS_PROP_NAME:
                return Long.toString(logConfig.segmentMs());
            case LogConfig.INDEX_INTERVAL_BYTES_PROP_NAME:
                return Integer.toString(logConfig.indexIntervalBytes());
            case LogConfig.FLUSH_POLICY_PROP_NAME:
                return flushPolicyName(logConfig.flushPolicy());
            case LogConfig.FLUSH_INTERVAL_MS_PROP_NAME:
                return Long.toString(logConfig.flushIntervalMs());
            case LogConfig.PREALLOCATE_PROP_NAME:
                return Boolean.toString(logConfig.preallocate());
            case LogConfig.MAX_FRAME_LENGTH_PROP_NAME:
                return Integer.toString(logConfig.maxFrameLength());
            case LogConfig.CHECKPOINT_INTERVAL_MS_PROP_NAME:
                return Long.toString(logConfig.checkpointIntervalMs());
            case LogConfig.VERIFY_CRC_ON_APPEND_PROP_NAME:
                return Boolean.toString(logConfig.verifyCrcOnAppend());
            case TIMESTAMP_TYPE:
                return logAppendTime ? LOG_APPEND_TIME : CREATE_TIME;
            case CLEANUP_POLICY:
                return CLEANUP_DELETE;
            default:
                return null;
        }
    }

    private static String flushPolicyName(final FlushPolicy policy) {
        return policy.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "TopicConfig" + overrides;
    }
}

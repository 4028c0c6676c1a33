package io.sequent.broker;

import io.sequent.codec.client.AlterConfigOp;
import io.sequent.codec.client.AlterConfigsRequestDecoder;
import io.sequent.codec.client.AlterConfigsResponseEncoder;
import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ConfigSource;
import io.sequent.codec.client.DescribeConfigsRequestDecoder;
import io.sequent.codec.client.DescribeConfigsResponseEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.ResourceType;
import io.sequent.sequencer.SequencerResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * DescribeConfigs and AlterConfigs: a topic's settings with where each comes from, and changes to its overrides.
 * Admin thread only.
 *
 * <p>Changes are validated together with the broker's defaults, written as a TopicConfigRecord (the topic's
 * whole new override set) to the {@link MetadataLog}, and applied to the {@link TopicCatalog} and answered once
 * that record is committed.
 * An open partition log keeps the settings it was opened with, so a change takes effect at the broker's next
 * start; the AlterConfigs response says so, and DescribeConfigs shows the stored value with a note while the open
 * logs still run with an older one. The broker's own settings are described read-only: they are read at start.
 */
final class ConfigAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigAdmin.class);
    private static final String RESTART_NOTE =
        "stored; open logs keep the settings they were opened with, so this takes effect at the next broker start";

    private final BrokerContext ctx;
    private final TopicRegistry registry;
    private final TopicCatalog catalog;
    private final MetadataLog metadata;
    private final TopicConfig defaults;
    private final ResponseSender sender;
    private final List<PendingAlter> alters = new ArrayList<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final DescribeConfigsRequestDecoder describeDecoder = new DescribeConfigsRequestDecoder();
    private final DescribeConfigsResponseEncoder describeEncoder = new DescribeConfigsResponseEncoder();
    private final AlterConfigsRequestDecoder alterDecoder = new AlterConfigsRequestDecoder();
    private final AlterConfigsResponseEncoder alterEncoder = new AlterConfigsResponseEncoder();

    ConfigAdmin(
        final BrokerContext ctx,
        final TopicRegistry registry,
        final TopicCatalog catalog,
        final MetadataLog metadata,
        final ResponseSender sender) {
        this.ctx = ctx;
        this.registry = registry;
        this.catalog = catalog;
        this.metadata = metadata;
        this.defaults = ctx.topicConfigDefaults();
        this.sender = sender;
    }

    /** One resource of an AlterConfigs request and what became of it. */
    private static final class AlterResult {
        ResourceType type;
        String name;
        ErrorCode code = ErrorCode.NONE;
        String message = "";
        TopicCatalog.Entry updated;
        InternalAppend append;
    }

    /** An AlterConfigs request waiting for its records to commit. */
    private static final class PendingAlter {
        final long sessionId;
        final long correlationId;
        final List<AlterResult> results = new ArrayList<>();

        PendingAlter(final long sessionId, final long correlationId) {
            this.sessionId = sessionId;
            this.correlationId = correlationId;
        }
    }

    void onDescribeConfigs(final AdminRequest request, final Session session) {
        final DescribeConfigsRequestDecoder decoder =
            describeDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final List<ResourceType> types = new ArrayList<>();
        final List<List<String>> keys = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (final DescribeConfigsRequestDecoder.ResourcesDecoder resource : decoder.resources()) {
            types.add(resource.resourceType());
            final List<String> wanted = new ArrayList<>();
            for (final DescribeConfigsRequestDecoder.ResourcesDecoder.ConfigNamesDecoder key : resource.configNames()) {
                wanted.add(key.name());
            }
            keys.add(wanted);
            names.add(resource.resourceName());
        }

        final DescribeConfigsResponseEncoder encoder = describeEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId);
        final DescribeConfigsResponseEncoder.ResourcesEncoder out = encoder.resourcesCount(types.size());
        for (int i = 0; i < types.size(); i++) {
            final ResourceType type = types.get(i);
            final String name = names.get(i);
            final List<TopicConfig.Entry> entries = new ArrayList<>();
            ErrorCode code = ErrorCode.NONE;
            String message = "";
            boolean readOnly = false;
            if (type == ResourceType.TOPIC) {
                final TopicCatalog.Entry entry = catalog.get(name);
                if (null == entry) {
                    code = TopicAdmin.isValidName(name) ?
                        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC;
                    message = "unknown topic '" + name + "'";
                } else {
                    final Set<String> filter = new HashSet<>();
                    for (final String key : keys.get(i)) {
                        final String canonical = TopicConfig.canonicalKey(key);
                        filter.add(null == canonical ? key : canonical);
                    }
                    for (final TopicConfig.Entry config : defaults.withOverrides(entry.overrides).describe()) {
                        if (filter.isEmpty() || filter.contains(config.key)) {
                            entries.add(config);
                        }
                    }
                    final Topic open = registry.table().get(name);
                    if (null != open && !open.config().overrides().equals(entry.overrides)) {
                        message = "settings changed since the topic was opened take effect at the next broker start";
                    }
                }
            } else if (type == ResourceType.BROKER) {
                readOnly = true;
                for (final Map.Entry<String, String> setting : brokerSettings().entrySet()) {
                    if (keys.get(i).isEmpty() || keys.get(i).contains(setting.getKey())) {
                        entries.add(new TopicConfig.Entry(setting.getKey(), setting.getValue(), ConfigSource.BROKER));
                    }
                }
            } else {
                code = ErrorCode.INVALID_REQUEST;
                message = "resource type " + type + " has no settings";
            }
            out.next().errorCode(code).resourceType(type);
            final DescribeConfigsResponseEncoder.ResourcesEncoder.ConfigsEncoder configs =
                out.configsCount(entries.size());
            for (final TopicConfig.Entry entry : entries) {
                configs.next()
                    .source(entry.source)
                    .readOnly(readOnly ? BooleanType.TRUE : BooleanType.FALSE)
                    .sensitive(BooleanType.FALSE)
                    .key(entry.key)
                    .value(entry.value);
            }
            out.resourceName(name).message(message);
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private Map<String, String> brokerSettings() {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put(BrokerContext.BROKER_ID_PROP, Integer.toString(ctx.brokerId()));
        settings.put(BrokerContext.HOST_PROP, ctx.host());
        settings.put(BrokerContext.PORT_PROP, Integer.toString(ctx.port()));
        settings.put(BrokerContext.DATA_DIR_PROP, ctx.dataDir().toString());
        settings.put(BrokerContext.AERON_DIR_PROP, ctx.aeronDir());
        settings.put(BrokerContext.EMBEDDED_DRIVER_PROP, Boolean.toString(ctx.embeddedDriver()));
        settings.put(BrokerContext.THREADING_MODE_PROP, ctx.threadingMode().name().toLowerCase(Locale.ROOT));
        settings.put(BrokerContext.IDLE_STRATEGY_PROP, ctx.idleStrategy());
        settings.put(BrokerContext.SESSION_TIMEOUT_MS_PROP, Integer.toString(ctx.sessionTimeoutMs()));
        settings.put(BrokerContext.FETCH_MAX_BYTES_PROP, Integer.toString(ctx.fetchMaxBytes()));
        settings.put(BrokerContext.NUM_PARTITIONS_PROP, Integer.toString(ctx.numPartitions()));
        settings.put(BrokerContext.PRODUCE_TIMEOUT_MS_PROP, Integer.toString(ctx.produceTimeoutMs()));
        for (final TopicConfig.Entry entry : defaults.describe()) {
            settings.put(entry.key, entry.value);
        }
        return settings;
    }

    void onAlterConfigs(final AdminRequest request, final Session session) {
        final AlterConfigsRequestDecoder decoder = alterDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final boolean validateOnly = decoder.validateOnly() == BooleanType.TRUE;
        final List<ResourceType> types = new ArrayList<>();
        final List<List<Object[]>> changes = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (final AlterConfigsRequestDecoder.ResourcesDecoder resource : decoder.resources()) {
            types.add(resource.resourceType());
            final List<Object[]> ops = new ArrayList<>();
            for (final AlterConfigsRequestDecoder.ResourcesDecoder.ConfigsDecoder config : resource.configs()) {
                final AlterConfigOp op = config.operation();
                ops.add(new Object[]{op, config.key(), config.value()});
            }
            changes.add(ops);
            names.add(resource.resourceName());
        }

        final PendingAlter alter = new PendingAlter(sessionId, correlationId);
        for (int i = 0; i < types.size(); i++) {
            final AlterResult result = new AlterResult();
            result.type = types.get(i);
            result.name = names.get(i);
            if (result.type == ResourceType.TOPIC) {
                try {
                    alterTopic(result, changes.get(i), validateOnly);
                } catch (final BrokerException ex) {
                    result.code = ex.code();
                    result.message = ex.getMessage();
                }
            } else if (result.type == ResourceType.BROKER) {
                result.code = ErrorCode.INVALID_REQUEST;
                result.message = "broker settings are read at start: change the configuration file and restart";
            } else {
                result.code = ErrorCode.INVALID_REQUEST;
                result.message = "resource type " + result.type + " has no settings";
            }
            alter.results.add(result);
        }
        alters.add(alter);
        pollAlter(alter, session);
    }

    /** Applies and answers the AlterConfigs requests whose records are committed. Admin thread. */
    int poll(final SessionTable sessions) {
        int work = 0;
        for (int i = alters.size() - 1; i >= 0; i--) {
            final PendingAlter alter = alters.get(i);
            work += pollAlter(alter, sessions.get(alter.sessionId));
        }
        return work;
    }

    private int pollAlter(final PendingAlter alter, final Session session) {
        for (final AlterResult result : alter.results) {
            if (null != result.append && !result.append.isDone()) {
                return 0;
            }
        }
        for (final AlterResult result : alter.results) {
            if (null == result.append) {
                continue;
            }
            final TopicCatalog.Entry updated = result.updated;
            if (result.append.isCommitted()) {
                catalog.onTopicConfig(updated.id, updated.name, updated.overrides);
                LOG.info("topic {} settings stored: {} (in force from the next start)", updated.name,
                    updated.overrides);
            } else {
                result.code = ProduceReleaseHandler.errorCode(result.append.result());
                result.message = "the metadata log refused the change (" +
                    SequencerResult.name(result.append.result()) + ")";
            }
            result.append = null;
        }
        alters.remove(alter);
        final AlterConfigsResponseEncoder encoder = alterEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(alter.correlationId);
        final AlterConfigsResponseEncoder.ResourcesEncoder out = encoder.resourcesCount(alter.results.size());
        for (final AlterResult result : alter.results) {
            out.next().errorCode(result.code).resourceType(result.type).resourceName(result.name)
                .message(result.message);
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        return 1;
    }

    private void alterTopic(final AlterResult result, final List<Object[]> ops, final boolean validateOnly) {
        final String name = result.name;
        if (MetadataLog.isInternal(name)) {
            throw new BrokerException(
                ErrorCode.INVALID_REQUEST, "topic '" + name + "' is internal: its settings are fixed");
        }
        final TopicCatalog.Entry entry = catalog.get(name);
        if (null == entry) {
            throw new BrokerException(
                TopicAdmin.isValidName(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC,
                "unknown topic '" + name + "'");
        }
        final Map<String, String> overrides = new HashMap<>(entry.overrides);
        for (final Object[] op : ops) {
            final String key = TopicConfig.canonicalKey((String) op[1]);
            if (null == key) {
                throw new BrokerException(ErrorCode.INVALID_CONFIG, "unknown topic config '" + op[1] + "'");
            }
            if (op[0] == AlterConfigOp.DELETE) {
                overrides.remove(key);
            } else if (op[0] == AlterConfigOp.SET) {
                overrides.put(key, (String) op[2]);
            } else {
                throw new BrokerException(ErrorCode.INVALID_REQUEST, "unknown operation on '" + op[1] + "'");
            }
        }
        final TopicConfig config = defaults.withOverrides(overrides);
        if (validateOnly) {
            return;
        }
        result.updated = new TopicCatalog.Entry(entry.id, name, entry.partitions, config.overrides());
        result.append = metadata.append(metadata.records().topicConfig(entry.id, name, config.overrides()));
        if (null == result.append) {
            throw new BrokerException(ErrorCode.BACK_PRESSURED, "the metadata log is busy; retry");
        }
        result.message = RESTART_NOTE;
    }
}

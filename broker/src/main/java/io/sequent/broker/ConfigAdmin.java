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
 * <p>Changes are validated together with the broker's defaults and stored in the {@link TopicCatalog} at once.
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
    private final TopicConfig defaults;
    private final ResponseSender sender;
    private final Map<String, TopicCatalog.Entry> stored;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final DescribeConfigsRequestDecoder describeDecoder = new DescribeConfigsRequestDecoder();
    private final DescribeConfigsResponseEncoder describeEncoder = new DescribeConfigsResponseEncoder();
    private final AlterConfigsRequestDecoder alterDecoder = new AlterConfigsRequestDecoder();
    private final AlterConfigsResponseEncoder alterEncoder = new AlterConfigsResponseEncoder();

    ConfigAdmin(
        final BrokerContext ctx,
        final TopicRegistry registry,
        final TopicCatalog catalog,
        final ResponseSender sender,
        final Map<String, TopicCatalog.Entry> stored) {
        this.ctx = ctx;
        this.registry = registry;
        this.catalog = catalog;
        this.defaults = ctx.topicConfigDefaults();
        this.sender = sender;
        this.stored = stored;
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
                final TopicCatalog.Entry entry = stored.get(name);
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
        decoder.sessionId();
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

        final AlterConfigsResponseEncoder encoder = alterEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId);
        final AlterConfigsResponseEncoder.ResourcesEncoder out = encoder.resourcesCount(types.size());
        for (int i = 0; i < types.size(); i++) {
            final ResourceType type = types.get(i);
            final String name = names.get(i);
            ErrorCode code = ErrorCode.NONE;
            String message;
            if (type == ResourceType.TOPIC) {
                try {
                    message = alterTopic(name, changes.get(i), validateOnly);
                } catch (final BrokerException ex) {
                    code = ex.code();
                    message = ex.getMessage();
                }
            } else if (type == ResourceType.BROKER) {
                code = ErrorCode.INVALID_REQUEST;
                message = "broker settings are read at start: change the configuration file and restart";
            } else {
                code = ErrorCode.INVALID_REQUEST;
                message = "resource type " + type + " has no settings";
            }
            out.next().errorCode(code).resourceType(type).resourceName(name).message(message);
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private String alterTopic(final String name, final List<Object[]> ops, final boolean validateOnly) {
        final TopicCatalog.Entry entry = stored.get(name);
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
            return "";
        }
        final TopicCatalog.Entry updated = new TopicCatalog.Entry(name, entry.partitions, config.overrides());
        catalog.write(updated);
        stored.put(name, updated);
        LOG.info("topic {} settings stored: {} (in force from the next start)", name, config.overrides());
        return RESTART_NOTE;
    }
}

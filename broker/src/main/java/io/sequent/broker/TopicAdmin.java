package io.sequent.broker;

import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.CreateTopicsRequestDecoder;
import io.sequent.codec.client.CreateTopicsResponseEncoder;
import io.sequent.codec.client.DeleteTopicsRequestDecoder;
import io.sequent.codec.client.DeleteTopicsResponseEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.InitProducerIdRequestDecoder;
import io.sequent.codec.client.InitProducerIdResponseEncoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataRequestDecoder;
import io.sequent.codec.client.MetadataResponseEncoder;
import io.sequent.log.LogException;
import io.sequent.log.LogResult;
import io.sequent.log.RecoveryReport;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.Sequencer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Topics: creation, deletion, metadata, and idempotent producer ids. Admin thread only, apart from
 * {@link #recover()} which the launching thread calls first. (The logs' housekeeping, retention and segment
 * pre-allocation, is the sequencer's log janitor's.)
 *
 * <p>Creating a topic opens (pre-allocates) every partition's log through the sequencer, records the topic in
 * the {@link TopicCatalog}, then publishes a new {@link TopicTable} so the ingress and fetch threads route to it.
 *
 * <p>Deleting a topic first stops routing to it: the topic is marked deleted, a table without it is published
 * and the catalog marks it deleted. Then the ingress reports the ring sequence of the last batch it offered
 * (after which it can no longer offer to the topic) and the fetch thread drops its parked fetches and readers;
 * once the sequencer has released that sequence no stage refers to the partitions, which are closed and whose
 * directories are deleted. Only then is the request answered.
 *
 * <p>The catalog entries it keeps in {@code stored} are shared with {@link ConfigAdmin} (same thread).
 */
final class TopicAdmin {
    /** Most partitions a topic may have. */
    static final int MAX_PARTITIONS = 10_000;
    /** Longest topic name (a partition directory name must fit a file name). */
    static final int MAX_NAME_LENGTH = 249;

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1," + MAX_NAME_LENGTH + "}");
    private static final long DEFAULT_DELETE_TIMEOUT_MS = 30_000;

    private final BrokerContext ctx;
    private final Sequencer sequencer;
    private final TopicRegistry registry;
    private final TopicCatalog catalog;
    private final TopicConfig defaults;
    private final ProducerIdAllocator producerIds;
    private final ResponseSender sender;
    private final String clusterId;
    private final Map<String, TopicCatalog.Entry> stored;
    private final List<PendingDelete> deletes = new ArrayList<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MetadataRequestDecoder metadataDecoder = new MetadataRequestDecoder();
    private final MetadataResponseEncoder metadataEncoder = new MetadataResponseEncoder();
    private final CreateTopicsRequestDecoder createDecoder = new CreateTopicsRequestDecoder();
    private final CreateTopicsResponseEncoder createEncoder = new CreateTopicsResponseEncoder();
    private final DeleteTopicsRequestDecoder deleteDecoder = new DeleteTopicsRequestDecoder();
    private final DeleteTopicsResponseEncoder deleteEncoder = new DeleteTopicsResponseEncoder();
    private final InitProducerIdRequestDecoder initDecoder = new InitProducerIdRequestDecoder();
    private final InitProducerIdResponseEncoder initEncoder = new InitProducerIdResponseEncoder();
    private ManyToOneConcurrentArrayQueue<Runnable> ingressControl;
    private ManyToOneConcurrentArrayQueue<Runnable> fetchControl;
    private IngressAgent ingress;
    private FetchAgent fetch;
    private String ingressChannel;

    TopicAdmin(
        final BrokerContext ctx,
        final Sequencer sequencer,
        final TopicRegistry registry,
        final TopicCatalog catalog,
        final ProducerIdAllocator producerIds,
        final ResponseSender sender,
        final String clusterId,
        final Map<String, TopicCatalog.Entry> stored) {
        this.ctx = ctx;
        this.stored = stored;
        this.sequencer = sequencer;
        this.registry = registry;
        this.catalog = catalog;
        this.defaults = ctx.topicConfigDefaults();
        this.producerIds = producerIds;
        this.sender = sender;
        this.clusterId = clusterId;
    }

    /** Wires the threads a deletion must fence; called once they exist. */
    void agents(
        final IngressAgent ingress,
        final ManyToOneConcurrentArrayQueue<Runnable> ingressControl,
        final FetchAgent fetch,
        final ManyToOneConcurrentArrayQueue<Runnable> fetchControl,
        final String ingressChannel) {
        this.ingress = ingress;
        this.ingressControl = ingressControl;
        this.fetch = fetch;
        this.fetchControl = fetchControl;
        this.ingressChannel = ingressChannel;
    }

    /**
     * Reopens every topic in the catalog; each partition's log recovers as it opens, and what recovery dropped is
     * logged. Launching thread, before the agents start.
     */
    void recover() {
        TopicTable table = TopicTable.EMPTY;
        for (final TopicCatalog.Entry entry : catalog.load()) {
            final TopicConfig config = defaults.withOverrides(entry.overrides);
            final Partition[] partitions = new Partition[entry.partitions];
            for (int i = 0; i < entry.partitions; i++) {
                partitions[i] = sequencer.openPartition(entry.name, i, catalog.partitionDir(entry.name, i),
                    config.logConfig(), config.logAppendTime());
                report(partitions[i]);
            }
            table = table.with(new Topic(entry.name, config, ctx.sequencerContext().maxBatchBytes(), partitions));
            stored.put(entry.name, entry);
        }
        registry.publish(table);
        LOG.info("recovered {} topics from {}", table.size(), ctx.dataDir());
    }

    private static void report(final Partition partition) {
        final RecoveryReport report = partition.log().recoveryReport();
        if (report.truncated() || !report.deletedSegments().isEmpty()) {
            LOG.warn("partition {} recovered with loss: {}", partition, report);
        } else if (!report.cleanShutdown()) {
            LOG.info("partition {} recovered after an unclean shutdown: {}", partition, report);
        } else {
            LOG.debug("partition {} opened: {}", partition, report);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Metadata
    // ---------------------------------------------------------------------------------------------------------

    void onMetadata(final AdminRequest request, final Session session) {
        final MetadataRequestDecoder decoder = metadataDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final List<String> names = new ArrayList<>();
        for (final MetadataRequestDecoder.TopicsDecoder topic : decoder.topics()) {
            names.add(topic.name());
        }
        final TopicTable table = registry.table();
        final List<Object> topics = new ArrayList<>();
        if (names.isEmpty()) {
            for (final Topic topic : table.topics()) {
                topics.add(topic);
            }
        } else {
            for (final String name : names) {
                final Topic topic = table.get(name);
                topics.add(null == topic ? name : topic);
            }
        }

        final MetadataResponseEncoder encoder = metadataEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .leaderId(ctx.brokerId())
            .leaderEpoch(0)
            .errorCode(ErrorCode.NONE);
        encoder.brokersCount(1).next().brokerId(ctx.brokerId()).ingressChannel(ingressChannel);
        final MetadataResponseEncoder.TopicsEncoder out = encoder.topicsCount(topics.size());
        for (final Object item : topics) {
            out.next();
            if (item instanceof Topic) {
                final Topic topic = (Topic) item;
                out.partitionCount(topic.partitionCount()).errorCode(ErrorCode.NONE).internalTopic(BooleanType.FALSE);
                final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder partitions =
                    out.partitionsCount(topic.partitionCount());
                for (int i = 0; i < topic.partitionCount(); i++) {
                    partitions.next().partition(i).leaderId(ctx.brokerId()).leaderEpoch(0).errorCode(ErrorCode.NONE);
                }
                out.name(topic.name());
            } else {
                final String name = (String) item;
                out.partitionCount(0)
                    .errorCode(isValidName(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC)
                    .internalTopic(BooleanType.FALSE);
                out.partitionsCount(0);
                out.name(name);
            }
        }
        encoder.clusterId(clusterId);
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    // ---------------------------------------------------------------------------------------------------------
    // CreateTopics
    // ---------------------------------------------------------------------------------------------------------

    /** One topic of a CreateTopics request and what became of it. */
    private static final class CreateResult {
        String name;
        int partitions;
        short replicationFactor;
        final Map<String, String> configs = new LinkedHashMap<>();
        ErrorCode code = ErrorCode.NONE;
        String message = "";

        void fail(final ErrorCode code, final String message) {
            this.code = code;
            this.message = message;
        }
    }

    void onCreateTopics(final AdminRequest request, final Session session) {
        final CreateTopicsRequestDecoder decoder = createDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        decoder.timeoutMs();
        final boolean validateOnly = decoder.validateOnly() == BooleanType.TRUE;
        final List<CreateResult> results = new ArrayList<>();
        for (final CreateTopicsRequestDecoder.TopicsDecoder topic : decoder.topics()) {
            final CreateResult result = new CreateResult();
            result.partitions = topic.partitions();
            result.replicationFactor = topic.replicationFactor();
            for (final CreateTopicsRequestDecoder.TopicsDecoder.ConfigsDecoder config : topic.configs()) {
                result.configs.put(config.key(), config.value());
            }
            result.name = topic.name();
            results.add(result);
        }

        final Set<String> seen = new HashSet<>();
        for (final CreateResult result : results) {
            if (!seen.add(result.name)) {
                result.fail(ErrorCode.INVALID_REQUEST, "topic '" + result.name + "' appears twice in the request");
                continue;
            }
            create(result, validateOnly);
        }

        final CreateTopicsResponseEncoder encoder = createEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId);
        final CreateTopicsResponseEncoder.TopicsEncoder out = encoder.topicsCount(results.size());
        for (final CreateResult result : results) {
            out.next()
                .partitions(result.code == ErrorCode.NONE ? result.partitions : 0)
                .errorCode(result.code)
                .name(result.name)
                .message(result.message);
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private void create(final CreateResult result, final boolean validateOnly) {
        final String name = result.name;
        final String invalid = nameProblem(name);
        if (null != invalid) {
            result.fail(ErrorCode.INVALID_TOPIC, invalid);
            return;
        }
        if (stored.containsKey(name) || null != registry.table().get(name)) {
            result.fail(ErrorCode.TOPIC_ALREADY_EXISTS, "topic '" + name + "' already exists");
            return;
        }
        if (isBeingDeleted(name)) {
            result.fail(ErrorCode.TOPIC_ALREADY_EXISTS, "topic '" + name + "' is being deleted; try again shortly");
            return;
        }
        if (result.partitions == -1) {
            result.partitions = ctx.numPartitions();
        }
        if (result.partitions < 1 || result.partitions > MAX_PARTITIONS) {
            result.fail(ErrorCode.INVALID_PARTITIONS, "partitions must be between 1 and " + MAX_PARTITIONS +
                " (or -1 for " + BrokerContext.NUM_PARTITIONS_PROP + "=" + ctx.numPartitions() + "), was " +
                result.partitions);
            return;
        }
        if (result.replicationFactor != -1 && result.replicationFactor != 1) {
            result.fail(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor must be 1 (or -1) on a single " +
                "broker, was " + result.replicationFactor);
            return;
        }
        final TopicConfig config;
        try {
            config = defaults.withOverrides(result.configs);
        } catch (final BrokerException ex) {
            result.fail(ex.code(), ex.getMessage());
            return;
        }
        if (validateOnly) {
            return;
        }
        final Partition[] partitions = new Partition[result.partitions];
        try {
            for (int i = 0; i < partitions.length; i++) {
                moveAsideLeftover(catalog.partitionDir(name, i));
                partitions[i] = sequencer.openPartition(name, i, catalog.partitionDir(name, i), config.logConfig(),
                    config.logAppendTime());
            }
            catalog.write(new TopicCatalog.Entry(name, partitions.length, config.overrides()));
        } catch (final RuntimeException ex) {
            for (final Partition partition : partitions) {
                if (null != partition) {
                    closeQuietly(partition);
                }
            }
            catalog.deletePartitionDirsQuietly(name, partitions.length);
            LOG.warn("cannot create topic {}", name, ex);
            result.fail(storageCode(ex), "cannot create topic '" + name + "': " + ex.getMessage());
            return;
        }
        final Topic topic = new Topic(name, config, ctx.sequencerContext().maxBatchBytes(), partitions);
        stored.put(name, new TopicCatalog.Entry(name, partitions.length, config.overrides()));
        registry.publish(registry.table().with(topic));
        LOG.info("created topic {} with {} partitions{}", name, partitions.length,
            config.overrides().isEmpty() ? "" : " and " + config.overrides());
    }

    private static ErrorCode storageCode(final RuntimeException ex) {
        if (ex instanceof LogException && ((LogException) ex).code() == LogResult.INVALID_CONFIG) {
            return ErrorCode.INVALID_CONFIG;
        }
        if (ex instanceof BrokerException) {
            return ((BrokerException) ex).code();
        }
        return ErrorCode.STORAGE_ERROR;
    }

    private void closeQuietly(final Partition partition) {
        try {
            sequencer.closePartition(partition);
        } catch (final RuntimeException ex) {
            LOG.warn("cannot close partition {}", partition, ex);
        }
    }

    /**
     * A partition directory of a topic the catalog does not know (left by a broker stopped in the middle of a
     * creation) is renamed aside rather than reused, so a new topic starts empty and nothing is lost.
     */
    private static void moveAsideLeftover(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        final Path aside = dir.resolveSibling(dir.getFileName() + ".old" + System.currentTimeMillis() % 100_000);
        try {
            Files.move(dir, aside);
            LOG.warn("moved leftover directory {} (not in the topic catalog) aside to {}", dir, aside);
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "directory " + dir + " exists but belongs to no " +
                "topic, and cannot be moved aside: " + ex, ex);
        }
    }

    static boolean isValidName(final String name) {
        return null == nameProblem(name);
    }

    /** @return why {@code name} cannot be a topic name, or null when it can. */
    static String nameProblem(final String name) {
        if (null == name || name.isEmpty()) {
            return "topic name is empty";
        }
        if (".".equals(name) || "..".equals(name)) {
            return "topic name cannot be '.' or '..'";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "topic name is longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (!NAME.matcher(name).matches()) {
            return "topic name '" + name + "' may contain only ASCII letters, digits, '.', '_' and '-'";
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // DeleteTopics
    // ---------------------------------------------------------------------------------------------------------

    /** A DeleteTopics request waiting for the threads to let go of its topics. */
    private static final class PendingDelete {
        final long sessionId;
        final long correlationId;
        final long deadlineNs;
        final List<String> names = new ArrayList<>();
        final List<ErrorCode> codes = new ArrayList<>();
        final List<String> messages = new ArrayList<>();
        final List<Topic> topics = new ArrayList<>();
        volatile long ingressFence = Long.MIN_VALUE;
        volatile boolean fetchFenced;
        boolean ingressPosted;
        boolean fetchPosted;
        boolean answered;

        PendingDelete(final long sessionId, final long correlationId, final long deadlineNs) {
            this.sessionId = sessionId;
            this.correlationId = correlationId;
            this.deadlineNs = deadlineNs;
        }
    }

    void onDeleteTopics(final AdminRequest request, final Session session, final long nowNs) {
        final DeleteTopicsRequestDecoder decoder = deleteDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final int timeoutMs = decoder.timeoutMs();
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs > 0 ? timeoutMs : DEFAULT_DELETE_TIMEOUT_MS);
        final PendingDelete delete = new PendingDelete(sessionId, correlationId, nowNs + timeoutNs);
        for (final DeleteTopicsRequestDecoder.TopicsDecoder topic : decoder.topics()) {
            delete.names.add(topic.name());
        }
        for (final String name : delete.names) {
            final Topic topic = registry.table().get(name);
            if (null == topic) {
                delete.codes.add(isValidName(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC);
                delete.messages.add(isBeingDeleted(name) ? "topic '" + name + "' is already being deleted" :
                    "unknown topic '" + name + "'");
                continue;
            }
            try {
                catalog.markDeleting(name);
            } catch (final BrokerException ex) {
                delete.codes.add(ex.code());
                delete.messages.add(ex.getMessage());
                continue;
            }
            topic.markDeleted();
            stored.remove(name);
            registry.publish(registry.table().without(name));
            delete.topics.add(topic);
            delete.codes.add(ErrorCode.NONE);
            delete.messages.add("");
        }
        if (delete.topics.isEmpty()) {
            answer(delete, session);
            return;
        }
        deletes.add(delete);
        postFences(delete);
    }

    /** Asks the ingress and fetch threads to let go of the topics; retried while their queues are full. */
    private void postFences(final PendingDelete delete) {
        if (!delete.ingressPosted) {
            delete.ingressPosted = ingressControl.offer(() -> delete.ingressFence = ingress.lastOfferedSequence());
        }
        if (!delete.fetchPosted) {
            delete.fetchPosted = fetchControl.offer(() -> {
                for (final Topic topic : delete.topics) {
                    fetch.onTopicDeleted(topic);
                }
                delete.fetchFenced = true;
            });
        }
    }

    private boolean isBeingDeleted(final String name) {
        for (final PendingDelete delete : deletes) {
            for (final Topic topic : delete.topics) {
                if (topic.name().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Completes deletions whose topics no thread refers to any more. */
    int poll(final long nowNs, final SessionTable sessions) {
        int work = 0;
        for (int i = deletes.size() - 1; i >= 0; i--) {
            final PendingDelete delete = deletes.get(i);
            postFences(delete);
            final long fence = delete.ingressFence;
            if (fence != Long.MIN_VALUE && delete.fetchFenced && sequencer.isReleased(fence)) {
                deletes.remove(i);
                finishDelete(delete);
                if (!delete.answered) {
                    answer(delete, sessions.get(delete.sessionId));
                }
                work++;
            } else if (!delete.answered && nowNs - delete.deadlineNs > 0) {
                for (int j = 0; j < delete.codes.size(); j++) {
                    if (delete.codes.get(j) == ErrorCode.NONE) {
                        delete.codes.set(j, ErrorCode.REQUEST_TIMED_OUT);
                        delete.messages.set(j, "the deletion is still in progress and will complete");
                    }
                }
                answer(delete, sessions.get(delete.sessionId));
                work++;
            }
        }
        return work;
    }

    private void finishDelete(final PendingDelete delete) {
        for (final Topic topic : delete.topics) {
            for (final TopicPartition partition : topic.partitions()) {
                closeQuietly(partition.partition());
            }
            try {
                catalog.finishDeleting(topic.name(), topic.partitionCount());
                LOG.info("deleted topic {}", topic.name());
            } catch (final BrokerException ex) {
                LOG.warn("topic {} deleted but its files remain: {}", topic.name(), ex.getMessage());
            }
        }
    }

    private void answer(final PendingDelete delete, final Session session) {
        delete.answered = true;
        final DeleteTopicsResponseEncoder encoder = deleteEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(delete.correlationId);
        final DeleteTopicsResponseEncoder.TopicsEncoder out = encoder.topicsCount(delete.names.size());
        for (int i = 0; i < delete.names.size(); i++) {
            out.next().errorCode(delete.codes.get(i)).name(delete.names.get(i)).message(delete.messages.get(i));
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    // ---------------------------------------------------------------------------------------------------------
    // InitProducerId
    // ---------------------------------------------------------------------------------------------------------

    void onInitProducerId(final AdminRequest request, final Session session) {
        final InitProducerIdRequestDecoder decoder = initDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        decoder.sessionId();
        final long producerId = decoder.producerId();
        final short producerEpoch = decoder.producerEpoch();
        long id = -1;
        short epoch = -1;
        ErrorCode code = ErrorCode.NONE;
        try {
            if (producerId < 0) {
                id = producerIds.allocate();
                epoch = 0;
            } else if (producerIds.wasAllocated(producerId)) {
                if (producerEpoch >= Short.MAX_VALUE) {
                    id = producerIds.allocate();
                    epoch = 0;
                } else {
                    id = producerId;
                    epoch = (short) Math.max(0, producerEpoch + 1);
                }
            } else {
                code = ErrorCode.UNKNOWN_PRODUCER_ID;
            }
        } catch (final BrokerException ex) {
            LOG.warn("cannot allocate a producer id", ex);
            code = ex.code();
        }
        initEncoder.wrapAndApplyHeader(sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .producerId(id)
            .producerEpoch(epoch)
            .errorCode(code);
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + initEncoder.encodedLength());
    }
}

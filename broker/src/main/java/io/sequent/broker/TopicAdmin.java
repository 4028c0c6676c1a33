package io.sequent.broker;

import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.CreateTopicsRequestDecoder;
import io.sequent.codec.client.CreateTopicsResponseEncoder;
import io.sequent.codec.client.DeleteTopicsRequestDecoder;
import io.sequent.codec.client.DeleteTopicsResponseEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataRequestDecoder;
import io.sequent.codec.client.MetadataResponseDecoder;
import io.sequent.codec.client.MetadataResponseEncoder;
import io.sequent.log.LogException;
import io.sequent.log.LogResult;
import io.sequent.log.RecoveryReport;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.Sequencer;
import io.sequent.sequencer.SequencerResult;
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
 * Topics: creation, deletion and metadata. Admin thread only, apart from
 * {@link #recover()} which the launching thread calls first. (The logs' housekeeping, retention and segment
 * pre-allocation, is the sequencer's log janitor's.)
 *
 * <p>Every change is a record of the {@link MetadataLog}, and a request is answered only once its records are
 * committed (as acks=all); the {@link TopicCatalog} applies a record only then, so what a client was told is
 * what a restarted broker (or, later, a follower) replays.
 *
 * <p>Creating a topic opens (pre-allocates) every partition's log through the sequencer, appends a
 * TopicRecord with the topic's new id, and once it is committed applies it and publishes a new
 * {@link TopicTable} so the ingress and fetch threads route to it. A creation whose record fails closes and
 * removes the partitions it opened.
 *
 * <p>Deleting a topic appends a TopicDeletedRecord; once it is committed the topic is marked deleted and a table
 * without it is published. Then the ingress reports the ring sequence of the last batch it offered (after which
 * it can no longer offer to the topic) and the fetch thread drops its parked fetches and readers; once the
 * sequencer has released that sequence no stage refers to the partitions, which are closed and whose
 * directories are deleted. Only then is the request answered. A broker stopped in between deletes the
 * directories at its next start ({@link TopicCatalog#finishDeletions()}).
 *
 * <p>The {@link TopicCatalog} is shared with {@link ConfigAdmin} (same thread).
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
    private final MetadataLog metadata;
    private final TopicConfig defaults;
    private final ResponseSender sender;
    private final String clusterId;
    private final List<PendingCreate> creates = new ArrayList<>();
    private final List<PendingDelete> deletes = new ArrayList<>();
    private int nextTopicId;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MetadataRequestDecoder metadataDecoder = new MetadataRequestDecoder();
    private final MetadataResponseEncoder metadataEncoder = new MetadataResponseEncoder();
    private final CreateTopicsRequestDecoder createDecoder = new CreateTopicsRequestDecoder();
    private final CreateTopicsResponseEncoder createEncoder = new CreateTopicsResponseEncoder();
    private final DeleteTopicsRequestDecoder deleteDecoder = new DeleteTopicsRequestDecoder();
    private final DeleteTopicsResponseEncoder deleteEncoder = new DeleteTopicsResponseEncoder();
    private ManyToOneConcurrentArrayQueue<Runnable> ingressControl;
    private ManyToOneConcurrentArrayQueue<Runnable> fetchControl;
    private IngressAgent ingress;
    private FetchAgent fetch;
    private String ingressChannel;
    private ClusterState cluster;

    TopicAdmin(
        final BrokerContext ctx,
        final Sequencer sequencer,
        final TopicRegistry registry,
        final TopicCatalog catalog,
        final MetadataLog metadata,
        final ResponseSender sender,
        final String clusterId) {
        this.ctx = ctx;
        this.sequencer = sequencer;
        this.registry = registry;
        this.catalog = catalog;
        this.metadata = metadata;
        this.defaults = ctx.topicConfigDefaults();
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

    /** The group's leader, for Metadata; set before the agents start. */
    void cluster(final ClusterState cluster) {
        this.cluster = cluster;
    }

    /** A topic created by the leader was replicated here: the next topic id this member hands out is above it. */
    void onReplicatedTopicId(final int topicId) {
        nextTopicId = Math.max(nextTopicId, topicId + 1);
    }

    /**
     * Reopens every topic in the catalog; each partition's log recovers as it opens, and what recovery dropped is
     * logged. Launching thread, before the agents start.
     */
    void recover() {
        TopicTable table = TopicTable.EMPTY.with(metadata.topic());
        report(metadata.partition());
        for (final TopicCatalog.Entry entry : catalog.topics().values()) {
            final TopicConfig config = defaults.withOverrides(entry.overrides);
            final Partition[] partitions = new Partition[entry.partitions];
            for (int i = 0; i < entry.partitions; i++) {
                partitions[i] = sequencer.openPartition(entry.name, entry.id, i,
                    catalog.partitionDir(entry.name, i), config.logConfig(), config.logAppendTime());
                report(partitions[i]);
            }
            table = table.with(new Topic(
                entry.name, entry.id, false, config, ctx.sequencerContext().maxBatchBytes(), partitions));
        }
        registry.publish(table);
        nextTopicId = catalog.nextTopicId();
        LOG.info("recovered {} topics from {} ({} metadata records)", catalog.topics().size(), ctx.dataDir(),
            catalog.records());
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
        boolean named = false;
        for (final MetadataRequestDecoder.TopicsDecoder topic : decoder.topics()) {
            final String name = topic.name();
            named = true;
            if (!name.isEmpty()) {
                names.add(name); // an empty name describes no topic: only the leader and the members
            }
        }
        final TopicTable table = registry.table();
        final List<Object> topics = new ArrayList<>();
        if (!named) {
            for (final Topic topic : table.topics()) {
                if (!topic.isInternal()) {
                    topics.add(topic);
                }
            }
        } else {
            for (final String name : names) {
                final Topic topic = table.get(name);
                topics.add(null == topic ? name : topic);
            }
        }

        final int leaderId = null == cluster ? ctx.brokerId() : cluster.leaderId();
        final int leaderEpoch = null == cluster ? 0 : cluster.epoch();
        final MetadataResponseEncoder encoder = metadataEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .leaderId(leaderId)
            .leaderEpoch(leaderEpoch)
            .errorCode(ErrorCode.NONE);
        final ClusterMembers members = ctx.clusterMembers();
        final MetadataResponseEncoder.BrokersEncoder brokers = encoder.brokersCount(members.size());
        for (final ClusterMembers.Member member : members.members()) {
            brokers.next().brokerId(member.id())
                .ingressChannel(member.id() == ctx.brokerId() ? ingressChannel : member.ingressChannel());
        }
        final MetadataResponseEncoder.TopicsEncoder out = encoder.topicsCount(topics.size());
        for (final Object item : topics) {
            out.next();
            if (item instanceof Topic) {
                final Topic topic = (Topic) item;
                out.partitionCount(topic.partitionCount())
                    .errorCode(ErrorCode.NONE)
                    .internalTopic(topic.isInternal() ? BooleanType.TRUE : BooleanType.FALSE);
                final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder partitions =
                    out.partitionsCount(topic.partitionCount());
                for (int i = 0; i < topic.partitionCount(); i++) {
                    partitions.next().partition(i).leaderId(leaderId).leaderEpoch(leaderEpoch)
                        .errorCode(ErrorCode.NONE);
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
        if (session.protocolVersion() >= MetadataResponseDecoder.messageSinceVersion()) {
            // trailing var data an older session's validator would refuse: left out for it, as the header says
            encoder.message(leaderId >= 0 || null == cluster ? "" :
                cluster.noLeaderReason(ctx.nanoClock().nanoTime()));
        }
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
        int topicId;
        TopicConfig config;
        Partition[] opened;
        InternalAppend append;

        void fail(final ErrorCode code, final String message) {
            this.code = code;
            this.message = message;
        }
    }

    /** A CreateTopics request waiting for its TopicRecords to commit. */
    private static final class PendingCreate {
        final long sessionId;
        final long correlationId;
        final long deadlineNs;
        final List<CreateResult> results;
        boolean answered;

        PendingCreate(final long sessionId, final long correlationId, final long deadlineNs,
            final List<CreateResult> results) {
            this.sessionId = sessionId;
            this.correlationId = correlationId;
            this.deadlineNs = deadlineNs;
            this.results = results;
        }
    }

    void onCreateTopics(final AdminRequest request, final Session session, final long nowNs) {
        final CreateTopicsRequestDecoder decoder = createDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final int timeoutMs = decoder.timeoutMs();
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
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs > 0 ? timeoutMs : DEFAULT_DELETE_TIMEOUT_MS);
        final PendingCreate pending = new PendingCreate(sessionId, correlationId, nowNs + timeoutNs, results);
        creates.add(pending);
        pollCreate(pending, nowNs, session);
    }

    private void create(final CreateResult result, final boolean validateOnly) {
        final String name = result.name;
        final String invalid = nameProblem(name);
        if (null != invalid) {
            result.fail(ErrorCode.INVALID_TOPIC, invalid);
            return;
        }
        if (MetadataLog.isInternal(name)) {
            result.fail(ErrorCode.INVALID_TOPIC, "topic name '" + name + "' is reserved for an internal topic");
            return;
        }
        if (null != catalog.get(name) || null != registry.table().get(name) || isBeingCreated(name)) {
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
            result.topicId = nextTopicId++;
            for (int i = 0; i < partitions.length; i++) {
                moveAsideLeftover(catalog.partitionDir(name, i));
                partitions[i] = sequencer.openPartition(name, result.topicId, i, catalog.partitionDir(name, i),
                    config.logConfig(), config.logAppendTime());
            }
            result.append = metadata.append(
                metadata.records().topic(result.topicId, name, partitions.length, config.overrides()));
            if (null == result.append) {
                throw new BrokerException(ErrorCode.BACK_PRESSURED, "the metadata log is busy; retry");
            }
        } catch (final RuntimeException ex) {
            abandon(name, partitions);
            LOG.warn("cannot create topic {}", name, ex);
            result.fail(storageCode(ex), "cannot create topic '" + name + "': " + ex.getMessage());
            return;
        }
        result.config = config;
        result.opened = partitions;
    }

    private void abandon(final String name, final Partition[] partitions) {
        for (final Partition partition : partitions) {
            if (null != partition) {
                closeQuietly(partition);
            }
        }
        catalog.deletePartitionDirsQuietly(name, partitions.length);
    }

    private boolean isBeingCreated(final String name) {
        for (final PendingCreate create : creates) {
            for (final CreateResult result : create.results) {
                if (null != result.append && result.name.equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Applies the creations whose records are committed; answers once all of the request's are. */
    private int pollCreate(final PendingCreate create, final long nowNs, final Session session) {
        boolean done = true;
        for (final CreateResult result : create.results) {
            if (null == result.append) {
                continue;
            }
            if (!result.append.isDone()) {
                done = false;
                continue;
            }
            if (result.append.isCommitted()) {
                catalog.onTopic(result.topicId, result.name, result.opened.length, result.config.overrides());
                final Topic topic = new Topic(result.name, result.topicId, false, result.config,
                    ctx.sequencerContext().maxBatchBytes(), result.opened);
                registry.publish(registry.table().with(topic));
                LOG.info("created topic {} (id {}) with {} partitions{}", result.name, result.topicId,
                    result.opened.length, result.config.overrides().isEmpty() ? "" : " and " +
                    result.config.overrides());
            } else if (result.append.result() == SequencerResult.NOT_COMMITTED) {
                // leadership was lost with the record in the log: a new leader may keep it, so the partitions
                // stay (the next start lists the topic if the record survived, and moves them aside if not)
                result.fail(ErrorCode.NOT_LEADER, "cannot tell whether topic '" + result.name + "' was created: " +
                    "this broker lost leadership before its record committed; ask the new leader");
            } else {
                abandon(result.name, result.opened);
                result.fail(ProduceReleaseHandler.errorCode(result.append.result()), "cannot create topic '" +
                    result.name + "': the metadata log refused its record (" +
                    SequencerResult.name(result.append.result()) + ")");
            }
            result.append = null;
        }
        if (done) {
            creates.remove(create);
            if (!create.answered) {
                answerCreate(create, session);
            }
            return 1;
        }
        if (!create.answered && nowNs - create.deadlineNs > 0) {
            for (final CreateResult result : create.results) {
                if (null != result.append) {
                    result.fail(ErrorCode.REQUEST_TIMED_OUT, "the creation is still in progress and will complete");
                }
            }
            answerCreate(create, session);
            return 1;
        }
        return 0;
    }

    private void answerCreate(final PendingCreate create, final Session session) {
        create.answered = true;
        final CreateTopicsResponseEncoder encoder = createEncoder.wrapAndApplyHeader(
            sender.buffer(), 0, sender.headerEncoder())
            .correlationId(create.correlationId);
        final CreateTopicsResponseEncoder.TopicsEncoder out = encoder.topicsCount(create.results.size());
        for (final CreateResult result : create.results) {
            out.next()
                .partitions(result.code == ErrorCode.NONE ? result.partitions : 0)
                .errorCode(result.code)
                .name(result.name)
                .message(result.message);
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
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

    /** One topic of a DeleteTopics request. */
    private static final class DeleteResult {
        final String name;
        ErrorCode code = ErrorCode.NONE;
        String message = "";
        Topic topic;
        InternalAppend append;

        DeleteResult(final String name) {
            this.name = name;
        }
    }

    /** A DeleteTopics request waiting for its records to commit, then for the threads to let go of its topics. */
    private static final class PendingDelete {
        final long sessionId;
        final long correlationId;
        final long deadlineNs;
        final List<DeleteResult> results = new ArrayList<>();
        final List<Topic> topics = new ArrayList<>();
        volatile long ingressFence = Long.MIN_VALUE;
        volatile boolean fetchFenced;
        boolean recorded;
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
            delete.results.add(new DeleteResult(topic.name()));
        }
        for (final DeleteResult result : delete.results) {
            final String name = result.name;
            final Topic topic = registry.table().get(name);
            if (MetadataLog.isInternal(name)) {
                result.code = ErrorCode.INVALID_REQUEST;
                result.message = "topic '" + name + "' is internal and cannot be deleted";
            } else if (null == topic || isBeingDeleted(name)) {
                result.code = isValidName(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC;
                result.message = isBeingDeleted(name) ? "topic '" + name + "' is already being deleted" :
                    "unknown topic '" + name + "'";
            } else {
                result.append = metadata.append(metadata.records().topicDeleted(topic.id(), name));
                if (null == result.append) {
                    result.code = ErrorCode.BACK_PRESSURED;
                    result.message = "the metadata log is busy; retry";
                } else {
                    result.topic = topic;
                }
            }
        }
        deletes.add(delete);
        pollDelete(delete, nowNs, session);
    }

    /**
     * Once every deletion record of the request is settled: applies the committed ones and stops routing to
     * their topics.
     */
    private boolean record(final PendingDelete delete) {
        for (final DeleteResult result : delete.results) {
            if (null != result.append && !result.append.isDone()) {
                return false;
            }
        }
        for (final DeleteResult result : delete.results) {
            if (null == result.append) {
                continue;
            }
            if (result.append.isCommitted()) {
                final Topic topic = result.topic;
                catalog.onTopicDeleted(topic.id(), topic.name());
                topic.markDeleted();
                registry.publish(registry.table().without(topic.name()));
                delete.topics.add(topic);
            } else {
                result.code = ProduceReleaseHandler.errorCode(result.append.result());
                result.message = "the metadata log refused the deletion (" +
                    SequencerResult.name(result.append.result()) + ")";
                result.topic = null;
            }
            result.append = null;
        }
        delete.recorded = true;
        return true;
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
            for (final DeleteResult result : delete.results) {
                if (null != result.topic && result.name.equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Completes deletions and answers creations whose records are settled. */
    int poll(final long nowNs, final SessionTable sessions) {
        int work = 0;
        for (int i = deletes.size() - 1; i >= 0; i--) {
            final PendingDelete delete = deletes.get(i);
            work += pollDelete(delete, nowNs, sessions.get(delete.sessionId));
        }
        for (int i = creates.size() - 1; i >= 0; i--) {
            final PendingCreate create = creates.get(i);
            work += pollCreate(create, nowNs, sessions.get(create.sessionId));
        }
        return work;
    }

    private int pollDelete(final PendingDelete delete, final long nowNs, final Session session) {
        if (!delete.recorded && !record(delete)) {
            return timeOutDelete(delete, nowNs, session);
        }
        if (delete.topics.isEmpty()) {
            deletes.remove(delete);
            if (!delete.answered) {
                answer(delete, session);
            }
            return 1;
        }
        postFences(delete);
        final long fence = delete.ingressFence;
        if (fence != Long.MIN_VALUE && delete.fetchFenced && sequencer.isReleased(fence)) {
            deletes.remove(delete);
            finishDelete(delete);
            if (!delete.answered) {
                answer(delete, session);
            }
            return 1;
        }
        return timeOutDelete(delete, nowNs, session);
    }

    private int timeOutDelete(final PendingDelete delete, final long nowNs, final Session session) {
        if (delete.answered || nowNs - delete.deadlineNs <= 0) {
            return 0;
        }
        for (final DeleteResult result : delete.results) {
            if (null != result.topic) {
                result.code = ErrorCode.REQUEST_TIMED_OUT;
                result.message = "the deletion is still in progress and will complete";
            }
        }
        answer(delete, session);
        return 1;
    }

    private void finishDelete(final PendingDelete delete) {
        for (final Topic topic : delete.topics) {
            for (final TopicPartition partition : topic.partitions()) {
                closeQuietly(partition.partition());
            }
            try {
                catalog.deletePartitionDirs(topic.name(), topic.partitionCount());
                LOG.info("deleted topic {} (id {})", topic.name(), topic.id());
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
        final DeleteTopicsResponseEncoder.TopicsEncoder out = encoder.topicsCount(delete.results.size());
        for (final DeleteResult result : delete.results) {
            out.next().errorCode(result.code).name(result.name).message(result.message);
        }
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }
}

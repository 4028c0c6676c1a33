package io.sequent.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.sequent.codec.client.ConfigSource;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.IsolationLevel;

/**
 * Manages topics, as Kafka's {@code Admin} client does, with blocking calls: each sends its
 * request(s) and waits at most {@code request.timeout.ms} (plus a small margin) for the answer.
 * Thread-safe.
 */
public final class Admin implements AutoCloseable {
    private final ClientIo io;
    private final long requestTimeoutNs;

    private Admin(final ClientConfig config, final boolean memberSession) {
        final ClientConfig copy = Objects.requireNonNull(config, "config").copy();
        requestTimeoutNs = copy.requestTimeout().toNanos();
        io = ClientIo.start(copy, "admin", memberSession, clientIo -> IoWork.NONE);
    }

    /**
     * An admin client that also keeps a session with the first member of {@code bootstrap.servers} itself, not
     * only with the leader: its {@link #clusterStatus()} is that member's own view (how {@code sequent cluster
     * status} asks every member). Everything else goes to the leader, as with {@link #create}.
     *
     * @param config connection settings.
     * @return a connected admin client.
     */
    public static Admin forMember(final ClientConfig config) {
        return new Admin(config, true);
    }

    /**
     * Connects an admin client.
     *
     * @param config the connection settings; copied.
     * @return the client.
     * @throws BrokerUnreachableException when no broker answered within {@code connect.timeout.ms}.
     */
    public static Admin create(final ClientConfig config) {
        return new Admin(config, false);
    }

    /**
     * Creates a topic.
     *
     * @param name       the topic.
     * @param partitions its partition count.
     * @param configs    topic configs (for example {@code retention.ms}); may be empty.
     * @throws TopicExistsException   when it exists.
     * @throws InvalidConfigException when the broker refuses a config.
     * @throws SequentException       with the broker's error otherwise (INVALID_PARTITIONS, INVALID_TOPIC...).
     */
    public void createTopic(final String name, final int partitions, final Map<String, String> configs) {
        checkName(name);
        io.call(new CreateTopicsCall(name, partitions, configs == null ? Map.of() : configs, requestTimeoutNs));
    }

    /**
     * Deletes a topic.
     *
     * @param name the topic.
     * @throws UnknownTopicException when it does not exist.
     */
    public void deleteTopic(final String name) {
        checkName(name);
        io.call(new DeleteTopicsCall(name, requestTimeoutNs));
    }

    /**
     * The names of the topics, internal topics excluded, in name order.
     *
     * @return the topic names.
     */
    public List<String> listTopics() {
        final ClusterMetadata metadata = io.call(new ClusterMetadata.MetadataCall(List.of(), requestTimeoutNs));
        final List<String> names = new ArrayList<>();
        for (final ClusterMetadata.Topic topic : metadata.topics().values()) {
            if (!topic.internal() && topic.errorCode() == ErrorCode.NONE) {
                names.add(topic.name());
            }
        }
        names.sort(null);
        return List.copyOf(names);
    }

    /**
     * A topic's partitions with their leaders, log start offsets and high watermarks, and the configs
     * set on the topic.
     *
     * @param name the topic.
     * @return its description.
     * @throws UnknownTopicException when it does not exist.
     */
    public TopicDescription describeTopic(final String name) {
        checkName(name);
        final ClusterMetadata metadata = io.call(new ClusterMetadata.MetadataCall(List.of(name), requestTimeoutNs));
        final ClusterMetadata.Topic topic = existing(metadata, name);
        final List<PartitionInfo> partitions = ClusterMetadata.partitionInfos(topic);
        final int n = partitions.size();
        final int[] ids = new int[n];
        final long[] earliestTargets = new long[n];
        final long[] latestTargets = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = partitions.get(i).partition();
            earliestTargets[i] = ListOffsetsCall.EARLIEST;
            latestTargets[i] = ListOffsetsCall.LATEST;
        }
        final ListOffsetsCall earliest = new ListOffsetsCall(
            name, ids, earliestTargets, IsolationLevel.READ_UNCOMMITTED, null, requestTimeoutNs);
        final ListOffsetsCall latest = new ListOffsetsCall(
            name, ids, latestTargets, IsolationLevel.READ_UNCOMMITTED, null, requestTimeoutNs);
        final DescribeConfigsCall configsCall = new DescribeConfigsCall(name, requestTimeoutNs);
        io.submit(earliest);
        io.submit(latest);
        io.submit(configsCall);
        final long waitMs = requestTimeoutNs / 1_000_000 + 2_000;
        final List<ListOffsetsCall.Result> starts = io.await(earliest.future, waitMs);
        final List<ListOffsetsCall.Result> ends = io.await(latest.future, waitMs);
        final Map<String, DescribeConfigsCall.Entry> configs = io.await(configsCall.future, waitMs);
        final List<PartitionDescription> descriptions = new ArrayList<>();
        for (final PartitionInfo p : partitions) {
            final ListOffsetsCall.Result start = ListOffsetsCall.find(starts, p.partition());
            final ListOffsetsCall.Result end = ListOffsetsCall.find(ends, p.partition());
            descriptions.add(new PartitionDescription(p.partition(), p.leader(),
                start == null || start.errorCode() != ErrorCode.NONE ? -1 : start.offset(),
                end == null || end.errorCode() != ErrorCode.NONE ? -1 : end.offset()));
        }
        final Map<String, String> overrides = new LinkedHashMap<>();
        for (final Map.Entry<String, DescribeConfigsCall.Entry> e : configs.entrySet()) {
            if (e.getValue().source() == ConfigSource.TOPIC) {
                overrides.put(e.getKey(), e.getValue().value());
            }
        }
        return new TopicDescription(name, List.copyOf(descriptions), Collections.unmodifiableMap(overrides));
    }

    /**
     * Every config in force for a topic, whether set on the topic, on the broker or by default.
     *
     * @param name the topic.
     * @return config key to effective value.
     * @throws UnknownTopicException when it does not exist.
     */
    public Map<String, String> describeConfigs(final String name) {
        checkName(name);
        final Map<String, DescribeConfigsCall.Entry> configs = io.call(new DescribeConfigsCall(name, requestTimeoutNs));
        final Map<String, String> values = new LinkedHashMap<>();
        for (final Map.Entry<String, DescribeConfigsCall.Entry> e : configs.entrySet()) {
            values.put(e.getKey(), e.getValue().value());
        }
        return Collections.unmodifiableMap(values);
    }

    /**
     * Changes a topic's settings, as Kafka's {@code incrementalAlterConfigs}: each key of {@code set} is set, each
     * of {@code delete} reverts to the broker's default. Answered once the change is durable in the metadata log;
     * the broker applies it from its next start.
     *
     * @param name   the topic.
     * @param set    settings to set.
     * @param delete settings to revert.
     * @throws UnknownTopicException when it does not exist.
     * @throws InvalidConfigException for an unknown key or a bad value (nothing is changed).
     */
    public void alterConfigs(final String name, final Map<String, String> set, final List<String> delete) {
        checkName(name);
        Objects.requireNonNull(set, "set");
        Objects.requireNonNull(delete, "delete");
        io.call(new AlterConfigsCall(name, set, delete, requestTimeoutNs));
    }

    /**
     * Looks up offsets: earliest, latest (high watermark) or by timestamp, per partition.
     *
     * @param specs what to look up per partition.
     * @return per partition the offset; -1 when no record matches a timestamp.
     * @throws UnknownTopicException when a partition does not exist.
     */
    public Map<TopicPartition, Long> listOffsets(final Map<TopicPartition, OffsetSpec> specs) {
        Objects.requireNonNull(specs, "specs");
        final Map<String, List<TopicPartition>> byTopic = new LinkedHashMap<>();
        for (final TopicPartition tp : specs.keySet()) {
            byTopic.computeIfAbsent(Objects.requireNonNull(tp, "partition").topic(), t -> new ArrayList<>()).add(tp);
        }
        final List<ListOffsetsCall> calls = new ArrayList<>();
        for (final Map.Entry<String, List<TopicPartition>> e : byTopic.entrySet()) {
            final List<TopicPartition> tps = e.getValue();
            final int[] ids = new int[tps.size()];
            final long[] targets = new long[tps.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = tps.get(i).partition();
                targets[i] = target(Objects.requireNonNull(specs.get(tps.get(i)), "spec"));
            }
            final ListOffsetsCall call = new ListOffsetsCall(
                e.getKey(), ids, targets, IsolationLevel.READ_UNCOMMITTED, null, requestTimeoutNs);
            io.submit(call);
            calls.add(call);
        }
        final Map<TopicPartition, Long> answer = new LinkedHashMap<>();
        final long waitMs = requestTimeoutNs / 1_000_000 + 2_000;
        for (final ListOffsetsCall call : calls) {
            final List<ListOffsetsCall.Result> results = io.await(call.future, waitMs);
            for (final TopicPartition tp : byTopic.get(call.topic)) {
                final ListOffsetsCall.Result r = ListOffsetsCall.find(results, tp.partition());
                if (r == null) {
                    throw new SequentException(ErrorCode.UNKNOWN_SERVER_ERROR, "the broker did not answer for " + tp);
                }
                if (r.errorCode() != ErrorCode.NONE) {
                    throw SequentException.of(r.errorCode(), "offset lookup for " + tp + " failed: " + r.errorCode());
                }
                answer.put(tp, r.offset());
            }
        }
        return answer;
    }

    /**
     * The consumer groups the broker knows (with members, or with committed offsets), in id order.
     *
     * @return the groups.
     */
    public List<GroupListing> listGroups() {
        return io.call(new GroupCalls.ListCall(requestTimeoutNs));
    }

    /**
     * Describes consumer groups: state, assignor and each member's current assignment.
     *
     * @param groupIds the groups.
     * @return one description per group, in the order asked ({@link GroupDescription#exists} false for unknown).
     */
    public List<GroupDescription> describeGroups(final List<String> groupIds) {
        Objects.requireNonNull(groupIds, "groupIds");
        return io.call(new GroupCalls.DescribeCall(groupIds, requestTimeoutNs));
    }

    /**
     * A group's committed offsets, as Kafka's {@code listConsumerGroupOffsets}.
     *
     * @param groupId the group.
     * @return every partition with a committed offset, in (topic, partition) order; empty for an unknown group.
     */
    public Map<TopicPartition, OffsetAndMetadata> listGroupOffsets(final String groupId) {
        Objects.requireNonNull(groupId, "groupId");
        final Map<TopicPartition, OffsetAndMetadata> sorted = new java.util.TreeMap<>(GroupCalls.PARTITION_ORDER);
        sorted.putAll(io.call(new GroupCalls.OffsetFetchCall(groupId, List.of(), requestTimeoutNs)));
        return sorted;
    }

    /**
     * The replica group as the connected member sees it: its own role, epoch, commit seq and log end; on the
     * leader also each follower's acknowledged position, lag (batches and bytes), last contact and whether it is
     * behind the leader's retention.
     *
     * @return the connected member's view.
     */
    public ClusterStatus clusterStatus() {
        return io.call(new ClusterCalls.StatusCall(requestTimeoutNs));
    }

    /**
     * Asks the leader (the connected member must be it) to hand leadership to another member: new writes are
     * refused until the target, once caught up, has won its election.
     *
     * @param targetId the member to lead.
     * @return the new leader's id once it leads.
     * @throws SequentException NOT_LEADER on a member that does not lead, INVALID_REQUEST for a bad target,
     *                          REQUEST_TIMED_OUT when the target did not take over in time.
     */
    public int transferLeadership(final int targetId) {
        return io.call(new ClusterCalls.TransferCall(targetId, requestTimeoutNs));
    }

    /**
     * Deletes consumer groups without members, with their committed offsets, as Kafka's
     * {@code deleteConsumerGroups}.
     *
     * @param groupIds the groups.
     * @return per group, in the order asked, {@code NONE} or why it was not deleted: {@code NON_EMPTY_GROUP}
     *     (it has members), {@code GROUP_ID_NOT_FOUND}, {@code INVALID_GROUP_ID}, or a storage error.
     */
    public Map<String, ErrorCode> deleteGroups(final List<String> groupIds) {
        Objects.requireNonNull(groupIds, "groupIds");
        return io.call(new GroupCalls.DeleteGroupsCall(groupIds, requestTimeoutNs));
    }

    /**
     * Deletes a consumer group without members, with its committed offsets.
     *
     * @param groupId the group.
     * @throws SequentException carrying {@code NON_EMPTY_GROUP}, {@code GROUP_ID_NOT_FOUND} or the broker's error.
     */
    public void deleteGroup(final String groupId) {
        final ErrorCode code = deleteGroups(List.of(groupId)).get(groupId);
        if (code == null) {
            throw new SequentException(ErrorCode.UNKNOWN_SERVER_ERROR,
                "the broker did not answer for group '" + groupId + "'");
        }
        switch (code) {
            case NONE:
                return;
            case NON_EMPTY_GROUP:
                throw SequentException.of(code, "group '" + groupId + "' has members: stop its consumers first");
            case GROUP_ID_NOT_FOUND:
                throw SequentException.of(code, "group '" + groupId + "' does not exist");
            default:
                throw SequentException.of(code, "deleting group '" + groupId + "' failed: " + code);
        }
    }

    /**
     * Sets a group's committed offsets, as Kafka's {@code alterConsumerGroupOffsets}: only while the group has
     * no members (the broker refuses with {@code UNKNOWN_MEMBER_ID} otherwise). Answered once durable.
     *
     * @param groupId the group (created when it does not exist).
     * @param offsets the next offset to read per partition.
     * @throws SequentException the broker's error, or the first partition's.
     */
    public void alterGroupOffsets(final String groupId, final Map<TopicPartition, OffsetAndMetadata> offsets) {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(offsets, "offsets");
        if (offsets.isEmpty()) {
            return;
        }
        final Map<TopicPartition, ErrorCode> results =
            io.call(new GroupCalls.CommitCall(groupId, "", -1, offsets, requestTimeoutNs));
        for (final Map.Entry<TopicPartition, ErrorCode> e : results.entrySet()) {
            if (e.getValue() != ErrorCode.NONE) {
                throw SequentException.of(e.getValue(), "setting the offset of " + e.getKey() + " for group '"
                    + groupId + "' failed: " + e.getValue());
            }
        }
    }

    /**
     * Ends the session and stops the I/O thread.
     */
    @Override
    public void close() {
        io.close();
    }

    private static long target(final OffsetSpec spec) {
        if (spec instanceof OffsetSpec.ForTimestamp forTimestamp) {
            if (forTimestamp.timestamp() < 0) {
                throw new IllegalArgumentException("timestamp must not be negative: " + forTimestamp.timestamp());
            }
            return forTimestamp.timestamp();
        }
        return spec instanceof OffsetSpec.Earliest ? ListOffsetsCall.EARLIEST : ListOffsetsCall.LATEST;
    }

    private static ClusterMetadata.Topic existing(final ClusterMetadata metadata, final String name) {
        final ClusterMetadata.Topic topic = metadata.topics().get(name);
        if (topic == null || topic.errorCode() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            throw new UnknownTopicException("topic " + name + " does not exist");
        }
        if (topic.errorCode() != ErrorCode.NONE) {
            throw SequentException.of(topic.errorCode(), "metadata of topic " + name + ": " + topic.errorCode());
        }
        return topic;
    }

    private static void checkName(final String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("invalid topic name: '" + name + "'");
        }
    }
}

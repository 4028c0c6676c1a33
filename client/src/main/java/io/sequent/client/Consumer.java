package io.sequent.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.IsolationLevel;

/**
 * Reads records from a Sequent broker, as Kafka's {@code KafkaConsumer} does: {@link #assign} picks
 * partitions; {@link #subscribe} with a {@code group.id} joins that consumer group, whose broker assigns
 * this consumer its share of the topics' partitions and moves them incrementally as members come and go
 * (told to a {@link ConsumerRebalanceListener}); without a {@code group.id} it takes every partition of the
 * topics (and follows partitions added later). Positions are kept by the consumer and moved with
 * {@link #seek}, {@link #seekToBeginning} and {@link #seekToEnd}; a group's partitions start at its committed
 * offsets ({@link #commitSync}, {@link #commitAsync}, auto-commit), and a partition without a position
 * starts where {@code auto.offset.reset} says.
 *
 * <p>Group heartbeats are sent from the consumer's I/O thread, so a slow {@link #poll} loop keeps its membership;
 * but a gap between two polls longer than {@code max.poll.interval.ms} makes the broker evict the member and give
 * its partitions to the others (the next {@code poll} calls {@code onPartitionsLost} and joins again).
 *
 * <p>Threading: like Kafka's consumer, not thread-safe: one thread calls it (another thread may only
 * call {@link #wakeup()}); concurrent use fails with {@link ConcurrentModificationException}. The
 * consumer's I/O thread only moves requests and answers; fetched frames are decoded on the calling
 * thread, in {@link #poll}.
 */
public final class Consumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Consumer.class);
    private static final long NO_OWNER = -1;
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ConsumerConfig config;
    private final ClientIo io;
    /** How {@link #poll} idles while it runs the I/O in caller mode; the polling thread's alone. */
    private final org.agrona.concurrent.IdleStrategy pollIdle;
    private final Assignment assignment;
    private final Fetcher fetcher;
    private final boolean[] subscribed = new boolean[1];
    private final int resetPolicy;
    private final IsolationLevel isolation;
    private final long requestTimeoutNs;
    private final long retryBackoffNs;
    private final long metadataMaxAgeNs;
    private final ArrayList<ListOffsetsCall> pendingResets = new ArrayList<>();
    private final AtomicLong owner = new AtomicLong(NO_OWNER);
    private int ownerDepth;
    private LinkedHashSet<String> subscription;
    private ClusterMetadata.MetadataCall pendingMetadata;
    private long nextMetadataNs;
    private volatile boolean wakeup;
    private volatile Thread waiter;
    private volatile boolean closed;
    private GroupMember group;
    private ConsumerRebalanceListener listener;
    private final ArrayList<AsyncCommit> pendingCommits = new ArrayList<>();
    private long nextAutoCommitNs;
    private final GroupWork groupWork = new GroupWork();
    private Pattern pattern;
    private ClusterMetadata.MetadataCall pendingPatternMetadata;
    private long nextPatternNs;

    /** Runs the group membership's joins and heartbeats on the I/O thread. */
    private static final class GroupWork implements IoWork {
        volatile GroupMember member;

        @Override
        public int doWork(final long nowNs) {
            final GroupMember current = member;
            return current == null ? 0 : current.doWork(System.nanoTime());
        }
    }

    /** A commitAsync in flight and whom to tell. */
    private record AsyncCommit(GroupCalls.CommitCall call, OffsetCommitCallback callback) {
    }

    private static final ConsumerRebalanceListener NO_LISTENER = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
        }
    };

    /**
     * Starts the consumer: its media driver (unless {@code aeron.dir} names one), its I/O thread and
     * its session with the broker.
     *
     * @param config the consumer's settings; copied.
     * @throws BrokerUnreachableException when no broker answered within {@code connect.timeout.ms}.
     */
    public Consumer(final ConsumerConfig config) {
        this.config = Objects.requireNonNull(config, "config").copy();
        switch (this.config.autoOffsetReset()) {
            case "earliest":
                resetPolicy = PartitionState.RESET_EARLIEST;
                break;
            case "none":
                resetPolicy = PartitionState.RESET_NONE;
                break;
            default:
                resetPolicy = PartitionState.RESET_LATEST;
                break;
        }
        isolation = "read_committed".equals(this.config.isolationLevel())
            ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
        requestTimeoutNs = this.config.client().requestTimeout().toNanos();
        retryBackoffNs = TimeUnit.MILLISECONDS.toNanos(this.config.retryBackoffMs());
        metadataMaxAgeNs = this.config.client().metadataMaxAge().toNanos();
        io = ClientIo.start(this.config.client(), "consumer", this.config.readsFromFollower(), clientIo -> groupWork);
        pollIdle = IdleStrategies.create(this.config.client().idleStrategy());
        assignment = new Assignment(this.config.maxPartitionFetchBytes());
        fetcher = new Fetcher(io, assignment, this.config, resetPolicy, subscribed);
    }

    /**
     * Reads exactly these partitions from now on (replacing any subscription); positions of
     * partitions already assigned are kept. An empty collection unassigns everything.
     *
     * @param partitions the partitions.
     */
    public void assign(final Collection<TopicPartition> partitions) {
        Objects.requireNonNull(partitions, "partitions");
        acquire();
        try {
            leaveGroup();
            subscribed[0] = false;
            subscription = null;
            pattern = null;
            pendingMetadata = null;
            setAssignment(partitions);
        } finally {
            release();
        }
    }

    /**
     * Subscribes to these topics as a member of the consumer group {@code group.id}: the broker assigns this
     * consumer its share of their partitions at the next {@link #poll}s, and moves partitions to and from it as
     * members join and leave, telling {@code listener}. An empty collection leaves the group.
     *
     * @param topics   the topics.
     * @param listener told of partitions revoked, assigned and lost, on the thread calling {@link #poll}.
     * @throws IllegalStateException when {@code group.id} is not set.
     */
    public void subscribe(final Collection<String> topics, final ConsumerRebalanceListener listener) {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(listener, "listener");
        if (config.groupId().isEmpty()) {
            throw new IllegalStateException("subscribing with a rebalance listener needs "
                + ConsumerConfig.GROUP_ID + ": set it, or call subscribe(topics) to read every partition alone");
        }
        acquire();
        try {
            checkOpen();
            for (final String topic : topics) {
                if (topic == null || topic.isBlank()) {
                    throw new IllegalArgumentException("invalid topic name: '" + topic + "'");
                }
            }
            pattern = null;
            if (topics.isEmpty()) {
                leaveGroup();
                subscribed[0] = false;
                subscription = null;
                return;
            }
            joinGroup(listener);
            subscription = new LinkedHashSet<>(topics);
            group.subscribe(subscription);
        } finally {
            release();
        }
    }

    private void joinGroup(final ConsumerRebalanceListener listener) {
        if (group == null) {
            setAssignment(List.of());
            group = new GroupMember(config.groupId(), io, config, requestTimeoutNs);
            groupWork.member = group;
            nextAutoCommitNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
        }
        this.listener = listener;
        pendingMetadata = null;
        subscribed[0] = true;
    }

    /**
     * Subscribes to every topic whose name matches {@code pattern} (as {@link java.util.regex.Matcher#matches}),
     * internal topics left out. The topics are looked up at the next {@link #poll} and again every
     * {@code metadata.max.age.ms}, so topics created later join the subscription. With {@code group.id}, as a
     * member of that group (see {@link #subscribe(Collection, ConsumerRebalanceListener)}); without, every
     * partition of the matching topics.
     *
     * @param pattern  the topic name pattern.
     * @param listener told of partitions revoked, assigned and lost (group members only).
     */
    public void subscribe(final Pattern pattern, final ConsumerRebalanceListener listener) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(listener, "listener");
        acquire();
        try {
            checkOpen();
            if (!config.groupId().isEmpty()) {
                joinGroup(listener);
            } else {
                leaveGroup();
                subscribed[0] = true;
                pendingMetadata = null;
                setAssignment(List.of());
            }
            this.pattern = pattern;
            subscription = new LinkedHashSet<>();
            pendingPatternMetadata = null;
            nextPatternNs = System.nanoTime();
        } finally {
            release();
        }
    }

    /**
     * {@link #subscribe(Pattern, ConsumerRebalanceListener)} without a listener.
     *
     * @param pattern the topic name pattern.
     */
    public void subscribe(final Pattern pattern) {
        subscribe(pattern, NO_LISTENER);
    }

    /**
     * Stops fetching these partitions: {@link #poll} returns none of their records (what was fetched stays
     * buffered) until {@link #resume}. Their positions and the group assignment are kept; a partition revoked
     * and assigned again starts unpaused.
     *
     * @param partitions assigned partitions.
     * @throws IllegalStateException for a partition not assigned.
     */
    public void pause(final Collection<TopicPartition> partitions) {
        setPaused(partitions, true);
    }

    /**
     * Fetches these paused partitions again.
     *
     * @param partitions assigned partitions.
     * @throws IllegalStateException for a partition not assigned.
     */
    public void resume(final Collection<TopicPartition> partitions) {
        setPaused(partitions, false);
    }

    /**
     * The partitions {@link #pause}d and not resumed.
     *
     * @return a snapshot.
     */
    public Set<TopicPartition> paused() {
        acquire();
        try {
            final Set<TopicPartition> paused = new LinkedHashSet<>();
            for (final PartitionState state : assignment.list) {
                if (state.paused) {
                    paused.add(state.tp);
                }
            }
            return paused;
        } finally {
            release();
        }
    }

    private void setPaused(final Collection<TopicPartition> partitions, final boolean paused) {
        Objects.requireNonNull(partitions, "partitions");
        acquire();
        try {
            for (final TopicPartition tp : partitions) {
                assigned(tp);
            }
            for (final TopicPartition tp : partitions) {
                assigned(tp).paused = paused;
            }
        } finally {
            release();
        }
    }

    /**
     * Asks the broker to compute the group's assignment again (this member joins again with its member id and
     * subscription; the group epoch is bumped and the assignor rerun, moving partitions only as it decides).
     *
     * @throws IllegalStateException when the consumer is not subscribed as a group member.
     */
    public void enforceRebalance() {
        acquire();
        try {
            checkOpen();
            if (group == null) {
                throw new IllegalStateException("enforceRebalance needs a group subscription ("
                    + ConsumerConfig.GROUP_ID + " and subscribe)");
            }
            group.rejoin();
        } finally {
            release();
        }
    }

    /**
     * This consumer's membership, as Kafka's {@code groupMetadata()}: group id, member epoch, member id and
     * {@code group.instance.id}.
     *
     * @return the current membership.
     * @throws SequentException (INVALID_GROUP_ID) without {@code group.id}.
     */
    public ConsumerGroupMetadata groupMetadata() {
        acquire();
        try {
            checkOpen();
            requireGroupId();
            final String instance = config.groupInstanceId();
            final GroupMember member = group;
            return new ConsumerGroupMetadata(config.groupId(), member == null ? 0 : member.epoch(),
                member == null ? "" : member.memberId(),
                instance.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(instance));
        } finally {
            release();
        }
    }

    /**
     * Reads these topics: with {@code group.id} set, as a member of that group (see
     * {@link #subscribe(Collection, ConsumerRebalanceListener)}); without, every partition of these topics
     * (replacing any assignment), nothing shared with other consumers. The topics'
     * partitions are looked up at once (so that {@link #assignment()} answers right away) and again
     * every {@code metadata.max.age.ms}; topics that do not exist yet are looked up every
     * {@code retry.backoff.ms} while polling.
     *
     * @param topics the topics; empty unsubscribes.
     */
    public void subscribe(final Collection<String> topics) {
        Objects.requireNonNull(topics, "topics");
        if (!config.groupId().isEmpty()) {
            subscribe(topics, NO_LISTENER);
            return;
        }
        acquire();
        try {
            for (final String topic : topics) {
                if (topic == null || topic.isBlank()) {
                    throw new IllegalArgumentException("invalid topic name: '" + topic + "'");
                }
            }
            pendingMetadata = null;
            pattern = null;
            if (topics.isEmpty()) {
                subscribed[0] = false;
                subscription = null;
                setAssignment(List.of());
                return;
            }
            subscribed[0] = true;
            subscription = new LinkedHashSet<>(topics);
            final List<TopicPartition> resolved = new ArrayList<>();
            try {
                final ClusterMetadata metadata = io.call(
                    new ClusterMetadata.MetadataCall(List.copyOf(subscription), requestTimeoutNs));
                final boolean complete = resolve(metadata, resolved);
                nextMetadataNs = System.nanoTime() + (complete ? metadataMaxAgeNs : retryBackoffNs);
            } catch (final SequentException ex) {
                LOG.warn("consumer {}: metadata of {} not available yet: {}", io.clientId(), subscription,
                    ex.getMessage());
                nextMetadataNs = System.nanoTime();
            }
            setAssignment(resolved);
        } finally {
            release();
        }
    }

    /**
     * Stops reading everything.
     */
    public void unsubscribe() {
        subscribe(List.of());
    }

    /**
     * The partitions this consumer reads.
     *
     * @return a snapshot of the assignment.
     */
    public Set<TopicPartition> assignment() {
        acquire();
        try {
            return assignment.partitions();
        } finally {
            release();
        }
    }

    /**
     * The current subscription.
     *
     * @return the subscribed topics, empty in assign mode.
     */
    public Set<String> subscription() {
        acquire();
        try {
            return subscription == null ? Set.of() : Set.copyOf(subscription);
        } finally {
            release();
        }
    }

    /**
     * Returns the records fetched since the last call, up to {@code max.poll.records}, waiting up to
     * {@code timeout} when there are none. Fetches are sent ahead (one in flight per partition while
     * the application processes the previous records).
     *
     * @param timeout the longest wait; zero returns what is already there.
     * @return the records, possibly none.
     * @throws IllegalStateException       when nothing is assigned or subscribed.
     * @throws OffsetOutOfRangeException   with {@code auto.offset.reset=none} for a position outside the log.
     * @throws UnknownTopicException       for an assigned partition that does not exist.
     * @throws WakeupException             after {@link #wakeup()}.
     */
    public ConsumerRecords poll(final Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        acquire();
        try {
            checkOpen();
            if (assignment.isEmpty() && subscription == null) {
                throw new IllegalStateException(
                    "the consumer is not subscribed to any topic nor assigned any partition");
            }
            final Thread self = Thread.currentThread();
            waiter = self;
            pollIdle.reset();
            final long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
            while (true) {
                checkWakeup();
                final long now = System.nanoTime();
                updatePattern(now);
                pollGroup(now, self);
                updateSubscription(now);
                fetcher.processCompletions(now);
                updatePositions(now);
                final LinkedHashMap<TopicPartition, List<ConsumerRecord>> records =
                    fetcher.collect(config.maxPollRecords());
                fetcher.sendFetches(now, self);
                if (records != null) {
                    return ConsumerRecords.of(records);
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return ConsumerRecords.EMPTY;
                }
                if (io.callerDriven()) {
                    // caller mode: this thread runs the I/O while it waits
                    pollIdle.idle(io.step());
                } else {
                    LockSupport.parkNanos(this, Math.min(remaining, MAX_PARK_NS));
                }
            }
        } finally {
            waiter = null;
            release();
        }
    }

    /**
     * Makes {@code offset} the next offset {@link #poll} returns for {@code tp}.
     *
     * @param tp     an assigned partition.
     * @param offset the offset, 0 or more.
     */
    public void seek(final TopicPartition tp, final long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("seek offset must not be negative: " + offset);
        }
        acquire();
        try {
            final PartitionState state = assigned(tp);
            moved(state);
            state.position = offset;
            state.reset = PartitionState.RESET_NONE;
        } finally {
            release();
        }
    }

    /**
     * Moves these partitions to their log start, evaluated lazily (at the next {@link #poll} or
     * {@link #position}).
     *
     * @param partitions assigned partitions; empty means all.
     */
    public void seekToBeginning(final Collection<TopicPartition> partitions) {
        requestReset(partitions, PartitionState.RESET_EARLIEST);
    }

    /**
     * Moves these partitions to their high watermark, evaluated lazily (at the next {@link #poll} or
     * {@link #position}).
     *
     * @param partitions assigned partitions; empty means all.
     */
    public void seekToEnd(final Collection<TopicPartition> partitions) {
        requestReset(partitions, PartitionState.RESET_LATEST);
    }

    /**
     * The next offset {@link #poll} returns for {@code tp}; resolves a pending reset first (a
     * ListOffsets round trip).
     *
     * @param tp an assigned partition.
     * @return the position.
     * @throws NoOffsetForPartitionException without a position when {@code auto.offset.reset=none}.
     */
    public long position(final TopicPartition tp) {
        acquire();
        try {
            checkOpen();
            final PartitionState state = assigned(tp);
            if (state.position < 0) {
                final int strategy = state.reset != PartitionState.RESET_NONE ? state.reset : resetPolicy;
                if (strategy == PartitionState.RESET_NONE) {
                    throw new NoOffsetForPartitionException(noOffsetMessage(tp));
                }
                final long target = strategy == PartitionState.RESET_EARLIEST
                    ? ListOffsetsCall.EARLIEST : ListOffsetsCall.LATEST;
                final long epoch = state.epoch;
                final List<ListOffsetsCall.Result> results = io.call(new ListOffsetsCall(tp.topic(),
                    new int[] {tp.partition()}, new long[] {target}, isolation, null, requestTimeoutNs));
                final ListOffsetsCall.Result result = ListOffsetsCall.find(results, tp.partition());
                checkResult(tp, result);
                if (state.epoch == epoch && state.position < 0) {
                    state.position = result.offset();
                    state.reset = PartitionState.RESET_NONE;
                    state.resetInFlight = false;
                }
            }
            return state.position;
        } finally {
            release();
        }
    }

    /**
     * For each partition, the first offset whose record timestamp is at or after the given one.
     *
     * @param timestamps epoch ms per partition (any partitions, assigned or not).
     * @return per partition the offset and its record's timestamp, or a null value when no record is
     *     that recent.
     */
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(final Map<TopicPartition, Long> timestamps) {
        Objects.requireNonNull(timestamps, "timestamps");
        acquire();
        try {
            checkOpen();
            final Map<TopicPartition, ListOffsetsCall.Result> results = lookup(timestamps.keySet(), tp -> {
                final Long timestamp = timestamps.get(tp);
                if (timestamp == null || timestamp < 0) {
                    throw new IllegalArgumentException("invalid timestamp for " + tp + ": " + timestamp);
                }
                return timestamp;
            });
            final Map<TopicPartition, OffsetAndTimestamp> answer = new LinkedHashMap<>();
            for (final Map.Entry<TopicPartition, ListOffsetsCall.Result> e : results.entrySet()) {
                final ListOffsetsCall.Result r = e.getValue();
                answer.put(e.getKey(), r.offset() < 0 ? null : new OffsetAndTimestamp(r.offset(), r.timestamp()));
            }
            return answer;
        } finally {
            release();
        }
    }

    /**
     * The log start offsets of these partitions.
     *
     * @param partitions any partitions.
     * @return per partition its first offset.
     */
    public Map<TopicPartition, Long> beginningOffsets(final Collection<TopicPartition> partitions) {
        return offsets(partitions, ListOffsetsCall.EARLIEST);
    }

    /**
     * The high watermarks of these partitions: the offset the next committed record will get.
     *
     * @param partitions any partitions.
     * @return per partition its end offset.
     */
    public Map<TopicPartition, Long> endOffsets(final Collection<TopicPartition> partitions) {
        return offsets(partitions, ListOffsetsCall.LATEST);
    }

    /**
     * The partitions of a topic.
     *
     * @param topic the topic.
     * @return its partitions; empty when the topic does not exist (as Kafka's consumer answers).
     */
    public List<PartitionInfo> partitionsFor(final String topic) {
        Objects.requireNonNull(topic, "topic");
        acquire();
        try {
            checkOpen();
            final ClusterMetadata metadata =
                io.call(new ClusterMetadata.MetadataCall(List.of(topic), requestTimeoutNs));
            final ClusterMetadata.Topic t = metadata.topics().get(topic);
            if (t == null || t.errorCode() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
                return List.of();
            }
            if (t.errorCode() != ErrorCode.NONE) {
                throw SequentException.of(t.errorCode(), "metadata of topic " + topic + ": " + t.errorCode());
            }
            return ClusterMetadata.partitionInfos(t);
        } finally {
            release();
        }
    }

    /**
     * Interrupts a {@link #poll} in progress, or the next one, with {@link WakeupException}. The one
     * method another thread may call.
     */
    public void wakeup() {
        wakeup = true;
        final Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Ends the session and stops the I/O thread.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        acquire();
        try {
            try {
                leaveGroup();
            } catch (final RuntimeException ex) {
                LOG.warn("consumer {}: leaving the group at close failed: {}", io.clientId(), ex.toString());
            }
            closed = true;
            io.close();
            fetcher.close();
        } finally {
            release();
        }
    }

    /**
     * Commits the positions of every assigned partition (the offsets after the records {@link #poll} returned)
     * and waits until they are durable on the broker.
     *
     * @throws SequentException (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) when this member was fenced meanwhile,
     *                          or the broker's error.
     */
    public void commitSync() {
        commitSync(currentPositions());
    }

    /**
     * Commits these offsets for the group and waits until they are durable on the broker.
     *
     * @param offsets the next offset to read per partition.
     * @throws SequentException the broker's error, or the first partition's.
     */
    public void commitSync(final Map<TopicPartition, OffsetAndMetadata> offsets) {
        Objects.requireNonNull(offsets, "offsets");
        acquire();
        try {
            checkOpen();
            completeCommits(true);
            if (offsets.isEmpty()) {
                return;
            }
            checkPartitionResults(io.call(commitCall(offsets)));
        } finally {
            release();
        }
    }

    /** Commits the positions of every assigned partition without waiting; failures are logged. */
    public void commitAsync() {
        commitAsync(currentPositions(), null);
    }

    /**
     * Commits the positions of every assigned partition without waiting.
     *
     * @param callback told of the outcome from a later {@link #poll}, {@link #commitSync} or {@link #close}.
     */
    public void commitAsync(final OffsetCommitCallback callback) {
        commitAsync(currentPositions(), callback);
    }

    /**
     * Commits these offsets without waiting.
     *
     * @param offsets  the next offset to read per partition.
     * @param callback told of the outcome from a later {@link #poll}, {@link #commitSync} or {@link #close};
     *                 null to only log failures.
     */
    public void commitAsync(final Map<TopicPartition, OffsetAndMetadata> offsets, final OffsetCommitCallback callback) {
        Objects.requireNonNull(offsets, "offsets");
        acquire();
        try {
            checkOpen();
            if (offsets.isEmpty()) {
                return;
            }
            final GroupCalls.CommitCall call = commitCall(offsets);
            final Thread thread = Thread.currentThread();
            call.future.whenComplete((r, e) -> LockSupport.unpark(thread));
            pendingCommits.add(new AsyncCommit(call, callback));
            io.submit(call);
        } finally {
            release();
        }
    }

    /**
     * The group's committed offsets of these partitions.
     *
     * @param partitions the partitions.
     * @return per partition its committed offset, or null where none is committed.
     */
    public Map<TopicPartition, OffsetAndMetadata> committed(final Set<TopicPartition> partitions) {
        Objects.requireNonNull(partitions, "partitions");
        acquire();
        try {
            checkOpen();
            requireGroupId();
            final Map<TopicPartition, OffsetAndMetadata> found =
                io.call(new GroupCalls.OffsetFetchCall(config.groupId(), partitions, requestTimeoutNs));
            final Map<TopicPartition, OffsetAndMetadata> answer = new LinkedHashMap<>();
            for (final TopicPartition tp : partitions) {
                answer.put(tp, found.get(tp));
            }
            return answer;
        } finally {
            release();
        }
    }

    private void requireGroupId() {
        if (config.groupId().isEmpty()) {
            throw SequentException.of(ErrorCode.INVALID_GROUP_ID,
                "committed offsets belong to a group: set " + ConsumerConfig.GROUP_ID);
        }
    }

    private GroupCalls.CommitCall commitCall(final Map<TopicPartition, OffsetAndMetadata> offsets) {
        requireGroupId();
        final boolean member = group != null && group.isMember();
        return new GroupCalls.CommitCall(config.groupId(), member ? group.memberId() : "",
            member ? group.epoch() : -1, offsets, requestTimeoutNs);
    }

    private static void checkPartitionResults(final Map<TopicPartition, ErrorCode> results) {
        for (final Map.Entry<TopicPartition, ErrorCode> e : results.entrySet()) {
            if (e.getValue() != ErrorCode.NONE) {
                throw SequentException.of(e.getValue(), "offset commit of " + e.getKey() + " failed: " + e.getValue());
            }
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> currentPositions() {
        final Map<TopicPartition, OffsetAndMetadata> positions = new LinkedHashMap<>();
        for (final PartitionState state : assignment.list) {
            if (state.position >= 0) {
                positions.put(state.tp, new OffsetAndMetadata(state.position));
            }
        }
        return positions;
    }

    /** Tells the callbacks of finished async commits (all of them, waiting, when {@code all}). */
    private void completeCommits(final boolean all) {
        for (int i = 0; i < pendingCommits.size(); i++) {
            final AsyncCommit commit = pendingCommits.get(i);
            if (!all && !commit.call().future.isDone()) {
                continue;
            }
            pendingCommits.remove(i--);
            Exception failure = null;
            try {
                checkPartitionResults(
                    io.await(commit.call().future, TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs) + 2_000));
            } catch (final RuntimeException ex) {
                failure = ex;
            }
            if (commit.callback() != null) {
                commit.callback().onComplete(commit.call().offsets, failure);
            } else if (failure != null) {
                LOG.warn("consumer {}: offset commit failed: {}", io.clientId(), failure.getMessage());
            }
        }
    }

    /** Heartbeats, reconciles a new assignment, auto-commits. Calling thread, from poll. */
    private void pollGroup(final long now, final Thread self) {
        completeCommits(false);
        if (group == null) {
            return;
        }
        final GroupMember.Event event = group.poll(now, self);
        if (event == GroupMember.Event.FENCED) {
            final Set<TopicPartition> lost = group.owned();
            setAssignment(List.of());
            try {
                if (!lost.isEmpty()) {
                    listener.onPartitionsLost(lost);
                }
            } finally {
                group.rejoinAfterFenced();
            }
        } else if (event == GroupMember.Event.ASSIGNMENT) {
            reconcile(group.assignment());
        }
        if (config.enableAutoCommit() && now - nextAutoCommitNs >= 0) {
            nextAutoCommitNs = now + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
            if (group.isMember()) {
                final Map<TopicPartition, OffsetAndMetadata> positions = currentPositions();
                if (!positions.isEmpty()) {
                    commitAsync(positions, null);
                }
            }
        }
    }

    /**
     * Moves to the broker's assignment: commits (auto-commit) and revokes what leaves, adopts what arrives at
     * the group's committed offsets, then reports what it owns.
     */
    private void reconcile(final Set<TopicPartition> target) {
        final Set<TopicPartition> owned = group.owned();
        final List<TopicPartition> revoked = new ArrayList<>();
        for (final TopicPartition tp : owned) {
            if (!target.contains(tp)) {
                revoked.add(tp);
            }
        }
        final List<TopicPartition> added = new ArrayList<>();
        for (final TopicPartition tp : target) {
            if (!owned.contains(tp)) {
                added.add(tp);
            }
        }
        if (!revoked.isEmpty()) {
            if (config.enableAutoCommit()) {
                final Map<TopicPartition, OffsetAndMetadata> positions = new LinkedHashMap<>();
                for (final TopicPartition tp : revoked) {
                    final PartitionState state = assignment.get(tp);
                    if (state != null && state.position >= 0) {
                        positions.put(tp, new OffsetAndMetadata(state.position));
                    }
                }
                try {
                    commitSync(positions);
                } catch (final SequentException ex) {
                    LOG.warn("consumer {}: committing revoked partitions {} failed: {}", io.clientId(), revoked,
                        ex.getMessage());
                }
            }
            listener.onPartitionsRevoked(revoked);
        }
        final List<TopicPartition> next = new ArrayList<>();
        for (final TopicPartition tp : owned) {
            if (target.contains(tp)) {
                next.add(tp);
            }
        }
        next.addAll(added);
        setAssignment(next);
        if (!added.isEmpty()) {
            final Map<TopicPartition, OffsetAndMetadata> committed =
                io.call(new GroupCalls.OffsetFetchCall(config.groupId(), added, requestTimeoutNs));
            for (final TopicPartition tp : added) {
                final OffsetAndMetadata offset = committed.get(tp);
                if (offset != null) {
                    final PartitionState state = assignment.get(tp);
                    state.position = offset.offset();
                    state.reset = PartitionState.RESET_NONE;
                }
            }
        }
        group.owned(new java.util.HashSet<>(next));
        if (!added.isEmpty()) {
            listener.onPartitionsAssigned(added);
        }
    }

    /** Commits (auto-commit), revokes everything and leaves the group, if a member. */
    private void leaveGroup() {
        final GroupMember member = group;
        if (member == null) {
            return;
        }
        try {
            if (member.isMember() && !member.owned().isEmpty()) {
                if (config.enableAutoCommit()) {
                    try {
                        commitSync(currentPositions());
                    } catch (final SequentException ex) {
                        LOG.warn("consumer {}: final commit failed: {}", io.clientId(), ex.getMessage());
                    }
                }
                listener.onPartitionsRevoked(List.copyOf(member.owned()));
            }
            completeCommits(true);
        } finally {
            group = null;
            setAssignment(List.of());
            member.leave();
            groupWork.member = null;
        }
    }

    /**
     * @return the client id used with the broker.
     */
    public String clientId() {
        return io.clientId();
    }

    private Map<TopicPartition, Long> offsets(final Collection<TopicPartition> partitions, final long which) {
        Objects.requireNonNull(partitions, "partitions");
        acquire();
        try {
            checkOpen();
            final Map<TopicPartition, ListOffsetsCall.Result> results = lookup(partitions, tp -> which);
            final Map<TopicPartition, Long> answer = new LinkedHashMap<>();
            for (final Map.Entry<TopicPartition, ListOffsetsCall.Result> e : results.entrySet()) {
                answer.put(e.getKey(), e.getValue().offset());
            }
            return answer;
        } finally {
            release();
        }
    }

    /**
     * ListOffsets per topic, all sent before waiting. {@code targetOf} gives
     * {@link ListOffsetsCall#EARLIEST}, {@link ListOffsetsCall#LATEST} or a timestamp.
     */
    private Map<TopicPartition, ListOffsetsCall.Result> lookup(
        final Collection<TopicPartition> partitions, final ToLongFunction<TopicPartition> targetOf) {
        final Map<String, List<TopicPartition>> byTopic = new LinkedHashMap<>();
        for (final TopicPartition tp : partitions) {
            Objects.requireNonNull(tp, "partition");
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp);
        }
        final List<ListOffsetsCall> calls = new ArrayList<>();
        for (final Map.Entry<String, List<TopicPartition>> e : byTopic.entrySet()) {
            final List<TopicPartition> tps = e.getValue();
            final int n = tps.size();
            final int[] ids = new int[n];
            final long[] targets = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = tps.get(i).partition();
                targets[i] = targetOf.applyAsLong(tps.get(i));
            }
            final ListOffsetsCall call =
                new ListOffsetsCall(e.getKey(), ids, targets, isolation, null, requestTimeoutNs);
            io.submit(call);
            calls.add(call);
        }
        final Map<TopicPartition, ListOffsetsCall.Result> answer = new LinkedHashMap<>();
        final long waitMs = TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs) + 2_000;
        for (final ListOffsetsCall call : calls) {
            final List<ListOffsetsCall.Result> results = io.await(call.future, waitMs);
            for (final TopicPartition tp : byTopic.get(call.topic)) {
                final ListOffsetsCall.Result result = ListOffsetsCall.find(results, tp.partition());
                checkResult(tp, result);
                answer.put(tp, result);
            }
        }
        return answer;
    }

    private static void checkResult(final TopicPartition tp, final ListOffsetsCall.Result result) {
        if (result == null) {
            throw new SequentException(ErrorCode.UNKNOWN_SERVER_ERROR, "the broker did not answer for " + tp);
        }
        if (result.errorCode() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            throw new UnknownTopicException("partition " + tp + " does not exist");
        }
        if (result.errorCode() != ErrorCode.NONE) {
            throw SequentException.of(result.errorCode(), "offset lookup for " + tp + " failed: " + result.errorCode());
        }
    }

    private void requestReset(final Collection<TopicPartition> partitions, final int reset) {
        Objects.requireNonNull(partitions, "partitions");
        acquire();
        try {
            final Collection<TopicPartition> targets = partitions.isEmpty() ? assignment.partitions() : partitions;
            for (final TopicPartition tp : targets) {
                final PartitionState state = assigned(tp);
                moved(state);
                state.position = -1;
                state.reset = reset;
            }
        } finally {
            release();
        }
    }

    /** The position is about to be set from outside: forget what was fetched for the old one. */
    private void moved(final PartitionState state) {
        fetcher.releaseData(state);
        state.epoch = assignment.newEpoch();
        state.fetchInFlight = false;
        state.resetInFlight = false;
        state.retryAtNs = System.nanoTime();
    }

    private PartitionState assigned(final TopicPartition tp) {
        Objects.requireNonNull(tp, "partition");
        final PartitionState state = assignment.get(tp);
        if (state == null) {
            throw new IllegalStateException("no current assignment for partition " + tp);
        }
        return state;
    }

    private void setAssignment(final Collection<TopicPartition> partitions) {
        for (final PartitionState removed : assignment.set(partitions)) {
            fetcher.releaseData(removed);
        }
    }

    private boolean resolve(final ClusterMetadata metadata, final List<TopicPartition> out) {
        boolean complete = true;
        for (final String topic : subscription) {
            final ClusterMetadata.Topic t = metadata.topics().get(topic);
            if (t == null || t.errorCode() != ErrorCode.NONE || t.partitionCount() <= 0) {
                complete = false;
                continue;
            }
            for (int p = 0; p < t.partitionCount(); p++) {
                out.add(new TopicPartition(topic, p));
            }
        }
        return complete;
    }

    /** Looks the topics up again when due and moves the pattern subscription to the matching ones. */
    private void updatePattern(final long now) {
        if (pattern == null) {
            return;
        }
        final ClusterMetadata.MetadataCall call = pendingPatternMetadata;
        if (call != null) {
            if (!call.future.isDone()) {
                return;
            }
            pendingPatternMetadata = null;
            if (call.future.isCompletedExceptionally()) {
                nextPatternNs = now + retryBackoffNs;
                return;
            }
            nextPatternNs = now + metadataMaxAgeNs;
            final LinkedHashSet<String> matched = new LinkedHashSet<>();
            for (final ClusterMetadata.Topic topic : new java.util.TreeMap<>(call.future.join().topics()).values()) {
                if (!topic.internal() && topic.errorCode() == ErrorCode.NONE
                    && pattern.matcher(topic.name()).matches()) {
                    matched.add(topic.name());
                }
            }
            if (matched.equals(subscription)) {
                return;
            }
            LOG.info("consumer {}: topics matching {} are now {}", io.clientId(), pattern, matched);
            subscription = matched;
            if (group != null) {
                if (!matched.isEmpty()) {
                    group.subscribe(matched);
                }
            } else {
                pendingMetadata = null;
                nextMetadataNs = now;
            }
            return;
        }
        if (now - nextPatternNs >= 0) {
            final ClusterMetadata.MetadataCall next = new ClusterMetadata.MetadataCall(List.of(), requestTimeoutNs);
            final Thread thread = Thread.currentThread();
            next.future.whenComplete((r, e) -> LockSupport.unpark(thread));
            pendingPatternMetadata = next;
            io.submit(next);
        }
    }

    private void updateSubscription(final long now) {
        if (subscription == null || group != null) {
            return;
        }
        if (fetcher.takeMetadataStale()) {
            nextMetadataNs = Math.min(nextMetadataNs, now + retryBackoffNs);
        }
        final ClusterMetadata.MetadataCall call = pendingMetadata;
        if (call != null) {
            if (!call.future.isDone()) {
                return;
            }
            pendingMetadata = null;
            if (call.future.isCompletedExceptionally()) {
                nextMetadataNs = now + retryBackoffNs;
            } else {
                final List<TopicPartition> resolved = new ArrayList<>();
                final boolean complete = resolve(call.future.join(), resolved);
                nextMetadataNs = now + (complete ? metadataMaxAgeNs : retryBackoffNs);
                if (!resolved.equals(new ArrayList<>(assignment.partitions()))) {
                    setAssignment(resolved);
                }
            }
            return;
        }
        if (now - nextMetadataNs >= 0) {
            final ClusterMetadata.MetadataCall next =
                new ClusterMetadata.MetadataCall(List.copyOf(subscription), requestTimeoutNs);
            final Thread thread = Thread.currentThread();
            next.future.whenComplete((r, e) -> LockSupport.unpark(thread));
            pendingMetadata = next;
            io.submit(next);
        }
    }

    /**
     * Applies finished offset lookups and starts lookups for partitions without a position.
     */
    private void updatePositions(final long now) {
        SequentException failure = null;
        for (int i = pendingResets.size() - 1; i >= 0; i--) {
            final ListOffsetsCall call = pendingResets.get(i);
            if (!call.future.isDone()) {
                continue;
            }
            pendingResets.remove(i);
            List<ListOffsetsCall.Result> results = null;
            SequentException error = null;
            try {
                results = call.future.join();
            } catch (final RuntimeException ex) {
                error = ex.getCause() instanceof SequentException se ? se
                    : new SequentException(ErrorCode.NULL_VAL, String.valueOf(ex.getCause()), ex);
            }
            for (int p = 0; p < call.partitions.length; p++) {
                final PartitionState state = assignment.get(call.topic, call.partitions[p]);
                if (state == null || state.epoch != call.epochs[p]) {
                    continue;
                }
                state.resetInFlight = false;
                final ListOffsetsCall.Result result =
                    results == null ? null : ListOffsetsCall.find(results, state.partition);
                final ErrorCode code = error != null ? error.errorCode()
                    : result == null ? ErrorCode.UNKNOWN_SERVER_ERROR : result.errorCode();
                if (code == ErrorCode.NONE && result.offset() >= 0) {
                    state.position = result.offset();
                    state.reset = PartitionState.RESET_NONE;
                } else {
                    state.retryAtNs = now + retryBackoffNs;
                    final boolean retriable = error != null ? error.isRetriable() : SequentException.isRetriable(code);
                    if (code == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && !subscribed[0] && failure == null) {
                        failure = new UnknownTopicException("partition " + state.tp + " does not exist");
                    } else if (!retriable && code != ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && code != ErrorCode.NONE
                        && failure == null) {
                        failure = error != null ? error : SequentException.of(code, "offset lookup for " + state.tp);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        final ArrayList<String> topics = assignment.topics;
        for (int t = 0; t < topics.size(); t++) {
            final String topic = topics.get(t);
            List<PartitionState> needing = null;
            for (final PartitionState state : assignment.topicStates(topic)) {
                if (state == null || state.position >= 0 && state.reset == PartitionState.RESET_NONE
                    || state.resetInFlight || now - state.retryAtNs < 0) {
                    continue;
                }
                final int strategy = state.reset != PartitionState.RESET_NONE ? state.reset : resetPolicy;
                if (strategy == PartitionState.RESET_NONE) {
                    throw new NoOffsetForPartitionException(noOffsetMessage(state.tp));
                }
                if (needing == null) {
                    needing = new ArrayList<>();
                }
                needing.add(state);
            }
            if (needing != null) {
                final int n = needing.size();
                final int[] ids = new int[n];
                final long[] targets = new long[n];
                final long[] epochs = new long[n];
                for (int i = 0; i < n; i++) {
                    final PartitionState state = needing.get(i);
                    final int strategy = state.reset != PartitionState.RESET_NONE ? state.reset : resetPolicy;
                    ids[i] = state.partition;
                    targets[i] =
                        strategy == PartitionState.RESET_EARLIEST ? ListOffsetsCall.EARLIEST : ListOffsetsCall.LATEST;
                    epochs[i] = state.epoch;
                    state.resetInFlight = true;
                }
                final ListOffsetsCall call =
                    new ListOffsetsCall(topic, ids, targets, isolation, epochs, requestTimeoutNs);
                final Thread thread = Thread.currentThread();
                call.future.whenComplete((r, e) -> LockSupport.unpark(thread));
                pendingResets.add(call);
                io.submit(call);
            }
        }
    }

    private static String noOffsetMessage(final TopicPartition tp) {
        return "no position for partition " + tp + " and " + ConsumerConfig.AUTO_OFFSET_RESET + " is none: seek first";
    }

    private void checkWakeup() {
        if (wakeup) {
            wakeup = false;
            throw new WakeupException();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the consumer is closed");
        }
    }

    private void acquire() {
        final long thread = Thread.currentThread().getId();
        if (owner.get() == thread) {
            ownerDepth++;
            return;
        }
        if (!owner.compareAndSet(NO_OWNER, thread)) {
            throw new ConcurrentModificationException("the consumer is not safe for multi-threaded access");
        }
        ownerDepth = 1;
    }

    private void release() {
        if (--ownerDepth == 0) {
            owner.set(NO_OWNER);
        }
    }

    /**
     * @return the I/O side, for tests in this package.
     */
    ClientIo io() {
        return io;
    }
}

package io.sequent.client;

import java.io.File;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import io.sequent.codec.FrameError;
import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.client.Acks;
import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ConfigSource;
import io.sequent.codec.client.ConnectRequestDecoder;
import io.sequent.codec.client.ConnectResponseEncoder;
import io.sequent.codec.client.CreateTopicsRequestDecoder;
import io.sequent.codec.client.CreateTopicsResponseEncoder;
import io.sequent.codec.client.DeleteTopicsRequestDecoder;
import io.sequent.codec.client.DeleteTopicsResponseEncoder;
import io.sequent.codec.client.DescribeConfigsRequestDecoder;
import io.sequent.codec.client.DescribeConfigsResponseEncoder;
import io.sequent.codec.client.DisconnectRequestDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.ErrorResponseEncoder;
import io.sequent.codec.client.FetchRequestDecoder;
import io.sequent.codec.client.FetchResponseEncoder;
import io.sequent.codec.client.InitProducerIdRequestDecoder;
import io.sequent.codec.client.InitProducerIdResponseEncoder;
import io.sequent.codec.client.ListOffsetsRequestDecoder;
import io.sequent.codec.client.ListOffsetsResponseEncoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataRequestDecoder;
import io.sequent.codec.client.MetadataResponseEncoder;
import io.sequent.codec.client.OffsetSpec;
import io.sequent.codec.client.ProduceRequestDecoder;
import io.sequent.codec.client.ProduceResponseEncoder;
import io.sequent.codec.client.ResourceType;

/**
 * A test-only broker: one thread answering the client protocol over Aeron from in-memory logs, with
 * scripted faults (back-pressure, dropped requests, error answers, redirects). It implements the
 * session rules of docs/protocol-sessions.md and the idempotence rules of docs/write-path.md closely
 * enough to exercise the client; it is not the real broker.
 *
 * <p>Several fake brokers can play the members of one replica group ({@link Group}): each answers
 * the handshake and metadata naming every member and the group's leader; a member that is not the
 * leader answers produce, admin and InitProducerId requests {@code NOT_LEADER} (with the leader hint
 * where the response has one) and serves fetches from its own log, which a test fills by copying a
 * member's logs ({@link #copyFrom}), as replication would. Producer ids and epochs are shared by the
 * group (the real group keeps them in its replicated metadata log).
 *
 * <p>All state is guarded by this object's monitor: the broker thread holds it while handling a
 * message, tests take it through the synchronized helpers.
 */
final class FakeBroker implements AutoCloseable {
    static final int BROKER_ID = 1;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** A produce request as received, and what it was answered. */
    record ProduceEvent(
        String topic, int partition, long producerId, short producerEpoch, int baseSequence, int recordCount,
        Acks acks, ErrorCode answer, long baseOffset) {
    }

    /** A stored, stamped batch. */
    record StoredBatch(long baseOffset, long lastOffset, byte[] frame) {
    }

    static final class PartitionLog {
        final List<StoredBatch> batches = new ArrayList<>();
        long logStartOffset;
        long nextOffset;
    }

    static final class TopicLog {
        final String name;
        final List<PartitionLog> partitions = new ArrayList<>();
        final Map<String, String> configs = new LinkedHashMap<>();
        boolean logAppendTime;

        TopicLog(final String name, final int partitions) {
            this.name = name;
            for (int i = 0; i < partitions; i++) {
                this.partitions.add(new PartitionLog());
            }
        }
    }

    private static final class ProducerState {
        short epoch;
        int lastSequence = -1;
        final ArrayList<long[]> recent = new ArrayList<>();
    }

    private record ParkedFetch(long sessionId, DirectBuffer request, long deadlineNs) {
    }

    /** The members of a fake replica group: who they are and who leads. */
    static final class Group {
        final List<FakeBroker> members = new CopyOnWriteArrayList<>();
        final Map<Long, Short> producerEpochs = new ConcurrentHashMap<>();
        final AtomicLong nextProducerId = new AtomicLong(7000);
        volatile int leaderId = -1;
        volatile int leaderEpoch = 1;

        /** Makes {@code id} the leader in a new epoch (-1: no leader). */
        void leader(final int id) {
            leaderEpoch++;
            leaderId = id;
        }

        FakeBroker member(final int id) {
            for (final FakeBroker member : members) {
                if (member.brokerId == id) {
                    return member;
                }
            }
            return null;
        }

        String bootstrap() {
            final StringBuilder list = new StringBuilder();
            for (final FakeBroker member : members) {
                list.append(list.length() == 0 ? "" : ",").append(member.bootstrap());
            }
            return list.toString();
        }
    }

    private final int brokerId;
    private final Group group;
    private volatile boolean hintLeader = true;
    private volatile FakeBroker successor;
    private final String directory;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription ingress;
    private final int port;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean frozen;
    private volatile String lastResponseChannel;

    private final Map<String, TopicLog> topics = new LinkedHashMap<>();
    private final Map<Long, Publication> sessions = new HashMap<>();
    private final Map<String, ProducerState> producers = new HashMap<>();
    private final Map<Long, Short> producerEpochs;
    private final List<ParkedFetch> parked = new ArrayList<>();
    private final Map<Integer, AtomicInteger> drops = new HashMap<>();
    private final Map<Integer, AtomicInteger> swallows = new HashMap<>();
    private boolean mute;
    private final AtomicInteger backPressure = new AtomicInteger();
    private final AtomicInteger failProduces = new AtomicInteger();
    private volatile ErrorCode failProduceCode = ErrorCode.NONE;
    private volatile boolean answerDuplicatesWithCode;
    private volatile String redirectChannel;
    private volatile int maxBatchBytes = 1024 * 1024;
    private final List<ProduceEvent> produceEvents = new CopyOnWriteArrayList<>();
    /** Per MetadataRequest received: the topics it named, -1 for "all". */
    private final List<Integer> metadataTopicCounts = new CopyOnWriteArrayList<>();
    private final Map<Integer, AtomicInteger> received = new HashMap<>();
    private final AtomicInteger partialFrames = new AtomicInteger();
    private final AtomicLong sessionCounter = new AtomicLong(100);
    private long nextProducerId = 7000;
    private long groupSeq;
    private final List<String> memberJoins = new CopyOnWriteArrayList<>();
    /** Per partition fetched, "topic-partition" to the fetch offsets received, in order. */
    private final Map<String, List<Long>> fetchOffsets = new ConcurrentHashMap<>();

    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1 << 16);
    private final ExpandableArrayBuffer records = new ExpandableArrayBuffer(1 << 16);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final BatchReader reader = new BatchReader();

    FakeBroker() {
        this(0);
    }

    /**
     * @param port the ingress port, 0 for an ephemeral one.
     */
    FakeBroker(final int port) {
        this(port, BROKER_ID, null);
    }

    /**
     * A member of a replica group.
     *
     * @param brokerId its id.
     * @param group    the group it joins.
     */
    FakeBroker(final int brokerId, final Group group) {
        this(0, brokerId, group);
    }

    private FakeBroker(final int port, final int brokerId, final Group group) {
        this.brokerId = brokerId;
        this.group = group;
        producerEpochs = group == null ? new HashMap<>() : group.producerEpochs;
        if (group != null) {
            group.members.add(this);
        }
        directory = new File("/dev/shm", "sequent-fakebroker-" + ProcessHandle.current().pid() + "-"
            + COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime())).getAbsolutePath();
        final IdleStrategy idle = new BackoffIdleStrategy(100, 100, 1_000, 100_000);
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
        ingress = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:" + port, ClientConnection.INGRESS_STREAM_ID);
        String resolved = null;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (resolved == null && System.nanoTime() < deadline) {
            resolved = ingress.resolvedEndpoint();
            Thread.onSpinWait();
        }
        if (resolved == null) {
            throw new IllegalStateException("fake broker could not bind");
        }
        this.port = Integer.parseInt(resolved.substring(resolved.lastIndexOf(':') + 1));
        thread = new Thread(this::run, "fake-broker-" + this.port);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return the bootstrap address of this broker.
     */
    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    String directory() {
        return directory;
    }

    String ingressChannel() {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    /** @return the MTU of the newest client publication on the ingress, as its image reports it; -1 without one. */
    int ingressMtu() {
        final int count = ingress.imageCount();
        return count == 0 ? -1 : ingress.imageAtIndex(count - 1).mtuLength();
    }

    /** @return the response channel the last ConnectRequest named, or null. */
    String lastResponseChannel() {
        return lastResponseChannel;
    }

    int brokerId() {
        return brokerId;
    }

    private int leaderId() {
        return group == null ? brokerId : group.leaderId;
    }

    private int leaderEpoch() {
        return group == null ? 1 : group.leaderEpoch;
    }

    private boolean isLeader() {
        return leaderId() == brokerId;
    }

    /** The leader hint a non-leader sends with NOT_LEADER: the leader, or -1 when not hinting. */
    private int hint() {
        return hintLeader ? leaderId() : -1;
    }

    private String leaderChannel() {
        final FakeBroker leader = group == null ? this : group.member(group.leaderId);
        return leader == null ? "" : leader.ingressChannel();
    }

    /**
     * The next produce this member stores is answered NOT_LEADER naming {@code successor}: the
     * member hands its log to the successor (replication had caught up) and the leadership with it,
     * as a leader that loses its leadership answers its pending acks=all produces (outcome unknown).
     */
    void stepDownAfterStoring(final FakeBroker successor) {
        this.successor = successor;
    }

    /** Whether NOT_LEADER answers name the leader (true) or -1. */
    void hintLeader(final boolean hint) {
        hintLeader = hint;
    }

    /**
     * Replaces this member's logs and producer state with copies of another member's, as if
     * replication had caught up to it.
     */
    void copyFrom(final FakeBroker source) {
        final Map<String, TopicLog> topicsCopy = new LinkedHashMap<>();
        final Map<String, ProducerState> producersCopy = new HashMap<>();
        synchronized (source) {
            for (final TopicLog topic : source.topics.values()) {
                final TopicLog copy = new TopicLog(topic.name, 0);
                copy.configs.putAll(topic.configs);
                copy.logAppendTime = topic.logAppendTime;
                for (final PartitionLog log : topic.partitions) {
                    final PartitionLog p = new PartitionLog();
                    p.batches.addAll(log.batches);
                    p.logStartOffset = log.logStartOffset;
                    p.nextOffset = log.nextOffset;
                    copy.partitions.add(p);
                }
                topicsCopy.put(topic.name, copy);
            }
            producersCopy.putAll(source.producersCopy());
        }
        synchronized (this) {
            topics.clear();
            topics.putAll(topicsCopy);
            producers.clear();
            producers.putAll(producersCopy);
        }
    }

    /**
     * Replaces this member's producer state (not its logs) with a copy of another member's: the idempotence state a
     * replicated member rebuilds from the batches it holds, for a test whose logs differ on purpose.
     */
    void copyProducersFrom(final FakeBroker source) {
        final Map<String, ProducerState> copy;
        synchronized (source) {
            copy = source.producersCopy();
        }
        synchronized (this) {
            producers.clear();
            producers.putAll(copy);
        }
    }

    private Map<String, ProducerState> producersCopy() {
        final Map<String, ProducerState> copy = new HashMap<>();
        for (final Map.Entry<String, ProducerState> e : producers.entrySet()) {
            final ProducerState state = new ProducerState();
            state.epoch = e.getValue().epoch;
            state.lastSequence = e.getValue().lastSequence;
            for (final long[] recent : e.getValue().recent) {
                state.recent.add(recent.clone());
            }
            copy.put(e.getKey(), state);
        }
        return copy;
    }

    /** Keeps only the first {@code count} batches of a partition, as a follower that lags. */
    synchronized void keepBatches(final String topic, final int partition, final int count) {
        final PartitionLog log = topics.get(topic).partitions.get(partition);
        while (log.batches.size() > count) {
            log.batches.remove(log.batches.size() - 1);
        }
        log.nextOffset = log.batches.isEmpty() ? log.logStartOffset : log.batches.get(log.batches.size() - 1)
            .lastOffset() + 1;
    }

    /** An empty partition whose next offset is {@code offset}, as a log whose head was deleted. */
    synchronized void startAt(final String topic, final int partition, final long offset) {
        final PartitionLog log = topics.get(topic).partitions.get(partition);
        log.batches.clear();
        log.logStartOffset = offset;
        log.nextOffset = offset;
    }

    // ------------------------------------------------------------------ test controls

    synchronized void createTopic(final String name, final int partitions) {
        topics.put(name, new TopicLog(name, partitions));
    }

    synchronized void logAppendTime(final String topic) {
        topics.get(topic).logAppendTime = true;
    }

    synchronized boolean hasTopic(final String name) {
        return topics.containsKey(name);
    }

    synchronized Map<String, String> topicConfigs(final String name) {
        return new LinkedHashMap<>(topics.get(name).configs);
    }

    synchronized long endOffset(final String topic, final int partition) {
        return topics.get(topic).partitions.get(partition).nextOffset;
    }

    synchronized List<StoredBatch> batches(final String topic, final int partition) {
        return new ArrayList<>(topics.get(topic).partitions.get(partition).batches);
    }

    /** Deletes whole batches below {@code offset} and moves the log start there. */
    synchronized void truncateHead(final String topic, final int partition, final long offset) {
        final PartitionLog log = topics.get(topic).partitions.get(partition);
        log.batches.removeIf(b -> b.lastOffset() < offset);
        log.logStartOffset = offset;
    }

    /** Answers the next {@code n} produce requests BACK_PRESSURED. */
    void backPressureNext(final int n) {
        backPressure.set(n);
    }

    /** Answers the next {@code n} produce requests with {@code code}. */
    void failNextProduces(final ErrorCode code, final int n) {
        failProduceCode = code;
        failProduces.set(n);
    }

    /**
     * Every MemberJoinRequest handled, as "memberId@memberEpoch", in order. The fake coordinator takes the
     * client's member id (a broker-made one for an empty id), answers epoch 1 and assigns nothing.
     */
    /** @return the offsets the fetches for this partition started at, in the order received. */
    List<Long> fetchOffsets(final String topic, final int partition) {
        return List.copyOf(fetchOffsets.getOrDefault(topic + "-" + partition, List.of()));
    }

    List<String> memberJoins() {
        return List.copyOf(memberJoins);
    }

    /** Drops the next {@code n} requests of a template without answering. */
    synchronized void dropNext(final int templateId, final int n) {
        drops.computeIfAbsent(templateId, k -> new AtomicInteger()).set(n);
    }

    /** Handles the next {@code n} requests of a template but sends no answer. */
    synchronized void swallowNext(final int templateId, final int n) {
        swallows.computeIfAbsent(templateId, k -> new AtomicInteger()).set(n);
    }

    /** Answers ConnectRequests with NOT_LEADER and this leader channel (null to stop). */
    void redirectTo(final String channel) {
        redirectChannel = channel;
    }

    /** Answers resends already written with DUPLICATE_SEQUENCE instead of NONE + original offset. */
    void answerDuplicatesWithCode(final boolean withCode) {
        answerDuplicatesWithCode = withCode;
    }

    void maxBatchBytes(final int bytes) {
        maxBatchBytes = bytes;
    }

    /** Fetch answers whose last frame was cut short by the byte limit. */
    int partialFrames() {
        return partialFrames.get();
    }

    /** @return per MetadataRequest received, the topics it named (empty names left out), -1 for "all". */
    List<Integer> metadataTopicCounts() {
        return List.copyOf(metadataTopicCounts);
    }

    List<ProduceEvent> produceEvents() {
        return produceEvents;
    }

    synchronized int received(final int templateId) {
        final AtomicInteger count = received.get(templateId);
        return count == null ? 0 : count.get();
    }

    /**
     * Stops (or resumes) answering anything while the media driver stays up, as a process that hangs
     * or dies without its connections noticing: the client's publication stays connected and its
     * response image available, so only the client's own timers can tell.
     */
    void freeze(final boolean freeze) {
        frozen = freeze;
    }

    synchronized int sessionCount() {
        return sessions.size();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            sessions.values().forEach(CloseHelper::quietClose);
            sessions.clear();
        }
        CloseHelper.quietCloseAll(ingress, aeron, driver);
        reader.close();
        IoUtil.delete(new File(directory), true);
    }

    // ------------------------------------------------------------------ broker thread

    private void run() {
        final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
        final IdleStrategy idle = new BackoffIdleStrategy(100, 100, 1_000, 100_000);
        while (running) {
            if (frozen) {
                idle.idle(0); // a process that stopped answering: its media driver (and connections) stay up
                continue;
            }
            int work = ingress.poll(assembler, 16);
            work += serviceParkedFetches(false);
            idle.idle(work);
        }
    }

    private synchronized void onFragment(final DirectBuffer buffer, final int offset, final int length,
        final Header h) {
        if (ProtocolFrames.validate(buffer, offset, length) != FrameError.NONE) {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        received.computeIfAbsent(templateId, k -> new AtomicInteger()).incrementAndGet();
        final AtomicInteger drop = drops.get(templateId);
        if (drop != null && drop.getAndUpdate(v -> Math.max(0, v - 1)) > 0) {
            return;
        }
        final AtomicInteger swallow = swallows.get(templateId);
        mute = swallow != null && swallow.getAndUpdate(v -> Math.max(0, v - 1)) > 0;
        try {
            dispatch(buffer, offset, length, templateId);
        } finally {
            mute = false;
        }
    }

    private void dispatch(final DirectBuffer buffer, final int offset, final int length, final int templateId) {
        if (templateId == ConnectRequestDecoder.TEMPLATE_ID) {
            onConnect(buffer, offset);
            return;
        }
        final long sessionId =
            buffer.getLong(offset + ProtocolFrames.HEADER_LENGTH + ProtocolFrames.SESSION_ID_OFFSET, ORDER);
        final Publication session = sessions.get(sessionId);
        if (session == null) {
            return;
        }
        switch (templateId) {
            case DisconnectRequestDecoder.TEMPLATE_ID:
                CloseHelper.quietClose(sessions.remove(sessionId));
                break;
            case MetadataRequestDecoder.TEMPLATE_ID:
                onMetadata(session, buffer, offset);
                break;
            case CreateTopicsRequestDecoder.TEMPLATE_ID:
                onCreateTopics(session, buffer, offset);
                break;
            case DeleteTopicsRequestDecoder.TEMPLATE_ID:
                onDeleteTopics(session, buffer, offset);
                break;
            case DescribeConfigsRequestDecoder.TEMPLATE_ID:
                onDescribeConfigs(session, buffer, offset);
                break;
            case InitProducerIdRequestDecoder.TEMPLATE_ID:
                onInitProducerId(session, buffer, offset);
                break;
            case ProduceRequestDecoder.TEMPLATE_ID:
                onProduce(session, buffer, offset);
                break;
            case FetchRequestDecoder.TEMPLATE_ID:
                onFetch(sessionId, session, buffer, offset, length);
                break;
            case ListOffsetsRequestDecoder.TEMPLATE_ID:
                onListOffsets(session, buffer, offset);
                break;
            case io.sequent.codec.client.MemberJoinRequestDecoder.TEMPLATE_ID:
                onMemberJoin(session, buffer, offset);
                break;
            case io.sequent.codec.client.MemberHeartbeatRequestDecoder.TEMPLATE_ID:
                onMemberHeartbeat(session, buffer, offset);
                break;
            default:
                final ErrorResponseEncoder error = new ErrorResponseEncoder();
                error.wrapAndApplyHeader(out, 0, headerEncoder)
                    .correlationId(ProtocolFrames.correlationId(buffer, offset, length))
                    .requestTemplateId(templateId)
                    .errorCode(ErrorCode.INVALID_REQUEST)
                    .message("not supported by the fake broker");
                send(session, MessageHeaderEncoder.ENCODED_LENGTH + error.encodedLength());
        }
    }

    private void onMemberJoin(final Publication session, final DirectBuffer buffer, final int offset) {
        final io.sequent.codec.client.MemberJoinRequestDecoder request =
            new io.sequent.codec.client.MemberJoinRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        final int memberEpoch = request.memberEpoch();
        for (final io.sequent.codec.client.MemberJoinRequestDecoder.TopicsDecoder topic : request.topics()) {
            topic.name();
        }
        request.groupId();
        final String asked = request.memberId();
        final String memberId = asked.isEmpty() ? "fake-" + memberJoins.size() : asked;
        memberJoins.add(asked + "@" + memberEpoch);
        final io.sequent.codec.client.JoinGroupResponseEncoder response =
            new io.sequent.codec.client.JoinGroupResponseEncoder();
        response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .memberEpoch(1)
            .heartbeatIntervalMs(1_000)
            .errorCode(ErrorCode.NONE)
            .assignedTopicsCount(0);
        response.memberId(memberId);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
    }

    private void onMemberHeartbeat(final Publication session, final DirectBuffer buffer, final int offset) {
        final io.sequent.codec.client.MemberHeartbeatRequestDecoder request =
            new io.sequent.codec.client.MemberHeartbeatRequestDecoder().wrapAndApplyHeader(buffer, offset,
                headerDecoder);
        final long correlationId = request.correlationId();
        final io.sequent.codec.client.HeartbeatResponseEncoder response =
            new io.sequent.codec.client.HeartbeatResponseEncoder();
        response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .memberEpoch(1)
            .heartbeatIntervalMs(1_000)
            .errorCode(ErrorCode.NONE)
            .assignmentChanged(BooleanType.FALSE)
            .assignedTopicsCount(0);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
    }

    private void onConnect(final DirectBuffer buffer, final int offset) {
        final ConnectRequestDecoder request =
            new ConnectRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        final int streamId = request.responseStreamId();
        request.protocolVersion();
        final String channel = request.responseChannel();
        lastResponseChannel = channel;
        request.clientId();
        final Publication publication = aeron.addPublication(channel + "|term-length=16m", streamId);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!publication.isConnected() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        final String redirect = redirectChannel;
        final long sessionId = sessionCounter.incrementAndGet();
        final ConnectResponseEncoder response = new ConnectResponseEncoder();
        response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(redirect == null ? sessionId : -1)
            .brokerId(brokerId)
            .leaderId(redirect == null ? leaderId() : 2)
            .leaderEpoch(leaderEpoch())
            .sessionTimeoutMs(30_000)
            .protocolVersion(ConnectResponseEncoder.SCHEMA_VERSION)
            .errorCode(redirect == null ? ErrorCode.NONE : ErrorCode.NOT_LEADER)
            .leaderIngressChannel(redirect == null ? (group == null ? "" : leaderChannel()) : redirect)
            .message("");
        send(publication, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
        if (redirect == null) {
            sessions.put(sessionId, publication);
        } else {
            CloseHelper.quietClose(publication);
        }
    }

    private void onMetadata(final Publication session, final DirectBuffer buffer, final int offset) {
        final MetadataRequestDecoder request =
            new MetadataRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        request.sessionId();
        final List<String> names = new ArrayList<>();
        boolean any = false;
        for (final MetadataRequestDecoder.TopicsDecoder t : request.topics()) {
            final String name = t.name();
            any = true;
            if (!name.isEmpty()) {
                names.add(name); // an empty name describes no topic
            }
        }
        if (!any) {
            names.addAll(topics.keySet());
        }
        metadataTopicCounts.add(any ? names.size() : -1);
        final MetadataResponseEncoder response = new MetadataResponseEncoder();
        final List<FakeBroker> members = group == null ? List.of(this) : List.copyOf(group.members);
        final MetadataResponseEncoder.BrokersEncoder brokers = response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .leaderId(leaderId())
            .leaderEpoch(leaderEpoch())
            .errorCode(ErrorCode.NONE)
            .brokersCount(members.size());
        for (final FakeBroker member : members) {
            brokers.next().brokerId(member.brokerId).ingressChannel(member.ingressChannel());
        }
        final MetadataResponseEncoder.TopicsEncoder topicsEncoder = response.topicsCount(names.size());
        for (final String name : names) {
            final TopicLog topic = topics.get(name);
            topicsEncoder.next()
                .partitionCount(topic == null ? 0 : topic.partitions.size())
                .errorCode(topic == null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE)
                .internalTopic(BooleanType.FALSE);
            final int count = topic == null ? 0 : topic.partitions.size();
            final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder partitions =
                topicsEncoder.partitionsCount(count);
            for (int p = 0; p < count; p++) {
                partitions.next().partition(p).leaderId(leaderId()).leaderEpoch(leaderEpoch())
                    .errorCode(ErrorCode.NONE);
            }
            topicsEncoder.name(name);
        }
        response.clusterId("fake");
        response.message("");
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
    }

    private void onCreateTopics(final Publication session, final DirectBuffer buffer, final int offset) {
        final CreateTopicsRequestDecoder request =
            new CreateTopicsRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        request.sessionId();
        request.timeoutMs();
        request.validateOnly();
        final List<Object[]> results = new ArrayList<>();
        for (final CreateTopicsRequestDecoder.TopicsDecoder t : request.topics()) {
            final int partitions = t.partitions();
            t.replicationFactor();
            final Map<String, String> configs = new LinkedHashMap<>();
            for (final CreateTopicsRequestDecoder.TopicsDecoder.ConfigsDecoder c : t.configs()) {
                final String key = c.key();
                configs.put(key, c.value());
            }
            final String name = t.name();
            final ErrorCode code;
            if (!isLeader()) {
                code = ErrorCode.NOT_LEADER;
            } else if (topics.containsKey(name)) {
                code = ErrorCode.TOPIC_ALREADY_EXISTS;
            } else if (partitions <= 0) {
                code = ErrorCode.INVALID_PARTITIONS;
            } else if (configs.containsKey("bad.config")) {
                code = ErrorCode.INVALID_CONFIG;
            } else {
                code = ErrorCode.NONE;
                final TopicLog log = new TopicLog(name, partitions);
                log.configs.putAll(configs);
                log.logAppendTime = "LogAppendTime".equals(configs.get("message.timestamp.type"));
                topics.put(name, log);
            }
            results.add(new Object[] {name, partitions, code});
        }
        final CreateTopicsResponseEncoder response = new CreateTopicsResponseEncoder();
        final CreateTopicsResponseEncoder.TopicsEncoder group = response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .topicsCount(results.size());
        for (final Object[] r : results) {
            group.next().partitions((Integer) r[1]).errorCode((ErrorCode) r[2]).name((String) r[0])
                .message(r[2] == ErrorCode.NONE ? "" : "topic " + r[0] + ": " + r[2]);
        }
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
    }

    private void onDeleteTopics(final Publication session, final DirectBuffer buffer, final int offset) {
        final DeleteTopicsRequestDecoder request =
            new DeleteTopicsRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        request.sessionId();
        request.timeoutMs();
        final List<String> names = new ArrayList<>();
        for (final DeleteTopicsRequestDecoder.TopicsDecoder t : request.topics()) {
            names.add(t.name());
        }
        final DeleteTopicsResponseEncoder response = new DeleteTopicsResponseEncoder();
        final DeleteTopicsResponseEncoder.TopicsEncoder group = response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .topicsCount(names.size());
        for (final String name : names) {
            if (!isLeader()) {
                group.next().errorCode(ErrorCode.NOT_LEADER).name(name).message("not the leader");
                continue;
            }
            final boolean existed = topics.remove(name) != null;
            group.next().errorCode(existed ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).name(name)
                .message(existed ? "" : "no topic " + name);
        }
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
    }

    private void onDescribeConfigs(final Publication session, final DirectBuffer buffer, final int offset) {
        final DescribeConfigsRequestDecoder request =
            new DescribeConfigsRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        request.sessionId();
        final List<String> names = new ArrayList<>();
        for (final DescribeConfigsRequestDecoder.ResourcesDecoder r : request.resources()) {
            r.resourceType();
            for (final DescribeConfigsRequestDecoder.ResourcesDecoder.ConfigNamesDecoder n : r.configNames()) {
                n.name();
            }
            names.add(r.resourceName());
        }
        final DescribeConfigsResponseEncoder response = new DescribeConfigsResponseEncoder();
        final DescribeConfigsResponseEncoder.ResourcesEncoder group = response
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .resourcesCount(names.size());
        for (final String name : names) {
            final TopicLog topic = isLeader() ? topics.get(name) : null;
            group.next().errorCode(!isLeader() ? ErrorCode.NOT_LEADER
                : topic == null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE)
                .resourceType(ResourceType.TOPIC);
            final Map<String, String> configs = new LinkedHashMap<>();
            final Map<String, ConfigSource> sources = new LinkedHashMap<>();
            if (topic != null) {
                configs.put("retention.ms", "604800000");
                sources.put("retention.ms", ConfigSource.DEFAULT);
                for (final Map.Entry<String, String> e : topic.configs.entrySet()) {
                    configs.put(e.getKey(), e.getValue());
                    sources.put(e.getKey(), ConfigSource.TOPIC);
                }
            }
            final DescribeConfigsResponseEncoder.ResourcesEncoder.ConfigsEncoder entries =
                group.configsCount(configs.size());
            for (final Map.Entry<String, String> e : configs.entrySet()) {
                entries.next().source(sources.get(e.getKey())).readOnly(BooleanType.FALSE).sensitive(BooleanType.FALSE)
                    .key(e.getKey()).value(e.getValue());
            }
            group.resourceName(name).message(topic == null ? "no topic " + name : "");
        }
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
    }

    private void onInitProducerId(final Publication session, final DirectBuffer buffer, final int offset) {
        final InitProducerIdRequestDecoder request =
            new InitProducerIdRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        request.sessionId();
        long producerId = request.producerId();
        short epoch = request.producerEpoch();
        if (!isLeader()) {
            final InitProducerIdResponseEncoder refusal = new InitProducerIdResponseEncoder();
            refusal.wrapAndApplyHeader(out, 0, headerEncoder)
                .correlationId(correlationId)
                .producerId(-1)
                .producerEpoch((short) -1)
                .errorCode(ErrorCode.NOT_LEADER);
            send(session, MessageHeaderEncoder.ENCODED_LENGTH + refusal.encodedLength());
            return;
        }
        if (producerId < 0) {
            producerId = group == null ? nextProducerId++ : group.nextProducerId.getAndIncrement();
            epoch = 0;
        } else {
            epoch = (short) (producerEpochs.getOrDefault(producerId, epoch) + 1);
        }
        producerEpochs.put(producerId, epoch);
        final InitProducerIdResponseEncoder response = new InitProducerIdResponseEncoder();
        response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .producerId(producerId)
            .producerEpoch(epoch)
            .errorCode(ErrorCode.NONE);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
    }

    private void onProduce(final Publication session, final DirectBuffer buffer, final int offset) {
        final ProduceRequestDecoder request =
            new ProduceRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        request.sessionId();
        final int partition = request.partition();
        request.timeoutMs();
        final Acks acks = request.acks();
        final String topicName = request.topic();
        final int batchLength = request.batchLength();
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        request.wrapBatch(view);
        final byte[] frame = new byte[batchLength];
        view.getBytes(0, frame);
        final UnsafeBuffer batch = new UnsafeBuffer(frame);

        final boolean valid = batchLength >= Batches.MIN_FRAME_LENGTH;
        final long producerId = valid ? Batches.producerId(batch, 0) : -1;
        final short producerEpoch = valid ? Batches.producerEpoch(batch, 0) : -1;
        final int baseSequence = valid ? Batches.baseSequence(batch, 0) : -1;
        final int count = valid ? Batches.recordCount(batch, 0) : 0;

        ErrorCode code = ErrorCode.NONE;
        long baseOffset = -1;
        long appendTime = -1;
        final TopicLog topic = topics.get(topicName);
        if (!isLeader()) {
            code = ErrorCode.NOT_LEADER;
        } else if (backPressure.getAndUpdate(v -> Math.max(0, v - 1)) > 0) {
            code = ErrorCode.BACK_PRESSURED;
        } else if (failProduces.getAndUpdate(v -> Math.max(0, v - 1)) > 0) {
            code = failProduceCode;
        } else if (topic == null || partition < 0 || partition >= topic.partitions.size()) {
            code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (Batches.validate(batch, 0, batchLength) != BatchError.NONE) {
            code = ErrorCode.CORRUPT_MESSAGE;
        } else if (batchLength > maxBatchBytes) {
            code = ErrorCode.RECORD_TOO_LARGE;
        } else {
            final PartitionLog log = topic.partitions.get(partition);
            ProducerState state = null;
            if (producerId >= 0) {
                final String key = producerId + "/" + topicName + "/" + partition;
                state = producers.get(key);
                final Short current = producerEpochs.get(producerId);
                if (current == null) {
                    code = ErrorCode.UNKNOWN_PRODUCER_ID;
                } else if (producerEpoch < current) {
                    code = ErrorCode.INVALID_PRODUCER_EPOCH;
                } else if (state == null || producerEpoch > state.epoch) {
                    if (baseSequence != 0) {
                        code = ErrorCode.OUT_OF_ORDER_SEQUENCE;
                    } else {
                        state = new ProducerState();
                        state.epoch = producerEpoch;
                        producers.put(key, state);
                    }
                } else {
                    for (final long[] recent : state.recent) {
                        if (recent[0] == baseSequence) {
                            code = answerDuplicatesWithCode ? ErrorCode.DUPLICATE_SEQUENCE : ErrorCode.NONE;
                            baseOffset = recent[1];
                            break;
                        }
                    }
                    if (baseOffset < 0 && baseSequence != PartitionQueue.nextSequence(state.lastSequence, 1)) {
                        code = ErrorCode.OUT_OF_ORDER_SEQUENCE;
                    }
                }
            }
            if (code == ErrorCode.NONE && baseOffset < 0) {
                baseOffset = log.nextOffset;
                if (topic.logAppendTime) {
                    appendTime = System.currentTimeMillis();
                    Batches.stamp(batch, 0, baseOffset, groupSeq++, 1, appendTime);
                } else {
                    Batches.stamp(batch, 0, baseOffset, groupSeq++, 1);
                }
                log.batches.add(new StoredBatch(baseOffset, baseOffset + count - 1, frame));
                log.nextOffset += count;
                if (state != null) {
                    state.lastSequence = PartitionQueue.nextSequence(baseSequence, count - 1);
                    state.recent.add(new long[] {baseSequence, baseOffset});
                    if (state.recent.size() > 5) {
                        state.recent.remove(0);
                    }
                }
            }
        }
        final FakeBroker next = successor;
        if (code == ErrorCode.NONE && next != null) {
            successor = null;
            next.copyFrom(this);
            group.leader(next.brokerId);
            code = ErrorCode.NOT_LEADER;
        }
        produceEvents.add(new ProduceEvent(
            topicName, partition, producerId, producerEpoch, baseSequence, count, acks, code, baseOffset));
        if (acks != Acks.NONE) {
            final ProduceResponseEncoder response = new ProduceResponseEncoder();
            response.wrapAndApplyHeader(out, 0, headerEncoder)
                .correlationId(correlationId)
                .baseOffset(code == ErrorCode.NONE || code == ErrorCode.DUPLICATE_SEQUENCE ? baseOffset : -1)
                .logAppendTime(appendTime)
                .partition(partition)
                .leaderId(code == ErrorCode.NOT_LEADER ? hint() : -1)
                .errorCode(code)
                .logStartOffset(topic == null || partition < 0 || partition >= topic.partitions.size() ? -1
                    : topic.partitions.get(partition).logStartOffset);
            send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
        }
        if (code == ErrorCode.NONE) {
            serviceParkedFetches(true);
        }
    }

    private void onFetch(
        final long sessionId, final Publication session, final DirectBuffer buffer, final int offset,
            final int length) {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, buffer, offset, length);
        final FetchRequestDecoder logged = new FetchRequestDecoder().wrapAndApplyHeader(copy, 0, headerDecoder);
        final List<long[]> fetched = new ArrayList<>();
        for (final FetchRequestDecoder.PartitionsDecoder p : logged.partitions()) {
            fetched.add(new long[] {p.partition(), p.fetchOffset()});
        }
        final String fetchedTopic = logged.topic();
        for (final long[] f : fetched) {
            fetchOffsets.computeIfAbsent(fetchedTopic + "-" + f[0], k -> new CopyOnWriteArrayList<>()).add(f[1]);
        }
        if (!answerFetch(session, copy, false)) {
            final FetchRequestDecoder request = new FetchRequestDecoder().wrapAndApplyHeader(copy, 0, headerDecoder);
            request.correlationId();
            request.sessionId();
            final int maxWaitMs = request.maxWaitMs();
            parked.add(new ParkedFetch(sessionId, copy, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs)));
        }
    }

    private synchronized int serviceParkedFetches(final boolean dataArrived) {
        int work = 0;
        final long now = System.nanoTime();
        for (final Iterator<ParkedFetch> it = parked.iterator(); it.hasNext();) {
            final ParkedFetch fetch = it.next();
            final Publication session = sessions.get(fetch.sessionId());
            if (session == null) {
                it.remove();
                continue;
            }
            final boolean expired = now - fetch.deadlineNs() >= 0;
            if ((dataArrived || expired) && answerFetch(session, fetch.request(), expired)) {
                it.remove();
                work++;
            }
        }
        return work;
    }

    /** Answers a fetch when it has enough bytes, or when {@code force}; returns false to park it. */
    private boolean answerFetch(final Publication session, final DirectBuffer buffer, final boolean force) {
        final FetchRequestDecoder request = new FetchRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        final long correlationId = request.correlationId();
        request.sessionId();
        final int maxWaitMs = request.maxWaitMs();
        final int minBytes = request.minBytes();
        int remainingTotal = request.maxBytes();
        request.isolation();
        final List<long[]> wanted = new ArrayList<>();
        for (final FetchRequestDecoder.PartitionsDecoder p : request.partitions()) {
            wanted.add(new long[] {p.fetchOffset(), p.partition(), p.partitionMaxBytes()});
        }
        final String topicName = request.topic();
        request.rackId();
        final TopicLog topic = topics.get(topicName);

        final List<Object[]> answers = new ArrayList<>();
        int total = 0;
        boolean error = false;
        for (final long[] w : wanted) {
            final long fetchOffset = w[0];
            final int partition = (int) w[1];
            final int partitionMax = (int) w[2];
            if (topic == null || partition >= topic.partitions.size()) {
                answers.add(new Object[] {partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1L, -1L, new byte[0]});
                error = true;
                continue;
            }
            final PartitionLog log = topic.partitions.get(partition);
            if (fetchOffset < log.logStartOffset || fetchOffset > log.nextOffset) {
                answers.add(new Object[] {partition, ErrorCode.OFFSET_OUT_OF_RANGE, log.nextOffset, log.logStartOffset,
                    new byte[0]});
                error = true;
                continue;
            }
            final int limit = Math.min(partitionMax, Math.max(0, remainingTotal));
            int used = 0;
            records.setMemory(0, limit + 8, (byte) 0);
            for (final StoredBatch stored : log.batches) {
                if (stored.lastOffset() < fetchOffset) {
                    continue;
                }
                final int aligned = Batches.alignedLength(stored.frame().length);
                if (used + stored.frame().length <= limit) {
                    records.putBytes(used, stored.frame());
                    used += Math.min(aligned, limit - used);
                } else {
                    final int partial = limit - used;
                    records.putBytes(used, stored.frame(), 0, partial);
                    used += partial;
                    if (partial > 0) {
                        partialFrames.incrementAndGet();
                    }
                    break;
                }
            }
            final byte[] bytes = new byte[used];
            records.getBytes(0, bytes);
            total += used;
            remainingTotal -= used;
            answers.add(new Object[] {partition, ErrorCode.NONE, log.nextOffset, log.logStartOffset, bytes});
        }
        if (!force && !error && total < Math.max(1, minBytes) && maxWaitMs > 0) {
            return false;
        }
        final FetchResponseEncoder response = new FetchResponseEncoder();
        final FetchResponseEncoder.PartitionsEncoder group = response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .leaderId(leaderId())
            .errorCode(ErrorCode.NONE)
            .partitionsCount(answers.size());
        for (final Object[] a : answers) {
            final byte[] bytes = (byte[]) a[4];
            group.next().highWatermark((Long) a[2]).logStartOffset((Long) a[3]).partition((Integer) a[0])
                .errorCode((ErrorCode) a[1]).putRecords(bytes, 0, bytes.length);
        }
        response.topic(topicName);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
        return true;
    }

    private void onListOffsets(final Publication session, final DirectBuffer buffer, final int offset) {
        final ListOffsetsRequestDecoder request =
            new ListOffsetsRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = request.correlationId();
        request.sessionId();
        request.isolation();
        final List<Object[]> asked = new ArrayList<>();
        for (final ListOffsetsRequestDecoder.PartitionsDecoder p : request.partitions()) {
            final long timestamp = p.timestamp();
            final int partition = p.partition();
            asked.add(new Object[] {timestamp, partition, p.spec()});
        }
        final String topicName = request.topic();
        final TopicLog topic = topics.get(topicName);
        final ListOffsetsResponseEncoder response = new ListOffsetsResponseEncoder();
        final ListOffsetsResponseEncoder.PartitionsEncoder group = response.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .partitionsCount(asked.size());
        for (final Object[] a : asked) {
            final int partition = (Integer) a[1];
            long resultOffset = -1;
            long resultTimestamp = -1;
            ErrorCode code = ErrorCode.NONE;
            if (topic == null || partition < 0 || partition >= topic.partitions.size()) {
                code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            } else {
                final PartitionLog log = topic.partitions.get(partition);
                final OffsetSpec spec = (OffsetSpec) a[2];
                if (spec == OffsetSpec.EARLIEST) {
                    resultOffset = log.logStartOffset;
                } else if (spec == OffsetSpec.LATEST) {
                    resultOffset = log.nextOffset;
                } else {
                    final long target = (Long) a[0];
                    search:
                    for (final StoredBatch stored : log.batches) {
                        final UnsafeBuffer frame = new UnsafeBuffer(stored.frame());
                        if (reader.wrap(frame, 0, stored.frame().length) != BatchError.NONE) {
                            continue;
                        }
                        while (reader.next()) {
                            if (reader.offset() >= log.logStartOffset && reader.timestamp() >= target) {
                                resultOffset = reader.offset();
                                resultTimestamp = reader.timestamp();
                                break search;
                            }
                        }
                    }
                }
            }
            group.next().offset(resultOffset).timestamp(resultTimestamp).partition(partition).errorCode(code);
        }
        response.topic(topicName);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
    }

    private void send(final Publication publication, final int length) {
        if (mute) {
            return;
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            final long result = publication.offer(out, 0, length);
            if (result > 0 || result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                return;
            }
            Thread.onSpinWait();
        }
    }
}

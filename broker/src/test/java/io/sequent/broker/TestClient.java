package io.sequent.broker;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.sequent.codec.FrameError;
import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.client.Acks;
import io.sequent.codec.client.AlterConfigOp;
import io.sequent.codec.client.AlterConfigsRequestEncoder;
import io.sequent.codec.client.AlterConfigsResponseDecoder;
import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ClusterStatusRequestEncoder;
import io.sequent.codec.client.ClusterStatusResponseDecoder;
import io.sequent.codec.client.ConnectRequestEncoder;
import io.sequent.codec.client.ConnectResponseDecoder;
import io.sequent.codec.client.CreateTopicsRequestEncoder;
import io.sequent.codec.client.CreateTopicsResponseDecoder;
import io.sequent.codec.client.DeleteTopicsRequestEncoder;
import io.sequent.codec.client.DeleteTopicsResponseDecoder;
import io.sequent.codec.client.DescribeConfigsRequestEncoder;
import io.sequent.codec.client.DescribeConfigsResponseDecoder;
import io.sequent.codec.client.DisconnectRequestEncoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.ErrorResponseDecoder;
import io.sequent.codec.client.FetchRequestEncoder;
import io.sequent.codec.client.FetchResponseDecoder;
import io.sequent.codec.client.InitProducerIdRequestEncoder;
import io.sequent.codec.client.InitProducerIdResponseDecoder;
import io.sequent.codec.client.IsolationLevel;
import io.sequent.codec.client.ListOffsetsRequestEncoder;
import io.sequent.codec.client.ListOffsetsResponseDecoder;
import io.sequent.codec.client.MemberRole;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataRequestEncoder;
import io.sequent.codec.client.MetadataResponseDecoder;
import io.sequent.codec.client.OffsetSpec;
import io.sequent.codec.client.ProduceRequestEncoder;
import io.sequent.codec.client.ProduceResponseDecoder;
import io.sequent.codec.client.ResourceType;
import io.sequent.codec.client.TransferLeadershipRequestEncoder;
import io.sequent.codec.client.TransferLeadershipResponseDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A raw client for tests: its own Aeron client on the broker's media driver, a response subscription on an
 * ephemeral port, an exclusive publication to the broker's ingress, and SBE encoders and decoders used directly.
 * Every response frame is checked with {@link ProtocolFrames#validate} before it is kept. Every wait has a deadline.
 */
final class TestClient implements AutoCloseable {
    static final long TIMEOUT_MS = 10_000;

    private final Aeron aeron;
    private final Subscription responses;
    private final ExclusivePublication ingress;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final Map<Long, Response> received = new HashMap<>();
    private final List<Response> uncorrelated = new ArrayList<>();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private long nextCorrelationId = 1;
    private long sessionId = -1;
    private String responseParams = "";
    int invalidResponses;

    /** One response frame, copied. */
    static final class Response {
        final int templateId;
        final UnsafeBuffer frame;

        Response(final int templateId, final UnsafeBuffer frame) {
            this.templateId = templateId;
            this.frame = frame;
        }
    }

    TestClient(final Broker broker) {
        this(broker.aeronDirectoryName(), broker.ingressChannel());
    }

    TestClient(final String aeronDir, final String ingressChannel) {
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        responses = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 1002);
        ingress = aeron.addExclusivePublication(ingressChannel + "|term-length=16m", BrokerContext.INGRESS_STREAM_ID);
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (null == responses.tryResolveChannelEndpointPort() || !ingress.isConnected()) {
            if (System.currentTimeMillis() > deadline) {
                fail("client could not resolve its response port or connect to " + ingressChannel);
            }
            sleep(1);
        }
    }

    static void sleep(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    String responseChannel() {
        return responses.tryResolveChannelEndpointPort();
    }

    /** @param params Aeron channel parameters ({@code |mtu=4096}) the ConnectRequest adds to the response channel. */
    void responseParams(final String params) {
        responseParams = params;
    }

    /** @return the MTU of the broker's response publication, as the response image reports it; -1 without one. */
    int responseMtu() {
        return responses.imageCount() == 0 ? -1 : responses.imageAtIndex(0).mtuLength();
    }

    long sessionId() {
        return sessionId;
    }

    void sessionId(final long sessionId) {
        this.sessionId = sessionId;
    }

    long nextCorrelationId() {
        return nextCorrelationId++;
    }

    Publication ingress() {
        return ingress;
    }

    /** Opens a session and returns the ConnectResponse. */
    ConnectResponseDecoder connect(final String clientId) {
        return connect(clientId, ConnectRequestEncoder.SCHEMA_VERSION);
    }

    /** Opens a session speaking {@code protocolVersion}. */
    ConnectResponseDecoder connect(final String clientId, final int protocolVersion) {
        final long correlationId = nextCorrelationId();
        final ConnectRequestEncoder encoder = new ConnectRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .responseStreamId(1002)
            .protocolVersion(protocolVersion)
            .responseChannel(responseChannel() + responseParams)
            .clientId(clientId);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        assertEquals(ConnectResponseDecoder.TEMPLATE_ID, response.templateId, "expected a ConnectResponse");
        final ConnectResponseDecoder decoder = new ConnectResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        decoder.sbeRewind();
        final long sid = decoder.sessionId();
        if (decoder.errorCode() == ErrorCode.NONE) {
            sessionId = sid;
        }
        decoder.sbeRewind();
        return decoder;
    }

    /** Offers {@code [0, length)} of the encoding buffer, retrying until the deadline. */
    void send(final int length) {
        sendRaw(buffer, 0, length);
    }

    void sendRaw(final DirectBuffer source, final int offset, final int length) {
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        long result;
        while ((result = ingress.offer(source, offset, length)) < 0) {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                fail("ingress publication closed");
            }
            if (System.currentTimeMillis() > deadline) {
                fail("could not send to the broker: " + result);
            }
            Thread.yield();
        }
    }

    MutableDirectBuffer buffer() {
        return buffer;
    }

    MessageHeaderEncoder headerEncoder() {
        return headerEncoder;
    }

    int poll() {
        return responses.poll(assembler, 64);
    }

    private void onFragment(final DirectBuffer frame, final int offset, final int length, final Header header) {
        if (ProtocolFrames.validate(frame, offset, length) != FrameError.NONE) {
            invalidResponses++;
            return;
        }
        final byte[] copy = new byte[length];
        frame.getBytes(offset, copy);
        final UnsafeBuffer copied = new UnsafeBuffer(copy);
        headerDecoder.wrap(copied, 0);
        final Response response = new Response(headerDecoder.templateId(), copied);
        final long correlationId = ProtocolFrames.correlationId(copied, 0, length);
        if (correlationId == ProtocolFrames.NO_CORRELATION_ID || received.containsKey(correlationId)) {
            uncorrelated.add(response);
        } else {
            received.put(correlationId, response);
        }
    }

    /** Waits for the response to {@code correlationId}. */
    Response await(final long correlationId) {
        return await(correlationId, TIMEOUT_MS);
    }

    Response await(final long correlationId, final long timeoutMs) {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!received.containsKey(correlationId)) {
            if (System.currentTimeMillis() > deadline) {
                fail("no response to correlation id " + correlationId + " within " + timeoutMs + " ms; threads:\n" +
                    brokerThreads());
            }
            idle.idle(poll());
        }
        return received.remove(correlationId);
    }

    /** Stack traces of the broker's threads, to explain a missing response. */
    static String brokerThreads() {
        final StringBuilder out = new StringBuilder();
        for (final Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            if (entry.getKey().getName().startsWith("sequent-") || entry.getKey().getName().contains("aeron")) {
                out.append(entry.getKey().getName()).append('\n');
                for (final StackTraceElement element : entry.getValue()) {
                    out.append("    at ").append(element).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** Polls for {@code ms} and returns the response to {@code correlationId} if one came, else null. */
    Response pollFor(final long correlationId, final long ms) {
        final long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline) {
            idle.idle(poll());
        }
        return received.remove(correlationId);
    }

    void clearUncorrelated() {
        uncorrelated.clear();
    }

    /** Waits for an ErrorResponse that could not carry a correlation id. */
    Response awaitUncorrelated(final long timeoutMs) {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (uncorrelated.isEmpty()) {
            if (System.currentTimeMillis() > deadline) {
                fail("no uncorrelated response within " + timeoutMs + " ms");
            }
            idle.idle(poll());
        }
        return uncorrelated.remove(0);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Requests
    // ------------------------------------------------------------------------------------------------------------

    long sendProduce(final String topic, final int partition, final Acks acks, final DirectBuffer batch,
        final int batchOffset, final int batchLength, final int timeoutMs) {
        final long correlationId = nextCorrelationId();
        final ProduceRequestEncoder encoder = new ProduceRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .partition(partition)
            .timeoutMs(timeoutMs)
            .acks(acks)
            .topic(topic)
            .putBatch(batch, batchOffset, batchLength);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        return correlationId;
    }

    /** The outcome of a produce request. */
    static final class ProduceResult {
        final ErrorCode code;
        final long baseOffset;
        final long logAppendTime;
        final int partition;
        final long logStartOffset;
        final int leaderId;

        ProduceResult(final ProduceResponseDecoder decoder) {
            decoder.correlationId();
            baseOffset = decoder.baseOffset();
            logAppendTime = decoder.logAppendTime();
            partition = decoder.partition();
            leaderId = decoder.leaderId();
            code = decoder.errorCode();
            logStartOffset = decoder.logStartOffset();
        }

        @Override
        public String toString() {
            return code + "@" + baseOffset;
        }
    }

    ProduceResult produce(final String topic, final int partition, final Acks acks, final UnsafeBuffer batch) {
        final long correlationId = sendProduce(topic, partition, acks, batch, 0, batch.capacity(), 0);
        return produceResult(await(correlationId));
    }

    static ProduceResult produceResult(final Response response) {
        assertEquals(ProduceResponseDecoder.TEMPLATE_ID, response.templateId, "expected a ProduceResponse, got " +
            describe(response));
        final ProduceResponseDecoder decoder = new ProduceResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        return new ProduceResult(decoder);
    }

    /** One partition of a fetch response. */
    static final class FetchedPartition {
        long highWatermark;
        long logStartOffset;
        int partition;
        ErrorCode code;
        UnsafeBuffer records;
    }

    /** A fetch response. */
    static final class FetchResult {
        ErrorCode code;
        String topic;
        final List<FetchedPartition> partitions = new ArrayList<>();

        FetchedPartition partition(final int id) {
            for (final FetchedPartition partition : partitions) {
                if (partition.partition == id) {
                    return partition;
                }
            }
            return null;
        }
    }

    long sendFetch(final String topic, final int maxWaitMs, final int minBytes, final int maxBytes,
        final int[] partitions, final long[] offsets) {
        final long correlationId = nextCorrelationId();
        final FetchRequestEncoder encoder = new FetchRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .maxWaitMs(maxWaitMs)
            .minBytes(minBytes)
            .maxBytes(maxBytes)
            .isolation(IsolationLevel.READ_COMMITTED);
        final FetchRequestEncoder.PartitionsEncoder entries = encoder.partitionsCount(partitions.length);
        for (int i = 0; i < partitions.length; i++) {
            entries.next().fetchOffset(offsets[i]).partition(partitions[i]).partitionMaxBytes(0);
        }
        encoder.topic(topic).rackId("");
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        return correlationId;
    }

    FetchResult fetch(final String topic, final int partition, final long offset, final int maxWaitMs,
        final int maxBytes) {
        return fetchResult(await(sendFetch(topic, maxWaitMs, 1, maxBytes, new int[]{partition}, new long[]{offset})));
    }

    static FetchResult fetchResult(final Response response) {
        assertEquals(FetchResponseDecoder.TEMPLATE_ID, response.templateId, "expected a FetchResponse, got " +
            describe(response));
        final FetchResponseDecoder decoder = new FetchResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        final FetchResult result = new FetchResult();
        decoder.correlationId();
        decoder.leaderId();
        result.code = decoder.errorCode();
        for (final FetchResponseDecoder.PartitionsDecoder entry : decoder.partitions()) {
            final FetchedPartition partition = new FetchedPartition();
            partition.highWatermark = entry.highWatermark();
            partition.logStartOffset = entry.logStartOffset();
            partition.partition = entry.partition();
            partition.code = entry.errorCode();
            final byte[] records = new byte[entry.recordsLength()];
            entry.getRecords(records, 0, records.length);
            partition.records = new UnsafeBuffer(records);
            result.partitions.add(partition);
        }
        result.topic = decoder.topic();
        return result;
    }

    /** One partition of a ListOffsets response. */
    static final class ListedOffset {
        long offset;
        long timestamp;
        int partition;
        ErrorCode code;
    }

    List<ListedOffset> listOffsets(final String topic, final int[] partitions, final OffsetSpec[] specs,
        final long[] timestamps) {
        final long correlationId = nextCorrelationId();
        final ListOffsetsRequestEncoder encoder = new ListOffsetsRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .isolation(IsolationLevel.READ_COMMITTED);
        final ListOffsetsRequestEncoder.PartitionsEncoder entries = encoder.partitionsCount(partitions.length);
        for (int i = 0; i < partitions.length; i++) {
            entries.next().timestamp(timestamps[i]).partition(partitions[i]).spec(specs[i]);
        }
        encoder.topic(topic);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        assertEquals(ListOffsetsResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final ListOffsetsResponseDecoder decoder = new ListOffsetsResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        decoder.correlationId();
        final List<ListedOffset> result = new ArrayList<>();
        for (final ListOffsetsResponseDecoder.PartitionsDecoder entry : decoder.partitions()) {
            final ListedOffset listed = new ListedOffset();
            listed.offset = entry.offset();
            listed.timestamp = entry.timestamp();
            listed.partition = entry.partition();
            listed.code = entry.errorCode();
            result.add(listed);
        }
        assertEquals(topic, decoder.topic());
        return result;
    }

    ListedOffset listOffset(final String topic, final int partition, final OffsetSpec spec, final long timestamp) {
        return listOffsets(topic, new int[]{partition}, new OffsetSpec[]{spec}, new long[]{timestamp}).get(0);
    }

    /** One topic of a metadata response. */
    static final class TopicMetadata {
        String name;
        int partitionCount;
        ErrorCode code;
        boolean internal;
        final List<Integer> partitions = new ArrayList<>();
        final List<Integer> leaders = new ArrayList<>();
    }

    /** A metadata response. */
    static final class Metadata {
        int leaderId;
        final Map<Integer, String> brokers = new LinkedHashMap<>();
        final Map<String, TopicMetadata> topics = new LinkedHashMap<>();
        String clusterId;
    }

    Metadata metadata(final String... topics) {
        final long correlationId = nextCorrelationId();
        final MetadataRequestEncoder encoder = new MetadataRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId).sessionId(sessionId);
        final MetadataRequestEncoder.TopicsEncoder entries = encoder.topicsCount(topics.length);
        for (final String topic : topics) {
            entries.next().name(topic);
        }
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        assertEquals(MetadataResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final MetadataResponseDecoder decoder = new MetadataResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        final Metadata metadata = new Metadata();
        decoder.correlationId();
        metadata.leaderId = decoder.leaderId();
        decoder.leaderEpoch();
        decoder.errorCode();
        for (final MetadataResponseDecoder.BrokersDecoder broker : decoder.brokers()) {
            final int id = broker.brokerId();
            metadata.brokers.put(id, broker.ingressChannel());
        }
        for (final MetadataResponseDecoder.TopicsDecoder topic : decoder.topics()) {
            final TopicMetadata entry = new TopicMetadata();
            entry.partitionCount = topic.partitionCount();
            entry.code = topic.errorCode();
            entry.internal = topic.internalTopic() == BooleanType.TRUE;
            for (final MetadataResponseDecoder.TopicsDecoder.PartitionsDecoder partition : topic.partitions()) {
                entry.partitions.add(partition.partition());
                entry.leaders.add(partition.leaderId());
                partition.leaderEpoch();
                partition.errorCode();
            }
            entry.name = topic.name();
            metadata.topics.put(entry.name, entry);
        }
        metadata.clusterId = decoder.clusterId();
        return metadata;
    }

    /** The outcome for one topic of a create or delete request. */
    static final class TopicResult {
        String name;
        int partitions;
        ErrorCode code;
        String message;

        @Override
        public String toString() {
            return name + ":" + code + " " + message;
        }
    }

    TopicResult createTopic(final String name, final int partitions, final String... configs) {
        return createTopics(false, new String[]{name}, new int[]{partitions}, configs).get(0);
    }

    List<TopicResult> createTopics(
        final boolean validateOnly, final String[] names, final int[] partitions, final String... configs) {
        final long correlationId = nextCorrelationId();
        final CreateTopicsRequestEncoder encoder = new CreateTopicsRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .timeoutMs(10_000)
            .validateOnly(validateOnly ? BooleanType.TRUE : BooleanType.FALSE);
        final CreateTopicsRequestEncoder.TopicsEncoder topics = encoder.topicsCount(names.length);
        for (int i = 0; i < names.length; i++) {
            topics.next().partitions(partitions[i]).replicationFactor((short) -1);
            final CreateTopicsRequestEncoder.TopicsEncoder.ConfigsEncoder entries =
                topics.configsCount(configs.length);
            for (final String config : configs) {
                final int eq = config.indexOf('=');
                entries.next().key(config.substring(0, eq)).value(config.substring(eq + 1));
            }
            topics.name(names[i]);
        }
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        if (response.templateId == ErrorResponseDecoder.TEMPLATE_ID) {
            final ErrorReply reply = errorReply(response);
            final TopicResult result = new TopicResult();
            result.name = names[0];
            result.code = reply.code;
            result.message = reply.message;
            return List.of(result);
        }
        assertEquals(CreateTopicsResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final CreateTopicsResponseDecoder decoder = new CreateTopicsResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        decoder.correlationId();
        final List<TopicResult> results = new ArrayList<>();
        for (final CreateTopicsResponseDecoder.TopicsDecoder topic : decoder.topics()) {
            final TopicResult result = new TopicResult();
            result.partitions = topic.partitions();
            result.code = topic.errorCode();
            result.name = topic.name();
            result.message = topic.message();
            results.add(result);
        }
        return results;
    }

    TopicResult deleteTopic(final String name) {
        final long correlationId = nextCorrelationId();
        final DeleteTopicsRequestEncoder encoder = new DeleteTopicsRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .timeoutMs(10_000)
            .topicsCount(1).next().name(name);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        assertEquals(DeleteTopicsResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final DeleteTopicsResponseDecoder decoder = new DeleteTopicsResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        decoder.correlationId();
        final TopicResult result = new TopicResult();
        for (final DeleteTopicsResponseDecoder.TopicsDecoder topic : decoder.topics()) {
            result.code = topic.errorCode();
            result.name = topic.name();
            result.message = topic.message();
        }
        return result;
    }

    /** A DescribeConfigs answer for one resource. */
    static final class Described {
        ErrorCode code;
        String message;
        final Map<String, String> values = new LinkedHashMap<>();
        final Map<String, String> sources = new LinkedHashMap<>();
    }

    Described describeTopic(final String name, final String... keys) {
        return describe(ResourceType.TOPIC, name, keys);
    }

    Described describe(final ResourceType type, final String name, final String... keys) {
        final long correlationId = nextCorrelationId();
        final DescribeConfigsRequestEncoder encoder = new DescribeConfigsRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId).sessionId(sessionId);
        final DescribeConfigsRequestEncoder.ResourcesEncoder resource = encoder.resourcesCount(1).next();
        resource.resourceType(type);
        final DescribeConfigsRequestEncoder.ResourcesEncoder.ConfigNamesEncoder names =
            resource.configNamesCount(keys.length);
        for (final String key : keys) {
            names.next().name(key);
        }
        resource.resourceName(name);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        assertEquals(DescribeConfigsResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final DescribeConfigsResponseDecoder decoder = new DescribeConfigsResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        decoder.correlationId();
        final Described described = new Described();
        for (final DescribeConfigsResponseDecoder.ResourcesDecoder entry : decoder.resources()) {
            described.code = entry.errorCode();
            entry.resourceType();
            for (final DescribeConfigsResponseDecoder.ResourcesDecoder.ConfigsDecoder config : entry.configs()) {
                final String source = config.source().name();
                config.readOnly();
                config.sensitive();
                final String key = config.key();
                described.values.put(key, config.value());
                described.sources.put(key, source);
            }
            entry.resourceName();
            described.message = entry.message();
        }
        return described;
    }

    TopicResult alterTopic(final String name, final AlterConfigOp op, final String key, final String value) {
        final long correlationId = nextCorrelationId();
        final AlterConfigsRequestEncoder encoder = new AlterConfigsRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .validateOnly(BooleanType.FALSE);
        final AlterConfigsRequestEncoder.ResourcesEncoder resource = encoder.resourcesCount(1).next();
        resource.resourceType(ResourceType.TOPIC);
        resource.configsCount(1).next().operation(op).key(key).value(value);
        resource.resourceName(name);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        assertEquals(AlterConfigsResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final AlterConfigsResponseDecoder decoder = new AlterConfigsResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        decoder.correlationId();
        final TopicResult result = new TopicResult();
        for (final AlterConfigsResponseDecoder.ResourcesDecoder entry : decoder.resources()) {
            result.code = entry.errorCode();
            entry.resourceType();
            result.name = entry.resourceName();
            result.message = entry.message();
        }
        return result;
    }

    /** Returns {producerId, producerEpoch, errorCode ordinal}. */
    long[] initProducerId(final long producerId, final short epoch) {
        final long correlationId = nextCorrelationId();
        final InitProducerIdRequestEncoder encoder = new InitProducerIdRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .producerId(producerId)
            .producerEpoch(epoch);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        assertEquals(InitProducerIdResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final InitProducerIdResponseDecoder decoder = new InitProducerIdResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        decoder.correlationId();
        return new long[]{decoder.producerId(), decoder.producerEpoch(), decoder.errorCode().value()};
    }

    void disconnect() {
        final DisconnectRequestEncoder encoder = new DisconnectRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(nextCorrelationId()).sessionId(sessionId);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /** An ErrorResponse's code and message. */
    static final class ErrorReply {
        long correlationId;
        int requestTemplateId;
        ErrorCode code;
        String message;

        @Override
        public String toString() {
            return code + " (" + message + ") for template " + requestTemplateId;
        }
    }

    /** One member's row of a ClusterStatusResponse. */
    static final class MemberStatus {
        int memberId;
        MemberRole role;
        int epoch;
        int leaderId;
        long commitSeq;
        long logEndSeq;
        long lagBatches;
        long lagBytes;
        long lastContactMsAgo;
        boolean behindRetention;
        String ingressChannel;
    }

    /** A ClusterStatusResponse: who answered and its rows. */
    static final class ClusterStatus {
        ErrorCode code;
        int memberId;
        int leaderId;
        int epoch;
        final List<MemberStatus> members = new ArrayList<>();
    }

    ClusterStatus clusterStatus() {
        final long correlationId = nextCorrelationId();
        final ClusterStatusRequestEncoder encoder = new ClusterStatusRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId).sessionId(sessionId);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId);
        assertEquals(ClusterStatusResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final ClusterStatusResponseDecoder decoder = new ClusterStatusResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        final ClusterStatus status = new ClusterStatus();
        decoder.correlationId();
        status.code = decoder.errorCode();
        status.memberId = decoder.memberId();
        status.leaderId = decoder.leaderId();
        status.epoch = decoder.epoch();
        for (final ClusterStatusResponseDecoder.MembersDecoder m : decoder.members()) {
            final MemberStatus row = new MemberStatus();
            row.logEndSeq = m.logEndSeq();
            row.commitSeq = m.commitSeq();
            row.lagBatches = m.lagBatches();
            row.lagBytes = m.lagBytes();
            row.lastContactMsAgo = m.lastContactMsAgo();
            row.memberId = m.memberId();
            row.epoch = m.epoch();
            row.leaderId = m.leaderId();
            row.role = m.role();
            row.behindRetention = m.behindRetention() == BooleanType.TRUE;
            row.ingressChannel = m.ingressChannel();
            status.members.add(row);
        }
        decoder.message();
        return status;
    }

    /** Sends TransferLeadership and returns {errorCode ordinal-free: code, leaderId} as the answer. */
    Object[] transferLeadership(final int targetId, final int timeoutMs) {
        final long correlationId = nextCorrelationId();
        final TransferLeadershipRequestEncoder encoder = new TransferLeadershipRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId).sessionId(sessionId)
            .timeoutMs(timeoutMs).targetId(targetId);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Response response = await(correlationId, 30_000);
        assertEquals(TransferLeadershipResponseDecoder.TEMPLATE_ID, response.templateId, describe(response));
        final TransferLeadershipResponseDecoder decoder = new TransferLeadershipResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        decoder.correlationId();
        final ErrorCode code = decoder.errorCode();
        final int leader = decoder.leaderId();
        decoder.epoch();
        return new Object[]{code, leader, decoder.message()};
    }

    /** Sends a MemberJoinRequest (dynamic, STICKY, 10 s session) for one topic; returns the response frame. */
    Response memberJoin(final String groupId, final String memberId, final String topic) {
        final long correlationId = nextCorrelationId();
        final io.sequent.codec.client.MemberJoinRequestEncoder encoder =
            new io.sequent.codec.client.MemberJoinRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .sessionTimeoutMs(10_000)
            .rebalanceTimeoutMs(10_000)
            .maxPollIntervalMs(0)
            .assignor(io.sequent.codec.client.Assignor.STICKY)
            .memberEpoch(GroupCoordinator.JOIN_EPOCH)
            .topicsCount(1).next().name(topic);
        encoder.groupId(groupId).memberId(memberId).instanceId("");
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        return await(correlationId);
    }

    /** The member id and epoch of a JoinGroupResponse. */
    static Object[] joined(final Response response) {
        assertEquals(io.sequent.codec.client.JoinGroupResponseDecoder.TEMPLATE_ID, response.templateId,
            "expected a JoinGroupResponse, got " + describe(response));
        final io.sequent.codec.client.JoinGroupResponseDecoder decoder =
            new io.sequent.codec.client.JoinGroupResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        final int epoch = decoder.memberEpoch();
        for (final io.sequent.codec.client.JoinGroupResponseDecoder.AssignedTopicsDecoder topic :
            decoder.assignedTopics()) {
            topic.partitions().forEach(p -> p.partition());
            topic.topic();
        }
        return new Object[]{decoder.memberId(), epoch};
    }

    /** Sends a MemberHeartbeatRequest owning nothing; returns the response frame. */
    Response memberHeartbeat(final String groupId, final String memberId, final int memberEpoch) {
        final long correlationId = nextCorrelationId();
        final io.sequent.codec.client.MemberHeartbeatRequestEncoder encoder =
            new io.sequent.codec.client.MemberHeartbeatRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .memberEpoch(memberEpoch)
            .pollAgeMs(0)
            .ownedTopicsCount(0);
        encoder.groupId(groupId).memberId(memberId);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        return await(correlationId);
    }

    /** Sends a DeleteGroupsRequest for one group; returns the response frame. */
    Response deleteGroup(final String groupId) {
        final long correlationId = nextCorrelationId();
        final io.sequent.codec.client.DeleteGroupsRequestEncoder encoder =
            new io.sequent.codec.client.DeleteGroupsRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .groupsCount(1).next().groupId(groupId);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        return await(correlationId);
    }

    static ErrorReply errorReply(final Response response) {
        assertEquals(ErrorResponseDecoder.TEMPLATE_ID, response.templateId, "expected an ErrorResponse, got " +
            describe(response));
        final ErrorResponseDecoder decoder = new ErrorResponseDecoder();
        decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
        final ErrorReply reply = new ErrorReply();
        reply.correlationId = decoder.correlationId();
        reply.requestTemplateId = decoder.requestTemplateId();
        reply.code = decoder.errorCode();
        reply.message = decoder.message();
        return reply;
    }

    static String describe(final Response response) {
        if (response.templateId == ErrorResponseDecoder.TEMPLATE_ID) {
            final ErrorResponseDecoder decoder = new ErrorResponseDecoder();
            decoder.wrapAndApplyHeader(response.frame, 0, new MessageHeaderDecoder());
            return "ErrorResponse " + decoder;
        }
        return "template " + response.templateId;
    }

    @Override
    public void close() {
        CloseHelper.quietCloseAll(ingress, responses, aeron);
    }
}

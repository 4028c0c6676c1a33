package io.sequent.broker;

import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import io.sequent.codec.Compression;
import io.sequent.codec.FrameError;
import io.sequent.codec.ProtocolFrames;
import io.sequent.codec.client.AlterConfigsRequestDecoder;
import io.sequent.codec.client.ClusterStatusRequestDecoder;
import io.sequent.codec.client.ConnectRequestDecoder;
import io.sequent.codec.client.CreateTopicsRequestDecoder;
import io.sequent.codec.client.DeleteGroupsRequestDecoder;
import io.sequent.codec.client.DeleteTopicsRequestDecoder;
import io.sequent.codec.client.DescribeConfigsRequestDecoder;
import io.sequent.codec.client.DescribeGroupsRequestDecoder;
import io.sequent.codec.client.DisconnectRequestDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.FetchRequestDecoder;
import io.sequent.codec.client.HeartbeatRequestDecoder;
import io.sequent.codec.client.InitProducerIdRequestDecoder;
import io.sequent.codec.client.JoinGroupRequestDecoder;
import io.sequent.codec.client.LeaveGroupRequestDecoder;
import io.sequent.codec.client.ListGroupsRequestDecoder;
import io.sequent.codec.client.MemberHeartbeatRequestDecoder;
import io.sequent.codec.client.MemberJoinRequestDecoder;
import io.sequent.codec.client.ListOffsetsRequestDecoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MetadataRequestDecoder;
import io.sequent.codec.client.OffsetCommitRequestDecoder;
import io.sequent.codec.client.OffsetFetchRequestDecoder;
import io.sequent.codec.client.ProduceRequestDecoder;
import io.sequent.codec.client.TransferLeadershipRequestDecoder;
import io.sequent.sequencer.Acks;
import io.sequent.sequencer.Sequencer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The ingress: polls the broker's ingress subscription (every client's requests), checks each frame, and
 * routes it. Produce requests go straight into the sequencer; fetch and list-offsets requests to the fetch
 * thread through a ring buffer; the cold requests (connect, disconnect, metadata, topic and config admin,
 * producer ids, consumer groups and committed offsets) to the admin thread through a queue.
 *
 * <p>Every frame passes {@link ProtocolFrames#validate} before any decoder wraps it. A frame that fails,
 * has another schema, is not a request, or names an unknown session is answered with an ErrorResponse
 * when the broker can tell where to send it (the frame's session, else a session opened over the same
 * ingress image), and otherwise dropped and counted. Nothing a client sends can stop the loop.
 *
 * <p>Also steps the Aeron client's conductor (the client runs in invoker mode: no thread of its own), runs the
 * control commands other threads queue for it at the top of each duty cycle, and then offers the batches other
 * threads queued for internal partitions ({@link InternalAppender}), so the sequencer keeps one offering
 * thread. Produce requests to an internal topic are refused with INVALID_TOPIC.
 *
 * <p>Single thread. Allocates nothing in steady state: produce decoding and offering, error replies and
 * forwarding to the fetch thread use pre-allocated flyweights and buffers; only forwarding to the admin
 * thread copies the frame.
 */
final class IngressAgent implements Agent {
    private static final int FRAGMENT_LIMIT = 64;
    private static final byte[] UNKNOWN_SESSION = ResponseSender.bytes("unknown or expired session; reconnect");
    private static final byte[] NOT_A_REQUEST = ResponseSender.bytes("not a request message");
    private static final byte[] OTHER_SCHEMA = ResponseSender.bytes("not a client protocol message");
    private static final byte[] FETCH_BUSY = ResponseSender.bytes("fetch queue full; retry");
    private static final byte[] ADMIN_BUSY = ResponseSender.bytes("admin queue full; retry");
    private static final byte[] UNDECODABLE = ResponseSender.bytes("the request could not be decoded");
    private static final byte[] TOO_BIG = ResponseSender.bytes("request too large");
    private static final byte[] BAD_ACKS = ResponseSender.bytes("acks must be NONE, LEADER or ALL");
    private static final byte[][] FRAME_ERRORS = frameErrorMessages();

    private final Subscription subscription;
    private final AgentInvoker conductorInvoker;
    private final SessionTable sessions;
    private final TopicRegistry topics;
    private final Sequencer sequencer;
    private final PendingAcks pendingAcks;
    private final RingBuffer fetchRequests;
    private final ManyToOneConcurrentArrayQueue<AdminRequest> adminRequests;
    private final ManyToOneConcurrentArrayQueue<Runnable> control;
    private final BrokerCounters counters;
    private final InternalAppender internal;
    private final NanoClock clock;
    private final long produceTimeoutNs;
    private final ResponseSender sender;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ProduceRequestDecoder produceDecoder = new ProduceRequestDecoder();
    private final UnsafeBuffer topicView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer batchView = new UnsafeBuffer(0, 0);
    /** Decompresses and checks every record of a compressed batch before it is offered (allocation-free). */
    private final BatchReader compressedBatches = new BatchReader();
    private final AtomicCounter framesReceived;
    private ClusterState cluster;
    private long nowNs;

    IngressAgent(
        final Subscription subscription,
        final AgentInvoker conductorInvoker,
        final SessionTable sessions,
        final TopicRegistry topics,
        final Sequencer sequencer,
        final PendingAcks pendingAcks,
        final RingBuffer fetchRequests,
        final ManyToOneConcurrentArrayQueue<AdminRequest> adminRequests,
        final ManyToOneConcurrentArrayQueue<Runnable> control,
        final BrokerCounters counters,
        final InternalAppender internal,
        final NanoClock clock,
        final long produceTimeoutNs) {
        this.subscription = subscription;
        this.conductorInvoker = conductorInvoker;
        this.sessions = sessions;
        this.topics = topics;
        this.sequencer = sequencer;
        this.pendingAcks = pendingAcks;
        this.fetchRequests = fetchRequests;
        this.adminRequests = adminRequests;
        this.control = control;
        this.counters = counters;
        this.internal = internal;
        this.clock = clock;
        this.produceTimeoutNs = produceTimeoutNs;
        this.framesReceived = counters.framesReceived;
        this.sender = new ResponseSender(new UnsafeBuffer(ByteBuffer.allocateDirect(4096)), counters);
    }

    /** Produce and internal appends are taken only while this member leads; set before the agent starts. */
    void cluster(final ClusterState cluster) {
        this.cluster = cluster;
    }

    private static byte[][] frameErrorMessages() {
        final byte[][] messages = new byte[16][];
        for (int i = 0; i < messages.length; i++) {
            messages[i] = ResponseSender.bytes("frame rejected: " + FrameError.name(-i));
        }
        return messages;
    }

    @Override
    public String roleName() {
        return "sequent-ingress";
    }

    @Override
    public int doWork() {
        return doWork(clock.nanoTime());
    }

    /**
     * One duty cycle at {@code nowNs} (of the broker's {@link NanoClock}): control commands, the internal
     * appender's queued batches, the Aeron client's conductor, then the ingress subscription.
     *
     * @param nowNs the time of this cycle.
     * @return the work done.
     */
    int doWork(final long nowNs) {
        this.nowNs = nowNs;
        int work = 0;
        Runnable command;
        while (null != (command = control.poll())) {
            command.run();
            work++;
        }
        work += internal.drain(sequencer, null == cluster || cluster.isWritable());
        if (null != conductorInvoker) {
            work += conductorInvoker.invoke();
        }
        return work + subscription.poll(assembler, FRAGMENT_LIMIT);
    }

    @Override
    public void onClose() {
        Runnable command;
        while (null != (command = control.poll())) {
            command.run();
        }
        compressedBatches.close();
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header) {
        framesReceived.incrementRelease();
        final int error = ProtocolFrames.validate(buffer, offset, length);
        if (error != FrameError.NONE) {
            onInvalid(buffer, offset, length, header, ProtocolFrames.errorCodeFor(error), frameErrorMessage(error));
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != ProtocolFrames.CLIENT_SCHEMA_ID) {
            onInvalid(buffer, offset, length, header, ErrorCode.INVALID_REQUEST, OTHER_SCHEMA);
            return;
        }
        final int templateId = headerDecoder.templateId();
        if (templateId == ConnectRequestDecoder.TEMPLATE_ID) {
            toAdmin(null, templateId, buffer, offset, length, header);
            return;
        }
        if (!isRequest(templateId)) {
            onInvalid(buffer, offset, length, header, ErrorCode.INVALID_REQUEST, NOT_A_REQUEST);
            return;
        }
        final long sessionId = buffer.getLong(
            offset + ProtocolFrames.HEADER_LENGTH + ProtocolFrames.SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final Session session = sessions.get(sessionId);
        if (null == session) {
            onUnknownSession(buffer, offset, length, header, templateId);
            return;
        }
        session.touch(nowNs);
        try {
            dispatch(session, templateId, buffer, offset, length, header);
        } catch (final RuntimeException ex) {
            counters.errors.increment();
            sender.sendError(session, ProtocolFrames.correlationId(buffer, offset, length), templateId,
                ErrorCode.INVALID_REQUEST, UNDECODABLE);
        }
    }

    private void dispatch(
        final Session session,
        final int templateId,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header) {
        switch (templateId) {
            case ProduceRequestDecoder.TEMPLATE_ID:
                onProduce(session, buffer, offset);
                break;
            case FetchRequestDecoder.TEMPLATE_ID:
            case ListOffsetsRequestDecoder.TEMPLATE_ID:
                toFetch(session, templateId, buffer, offset, length);
                break;
            default:
                toAdmin(session, templateId, buffer, offset, length, header);
                break;
        }
    }

    private static boolean isRequest(final int templateId) {
        switch (templateId) {
            case DisconnectRequestDecoder.TEMPLATE_ID:
            case MetadataRequestDecoder.TEMPLATE_ID:
            case CreateTopicsRequestDecoder.TEMPLATE_ID:
            case DeleteTopicsRequestDecoder.TEMPLATE_ID:
            case DescribeConfigsRequestDecoder.TEMPLATE_ID:
            case AlterConfigsRequestDecoder.TEMPLATE_ID:
            case InitProducerIdRequestDecoder.TEMPLATE_ID:
            case ProduceRequestDecoder.TEMPLATE_ID:
            case FetchRequestDecoder.TEMPLATE_ID:
            case ListOffsetsRequestDecoder.TEMPLATE_ID:
            case JoinGroupRequestDecoder.TEMPLATE_ID:
            case HeartbeatRequestDecoder.TEMPLATE_ID:
            case LeaveGroupRequestDecoder.TEMPLATE_ID:
            case OffsetCommitRequestDecoder.TEMPLATE_ID:
            case OffsetFetchRequestDecoder.TEMPLATE_ID:
            case DescribeGroupsRequestDecoder.TEMPLATE_ID:
            case ListGroupsRequestDecoder.TEMPLATE_ID:
            case ClusterStatusRequestDecoder.TEMPLATE_ID:
            case TransferLeadershipRequestDecoder.TEMPLATE_ID:
            case MemberJoinRequestDecoder.TEMPLATE_ID:
            case MemberHeartbeatRequestDecoder.TEMPLATE_ID:
            case DeleteGroupsRequestDecoder.TEMPLATE_ID:
                return true;
            default:
                return false;
        }
    }

    private static byte[] frameErrorMessage(final int error) {
        return -error < FRAME_ERRORS.length ? FRAME_ERRORS[-error] : FRAME_ERRORS[0];
    }

    /**
     * Answers a frame the broker cannot handle, on the frame's own session if it names one, else on a session
     * opened over the same ingress image; drops it when there is neither.
     */
    private void onInvalid(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header,
        final ErrorCode code,
        final byte[] message) {
        counters.invalidFrames.incrementRelease();
        final long correlationId = ProtocolFrames.correlationId(buffer, offset, length);
        final int templateId = ProtocolFrames.templateId(buffer, offset, length);
        Session session = null;
        if (correlationId != ProtocolFrames.NO_CORRELATION_ID && templateId != ConnectRequestDecoder.TEMPLATE_ID &&
            length >= ProtocolFrames.HEADER_LENGTH + ProtocolFrames.SESSION_ID_OFFSET + Long.BYTES &&
            (buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) >=
            ProtocolFrames.SESSION_ID_OFFSET + Long.BYTES) {
            session = sessions.get(buffer.getLong(
                offset + ProtocolFrames.HEADER_LENGTH + ProtocolFrames.SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN));
        }
        if (null == session) {
            session = sessions.findByAeronSession(header.sessionId());
        }
        if (null == session) {
            counters.framesDropped.incrementRelease();
            return;
        }
        sender.sendError(session, correlationId, templateId, code, message);
    }

    private void onUnknownSession(
        final DirectBuffer buffer, final int offset, final int length, final Header header, final int templateId) {
        counters.unknownSessions.incrementRelease();
        final Session session = sessions.findByAeronSession(header.sessionId());
        if (null == session) {
            counters.framesDropped.incrementRelease();
            return;
        }
        sender.sendError(session, ProtocolFrames.correlationId(buffer, offset, length), templateId,
            ErrorCode.UNKNOWN_SESSION, UNKNOWN_SESSION);
    }

    private void onProduce(final Session session, final DirectBuffer buffer, final int offset) {
        final ProduceRequestDecoder decoder = produceDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final int partitionId = decoder.partition();
        final int timeoutMs = decoder.timeoutMs();
        final short acksValue = decoder.acksRaw();
        decoder.wrapTopic(topicView);
        decoder.wrapBatch(batchView);

        final byte acks;
        switch (acksValue) {
            case 0:
                acks = Acks.NONE;
                break;
            case 1:
                acks = Acks.LEADER;
                break;
            case 2:
                acks = Acks.ALL;
                break;
            default:
                counters.produceRefused.incrementRelease();
                sender.sendError(session, correlationId, ProduceRequestDecoder.TEMPLATE_ID, ErrorCode.INVALID_REQUEST,
                    BAD_ACKS);
                return;
        }

        if (null != cluster && !cluster.isWritable()) {
            counters.produceRefused.incrementRelease();
            if (acks != Acks.NONE) {
                sender.sendProduce(session, correlationId, partitionId, -1, -1, -1, ErrorCode.NOT_LEADER,
                    cluster.leaderId());
            }
            return;
        }
        final Topic topic = topics.table().lookup(topicView, 0, topicView.capacity());
        final TopicPartition partition = null == topic ? null : topic.partition(partitionId);
        if (null == partition) {
            refuse(session, correlationId, partitionId, acks, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            return;
        }
        if (topic.isInternal()) {
            refuse(session, correlationId, partitionId, acks, ErrorCode.INVALID_TOPIC);
            return;
        }
        final int batchLength = batchView.capacity();
        if (batchLength > topic.maxBatchBytes()) {
            refuse(session, correlationId, partitionId, acks, ErrorCode.RECORD_TOO_LARGE);
            return;
        }
        // The sequencer checks an uncompressed batch record by record, a compressed one only to its envelope: the
        // records inside are decompressed and checked here, off the single writer, as a consumer will read them.
        if (batchLength >= Batches.HEADER_LENGTH && Compression.NONE != Batches.compression(batchView, 0) &&
            BatchError.NONE != compressedBatches.wrap(batchView, 0, batchLength)) {
            refuse(session, correlationId, partitionId, acks, ErrorCode.CORRUPT_MESSAGE);
            return;
        }

        long token = sessionId;
        int pending = -1;
        if (acks == Acks.ALL) {
            final long timeoutNs = timeoutMs > 0 ? timeoutMs * 1_000_000L : produceTimeoutNs;
            pending = pendingAcks.claim(sessionId, correlationId, partitionId, nowNs, nowNs + timeoutNs);
            if (pending < 0) {
                refuse(session, correlationId, partitionId, acks, ErrorCode.BACK_PRESSURED);
                return;
            }
            token = ~pending;
        }
        final long result = sequencer.offer(
            partition.partition(), batchView, 0, batchLength, acks, token, correlationId);
        if (result >= 0) {
            if (pending >= 0) {
                pendingAcks.onOffered(pending);
            }
            counters.produceRequests.incrementRelease();
            counters.bytesIn.getAndAddRelease(batchLength);
        } else {
            if (pending >= 0) {
                pendingAcks.onRefused(pending);
            }
            refuse(session, correlationId, partitionId, acks, ProduceReleaseHandler.errorCode((int) result));
        }
    }

    private void refuse(
        final Session session, final long correlationId, final int partition, final byte acks, final ErrorCode code) {
        counters.produceRefused.incrementRelease();
        if (acks == Acks.NONE) {
            counters.framesDropped.incrementRelease();
            return;
        }
        sender.sendProduce(session, correlationId, partition, -1, -1, -1, code);
    }

    private void toFetch(
        final Session session, final int templateId, final DirectBuffer buffer, final int offset, final int length) {
        if (length > fetchRequests.maxMsgLength()) {
            sender.sendError(session, ProtocolFrames.correlationId(buffer, offset, length), templateId,
                ErrorCode.INVALID_REQUEST, TOO_BIG);
            return;
        }
        if (!fetchRequests.write(templateId, buffer, offset, length)) {
            sender.sendError(session, ProtocolFrames.correlationId(buffer, offset, length), templateId,
                ErrorCode.BACK_PRESSURED, FETCH_BUSY);
        }
    }

    private void toAdmin(
        final Session session,
        final int templateId,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header) {
        long imageCorrelationId = -1;
        if (templateId == ConnectRequestDecoder.TEMPLATE_ID) {
            final Image image = subscription.imageBySessionId(header.sessionId());
            imageCorrelationId = null == image ? -1 : image.correlationId();
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        if (!adminRequests.offer(new AdminRequest(templateId, copy, header.sessionId(), imageCorrelationId))) {
            if (null == session) {
                counters.framesDropped.incrementRelease();
            } else {
                sender.sendError(session, ProtocolFrames.correlationId(buffer, offset, length), templateId,
                    ErrorCode.BACK_PRESSURED, ADMIN_BUSY);
            }
        }
    }

    /** A client's ingress image went away: frees its reassembly buffer. Ingress thread (control command). */
    void onImageLost(final int aeronSessionId) {
        assembler.freeSessionBuffer(aeronSessionId);
    }

    /** @return the ring sequence of the last batch offered. Ingress thread (control commands). */
    long lastOfferedSequence() {
        return sequencer.lastOfferedSequence();
    }
}

package io.sequent.broker;

import io.aeron.DirectBufferVector;
import io.aeron.Publication;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.ErrorResponseEncoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.ProduceResponseEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes responses into one pre-allocated buffer and offers them to a session's response publication.
 * One instance per sending thread (ingress, fetch, the release stage, admin): the buffer and encoders are
 * that thread's own, so sending takes no lock and allocates nothing.
 *
 * <p>A back-pressured publication (the client is not keeping up) or an administrative action is retried
 * a few times, briefly; then the response is dropped and {@link BrokerCounters#responsesDropped} counts it.
 * The pipeline never waits on a client. A response longer than the publication's message limit (a term
 * length / 8) is dropped and counted too.
 */
final class ResponseSender {
    /** Offers tried before a back-pressured response is dropped. */
    static final int OFFER_ATTEMPTS = 16;

    static final byte[] NO_MESSAGE = new byte[0];

    private final MutableDirectBuffer buffer;
    private final AtomicCounter dropped;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ErrorResponseEncoder errorEncoder = new ErrorResponseEncoder();
    private final ProduceResponseEncoder produceEncoder = new ProduceResponseEncoder();

    private final BrokerCounters counters;

    ResponseSender(final MutableDirectBuffer buffer, final AtomicCounter dropped) {
        this.buffer = buffer;
        this.dropped = dropped;
        this.counters = null;
    }

    /** A sender that also counts every error it answers, by code ({@link BrokerCounters#countError}). */
    ResponseSender(final MutableDirectBuffer buffer, final BrokerCounters counters) {
        this.buffer = buffer;
        this.dropped = counters.responsesDropped;
        this.counters = counters;
    }

    /** Counts an error answered in a response this sender did not encode (a fetch partition's code). */
    void countError(final ErrorCode code) {
        if (null != counters) {
            counters.countError(code);
        }
    }

    static byte[] bytes(final String message) {
        return message.getBytes(StandardCharsets.UTF_8);
    }

    /** The thread's encoding buffer: encode at offset 0, then {@link #send(Session, int)}. */
    MutableDirectBuffer buffer() {
        return buffer;
    }

    MessageHeaderEncoder headerEncoder() {
        return headerEncoder;
    }

    /**
     * Offers {@code [0, length)} of {@link #buffer()} to the session, written for the protocol version agreed
     * with it.
     *
     * @return true when sent.
     */
    boolean send(final Session session, final int length) {
        final Publication publication = null == session ? null : session.publication();
        if (null == publication) {
            dropped.increment();
            return false;
        }
        return offer(publication, buffer, 0, forVersion(buffer, session.protocolVersion(), length));
    }

    /**
     * Rewrites the response at the start of {@code frame} for a client of an older protocol version, which would
     * refuse a newer header version: the header carries the session's version and fields added since are cut
     * off. Only ProduceResponse has such a field (logStartOffset, version 2, the last of its block); the member
     * hosts of a DescribeGroupsResponse (version 3) are left out by its encoder ({@link GroupRequests}), and so is
     * a MetadataResponse's message (version 4, {@link TopicAdmin}).
     *
     * @return the length of the response as rewritten.
     */
    static int forVersion(final MutableDirectBuffer frame, final int version, final int length) {
        if (version <= 0 || version >= MessageHeaderEncoder.SCHEMA_VERSION) {
            return length;
        }
        frame.putShort(MessageHeaderEncoder.versionEncodingOffset(), (short) version, ByteOrder.LITTLE_ENDIAN);
        if (frame.getShort(MessageHeaderEncoder.templateIdEncodingOffset(), ByteOrder.LITTLE_ENDIAN) ==
            ProduceResponseEncoder.TEMPLATE_ID && version < ProduceResponseEncoder.logStartOffsetSinceVersion()) {
            final int v1BlockLength = ProduceResponseEncoder.logStartOffsetEncodingOffset();
            frame.putShort(MessageHeaderEncoder.blockLengthEncodingOffset(), (short) v1BlockLength,
                ByteOrder.LITTLE_ENDIAN);
            return length - (ProduceResponseEncoder.BLOCK_LENGTH - v1BlockLength);
        }
        return length;
    }

    /** Offers with brief retries; counts a drop. */
    boolean offer(final Publication publication, final DirectBuffer source, final int offset, final int length) {
        if (length > publication.maxMessageLength()) {
            dropped.increment();
            return false;
        }
        for (int i = 0; i < OFFER_ATTEMPTS; i++) {
            final long result = publication.offer(source, offset, length);
            if (result > 0) {
                return true;
            }
            if (!retriable(result)) {
                break;
            }
            Thread.onSpinWait();
        }
        dropped.increment();
        return false;
    }

    /** Offers the vectors as one message, with brief retries; counts a drop. */
    boolean offer(final Publication publication, final DirectBufferVector[] vectors) {
        for (int i = 0; i < OFFER_ATTEMPTS; i++) {
            final long result = publication.offer(vectors);
            if (result > 0) {
                return true;
            }
            if (!retriable(result)) {
                break;
            }
            Thread.onSpinWait();
        }
        dropped.increment();
        return false;
    }

    private static boolean retriable(final long result) {
        return result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION;
    }

    /** Sends an ErrorResponse with a pre-encoded message. */
    boolean sendError(
        final Session session,
        final long correlationId,
        final int requestTemplateId,
        final ErrorCode code,
        final byte[] message) {
        countError(code);
        errorEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .requestTemplateId(requestTemplateId)
            .errorCode(code)
            .putMessage(message, 0, message.length);
        return send(session, MessageHeaderEncoder.ENCODED_LENGTH + errorEncoder.encodedLength());
    }

    /** Sends an ErrorResponse; encodes the message (allocates: cold paths). */
    boolean sendError(
        final Session session,
        final long correlationId,
        final int requestTemplateId,
        final ErrorCode code,
        final String message) {
        return sendError(session, correlationId, requestTemplateId, code, bytes(message));
    }

    /** Sends a ProduceResponse. */
    boolean sendProduce(
        final Session session,
        final long correlationId,
        final int partition,
        final long baseOffset,
        final long logAppendTime,
        final long logStartOffset,
        final ErrorCode code) {
        return sendProduce(session, correlationId, partition, baseOffset, logAppendTime, logStartOffset, code, -1);
    }

    /** Sends a ProduceResponse with a leader hint (NOT_LEADER: the leader's broker id, -1 when unknown). */
    boolean sendProduce(
        final Session session,
        final long correlationId,
        final int partition,
        final long baseOffset,
        final long logAppendTime,
        final long logStartOffset,
        final ErrorCode code,
        final int leaderId) {
        countError(code);
        produceEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .baseOffset(baseOffset)
            .logAppendTime(logAppendTime)
            .partition(partition)
            .leaderId(leaderId)
            .errorCode(code)
            .logStartOffset(logStartOffset);
        return send(session, MessageHeaderEncoder.ENCODED_LENGTH + produceEncoder.encodedLength());
    }
}

package io.sequent.client;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sequent.codec.client.DeleteTopicsRequestEncoder;
import io.sequent.codec.client.DeleteTopicsResponseDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;

/**
 * DeleteTopics for one topic; completes normally when deleted, or with the broker's error.
 */
final class DeleteTopicsCall extends Call<Void> {
    private final String name;

    DeleteTopicsCall(final String name, final long timeoutNs) {
        this.name = name;
        this.timeoutNs = timeoutNs;
    }

    @Override
    int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
        final DeleteTopicsRequestEncoder encoder = new DeleteTopicsRequestEncoder();
        encoder.wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(sessionId)
            .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutNs / 1_000_000))
            .topicsCount(1)
            .next()
            .name(name);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    @Override
    int responseTemplateId() {
        return DeleteTopicsResponseDecoder.TEMPLATE_ID;
    }

    @Override
    Void decode(final DirectBuffer buffer, final int offset, final int length) {
        final DeleteTopicsResponseDecoder decoder = new DeleteTopicsResponseDecoder();
        decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
        decoder.correlationId();
        ErrorCode result = ErrorCode.UNKNOWN_SERVER_ERROR;
        String message = "no answer for topic " + name;
        for (final DeleteTopicsResponseDecoder.TopicsDecoder topic : decoder.topics()) {
            final ErrorCode code = topic.errorCode();
            final String topicName = topic.name();
            final String text = topic.message();
            if (topicName.equals(name)) {
                result = code;
                message = text;
            }
        }
        if (result != ErrorCode.NONE) {
            throw SequentException.of(result, "cannot delete topic " + name + ": "
                + (message.isEmpty() ? result.name() : message));
        }
        return null;
    }
}

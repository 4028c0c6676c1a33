package io.sequent.client;

import java.util.List;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sequent.codec.client.AlterConfigOp;
import io.sequent.codec.client.AlterConfigsRequestEncoder;
import io.sequent.codec.client.AlterConfigsResponseDecoder;
import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.ResourceType;

/**
 * AlterConfigs of one topic: settings to set and settings to revert to the inherited value.
 */
final class AlterConfigsCall extends Call<Void> {
    private final String topic;
    private final Map<String, String> set;
    private final List<String> delete;

    AlterConfigsCall(final String topic, final Map<String, String> set, final List<String> delete,
        final long timeoutNs) {
        this.topic = topic;
        this.set = Map.copyOf(set);
        this.delete = List.copyOf(delete);
        this.timeoutNs = timeoutNs;
    }

    @Override
    int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
        final AlterConfigsRequestEncoder encoder = new AlterConfigsRequestEncoder();
        final AlterConfigsRequestEncoder.ResourcesEncoder resource = encoder
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(sessionId)
            .validateOnly(BooleanType.FALSE)
            .resourcesCount(1)
            .next()
            .resourceType(ResourceType.TOPIC);
        final AlterConfigsRequestEncoder.ResourcesEncoder.ConfigsEncoder configs =
            resource.configsCount(set.size() + delete.size());
        for (final Map.Entry<String, String> e : new java.util.TreeMap<>(set).entrySet()) {
            configs.next().operation(AlterConfigOp.SET).key(e.getKey()).value(e.getValue());
        }
        for (final String key : delete) {
            configs.next().operation(AlterConfigOp.DELETE).key(key).value("");
        }
        resource.resourceName(topic);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    @Override
    int responseTemplateId() {
        return AlterConfigsResponseDecoder.TEMPLATE_ID;
    }

    @Override
    Void decode(final DirectBuffer buffer, final int offset, final int length) {
        final AlterConfigsResponseDecoder decoder = new AlterConfigsResponseDecoder();
        decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
        decoder.correlationId();
        ErrorCode error = ErrorCode.UNKNOWN_SERVER_ERROR;
        String message = "no answer for topic " + topic;
        for (final AlterConfigsResponseDecoder.ResourcesDecoder resource : decoder.resources()) {
            final ErrorCode code = resource.errorCode();
            resource.resourceType();
            final String name = resource.resourceName();
            final String text = resource.message();
            if (name.equals(topic)) {
                error = code;
                message = text;
            }
        }
        if (error != ErrorCode.NONE) {
            throw SequentException.of(error, "cannot alter the configs of topic " + topic + ": "
                + (message.isEmpty() ? error.name() : message));
        }
        return null;
    }
}

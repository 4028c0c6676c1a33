package io.sequent.client;

import java.util.LinkedHashMap;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sequent.codec.client.ConfigSource;
import io.sequent.codec.client.DescribeConfigsRequestEncoder;
import io.sequent.codec.client.DescribeConfigsResponseDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.ResourceType;

/**
 * DescribeConfigs of one topic: every config with its value and where the value comes from.
 */
final class DescribeConfigsCall extends Call<Map<String, DescribeConfigsCall.Entry>> {
    /**
     * One config of the topic.
     *
     * @param value  the value (empty when the broker withholds a sensitive one).
     * @param source where it is set: DEFAULT, BROKER or TOPIC.
     */
    record Entry(String value, ConfigSource source) {
    }

    private final String topic;

    DescribeConfigsCall(final String topic, final long timeoutNs) {
        this.topic = topic;
        this.timeoutNs = timeoutNs;
    }

    @Override
    int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
        final DescribeConfigsRequestEncoder encoder = new DescribeConfigsRequestEncoder();
        final DescribeConfigsRequestEncoder.ResourcesEncoder resource = encoder
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(sessionId)
            .resourcesCount(1)
            .next()
            .resourceType(ResourceType.TOPIC);
        resource.configNamesCount(0);
        resource.resourceName(topic);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    @Override
    int responseTemplateId() {
        return DescribeConfigsResponseDecoder.TEMPLATE_ID;
    }

    @Override
    Map<String, Entry> decode(final DirectBuffer buffer, final int offset, final int length) {
        final DescribeConfigsResponseDecoder decoder = new DescribeConfigsResponseDecoder();
        decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
        decoder.correlationId();
        Map<String, Entry> result = null;
        ErrorCode error = ErrorCode.UNKNOWN_SERVER_ERROR;
        String message = "no answer for topic " + topic;
        for (final DescribeConfigsResponseDecoder.ResourcesDecoder resource : decoder.resources()) {
            final ErrorCode code = resource.errorCode();
            resource.resourceType();
            final Map<String, Entry> configs = new LinkedHashMap<>();
            for (final DescribeConfigsResponseDecoder.ResourcesDecoder.ConfigsDecoder config : resource.configs()) {
                final ConfigSource source = config.source();
                config.readOnly();
                config.sensitive();
                final String key = config.key();
                configs.put(key, new Entry(config.value(), source));
            }
            final String name = resource.resourceName();
            final String text = resource.message();
            if (name.equals(topic)) {
                error = code;
                message = text;
                result = configs;
            }
        }
        if (error != ErrorCode.NONE) {
            throw SequentException.of(error, "cannot describe the configs of topic " + topic + ": "
                + (message.isEmpty() ? error.name() : message));
        }
        return result;
    }
}

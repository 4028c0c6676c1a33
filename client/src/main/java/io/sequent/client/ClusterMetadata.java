package io.sequent.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sequent.codec.client.BooleanType;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataRequestEncoder;
import io.sequent.codec.client.MetadataResponseDecoder;

/**
 * A decoded MetadataResponse: the leader, the brokers' ingress channels and the requested topics.
 * Metadata is a cold path: decoding allocates.
 *
 * @param leaderId  the replica group's leader, -1 when unknown.
 * @param errorCode the response's own error.
 * @param brokers   broker id to ingress channel.
 * @param topics    topic name to its metadata, in response order.
 */
record ClusterMetadata(int leaderId, ErrorCode errorCode, Map<Integer, String> brokers, Map<String, Topic> topics) {
    /**
     * One topic of the response.
     *
     * @param name           the topic.
     * @param errorCode      NONE, or why it could not be described (UNKNOWN_TOPIC_OR_PARTITION...).
     * @param partitionCount its partitions.
     * @param internal       whether it is an internal topic.
     * @param partitions     per partition: number, leader, error.
     */
    record Topic(String name, ErrorCode errorCode, int partitionCount, boolean internal, List<Partition> partitions) {
    }

    /**
     * One partition of a topic.
     *
     * @param partition the partition number.
     * @param leaderId  its leader, -1 when none.
     * @param errorCode its error.
     */
    record Partition(int partition, int leaderId, ErrorCode errorCode) {
    }

    /**
     * Writes a MetadataRequest.
     *
     * @param buffer        destination (an expandable buffer).
     * @param correlationId the correlation id.
     * @param sessionId     the session id.
     * @param topics        topics to describe; empty for all.
     * @return the message length.
     */
    static int encodeRequest(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final long sessionId,
        final Collection<String> topics) {
        final MetadataRequestEncoder encoder = new MetadataRequestEncoder();
        final MetadataRequestEncoder.TopicsEncoder group = encoder
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(sessionId)
            .topicsCount(topics.size());
        for (final String topic : topics) {
            group.next().name(topic);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Decodes a validated MetadataResponse.
     *
     * @param buffer holding it.
     * @param offset first byte of its header.
     * @return the metadata.
     */
    static ClusterMetadata decode(final DirectBuffer buffer, final int offset) {
        final MetadataResponseDecoder decoder = new MetadataResponseDecoder();
        decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());
        decoder.correlationId();
        final int leaderId = decoder.leaderId();
        decoder.leaderEpoch();
        final ErrorCode errorCode = decoder.errorCode();
        final Map<Integer, String> brokers = new HashMap<>();
        for (final MetadataResponseDecoder.BrokersDecoder broker : decoder.brokers()) {
            final int id = broker.brokerId();
            brokers.put(id, broker.ingressChannel());
        }
        final Map<String, Topic> topics = new java.util.LinkedHashMap<>();
        for (final MetadataResponseDecoder.TopicsDecoder topic : decoder.topics()) {
            final int partitionCount = topic.partitionCount();
            final ErrorCode topicError = topic.errorCode();
            final boolean internal = topic.internalTopic() == BooleanType.TRUE;
            final List<Partition> partitions = new ArrayList<>();
            for (final MetadataResponseDecoder.TopicsDecoder.PartitionsDecoder p : topic.partitions()) {
                final int partition = p.partition();
                final int leader = p.leaderId();
                p.leaderEpoch();
                partitions.add(new Partition(partition, leader, p.errorCode()));
            }
            final String name = topic.name();
            partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            topics.put(name, new Topic(name, topicError, partitionCount, internal, List.copyOf(partitions)));
        }
        return new ClusterMetadata(leaderId, errorCode, brokers, topics);
    }

    /**
     * The partitions of a topic as {@link PartitionInfo}s.
     *
     * @param topic the topic's metadata.
     * @return one entry per partition, by number.
     */
    static List<PartitionInfo> partitionInfos(final Topic topic) {
        final List<PartitionInfo> infos = new ArrayList<>();
        if (topic.partitions().isEmpty()) {
            for (int p = 0; p < topic.partitionCount(); p++) {
                infos.add(new PartitionInfo(topic.name(), p, -1));
            }
        } else {
            for (final Partition partition : topic.partitions()) {
                infos.add(new PartitionInfo(topic.name(), partition.partition(), partition.leaderId()));
            }
        }
        return List.copyOf(infos);
    }

    /**
     * A metadata lookup a user thread waits for.
     */
    static final class MetadataCall extends Call<ClusterMetadata> {
        private final List<String> topics;

        /**
         * @param topics    the topics to describe, empty for all.
         * @param timeoutNs how long to wait for the answer.
         */
        MetadataCall(final List<String> topics, final long timeoutNs) {
            this.topics = topics;
            this.timeoutNs = timeoutNs;
        }

        @Override
        int encode(final MutableDirectBuffer scratch, final long correlationId, final long sessionId) {
            return encodeRequest(scratch, correlationId, sessionId, topics);
        }

        @Override
        int responseTemplateId() {
            return MetadataResponseDecoder.TEMPLATE_ID;
        }

        @Override
        ClusterMetadata decode(final DirectBuffer buffer, final int offset, final int length) {
            final ClusterMetadata metadata = ClusterMetadata.decode(buffer, offset);
            if (metadata.errorCode() != ErrorCode.NONE) {
                throw SequentException.of(metadata.errorCode(), "metadata request failed: " + metadata.errorCode());
            }
            return metadata;
        }
    }
}

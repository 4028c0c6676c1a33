package io.sequent.client;

import java.util.List;
import java.util.Map;

/**
 * A topic as {@link Admin#describeTopic} reports it.
 *
 * @param name       the topic.
 * @param partitions its partitions, by partition number.
 * @param configs    the configs set on the topic itself (not inherited defaults; see
 *                   {@link Admin#describeConfigs(String)} for every effective value).
 */
public record TopicDescription(String name, List<PartitionDescription> partitions, Map<String, String> configs) {
}

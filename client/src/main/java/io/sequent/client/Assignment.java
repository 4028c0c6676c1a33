package io.sequent.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The partitions a consumer reads, with their {@link PartitionState}s, indexed for the three ways
 * they are reached: by {@link TopicPartition} (the API), in a list (round-robin collection), and by
 * topic and partition number (routing fetch answers). Single writer: the consumer's thread.
 */
final class Assignment {
    private final LinkedHashMap<TopicPartition, PartitionState> states = new LinkedHashMap<>();
    private final HashMap<String, PartitionState[]> byTopic = new HashMap<>();
    private final int partitionMaxBytes;
    final ArrayList<PartitionState> list = new ArrayList<>();
    final ArrayList<String> topics = new ArrayList<>();
    private long epochs;

    Assignment(final int partitionMaxBytes) {
        this.partitionMaxBytes = partitionMaxBytes;
    }

    /**
     * A value never used before as a partition epoch.
     *
     * @return the new epoch.
     */
    long newEpoch() {
        return ++epochs;
    }

    boolean isEmpty() {
        return states.isEmpty();
    }

    PartitionState get(final TopicPartition tp) {
        return states.get(tp);
    }

    PartitionState get(final String topic, final int partition) {
        final PartitionState[] array = byTopic.get(topic);
        return array == null || partition < 0 || partition >= array.length ? null : array[partition];
    }

    PartitionState[] topicStates(final String topic) {
        return byTopic.get(topic);
    }

    Set<TopicPartition> partitions() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(states.keySet()));
    }

    /**
     * Replaces the assignment, keeping the state (position) of partitions that stay.
     *
     * @param partitions the new assignment.
     * @return the states of partitions no longer assigned.
     */
    List<PartitionState> set(final Collection<TopicPartition> partitions) {
        final Map<TopicPartition, PartitionState> previous = new LinkedHashMap<>(states);
        states.clear();
        for (final TopicPartition tp : partitions) {
            if (tp == null || tp.partition() < 0) {
                throw new IllegalArgumentException("invalid topic partition: " + tp);
            }
            PartitionState state = previous.remove(tp);
            if (state == null) {
                state = new PartitionState(tp, newEpoch(), partitionMaxBytes);
            }
            states.put(tp, state);
        }
        list.clear();
        list.addAll(states.values());
        byTopic.clear();
        topics.clear();
        for (final PartitionState state : list) {
            PartitionState[] array = byTopic.get(state.topic);
            if (array == null) {
                topics.add(state.topic);
                array = new PartitionState[state.partition + 1];
            } else if (array.length <= state.partition) {
                array = Arrays.copyOf(array, state.partition + 1);
            }
            array[state.partition] = state;
            byTopic.put(state.topic, array);
        }
        return new ArrayList<>(previous.values());
    }
}

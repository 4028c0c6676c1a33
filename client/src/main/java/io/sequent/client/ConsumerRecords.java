package io.sequent.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records one {@link Consumer#poll} returned, grouped by partition; within a partition in
 * offset order. Iteration visits partition after partition.
 */
public final class ConsumerRecords implements Iterable<ConsumerRecord> {
    static final ConsumerRecords EMPTY = new ConsumerRecords(Map.of(), 0);

    private final Map<TopicPartition, List<ConsumerRecord>> byPartition;
    private final int count;

    private ConsumerRecords(final Map<TopicPartition, List<ConsumerRecord>> byPartition, final int count) {
        this.byPartition = byPartition;
        this.count = count;
    }

    /**
     * Builds the result of a poll.
     *
     * @param byPartition records per partition; taken over, not copied.
     * @return the records.
     */
    static ConsumerRecords of(final LinkedHashMap<TopicPartition, List<ConsumerRecord>> byPartition) {
        int count = 0;
        for (final List<ConsumerRecord> records : byPartition.values()) {
            count += records.size();
        }
        return count == 0 ? EMPTY : new ConsumerRecords(Collections.unmodifiableMap(byPartition), count);
    }

    /**
     * Number of records.
     *
     * @return the count.
     */
    public int count() {
        return count;
    }

    /**
     * Whether the poll returned nothing.
     *
     * @return true when empty.
     */
    public boolean isEmpty() {
        return count == 0;
    }

    /**
     * The records of one partition.
     *
     * @param tp the partition.
     * @return its records in offset order; empty when none.
     */
    public List<ConsumerRecord> records(final TopicPartition tp) {
        final List<ConsumerRecord> records = byPartition.get(tp);
        return records == null ? List.of() : Collections.unmodifiableList(records);
    }

    /**
     * The partitions that have records in this result.
     *
     * @return the partitions.
     */
    public Set<TopicPartition> partitions() {
        return byPartition.keySet();
    }

    @Override
    public Iterator<ConsumerRecord> iterator() {
        if (byPartition.size() == 1) {
            return Collections.unmodifiableList(byPartition.values().iterator().next()).iterator();
        }
        final List<ConsumerRecord> all = new ArrayList<>(count);
        for (final List<ConsumerRecord> records : byPartition.values()) {
            all.addAll(records);
        }
        return Collections.unmodifiableList(all).iterator();
    }

    @Override
    public String toString() {
        return "ConsumerRecords[count=" + count + ", partitions=" + byPartition.keySet() + "]";
    }
}

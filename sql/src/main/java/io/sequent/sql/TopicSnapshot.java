package io.sequent.sql;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import io.sequent.client.Consumer;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.OffsetAndTimestamp;
import io.sequent.client.PartitionInfo;
import io.sequent.client.TopicPartition;
import io.sequent.client.UnknownTopicException;

/**
 * Every record of a topic from the log start up to the end offsets (high watermarks) looked up when the
 * snapshot is taken: a bounded read, so a query over it ends even while producers keep writing. Records
 * come partition by partition in offset order, partitions interleaved as fetches answer.
 *
 * <p>Driven by one thread, the one that owns the consumer while the snapshot is open.
 */
final class TopicSnapshot implements Iterator<ConsumerRecord> {
    private static final Duration POLL = Duration.ofMillis(100);

    private final Consumer consumer;
    private final String topic;
    private final long stallTimeoutNs;
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private final ArrayDeque<ConsumerRecord> buffer = new ArrayDeque<>();

    /**
     * Looks the partitions and their end offsets up and positions {@code consumer} at their log starts.
     *
     * @param consumer     a consumer only this snapshot uses until it is exhausted.
     * @param topic        the topic.
     * @param stallTimeout how long a read may make no progress before it fails.
     * @param range        the partitions and offsets to read (and the lowest record time, found by
     *                     {@link Consumer#offsetsForTimes}, when {@code timeByIndex}).
     * @param timeByIndex  whether ROWTIME is the record timestamp, so the time index may skip records.
     * @throws UnknownTopicException when the topic does not exist.
     */
    TopicSnapshot(final Consumer consumer, final String topic, final Duration stallTimeout, final ScanRange range,
        final boolean timeByIndex) {
        this.consumer = consumer;
        this.topic = topic;
        this.stallTimeoutNs = stallTimeout.toNanos();
        final List<PartitionInfo> partitions = consumer.partitionsFor(topic);
        if (partitions.isEmpty()) {
            throw new UnknownTopicException("topic " + topic + " does not exist");
        }
        final List<TopicPartition> all = new ArrayList<>();
        for (final PartitionInfo partition : partitions) {
            if (range.readsPartition(partition.partition())) {
                all.add(new TopicPartition(topic, partition.partition()));
            }
        }
        consumer.assign(all);
        final Map<TopicPartition, Long> starts = new HashMap<>(consumer.beginningOffsets(all));
        final Map<TopicPartition, Long> endOffsets = consumer.endOffsets(all);
        if (timeByIndex && range.timeLow() != Long.MIN_VALUE) {
            final Map<TopicPartition, Long> times = new HashMap<>();
            for (final TopicPartition tp : all) {
                times.put(tp, range.timeLow());
            }
            for (final Map.Entry<TopicPartition, OffsetAndTimestamp> e : consumer.offsetsForTimes(times).entrySet()) {
                final long first = e.getValue() == null ? Long.MAX_VALUE : e.getValue().offset();
                starts.merge(e.getKey(), first, Math::max);
            }
        }
        final List<TopicPartition> toRead = new ArrayList<>();
        for (final TopicPartition tp : all) {
            final long start = Math.max(starts.getOrDefault(tp, 0L), range.offsetLow());
            final long end = Math.min(endOffsets.getOrDefault(tp, 0L), range.offsetHigh());
            if (end > start) {
                ends.put(tp, end);
                starts.put(tp, start);
                toRead.add(tp);
            }
        }
        consumer.assign(toRead);
        for (final TopicPartition tp : toRead) {
            consumer.seek(tp, starts.get(tp));
        }
    }

    /** The end offset of each partition that has records to read (the others hold none). */
    Map<TopicPartition, Long> endOffsets() {
        return Map.copyOf(ends);
    }

    @Override
    public boolean hasNext() {
        long deadline = System.nanoTime() + stallTimeoutNs;
        while (buffer.isEmpty() && !ends.isEmpty()) {
            boolean progress = false;
            for (final ConsumerRecord record : consumer.poll(POLL)) {
                final Long end = ends.get(new TopicPartition(record.topic(), record.partition()));
                if (end != null && record.offset() < end) {
                    buffer.add(record);
                    progress = true;
                }
            }
            final Iterator<Map.Entry<TopicPartition, Long>> it = ends.entrySet().iterator();
            while (it.hasNext()) {
                final Map.Entry<TopicPartition, Long> entry = it.next();
                if (consumer.position(entry.getKey()) >= entry.getValue()) {
                    it.remove();
                    progress = true;
                }
            }
            if (progress) {
                deadline = System.nanoTime() + stallTimeoutNs;
            } else if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("reading " + topic + " made no progress for "
                    + Duration.ofNanos(stallTimeoutNs).toMillis() + " ms; still to read: " + ends);
            }
        }
        return !buffer.isEmpty();
    }

    @Override
    public ConsumerRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return buffer.poll();
    }
}

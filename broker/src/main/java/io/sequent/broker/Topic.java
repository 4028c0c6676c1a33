package io.sequent.broker;

import io.sequent.sequencer.Partition;

import java.nio.charset.StandardCharsets;

/**
 * A topic as the broker routes it: its name (also as bytes, to match request frames without decoding
 * them), its id in the metadata log, whether it is internal (read-only to clients), its partitions and the
 * settings its logs were opened with.
 *
 * <p>Immutable apart from {@link #isDeleted()}, which the admin thread sets before it takes the topic out of
 * the {@link TopicTable}: a thread still holding the topic (a parked fetch) sees it gone.
 */
final class Topic {
    private final String name;
    private final int id;
    private final boolean internal;
    private final byte[] nameBytes;
    private final TopicPartition[] partitions;
    private final TopicConfig config;
    private final int maxBatchBytes;
    private volatile boolean deleted;

    /**
     * @param name                   the topic name.
     * @param id                     the topic id the metadata log gave it.
     * @param internal               true for an internal topic such as the metadata log.
     * @param config                 the settings its logs were opened with.
     * @param sequencerMaxBatchBytes the sequencer's largest batch.
     * @param opened                 the sequencer's partitions, in partition order.
     */
    Topic(
        final String name,
        final int id,
        final boolean internal,
        final TopicConfig config,
        final int sequencerMaxBatchBytes,
        final Partition[] opened) {
        this.name = name;
        this.id = id;
        this.internal = internal;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.config = config;
        this.maxBatchBytes = Math.min(sequencerMaxBatchBytes, config.logConfig().maxFrameLength());
        this.partitions = new TopicPartition[opened.length];
        for (int i = 0; i < opened.length; i++) {
            partitions[i] = new TopicPartition(this, i, opened[i]);
        }
    }

    String name() {
        return name;
    }

    /** The topic id every member derives from the metadata log. */
    int id() {
        return id;
    }

    /** True for an internal topic: clients may fetch it but not produce to, alter or delete it. */
    boolean isInternal() {
        return internal;
    }

    byte[] nameBytes() {
        return nameBytes;
    }

    int partitionCount() {
        return partitions.length;
    }

    /** @return the partition, or null when out of range. */
    TopicPartition partition(final int partitionId) {
        return partitionId >= 0 && partitionId < partitions.length ? partitions[partitionId] : null;
    }

    TopicPartition[] partitions() {
        return partitions;
    }

    /** The settings the topic's logs were opened with. */
    TopicConfig config() {
        return config;
    }

    /** Largest batch a producer may send to this topic: the sequencer's and the log's limits. */
    int maxBatchBytes() {
        return maxBatchBytes;
    }

    boolean logAppendTime() {
        return config.logAppendTime();
    }

    boolean isDeleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
    }

    @Override
    public String toString() {
        return name;
    }
}

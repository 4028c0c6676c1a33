package io.sequent.broker;

import io.sequent.sequencer.Partition;
import io.sequent.sequencer.Sequencer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;

/**
 * A follower's side of the metadata log: each metadata batch the leader replicates is decoded as it is appended,
 * in seq order, so every member holds the same catalog. A created topic's partitions are opened at once, on the
 * replica agent's thread, before the batch goes into the ring: the topic's first data batch comes later in the
 * same stream and finds them. The catalog, the topic table, the next topic id and the producer-id bound are then
 * updated on the admin thread (their single writer) through its event queue.
 *
 * <p>Records are applied when appended, not when committed: a follower's appended tail is committed unless a new
 * leader truncates it, and then the next start (which replays the log) corrects the catalog; the partitions of a
 * truncated creation stay open and unlisted until then. A topic deletion removes the topic from the table and the
 * catalog at once; its files stay until the next start, which deletes them as the log says.
 */
final class ReplicatedMetadata implements MetadataRecords.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedMetadata.class);

    private final BrokerContext ctx;
    private final Sequencer sequencer;
    private final TopicRegistry registry;
    private final TopicCatalog catalog;
    private final ManyToOneConcurrentArrayQueue<Runnable> adminEvents;
    private final MetadataRecords records;
    private final Map<Integer, Partition[]> opened = new TreeMap<>();
    private TopicAdmin topicAdmin;
    private ProducerIdAdmin producerIdAdmin;

    ReplicatedMetadata(
        final BrokerContext ctx,
        final Sequencer sequencer,
        final TopicRegistry registry,
        final TopicCatalog catalog,
        final ManyToOneConcurrentArrayQueue<Runnable> adminEvents) {
        this.ctx = ctx;
        this.sequencer = sequencer;
        this.registry = registry;
        this.catalog = catalog;
        this.adminEvents = adminEvents;
        this.records = new MetadataRecords(ctx.epochClock());
    }

    void admins(final TopicAdmin topicAdmin, final ProducerIdAdmin producerIdAdmin) {
        this.topicAdmin = topicAdmin;
        this.producerIdAdmin = producerIdAdmin;
    }

    /** A metadata batch is about to be appended (replica agent's thread). Idempotent: a replay may repeat it. */
    void beforeAppend(final DirectBuffer buffer, final int offset, final int length) {
        try {
            records.replay(buffer, offset, length, this);
        } catch (final RuntimeException ex) {
            LOG.error("cannot apply a replicated metadata batch", ex);
        }
    }

    @Override
    public void onTopic(final int topicId, final String name, final int partitions,
        final Map<String, String> overrides) {
        final Topic known = registry.table().get(name);
        if ((null != known && known.id() == topicId) || opened.containsKey(topicId)) {
            return;
        }
        final TopicConfig config = ctx.topicConfigDefaults().withOverrides(overrides);
        final Partition[] logs = new Partition[partitions];
        for (int i = 0; i < partitions; i++) {
            logs[i] = open(name, topicId, i, config);
        }
        opened.put(topicId, logs);
        final Map<String, String> copy = new TreeMap<>(overrides);
        post(() -> {
            catalog.onTopic(topicId, name, partitions, copy);
            registry.publish(registry.table().with(new Topic(name, topicId, false, config,
                ctx.sequencerContext().maxBatchBytes(), logs)));
            topicAdmin.onReplicatedTopicId(topicId);
            LOG.info("created topic {} (id {}) with {} partitions, as replicated from the leader", name, topicId,
                partitions);
        });
    }

    private Partition open(final String name, final int topicId, final int partition, final TopicConfig config) {
        for (final Partition p : sequencer.partitions()) {
            if (p.topicId() == topicId && p.partitionId() == partition) {
                return p;
            }
        }
        return sequencer.openPartition(name, topicId, partition, catalog.partitionDir(name, partition),
            config.logConfig(), config.logAppendTime());
    }

    @Override
    public void onTopicDeleted(final int topicId, final String name) {
        post(() -> {
            catalog.onTopicDeleted(topicId, name);
            final Topic topic = registry.table().get(name);
            if (null != topic && topic.id() == topicId) {
                registry.publish(registry.table().without(name));
                LOG.info("deleted topic {} (id {}), as replicated from the leader", name, topicId);
            }
        });
    }

    @Override
    public void onTopicConfig(final int topicId, final String name, final Map<String, String> overrides) {
        final Map<String, String> copy = new TreeMap<>(overrides);
        post(() -> catalog.onTopicConfig(topicId, name, copy));
    }

    @Override
    public void onProducerIds(final long blockStart, final long limit) {
        post(() -> {
            catalog.onProducerIds(blockStart, limit);
            producerIdAdmin.onReplicatedBlock(limit);
        });
    }

    private void post(final Runnable event) {
        if (!adminEvents.offer(event)) {
            LOG.error("admin event queue full: a replicated metadata record is applied at the next start only");
        }
    }
}

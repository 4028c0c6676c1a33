package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The topics that exist and the producer-id bound: the state the metadata log's records build. It changes only
 * by applying records ({@link MetadataRecords.Handler}): at start, every record of the log in order (replay);
 * while running, each record the admin thread wrote, once the sequencer has committed it. So a member that
 * replays the same log holds the same catalog, topic ids included.
 *
 * <pre>
 *   TopicRecord(id, name, partitions, overrides)   topic exists; ids only grow
 *   TopicDeletedRecord(id, name)                   topic gone; its partition directories are deleted
 *   TopicConfigRecord(id, name, overrides)         the topic's whole override set
 *   ProducerIdsRecord(blockStart, limit)           ids below limit may have been handed out
 * </pre>
 *
 * <p>A record naming a topic id the catalog does not hold under that name (a deletion or config change of a
 * topic that no longer exists) changes nothing. Partition logs live in {@code <data.dir>/<topic>-<partition>/}.
 *
 * <p>Used by the launching thread (replay), then by the admin thread only.
 */
final class TopicCatalog implements MetadataRecords.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCatalog.class);

    /** One topic as the log records it. */
    static final class Entry {
        final int id;
        final String name;
        final int partitions;
        final Map<String, String> overrides;

        Entry(final int id, final String name, final int partitions, final Map<String, String> overrides) {
            this.id = id;
            this.name = name;
            this.partitions = partitions;
            this.overrides = Collections.unmodifiableMap(new TreeMap<>(overrides));
        }

        @Override
        public String toString() {
            return name + "(id " + id + ", " + partitions + " partitions, " + overrides + ")";
        }
    }

    private final Path dataDir;
    private final Map<String, Entry> topics = new TreeMap<>();
    private final Map<String, Entry> deleted = new TreeMap<>();
    private int highestTopicId = MetadataLog.TOPIC_ID;
    private long producerIdLimit;
    private long records;

    TopicCatalog(final Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public void onTopic(final int topicId, final String name, final int partitions,
        final Map<String, String> overrides) {
        records++;
        topics.put(name, new Entry(topicId, name, partitions, overrides));
        deleted.remove(name);
        highestTopicId = Math.max(highestTopicId, topicId);
    }

    @Override
    public void onTopicDeleted(final int topicId, final String name) {
        records++;
        final Entry entry = topics.get(name);
        if (null != entry && entry.id == topicId) {
            topics.remove(name);
            deleted.put(name, entry);
        }
    }

    @Override
    public void onTopicConfig(final int topicId, final String name, final Map<String, String> overrides) {
        records++;
        final Entry entry = topics.get(name);
        if (null != entry && entry.id == topicId) {
            topics.put(name, new Entry(topicId, name, entry.partitions, overrides));
        }
    }

    @Override
    public void onProducerIds(final long blockStart, final long limit) {
        records++;
        producerIdLimit = Math.max(producerIdLimit, limit);
    }

    /** The topics that exist, by name (sorted). */
    Map<String, Entry> topics() {
        return topics;
    }

    Entry get(final String name) {
        return topics.get(name);
    }

    /** Number of records applied. */
    long records() {
        return records;
    }

    /** The id the next created topic gets: one above the highest in the log. Does not reserve it. */
    int nextTopicId() {
        return highestTopicId + 1;
    }

    /** Producer ids below this may have been handed out. */
    long producerIdLimit() {
        return producerIdLimit;
    }

    /**
     * Deletes the partition directories of topics the log says are deleted (a broker stopped between the
     * deletion's record and the removal of its files). Launching thread, after replay.
     *
     * @return the topics whose leftover files were removed.
     */
    List<String> finishDeletions() {
        final List<String> finished = new ArrayList<>();
        for (final Entry entry : deleted.values()) {
            boolean any = false;
            for (int i = 0; i < entry.partitions; i++) {
                any |= Files.exists(partitionDir(entry.name, i));
            }
            if (any) {
                LOG.info("finishing the deletion of topic {}", entry);
                deletePartitionDirsQuietly(entry.name, entry.partitions);
                finished.add(entry.name);
            }
        }
        deleted.clear();
        return finished;
    }

    /** The directory of one partition's log. */
    Path partitionDir(final String topic, final int partition) {
        return dataDir.resolve(topic + "-" + partition);
    }

    /** Last step of a deletion: the partition directories. */
    void deletePartitionDirs(final String name, final int partitions) {
        try {
            for (int i = 0; i < partitions; i++) {
                deleteRecursively(partitionDir(name, i));
            }
            fsync(dataDir);
        } catch (final IOException | UncheckedIOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot delete the files of topic " + name + ": " +
                ex + " (the next start finishes the deletion)", ex);
        }
    }

    /** Removes what a failed creation left behind. */
    void deletePartitionDirsQuietly(final String name, final int partitions) {
        try {
            deletePartitionDirs(name, partitions);
        } catch (final BrokerException ex) {
            LOG.warn("cannot remove the partition directories of topic {}", name, ex);
        }
    }

    static void deleteRecursively(final Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path directory, final IOException ex) throws IOException {
                if (null != ex && !(ex instanceof NoSuchFileException)) {
                    throw ex;
                }
                Files.deleteIfExists(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void fsync(final Path path) throws IOException {
        final boolean directory = Files.isDirectory(path);
        try (FileChannel channel = directory ?
            FileChannel.open(path, StandardOpenOption.READ) :
            FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.force(true);
        } catch (final IOException ex) {
            if (!directory) {
                throw ex;
            }
        }
    }
}

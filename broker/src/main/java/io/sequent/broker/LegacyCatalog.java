package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The catalog as brokers before the metadata log kept it, read once to migrate a data directory:
 *
 * <pre>
 *   &lt;data.dir&gt;/catalog/&lt;topic&gt;.topic   name=, partitions=, config.&lt;log.* key&gt;= (overrides)
 *   &lt;data.dir&gt;/catalog/&lt;topic&gt;.del     a topic being deleted (its partition directories are deleted here)
 *   &lt;data.dir&gt;/catalog/&lt;topic&gt;.tmp     an unfinished write (ignored)
 *   &lt;data.dir&gt;/producer-ids             upper bound of the producer-id block handed out
 * </pre>
 *
 * Once the metadata log holds what these files said, {@link #moveAside()} renames them to
 * {@code catalog.migrated/} and {@code producer-ids.migrated}, so they are never read again but stay for an
 * operator to inspect. Launching thread only.
 */
final class LegacyCatalog {
    static final String CATALOG_DIR = "catalog";
    static final String PRODUCER_IDS_FILE = "producer-ids";
    static final String MIGRATED_SUFFIX = ".migrated";
    private static final Logger LOG = LoggerFactory.getLogger(LegacyCatalog.class);
    private static final String TOPIC_SUFFIX = ".topic";
    private static final String DELETING_SUFFIX = ".del";
    private static final String CONFIG_PREFIX = "config.";

    /** A topic as an old catalog file holds it. */
    static final class OldTopic {
        final String name;
        final int partitions;
        final Map<String, String> overrides;

        OldTopic(final String name, final int partitions, final Map<String, String> overrides) {
            this.name = name;
            this.partitions = partitions;
            this.overrides = overrides;
        }
    }

    private final Path dataDir;
    private final Path dir;
    private final Path producerIds;

    LegacyCatalog(final Path dataDir) {
        this.dataDir = dataDir;
        this.dir = dataDir.resolve(CATALOG_DIR);
        this.producerIds = dataDir.resolve(PRODUCER_IDS_FILE);
    }

    /** True when the data directory still has an old catalog or producer-id file. */
    boolean exists() {
        return Files.isDirectory(dir) || Files.exists(producerIds);
    }

    /**
     * Finishes deletions the old broker left half done, then reads every topic.
     *
     * @return the topics, sorted by name.
     */
    List<OldTopic> load() {
        final List<OldTopic> topics = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return topics;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + DELETING_SUFFIX)) {
            for (final Path file : files) {
                final OldTopic topic = read(file);
                LOG.info("finishing the deletion of topic {} ({} partitions)", topic.name, topic.partitions);
                for (int i = 0; i < topic.partitions; i++) {
                    TopicCatalog.deleteRecursively(dataDir.resolve(topic.name + "-" + i));
                }
                Files.deleteIfExists(file);
            }
            try (DirectoryStream<Path> topicFiles = Files.newDirectoryStream(dir, "*" + TOPIC_SUFFIX)) {
                for (final Path file : topicFiles) {
                    topics.add(read(file));
                }
            }
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot read the topic catalog " + dir + ": " + ex, ex);
        }
        topics.sort((a, b) -> a.name.compareTo(b.name));
        return topics;
    }

    private static OldTopic read(final Path file) throws IOException {
        final Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        final String name = properties.getProperty("name");
        final String partitions = properties.getProperty("partitions");
        if (null == name || null == partitions) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "topic catalog file " + file +
                " lacks name or partitions; fix or remove it");
        }
        final Map<String, String> overrides = new TreeMap<>();
        for (final String key : properties.stringPropertyNames()) {
            if (key.startsWith(CONFIG_PREFIX)) {
                overrides.put(key.substring(CONFIG_PREFIX.length()), properties.getProperty(key));
            }
        }
        try {
            return new OldTopic(name, Integer.parseInt(partitions.trim()), overrides);
        } catch (final NumberFormatException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "topic catalog file " + file +
                " has an invalid partition count '" + partitions + "'", ex);
        }
    }

    /** @return the stored producer-id bound, 0 when there is none. */
    long producerIdLimit() {
        if (!Files.exists(producerIds)) {
            return 0;
        }
        final long limit;
        try {
            limit = Long.parseLong(new String(Files.readAllBytes(producerIds), StandardCharsets.US_ASCII).trim());
        } catch (final IOException | NumberFormatException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot read " + producerIds + ": " + ex, ex);
        }
        if (limit < 0) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, producerIds + " holds a negative bound: " + limit);
        }
        return limit;
    }

    /** Renames the old files aside once the metadata log holds what they said. */
    void moveAside() {
        try {
            if (Files.isDirectory(dir)) {
                final Path aside = dataDir.resolve(CATALOG_DIR + MIGRATED_SUFFIX);
                TopicCatalog.deleteRecursively(aside);
                Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
            }
            if (Files.exists(producerIds)) {
                Files.move(producerIds, dataDir.resolve(PRODUCER_IDS_FILE + MIGRATED_SUFFIX),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            TopicCatalog.fsync(dataDir);
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "the metadata log holds the catalog of " + dir +
                " but the old files cannot be moved aside: " + ex, ex);
        }
    }
}

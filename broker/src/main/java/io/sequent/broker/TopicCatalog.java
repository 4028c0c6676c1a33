package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The topics that exist, persisted in the data directory so that they survive restarts: one small
 * properties file per topic, written atomically (temporary file, fsync, rename, fsync of the directory).
 *
 * <pre>
 *   &lt;data.dir&gt;/catalog/&lt;topic&gt;.topic   name=, partitions=, config.&lt;log.* key&gt;= (overrides)
 *   &lt;data.dir&gt;/catalog/&lt;topic&gt;.del        a topic being deleted (the same content)
 *   &lt;data.dir&gt;/&lt;topic&gt;-&lt;partition&gt;/       each partition's log (see PartitionLog)
 * </pre>
 *
 * Deleting renames the topic's file to {@code .del} first, then deletes the partition directories, then the
 * {@code .del} file; a broker that stops half way finishes the job at its next start, so a deleted topic never
 * comes back and a topic created later under the same name starts empty.
 *
 * <p>Used by the admin thread (and the launching thread before it starts).
 */
final class TopicCatalog {
    static final String CATALOG_DIR = "catalog";
    private static final Logger LOG = LoggerFactory.getLogger(TopicCatalog.class);
    private static final String TOPIC_SUFFIX = ".topic";
    private static final String DELETING_SUFFIX = ".del";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final String CONFIG_PREFIX = "config.";

    /** One topic as stored. */
    static final class Entry {
        final String name;
        final int partitions;
        final Map<String, String> overrides;

        Entry(final String name, final int partitions, final Map<String, String> overrides) {
            this.name = name;
            this.partitions = partitions;
            this.overrides = Collections.unmodifiableMap(new TreeMap<>(overrides));
        }
    }

    private final Path dataDir;
    private final Path dir;

    TopicCatalog(final Path dataDir) {
        this.dataDir = dataDir;
        this.dir = dataDir.resolve(CATALOG_DIR);
        try {
            Files.createDirectories(dir);
        } catch (final IOException ex) {
            throw new BrokerException(
                ErrorCode.STORAGE_ERROR, "cannot create the topic catalog " + dir + ": " + ex, ex);
        }
    }

    /** The directory of one partition's log. */
    Path partitionDir(final String topic, final int partition) {
        return dataDir.resolve(topic + "-" + partition);
    }

    /**
     * Finishes deletions interrupted by a stop, then reads every topic.
     *
     * @return the topics, sorted by name.
     */
    List<Entry> load() {
        final List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (final Path file : files) {
                final String fileName = file.getFileName().toString();
                if (fileName.endsWith(DELETING_SUFFIX)) {
                    final Entry entry = read(file);
                    LOG.info("finishing the deletion of topic {} ({} partitions)", entry.name, entry.partitions);
                    deletePartitionDirs(entry.name, entry.partitions);
                    Files.deleteIfExists(file);
                } else if (fileName.endsWith(TEMP_SUFFIX)) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot read the topic catalog " + dir + ": " + ex, ex);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + TOPIC_SUFFIX)) {
            for (final Path file : files) {
                entries.add(read(file));
            }
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot read the topic catalog " + dir + ": " + ex, ex);
        }
        entries.sort((a, b) -> a.name.compareTo(b.name));
        return entries;
    }

    private Entry read(final Path file) throws IOException {
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
            return new Entry(name, Integer.parseInt(partitions.trim()), overrides);
        } catch (final NumberFormatException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "topic catalog file " + file +
                " has an invalid partition count '" + partitions + "'", ex);
        }
    }

    /** Writes (creates or replaces) a topic's entry, atomically and durably. */
    void write(final Entry entry) {
        final Properties properties = new Properties();
        properties.setProperty("name", entry.name);
        properties.setProperty("partitions", Integer.toString(entry.partitions));
        for (final Map.Entry<String, String> override : entry.overrides.entrySet()) {
            properties.setProperty(CONFIG_PREFIX + override.getKey(), override.getValue());
        }
        final Path target = dir.resolve(entry.name + TOPIC_SUFFIX);
        final Path temp = dir.resolve(entry.name + TEMP_SUFFIX);
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                properties.store(out, "Sequent topic " + entry.name);
            }
            fsync(temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsync(dir);
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot write " + target + ": " + ex, ex);
        }
    }

    /** First step of a deletion: the topic no longer exists for a restarted broker. */
    void markDeleting(final String name) {
        final Path source = dir.resolve(name + TOPIC_SUFFIX);
        try {
            Files.move(source, dir.resolve(name + DELETING_SUFFIX), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
            fsync(dir);
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot mark " + source + " deleted: " + ex, ex);
        }
    }

    /** Last step of a deletion: the partition directories, then the mark. */
    void finishDeleting(final String name, final int partitions) {
        try {
            deletePartitionDirs(name, partitions);
            Files.deleteIfExists(dir.resolve(name + DELETING_SUFFIX));
            fsync(dir);
        } catch (final IOException | UncheckedIOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot delete the files of topic " + name + ": " +
                ex + " (the next start finishes the deletion)", ex);
        }
    }

    /** Removes what a failed creation left behind. */
    void deletePartitionDirsQuietly(final String name, final int partitions) {
        try {
            deletePartitionDirs(name, partitions);
        } catch (final IOException | UncheckedIOException ex) {
            LOG.warn("cannot remove the partition directories of topic {}", name, ex);
        }
    }

    private void deletePartitionDirs(final String name, final int partitions) throws IOException {
        for (int i = 0; i < partitions; i++) {
            deleteRecursively(partitionDir(name, i));
        }
        fsync(dataDir);
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

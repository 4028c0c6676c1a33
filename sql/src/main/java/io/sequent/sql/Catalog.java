package io.sequent.sql;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.sequent.client.Admin;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.Producer;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams and tables, kept as records of the topic {@value #TOPIC} (one partition): key the source's
 * name (UTF-8), value its {@link SourceDefinition} as JSON, a null value for a dropped source. The latest
 * record per name wins, so every SQL connection over the same brokers sees the same catalog, and it
 * survives restarts. {@link #refresh()} reads the topic to its end again (it is small); statements call it
 * before they run, so a definition made through another connection is seen by the next statement.
 *
 * <p>Two connections creating the same name at the same moment both succeed; the later record wins.
 *
 * <p>Used by the thread running a statement of its connection (calls are synchronized).
 */
final class Catalog {
    /** The catalog topic. */
    static final String TOPIC = "_sequent_sql_catalog";

    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);

    private final Admin admin;
    private final ConsumerPool consumers;
    private final SqlSession.ProducerSupplier producer;
    private final Duration timeout;
    private Map<String, SourceDefinition> sources = new TreeMap<>();

    Catalog(final Admin admin, final ConsumerPool consumers, final SqlSession.ProducerSupplier producer,
        final Duration timeout) {
        this.admin = admin;
        this.consumers = consumers;
        this.producer = producer;
        this.timeout = timeout;
    }

    /** Creates the catalog topic when it does not exist yet, then reads it. */
    synchronized void open() {
        try {
            admin.createTopic(TOPIC, 1, Map.of());
        } catch (final TopicExistsException ignored) {
            // Another SQL connection made it first.
        }
        refresh();
    }

    /** Reads the catalog topic from its start to its current end. */
    synchronized void refresh() {
        final Map<String, SourceDefinition> read = new TreeMap<>();
        final Consumer consumer = consumers.borrow();
        try {
            final TopicSnapshot snapshot = new TopicSnapshot(consumer, TOPIC, timeout, ScanRange.all(), false);
            while (snapshot.hasNext()) {
                final ConsumerRecord record = snapshot.next();
                if (record.key() == null) {
                    continue;
                }
                final String name = new String(record.key(), StandardCharsets.UTF_8);
                if (record.value() == null) {
                    read.remove(name);
                    continue;
                }
                try {
                    read.put(name, SourceDefinition.fromJson(record.value()));
                } catch (final IllegalArgumentException e) {
                    LOG.warn("catalog record at offset {} for {} is not a definition and is ignored: {}",
                        record.offset(), name, e.getMessage());
                }
            }
        } finally {
            consumers.giveBack(consumer);
        }
        sources = read;
    }

    /** The source of that name, or null. */
    synchronized SourceDefinition get(final String name) {
        return sources.get(name);
    }

    /** Every source, by name. */
    synchronized Map<String, SourceDefinition> sources() {
        return Map.copyOf(sources);
    }

    /** Writes a definition (a new source or a replacement) and waits until the brokers hold it. */
    synchronized void put(final SourceDefinition source) throws SQLException {
        write(source.name(), source.toJson());
        sources.put(source.name(), source);
    }

    /** Writes the removal of a source and waits until the brokers hold it. */
    synchronized void remove(final String name) throws SQLException {
        write(name, null);
        sources.remove(name);
    }

    private void write(final String name, final byte[] value) throws SQLException {
        final Producer p = producer.get();
        try {
            p.send(new ProducerRecord(TOPIC, 0, null, name.getBytes(StandardCharsets.UTF_8), value, null))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final ExecutionException e) {
            throw new SQLException("cannot write the catalog: " + e.getCause().getMessage(),
                SqlErrors.CONNECTION, e.getCause());
        } catch (final TimeoutException e) {
            throw new SQLException("cannot write the catalog within " + timeout.toMillis() + " ms",
                SqlErrors.CONNECTION, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while writing the catalog", SqlErrors.CONNECTION, e);
        }
    }
}

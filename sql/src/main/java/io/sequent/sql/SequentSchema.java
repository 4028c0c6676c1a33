package io.sequent.sql;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/** The catalog's streams and tables as Calcite tables, looked up afresh on every statement. */
final class SequentSchema extends AbstractSchema {
    private final Catalog catalog;
    private final ConsumerPool consumers;
    private final Duration timeout;
    private final AtomicLong recordsScanned = new AtomicLong();

    SequentSchema(final Catalog catalog, final ConsumerPool consumers, final Duration timeout) {
        this.catalog = catalog;
        this.consumers = consumers;
        this.timeout = timeout;
    }

    /** Records the scans of this schema have read from topics so far (what pushdown saves shows here). */
    long recordsScanned() {
        return recordsScanned.get();
    }

    @Override
    protected Map<String, Table> getTableMap() {
        final Map<String, Table> tables = new HashMap<>();
        for (final SourceDefinition source : catalog.sources().values()) {
            tables.put(source.name(), new TopicTable(source, consumers, timeout, recordsScanned));
        }
        return tables;
    }
}

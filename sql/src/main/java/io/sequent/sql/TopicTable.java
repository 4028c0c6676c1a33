package io.sequent.sql;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.sequent.client.Consumer;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.TopicPartition;
import io.sequent.sql.parser.SourceKind;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ProjectableFilterableTable;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * A stream or table of the catalog as a Calcite table over its topic. A scan reads a bounded snapshot
 * ({@link TopicSnapshot}: every record up to the end offsets at the start of the scan). A stream gives a
 * row per record; a table the latest row per key, a record with a null value deleting its key (records
 * without a key are left out of a table).
 *
 * <p>Row layout: the declared columns in declared order (the key column from the record key, the others
 * from the value), then the pseudo columns {@code ROWTIME} (the record timestamp, or the column named by
 * {@code TIMESTAMP=}), {@code ROWPARTITION} and {@code ROWOFFSET}.
 *
 * <p>Partition, offset and time ranges in the query's filter narrow what the scan reads
 * ({@link ScanRange}); the scan then applies them itself, so Calcite drops them from its own filter.
 *
 * <p>A push query's scan ({@link LiveScan} in the data context) never ends: it gives a row per record as
 * the records arrive, from the positions the query started at, until the query is cancelled; a table's
 * scan then gives each change (a record with a null value, a delete, gives no row). A record that does
 * not decode is counted and skipped.
 */
final class TopicTable extends AbstractTable implements ProjectableFilterableTable {
    static final String ROWTIME = "ROWTIME";
    static final String ROWPARTITION = "ROWPARTITION";
    static final String ROWOFFSET = "ROWOFFSET";

    private final SourceDefinition source;
    private final ConsumerPool consumers;
    private final Duration timeout;
    private final int rowtimeIndex;
    private final int timestampColumn;
    private final AtomicLong recordsScanned;

    TopicTable(final SourceDefinition source, final ConsumerPool consumers, final Duration timeout,
        final AtomicLong recordsScanned) {
        this.source = source;
        this.recordsScanned = recordsScanned;
        this.consumers = consumers;
        this.timeout = timeout;
        this.rowtimeIndex = source.columns().size();
        int ts = -1;
        for (int i = 0; i < source.columns().size(); i++) {
            if (source.columns().get(i).name().equals(source.timestampColumn())) {
                ts = i;
            }
        }
        this.timestampColumn = ts;
    }

    SourceDefinition source() {
        return source;
    }

    /** {@code STREAM} or {@code TABLE} in {@code DatabaseMetaData.getTables}. */
    @Override
    public Schema.TableType getJdbcTableType() {
        return source.kind() == SourceKind.STREAM ? Schema.TableType.STREAM : Schema.TableType.TABLE;
    }

    @Override
    public RelDataType getRowType(final RelDataTypeFactory factory) {
        final RelDataTypeFactory.Builder builder = factory.builder();
        for (final ColumnDefinition column : source.columns()) {
            builder.add(column.name(), column.type().relType(factory));
        }
        builder.add(ROWTIME, factory.createSqlType(SqlTypeName.TIMESTAMP, 3));
        builder.add(ROWPARTITION, factory.createSqlType(SqlTypeName.INTEGER));
        builder.add(ROWOFFSET, factory.createSqlType(SqlTypeName.BIGINT));
        return builder.build();
    }

    @Override
    public Enumerable<Object[]> scan(final DataContext root, final List<RexNode> filters, final int[] projects) {
        final ScanRange range = ScanRange.take(filters, rowtimeIndex, new RexBuilder(root.getTypeFactory()));
        final LiveScan live = (LiveScan) root.get(LiveScan.KEY);
        return new AbstractEnumerable<>() {
            @Override
            public Enumerator<Object[]> enumerator() {
                if (live != null) {
                    return new LiveEnumerator(live, range, projects);
                }
                return source.kind() == SourceKind.TABLE
                    ? new ListEnumerator(latestPerKey(range), projects)
                    : new StreamEnumerator(range, projects);
            }
        };
    }

    private List<Object[]> latestPerKey(final ScanRange range) {
        final Map<ByteBuffer, Object[]> latest = new LinkedHashMap<>();
        final RowCodec codec = new RowCodec(source);
        final Consumer consumer = consumers.borrow();
        try {
            final TopicSnapshot snapshot = new TopicSnapshot(consumer, source.topic(), timeout, ScanRange.all(), false);
            while (snapshot.hasNext()) {
                final ConsumerRecord record = snapshot.next();
                recordsScanned.incrementAndGet();
                if (record.key() == null) {
                    continue;
                }
                final ByteBuffer key = ByteBuffer.wrap(record.key());
                latest.remove(key);
                if (record.value() != null) {
                    latest.put(key, toRow(codec, record));
                }
            }
        } finally {
            consumers.giveBack(consumer);
        }
        final List<Object[]> rows = new ArrayList<>();
        for (final Object[] row : latest.values()) {
            if (range.matches(row)) {
                rows.add(row);
            }
        }
        return rows;
    }

    private Object[] toRow(final RowCodec codec, final ConsumerRecord record) {
        final List<ColumnDefinition> columns = source.columns();
        final Object[] row = new Object[columns.size() + 3];
        final Object[] values = new Object[columns.size()];
        try {
            if (record.value() != null) {
                codec.decodeValue(record.value(), values, 0);
            }
            int v = 0;
            for (int i = 0; i < columns.size(); i++) {
                row[i] = columns.get(i).key() ? codec.decodeKey(record.key()) : values[v++];
            }
        } catch (final RowCodecException e) {
            throw new RowCodecException(source.name() + ": record " + record.partition() + "@" + record.offset()
                + " of topic " + source.topic() + ": " + e.getMessage(), e);
        }
        final Object ts = timestampColumn >= 0 ? row[timestampColumn] : null;
        row[rowtimeIndex] = ts instanceof Long ? (Long) ts : record.timestamp();
        row[rowtimeIndex + 1] = record.partition();
        row[rowtimeIndex + 2] = record.offset();
        return row;
    }

    private static Object[] project(final Object[] row, final int[] projects) {
        if (projects == null) {
            return row;
        }
        final Object[] out = new Object[projects.length];
        for (int i = 0; i < projects.length; i++) {
            out[i] = row[projects[i]];
        }
        return out;
    }

    /** The rows of a table, computed before the first one is returned. */
    private static final class ListEnumerator implements Enumerator<Object[]> {
        private final List<Object[]> rows;
        private final int[] projects;
        private int index = -1;

        ListEnumerator(final List<Object[]> rows, final int[] projects) {
            this.rows = rows;
            this.projects = projects;
        }

        @Override
        public Object[] current() {
            return project(rows.get(index), projects);
        }

        @Override
        public boolean moveNext() {
            return ++index < rows.size();
        }

        @Override
        public void reset() {
            index = -1;
        }

        @Override
        public void close() {
        }
    }

    /**
     * The rows of a push query: every record from the query's start positions on, as the consumer gets them.
     * {@link #moveNext()} returns as soon as a record that passes the range arrives (no read-ahead), false once
     * the query is cancelled, and throws {@link LiveScan.TimeoutException} past the query's deadline.
     */
    private final class LiveEnumerator implements Enumerator<Object[]> {
        private final LiveScan live;
        private final ScanRange range;
        private final int[] projects;
        private final RowCodec codec = new RowCodec(source);
        private Iterator<ConsumerRecord> records = Collections.emptyIterator();
        private Object[] current;
        private boolean assigned;

        LiveEnumerator(final LiveScan live, final ScanRange range, final int[] projects) {
            this.live = live;
            this.range = range;
            this.projects = projects;
        }

        @Override
        public Object[] current() {
            return current;
        }

        @Override
        public boolean moveNext() {
            final Consumer consumer = live.consumer();
            if (!assigned) {
                final List<TopicPartition> partitions = new ArrayList<>();
                for (final TopicPartition tp : live.start().keySet()) {
                    if (range.readsPartition(tp.partition())) {
                        partitions.add(tp);
                    }
                }
                consumer.assign(partitions);
                for (final TopicPartition tp : partitions) {
                    consumer.seek(tp, Math.max(live.start().get(tp), range.offsetLow()));
                }
                assigned = true;
                if (partitions.isEmpty()) {
                    return false;
                }
            }
            while (true) {
                while (records.hasNext()) {
                    final ConsumerRecord record = records.next();
                    if (record.value() == null && source.kind() == SourceKind.TABLE
                        || record.key() == null && source.kind() == SourceKind.TABLE) {
                        continue;
                    }
                    final Object[] row;
                    try {
                        row = toRow(codec, record);
                    } catch (final RowCodecException e) {
                        live.malformed(e);
                        continue;
                    }
                    recordsScanned.incrementAndGet();
                    if (range.matches(row)) {
                        current = project(row, projects);
                        return true;
                    }
                }
                if (live.cancelled()) {
                    return false;
                }
                records = consumer.poll(Duration.ofMillis(live.pollMs())).iterator();
            }
        }

        @Override
        public void reset() {
            throw new UnsupportedOperationException("a push query cannot be restarted");
        }

        @Override
        public void close() {
            records = Collections.emptyIterator();
        }
    }

    /** The rows of a stream, decoded as the snapshot reads them. */
    private final class StreamEnumerator implements Enumerator<Object[]> {
        private final ScanRange range;
        private final int[] projects;
        private final RowCodec codec = new RowCodec(source);
        private Consumer consumer;
        private Iterator<ConsumerRecord> records;
        private Object[] current;
        private boolean finished;

        StreamEnumerator(final ScanRange range, final int[] projects) {
            this.range = range;
            this.projects = projects;
        }

        @Override
        public Object[] current() {
            return current;
        }

        @Override
        public boolean moveNext() {
            if (finished) {
                return false;
            }
            if (records == null) {
                consumer = consumers.borrow();
                records = new TopicSnapshot(consumer, source.topic(), timeout, range, timestampColumn < 0);
            }
            while (records.hasNext()) {
                final Object[] row = toRow(codec, records.next());
                recordsScanned.incrementAndGet();
                if (range.matches(row)) {
                    current = project(row, projects);
                    return true;
                }
            }
            close();
            finished = true;
            return false;
        }

        @Override
        public void reset() {
            close();
            finished = false;
        }

        @Override
        public void close() {
            if (consumer != null) {
                consumers.giveBack(consumer);
                consumer = null;
            }
            records = null;
        }
    }
}

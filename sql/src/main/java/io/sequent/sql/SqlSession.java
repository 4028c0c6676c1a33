package io.sequent.sql;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.RecordMetadata;
import io.sequent.client.SequentException;
import io.sequent.client.TopicDescription;
import io.sequent.client.UnknownTopicException;
import io.sequent.sql.parser.SequentSqlParser;
import io.sequent.sql.parser.SourceKind;
import io.sequent.sql.parser.SqlColumnDeclaration;
import io.sequent.sql.parser.SqlCreateSource;
import io.sequent.sql.parser.SqlDropSource;
import io.sequent.sql.parser.SqlEmitChanges;
import io.sequent.sql.parser.SqlSetProperty;
import io.sequent.sql.parser.SqlShow;
import io.sequent.sql.parser.SqlSourceProperty;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDescribeTable;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParseException;

/**
 * One JDBC connection's state and the statements Sequent runs itself: {@code CREATE|DROP STREAM|TABLE},
 * {@code SHOW}, {@code DESCRIBE} and {@code INSERT INTO ... VALUES} (through a {@link Producer}). Queries are
 * left to Calcite ({@link Outcome#delegate}) over {@link SequentSchema}, after the catalog is read again.
 *
 * <p>Owns the connection's clients: an {@link Admin}, the scan consumers ({@link ConsumerPool}) and a
 * producer made on first use. Statements of one connection run one at a time (calls are synchronized).
 */
final class SqlSession implements AutoCloseable {
    /** Gives the session's producer, made on first use. */
    interface ProducerSupplier {
        Producer get();
    }

    /** What a statement gave: rows, an update count, "run it on Calcite", or a running push query. */
    record Outcome(ResultSet rows, long updateCount, boolean delegate, PushQuery push) {
        static final Outcome DELEGATE = new Outcome(null, -1, true, null);

        static Outcome count(final long count) {
            return new Outcome(null, count, false, null);
        }

        static Outcome rows(final ResultSet rows) {
            return new Outcome(rows, -1, false, null);
        }
    }

    /** The connection property (and {@code SET} property) saying where a push query starts. */
    static final String AUTO_OFFSET_RESET = "auto.offset.reset";

    private final ClientConfig client;
    private final Duration timeout;
    private final Admin admin;
    private final ConsumerPool consumers;
    private final Catalog catalog;
    private final SequentSchema schema;
    private final Set<PushQuery> pushQueries = ConcurrentHashMap.newKeySet();
    private Producer producer;
    private CalciteConnection connection;
    private String autoOffsetReset = "latest";

    /**
     * Connects to the brokers and reads the catalog (creating its topic when missing).
     *
     * @param bootstrap  {@code host:port[,host:port]} of the brokers.
     * @param properties client settings (docs/client.md), e.g. {@code request.timeout.ms}.
     */
    SqlSession(final String bootstrap, final Properties properties) {
        final Properties settings = new Properties();
        // A SQL connection is mostly idle: its clients' embedded drivers must not hold a core meanwhile.
        settings.setProperty(ClientConfig.DRIVER_IDLE_STRATEGY, "backoff");
        settings.putAll(properties);
        settings.setProperty(ClientConfig.BOOTSTRAP_SERVERS, bootstrap);
        // Not client settings: where push queries start, and what JDBC tools pass along.
        final Object reset = settings.remove(AUTO_OFFSET_RESET);
        if (reset != null) {
            autoOffsetReset = checkReset(reset.toString());
        }
        settings.remove("user");
        settings.remove("password");
        this.client = ClientConfig.fromProperties(settings);
        this.timeout = client.requestTimeout();
        this.admin = Admin.create(client);
        this.consumers = new ConsumerPool(new ConsumerConfig(client).autoOffsetReset("earliest").fetchMaxWaitMs(100));
        this.catalog = new Catalog(admin, consumers, this::producer, timeout);
        this.schema = new SequentSchema(catalog, consumers, timeout);
        try {
            catalog.open();
        } catch (final RuntimeException e) {
            close();
            throw e;
        }
    }

    SequentSchema schema() {
        return schema;
    }

    /** Reads the catalog to its end again (before metadata calls list the streams and tables). */
    synchronized void refreshCatalog() throws SQLException {
        try {
            catalog.refresh();
        } catch (final SequentException e) {
            throw new SQLException(e.getMessage(), SqlErrors.CONNECTION, e);
        }
    }

    /** The Calcite connection the session's push queries are planned on. */
    void attach(final CalciteConnection calcite) {
        this.connection = calcite;
    }

    private static String checkReset(final String value) {
        final String reset = value.trim().toLowerCase(Locale.ROOT);
        if (!"earliest".equals(reset) && !"latest".equals(reset)) {
            throw new IllegalArgumentException(AUTO_OFFSET_RESET + " is 'earliest' or 'latest', not '" + value + "'");
        }
        return reset;
    }

    private synchronized Producer producer() {
        if (producer == null) {
            producer = new Producer(new ProducerConfig(client).lingerMs(0));
        }
        return producer;
    }

    /**
     * Runs {@code sql} when it is one of Sequent's statements.
     *
     * @throws SQLException for a bad statement (SQLState in {@link SqlErrors}) or a broker failure.
     */
    synchronized Outcome execute(final String sql) throws SQLException {
        return execute(sql, 0);
    }

    /**
     * Runs {@code sql} when it is one of Sequent's statements.
     *
     * @param timeoutSeconds the statement's query timeout (push queries), 0 for none.
     * @throws SQLException for a bad statement (SQLState in {@link SqlErrors}) or a broker failure.
     */
    synchronized Outcome execute(final String sql, final int timeoutSeconds) throws SQLException {
        final SqlNode node;
        try {
            node = SequentSqlParser.parse(sql);
        } catch (final SqlParseException e) {
            throw SqlErrors.syntax(e);
        } catch (final StackOverflowError e) {
            throw new SQLException("statement too deeply nested to parse", SqlErrors.SYNTAX);
        }
        try {
            catalog.refresh();
            if (node instanceof SqlCreateSource create) {
                return Outcome.count(create(create));
            }
            if (node instanceof SqlDropSource drop) {
                return Outcome.count(drop(drop));
            }
            if (node instanceof SqlShow show) {
                return Outcome.rows(show(show));
            }
            if (node instanceof SqlDescribeTable describe) {
                return Outcome.rows(describe(describe));
            }
            if (node instanceof SqlInsert insert) {
                return Outcome.count(insert(insert));
            }
            if (node instanceof SqlEmitChanges emit) {
                return push(emit, timeoutSeconds);
            }
            if (node instanceof SqlSetProperty set) {
                return Outcome.count(set(set));
            }
            return Outcome.DELEGATE;
        } catch (final SequentException e) {
            throw new SQLException(e.getMessage(), SqlErrors.CONNECTION, e);
        }
    }

    private Outcome push(final SqlEmitChanges emit, final int timeoutSeconds) throws SQLException {
        final String name = PushQuery.sourceOf(emit);
        final SourceDefinition source = catalog.get(name);
        if (source == null) {
            throw SqlErrors.unknownSource(name);
        }
        if (connection == null) {
            throw new SQLException("the session has no connection to plan on", SqlErrors.CONNECTION);
        }
        final PushQuery query = PushQuery.start(connection, consumers, source, emit,
            "earliest".equals(autoOffsetReset), timeoutSeconds);
        pushQueries.add(query);
        pushQueries.removeIf(PushQuery::closed);
        return new Outcome(null, -1, false, query);
    }

    private long set(final SqlSetProperty set) throws SQLException {
        if (!AUTO_OFFSET_RESET.equals(set.name())) {
            throw SqlErrors.invalid("unknown property '" + set.name() + "' (" + AUTO_OFFSET_RESET + ")",
                set.getParserPosition());
        }
        if (set.value() == null) {
            autoOffsetReset = "latest";
            return 0;
        }
        try {
            autoOffsetReset = checkReset(set.value());
        } catch (final IllegalArgumentException e) {
            throw SqlErrors.invalid(e.getMessage(), set.getParserPosition());
        }
        return 0;
    }

    private long create(final SqlCreateSource create) throws SQLException {
        final String name = name(create.name());
        final SourceDefinition existing = catalog.get(name);
        if (existing != null) {
            if (create.ifNotExists()) {
                return 0;
            }
            if (!create.orReplace()) {
                throw new SQLException("a " + existing.kind().name().toLowerCase(Locale.ROOT) + " named " + name
                    + " exists already", SqlErrors.SOURCE_EXISTS);
            }
            if (existing.kind() != create.kind()) {
                throw SqlErrors.invalid(name + " is a " + existing.kind().name().toLowerCase(Locale.ROOT)
                    + "; CREATE OR REPLACE cannot make it a " + create.kind().name().toLowerCase(Locale.ROOT),
                    create.getParserPosition());
            }
        }
        final List<ColumnDefinition> columns = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        int keys = 0;
        for (final SqlColumnDeclaration column : create.columns()) {
            final String columnName = column.name().getSimple();
            if (!names.add(columnName)) {
                throw SqlErrors.invalid("column " + columnName + " is declared twice", column.getParserPosition());
            }
            if (Set.of(TopicTable.ROWTIME, TopicTable.ROWPARTITION, TopicTable.ROWOFFSET).contains(columnName)) {
                throw SqlErrors.invalid(columnName + " is a pseudo column and cannot be declared",
                    column.getParserPosition());
            }
            final ColumnType type = ColumnType.of(column.type().getTypeName().getSimple());
            if (type == null) {
                throw SqlErrors.invalid("type " + column.type().getTypeName() + " of column " + columnName
                    + " is not supported (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, VARCHAR/STRING, TIMESTAMP)",
                    column.type().getParserPosition());
            }
            final boolean key = column.key() != SqlColumnDeclaration.KeyKind.NONE;
            if (key) {
                keys++;
                final SqlColumnDeclaration.KeyKind expected = create.kind() == SourceKind.STREAM
                    ? SqlColumnDeclaration.KeyKind.KEY : SqlColumnDeclaration.KeyKind.PRIMARY_KEY;
                if (column.key() != expected) {
                    throw SqlErrors.invalid("the key of a " + create.kind().name().toLowerCase(Locale.ROOT)
                        + " is declared " + (expected == SqlColumnDeclaration.KeyKind.KEY ? "KEY" : "PRIMARY KEY"),
                        column.getParserPosition());
                }
            }
            columns.add(new ColumnDefinition(columnName, type, key));
        }
        if (keys > 1) {
            throw SqlErrors.invalid("only one key column may be declared", create.getParserPosition());
        }
        if (create.kind() == SourceKind.TABLE && keys == 0) {
            throw SqlErrors.invalid("a table needs a PRIMARY KEY column", create.getParserPosition());
        }
        if (keys == columns.size()) {
            throw SqlErrors.invalid("declare at least one value column", create.getParserPosition());
        }
        String topic = null;
        Format valueFormat = Format.JSON;
        Format keyFormat = Format.KAFKA;
        Integer partitions = null;
        String timestamp = null;
        for (final SqlSourceProperty property : create.properties()) {
            final String value = property.value();
            switch (property.key()) {
                case "KAFKA_TOPIC" -> topic = value;
                case "VALUE_FORMAT", "KEY_FORMAT" -> {
                    final Format format = Format.of(value);
                    if (format == null) {
                        throw SqlErrors.invalid("format '" + value + "' is not one of JSON, DELIMITED, KAFKA",
                            property.getParserPosition());
                    }
                    if ("VALUE_FORMAT".equals(property.key())) {
                        valueFormat = format;
                    } else {
                        keyFormat = format;
                    }
                }
                case "PARTITIONS" -> {
                    try {
                        partitions = Integer.parseInt(value);
                    } catch (final NumberFormatException e) {
                        partitions = -1;
                    }
                    if (partitions < 1) {
                        throw SqlErrors.invalid("PARTITIONS must be a whole number of at least 1",
                            property.getParserPosition());
                    }
                }
                case "TIMESTAMP" -> timestamp = value.toUpperCase(Locale.ROOT);
                default -> throw SqlErrors.invalid("unknown property " + property.key()
                    + " (KAFKA_TOPIC, VALUE_FORMAT, KEY_FORMAT, PARTITIONS, TIMESTAMP)", property.getParserPosition());
            }
        }
        if (topic == null) {
            throw SqlErrors.invalid("KAFKA_TOPIC is required", create.getParserPosition());
        }
        final int valueColumns = columns.size() - keys;
        if (valueFormat == Format.KAFKA && valueColumns != 1) {
            throw SqlErrors.invalid("VALUE_FORMAT='KAFKA' holds exactly one value column, not " + valueColumns,
                create.getParserPosition());
        }
        if (timestamp != null) {
            ColumnDefinition found = null;
            for (final ColumnDefinition column : columns) {
                if (column.name().equals(timestamp)) {
                    found = column;
                }
            }
            if (found == null || found.key()
                || (found.type() != ColumnType.BIGINT && found.type() != ColumnType.TIMESTAMP)) {
                throw SqlErrors.invalid("TIMESTAMP must name a BIGINT or TIMESTAMP value column",
                    create.getParserPosition());
            }
        }
        final int topicPartitions = ensureTopic(topic, partitions);
        catalog.put(new SourceDefinition(name, create.kind(), topic, valueFormat, keyFormat, topicPartitions, timestamp,
            columns));
        return 0;
    }

    /** Creates the topic when missing (PARTITIONS required then), or checks the existing one. */
    private int ensureTopic(final String topic, final Integer partitions) throws SQLException {
        try {
            final TopicDescription description = admin.describeTopic(topic);
            final int existing = description.partitions().size();
            if (partitions != null && partitions != existing) {
                throw new SQLException("topic " + topic + " has " + existing + " partitions, not " + partitions,
                    SqlErrors.SYNTAX);
            }
            return existing;
        } catch (final UnknownTopicException e) {
            if (partitions == null) {
                throw new SQLException("topic " + topic + " does not exist: give PARTITIONS to create it",
                    SqlErrors.SYNTAX);
            }
            admin.createTopic(topic, partitions, Map.of());
            return partitions;
        }
    }

    private long drop(final SqlDropSource drop) throws SQLException {
        final String name = name(drop.name());
        final SourceDefinition existing = catalog.get(name);
        if (existing == null) {
            if (drop.ifExists()) {
                return 0;
            }
            throw SqlErrors.unknownSource(name);
        }
        if (existing.kind() != drop.kind()) {
            throw SqlErrors.invalid(name + " is a " + existing.kind().name().toLowerCase(Locale.ROOT)
                + ", not a " + drop.kind().name().toLowerCase(Locale.ROOT), drop.getParserPosition());
        }
        catalog.remove(name);
        if (drop.deleteTopic()) {
            admin.deleteTopic(existing.topic());
        }
        return 0;
    }

    private ResultSet show(final SqlShow show) throws SQLException {
        if (show.subject() == SqlShow.Subject.TOPICS) {
            final ResultRows rows = new ResultRows()
                .column("NAME", Types.VARCHAR)
                .column("PARTITIONS", Types.INTEGER);
            for (final String topic : admin.listTopics()) {
                if (!Catalog.TOPIC.equals(topic)) {
                    rows.row(topic, admin.describeTopic(topic).partitions().size());
                }
            }
            return rows.build();
        }
        final SourceKind kind = show.subject() == SqlShow.Subject.STREAMS ? SourceKind.STREAM : SourceKind.TABLE;
        final ResultRows rows = new ResultRows()
            .column("NAME", Types.VARCHAR)
            .column("TOPIC", Types.VARCHAR)
            .column("KEY_FORMAT", Types.VARCHAR)
            .column("VALUE_FORMAT", Types.VARCHAR);
        for (final SourceDefinition source : catalog.sources().values()) {
            if (source.kind() == kind) {
                rows.row(source.name(), source.topic(), source.keyFormat().name(), source.valueFormat().name());
            }
        }
        return rows.build();
    }

    private ResultSet describe(final SqlDescribeTable describe) throws SQLException {
        final String name = name(describe.getTable());
        final SourceDefinition source = catalog.get(name);
        if (source == null) {
            throw SqlErrors.unknownSource(name);
        }
        final ResultRows rows = new ResultRows()
            .column("COLUMN_NAME", Types.VARCHAR)
            .column("TYPE", Types.VARCHAR)
            .column("KEY", Types.VARCHAR);
        for (final ColumnDefinition column : source.columns()) {
            rows.row(column.name(), column.type().name(),
                column.key() ? (source.kind() == SourceKind.TABLE ? "PRIMARY KEY" : "KEY") : "");
        }
        rows.row(TopicTable.ROWTIME, "TIMESTAMP", "PSEUDO");
        rows.row(TopicTable.ROWPARTITION, "INTEGER", "PSEUDO");
        rows.row(TopicTable.ROWOFFSET, "BIGINT", "PSEUDO");
        return rows.build();
    }

    private long insert(final SqlInsert insert) throws SQLException {
        if (!(insert.getTargetTable() instanceof SqlIdentifier target)) {
            throw SqlErrors.invalid("INSERT INTO names a stream or table", insert.getParserPosition());
        }
        final String name = name(target);
        final SourceDefinition source = catalog.get(name);
        if (source == null) {
            throw SqlErrors.unknownSource(name);
        }
        final List<ColumnDefinition> columns = source.columns();
        final List<Integer> targets = new ArrayList<>();
        final SqlNodeList targetColumns = insert.getTargetColumnList();
        if (targetColumns == null) {
            for (int i = 0; i < columns.size(); i++) {
                targets.add(i);
            }
        } else {
            for (final SqlNode node : targetColumns) {
                final String columnName = ((SqlIdentifier) node).getSimple();
                int index = -1;
                for (int i = 0; i < columns.size(); i++) {
                    if (columns.get(i).name().equals(columnName)) {
                        index = i;
                    }
                }
                if (index < 0) {
                    throw SqlErrors.invalid(name + " has no column " + columnName, node.getParserPosition());
                }
                if (targets.contains(index)) {
                    throw SqlErrors.invalid("column " + columnName + " is given twice", node.getParserPosition());
                }
                targets.add(index);
            }
        }
        if (insert.getSource().getKind() != SqlKind.VALUES) {
            throw SqlErrors.notSupported("INSERT INTO takes VALUES only (INSERT INTO ... SELECT is not supported yet)");
        }
        final RowCodec codec = new RowCodec(source);
        final List<ProducerRecord> records = new ArrayList<>();
        for (final SqlNode rowNode : ((SqlCall) insert.getSource()).getOperandList()) {
            final List<SqlNode> values = ((SqlCall) rowNode).getOperandList();
            if (values.size() != targets.size()) {
                throw SqlErrors.invalid("a row of " + values.size() + " values for " + targets.size() + " columns",
                    rowNode.getParserPosition());
            }
            final Object[] row = new Object[columns.size()];
            for (int i = 0; i < values.size(); i++) {
                final ColumnDefinition column = columns.get(targets.get(i));
                try {
                    row[targets.get(i)] = column.type().coerce(literal(values.get(i)));
                } catch (final IllegalArgumentException e) {
                    throw new SQLException("column " + column.name() + ": " + e.getMessage() + " (line "
                        + values.get(i).getParserPosition().getLineNum() + ", column "
                        + values.get(i).getParserPosition().getColumnNum() + ")", SqlErrors.DATA);
                }
            }
            records.add(toRecord(source, codec, row));
        }
        final Producer p = producer();
        final List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (final ProducerRecord record : records) {
            sent.add(p.send(record));
        }
        p.flush();
        for (final CompletableFuture<RecordMetadata> future : sent) {
            try {
                future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (final ExecutionException e) {
                throw new SQLException("INSERT INTO " + name + " failed: " + e.getCause().getMessage(),
                    SqlErrors.CONNECTION, e.getCause());
            } catch (final TimeoutException e) {
                throw new SQLException("INSERT INTO " + name + " not acknowledged within " + timeout.toMillis()
                    + " ms", SqlErrors.CONNECTION, e);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted", SqlErrors.CONNECTION, e);
            }
        }
        return records.size();
    }

    private static ProducerRecord toRecord(final SourceDefinition source, final RowCodec codec, final Object[] row) {
        final List<ColumnDefinition> columns = source.columns();
        final Object[] values = new Object[columns.size()];
        Object key = null;
        Long timestamp = null;
        int v = 0;
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).key()) {
                key = row[i];
            } else {
                values[v++] = row[i];
            }
            if (columns.get(i).name().equals(source.timestampColumn()) && row[i] instanceof Long ts && ts >= 0) {
                timestamp = ts;
            }
        }
        final Object[] valueColumns = new Object[v];
        System.arraycopy(values, 0, valueColumns, 0, v);
        final byte[] value = codec.encodeValue(valueColumns);
        return new ProducerRecord(source.topic(), null, timestamp, codec.encodeKey(key), value, null);
    }

    /** The value of a literal of a VALUES row: numbers, strings, booleans, NULL, negated numbers. */
    private static Object literal(final SqlNode node) throws SQLException {
        if (node instanceof SqlLiteral literal) {
            if (literal.getValue() == null) {
                return null;
            }
            return switch (literal.getTypeName().getFamily() == null ? "" : literal.getTypeName().getFamily().name()) {
                case "NUMERIC" -> literal.getValueAs(BigDecimal.class);
                case "CHARACTER" -> literal.getValueAs(String.class);
                case "BOOLEAN" -> literal.getValueAs(Boolean.class);
                default -> throw SqlErrors.invalid("literal " + literal + " is not supported in VALUES",
                    node.getParserPosition());
            };
        }
        if (node.getKind() == SqlKind.MINUS_PREFIX && node instanceof SqlBasicCall call
            && call.operand(0) instanceof SqlLiteral inner && inner.getValue() != null) {
            if (literal(inner) instanceof BigDecimal number) {
                return number.negate();
            }
        }
        throw SqlErrors.invalid("VALUES takes literals only, not " + node, node.getParserPosition());
    }

    private static String name(final SqlIdentifier identifier) throws SQLException {
        if (!identifier.isSimple()) {
            throw SqlErrors.invalid("a stream or table name has one part, not " + identifier,
                identifier.getParserPosition());
        }
        return identifier.getSimple();
    }

    @Override
    public synchronized void close() {
        for (final PushQuery query : pushQueries) {
            query.cancel();
        }
        pushQueries.clear();
        if (producer != null) {
            producer.close();
            producer = null;
        }
        consumers.close();
        admin.close();
    }
}

package io.sequent.sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.sequent.client.Consumer;
import io.sequent.client.PartitionInfo;
import io.sequent.client.TopicPartition;
import io.sequent.sql.parser.SqlEmitChanges;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.jdbc.CalcitePrepare;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * A running push query ({@code SELECT ... FROM source [WHERE ...] EMIT CHANGES [LIMIT n]}): filter and
 * project over the records of one stream or table as they arrive. The query without {@code EMIT CHANGES}
 * is planned by Calcite as usual, then run on Calcite's compiled plan directly (not through Calcite's JDBC
 * result set, whose iterator reads one row ahead and so would hold each row until the next arrived), over
 * a {@link LiveScan} of the source's topic.
 *
 * <p>The start positions are looked up when the query starts: the end of every partition ({@code latest},
 * the default) or its log start ({@code SET 'auto.offset.reset'='earliest'}). {@link #cancel()} (any thread)
 * ends the rows; the query timeout fails the next read with {@link java.sql.SQLTimeoutException}; the
 * {@code LIMIT} ends the rows after that many.
 *
 * <p>Every running push query of this process is listed by {@link #running()} ({@code SHOW QUERIES}).
 * One thread reads the rows ({@link PushResultSet}); {@link #cancel()} and {@link #close()} may come from others.
 */
final class PushQuery implements AutoCloseable {
    private static final AtomicLong IDS = new AtomicLong();
    private static final Map<String, PushQuery> RUNNING = new ConcurrentSkipListMap<>();
    private static final Collection<String> AGGREGATES = List.of("COUNT", "SUM", "AVG", "MIN", "MAX", "COLLECT",
        "LISTAGG", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "VARIANCE", "ANY_VALUE",
        "ARRAY_AGG", "BIT_AND", "BIT_OR", "EVERY", "SOME", "FUSION", "INTERSECTION", "COUNTIF");

    private final String id;
    private final String sql;
    private final String source;
    private final long startedMs = System.currentTimeMillis();
    private final ConsumerPool consumers;
    private final Consumer consumer;
    private final LiveScan live;
    private final long limit;
    private final AtomicLong rows = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Enumerator<Object> enumerator;
    private List<ColumnMetaData> columns;
    private boolean arrayRows;

    private PushQuery(final String sql, final String source, final ConsumerPool consumers, final Consumer consumer,
        final Map<TopicPartition, Long> start, final long deadlineNs, final long limit) {
        this.id = "PUSH_" + IDS.incrementAndGet();
        this.sql = sql;
        this.source = source;
        this.consumers = consumers;
        this.consumer = consumer;
        this.live = new LiveScan(id, consumer, start, deadlineNs);
        this.limit = limit;
    }

    /**
     * Checks that the query is one a push query can run (filter and project over one source) and names the
     * source.
     *
     * @throws SQLException {@code 0A000} for joins, aggregates, {@code GROUP BY}, {@code ORDER BY}, windows.
     */
    static String sourceOf(final SqlEmitChanges emit) throws SQLException {
        if (!(emit.query() instanceof SqlSelect select)) {
            throw SqlErrors.notSupported("a push query is SELECT ... FROM source [WHERE ...] EMIT CHANGES [LIMIT n]"
                + " (ORDER BY is not supported, and LIMIT goes after EMIT CHANGES)");
        }
        SqlNode from = select.getFrom();
        if (from != null && from.getKind() == SqlKind.AS) {
            from = ((SqlCall) from).operand(0);
        }
        if (!(from instanceof SqlIdentifier identifier) || !identifier.isSimple()) {
            throw SqlErrors.notSupported("a push query reads one stream or table (joins and subqueries are not "
                + "supported in push queries yet)");
        }
        if (select.getGroup() != null || select.getHaving() != null || select.isDistinct()
            || select.getWindowList() != null && !select.getWindowList().isEmpty() || hasAggregate(select)) {
            throw SqlErrors.notSupported("aggregates, GROUP BY, DISTINCT and windows are not supported in push "
                + "queries yet (persistent queries come later); run the query without EMIT CHANGES for a snapshot");
        }
        return identifier.getSimple();
    }

    private static boolean hasAggregate(final SqlSelect select) {
        final boolean[] found = {false};
        select.getSelectList().accept(new SqlBasicVisitor<Void>() {
            @Override
            public Void visit(final SqlCall call) {
                if (call.getKind() == SqlKind.OVER || call.getOperator().isAggregator()
                    || call instanceof SqlBasicCall && AGGREGATES.contains(call.getOperator().getName()
                    .toUpperCase(Locale.ROOT))) {
                    found[0] = true;
                }
                return super.visit(call);
            }
        });
        return found[0];
    }

    /**
     * Starts a push query: looks the start positions up, plans the query and opens its rows.
     *
     * @param connection     the Calcite connection whose schema holds the source.
     * @param consumers      where the query's consumer comes from (and goes back to at close).
     * @param definition     the source the query reads.
     * @param emit           the statement.
     * @param earliest       whether to start at the log start rather than the end.
     * @param timeoutSeconds the statement's query timeout, 0 for none.
     */
    static PushQuery start(final CalciteConnection connection, final ConsumerPool consumers,
        final SourceDefinition definition, final SqlEmitChanges emit, final boolean earliest,
        final int timeoutSeconds) throws SQLException {
        final long limit = limit(emit.limit());
        final long deadlineNs = timeoutSeconds <= 0
            ? Long.MAX_VALUE : System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        final Consumer consumer = consumers.borrow();
        final PushQuery query;
        try {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (final PartitionInfo partition : consumer.partitionsFor(definition.topic())) {
                partitions.add(new TopicPartition(definition.topic(), partition.partition()));
            }
            if (partitions.isEmpty()) {
                throw new SQLException("topic " + definition.topic() + " of " + definition.name() + " does not exist",
                    SqlErrors.UNKNOWN_SOURCE);
            }
            final Map<TopicPartition, Long> start = earliest
                ? consumer.beginningOffsets(partitions) : consumer.endOffsets(partitions);
            query = new PushQuery(emit.toSqlString(CalciteSqlDialect.DEFAULT).getSql(), definition.name(),
                consumers, consumer, start, deadlineNs, limit);
        } catch (final SQLException | RuntimeException e) {
            consumers.giveBack(consumer);
            throw e instanceof RuntimeException runtime ? SqlErrors.reading(runtime) : (SQLException) e;
        }
        try {
            query.open(connection, emit.query().toSqlString(CalciteSqlDialect.DEFAULT).getSql());
        } catch (final SQLException | RuntimeException e) {
            query.close();
            throw e;
        }
        RUNNING.put(query.id, query);
        return query;
    }

    private static long limit(final SqlNode node) throws SQLException {
        if (node == null) {
            return Long.MAX_VALUE;
        }
        if (node instanceof SqlLiteral literal) {
            try {
                final long value = literal.getValueAs(Long.class);
                if (value >= 0) {
                    return value;
                }
            } catch (final RuntimeException e) {
                // Reported below.
            }
        }
        throw SqlErrors.invalid("LIMIT takes a whole number of rows, 0 or more", node.getParserPosition());
    }

    private void open(final CalciteConnection connection, final String query) throws SQLException {
        final CalcitePrepare.Context context = connection.createPrepareContext();
        final CalcitePrepare.CalciteSignature<Object> signature;
        CalcitePrepare.Dummy.push(context);
        try {
            signature = CalcitePrepare.DEFAULT_FACTORY.apply()
                .prepareSql(context, CalcitePrepare.Query.of(query), Object[].class, -1);
        } catch (final RuntimeException e) {
            throw SqlErrors.fromCalcite(new SQLException("Error while executing SQL \"" + sql + "\": "
                + e.getMessage(), (String) null, e));
        } finally {
            CalcitePrepare.Dummy.pop(context);
        }
        columns = signature.columns;
        arrayRows = signature.cursorFactory.style == Meta.Style.ARRAY || columns.size() != 1;
        enumerator = signature.enumerable(new LiveContext(connection, signature.internalParameters)).enumerator();
    }

    String id() {
        return id;
    }

    String sql() {
        return sql;
    }

    String source() {
        return source;
    }

    long startedMs() {
        return startedMs;
    }

    /** Rows delivered so far. */
    long rows() {
        return rows.get();
    }

    /** Malformed records skipped so far. */
    long malformed() {
        return live.malformed();
    }

    List<ColumnMetaData> columns() {
        return columns;
    }

    /** The running push queries of this process, by id. */
    static Collection<PushQuery> running() {
        return List.copyOf(RUNNING.values());
    }

    /** A JDBC view of the rows. */
    ResultSet resultSet(final java.sql.Statement statement) {
        return PushResultSet.create(this, statement);
    }

    /**
     * The next row, waiting for it: null when the query was cancelled, closed or reached its limit.
     *
     * @throws LiveScan.TimeoutException past the query timeout.
     */
    synchronized Object[] next() {
        if (closed.get() || live.cancelled() || rows.get() >= limit) {
            return null;
        }
        if (!enumerator.moveNext()) {
            return null;
        }
        rows.incrementAndGet();
        final Object current = enumerator.current();
        return arrayRows ? (Object[]) current : new Object[] {current};
    }

    /** Ends the rows: the reader's next call returns no more (within one poll when it is waiting). */
    void cancel() {
        live.cancel();
    }

    boolean closed() {
        return closed.get();
    }

    /**
     * Ends the query and gives its consumer back. From another thread than the reader's, it waits for the
     * reader's {@link #next()} to see the cancel (one poll at most).
     */
    @Override
    public void close() {
        live.cancel();
        RUNNING.remove(id);
        synchronized (this) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (enumerator != null) {
                enumerator.close();
            }
            consumers.giveBack(consumer);
        }
    }

    /** The data context of the compiled plan: the connection's schema and variables, and the live scan. */
    private final class LiveContext implements DataContext {
        private final CalciteConnection connection;
        private final Map<String, Object> values = new HashMap<>();

        LiveContext(final CalciteConnection connection, final Map<String, Object> internal) {
            this.connection = connection;
            values.putAll(internal);
            final long now = System.currentTimeMillis();
            final TimeZone zone = TimeZone.getDefault();
            values.put(Variable.UTC_TIMESTAMP.camelName, now);
            values.put(Variable.CURRENT_TIMESTAMP.camelName, now + zone.getOffset(now));
            values.put(Variable.LOCAL_TIMESTAMP.camelName, now + zone.getOffset(now));
            values.put(Variable.TIME_ZONE.camelName, zone);
            values.put(Variable.LOCALE.camelName, Locale.getDefault());
            values.put(Variable.CANCEL_FLAG.camelName, new AtomicBoolean());
            values.put(Variable.USER.camelName, "sa");
            values.put(Variable.SYSTEM_USER.camelName, System.getProperty("user.name", "sa"));
            values.put(LiveScan.KEY, live);
        }

        @Override
        public SchemaPlus getRootSchema() {
            return connection.getRootSchema();
        }

        @Override
        public JavaTypeFactory getTypeFactory() {
            return connection.getTypeFactory();
        }

        @Override
        public QueryProvider getQueryProvider() {
            return connection;
        }

        @Override
        public Object get(final String name) {
            return values.get(name);
        }
    }
}

package io.sequent.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.sequent.client.ClientConfig;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push queries ({@code EMIT CHANGES}) through JDBC over a real broker while records are produced. */
class PushQueryTest {
    private static final long WAIT_S = 30;

    @TempDir
    static Path dataDir;

    private static SqlBroker broker;
    private static Connection connection;
    private static Producer producer;
    private static ExecutorService readers;

    @BeforeAll
    static void start() throws SQLException {
        broker = new SqlBroker(dataDir);
        connection = DriverManager.getConnection(broker.url());
        producer = new Producer(new ProducerConfig(new ClientConfig().bootstrap(broker.endpoint())
            .driverIdleStrategy("backoff")).lingerMs(0));
        readers = Executors.newCachedThreadPool();
        update("CREATE STREAM pv (user_id VARCHAR KEY, page VARCHAR, ms BIGINT) "
            + "WITH (KAFKA_TOPIC='pv', VALUE_FORMAT='JSON', PARTITIONS=2)");
    }

    @AfterAll
    static void stop() throws SQLException {
        if (readers != null) {
            readers.shutdownNow();
        }
        if (producer != null) {
            producer.close();
        }
        if (connection != null) {
            connection.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static int update(final String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        }
    }

    private static void produce(final String topic, final String key, final String value) throws Exception {
        producer.send(new ProducerRecord(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get(WAIT_S, TimeUnit.SECONDS);
    }

    private static List<Object> row(final ResultSet rs) throws SQLException {
        final List<Object> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.add(rs.getObject(i));
        }
        return row;
    }

    /** The next row, read on another thread, or null at the end of the rows. */
    private static List<Object> next(final ResultSet rs) throws Exception {
        final Future<List<Object>> next = readers.submit(() -> rs.next() ? row(rs) : null);
        return next.get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void rowsComeAsRecordsArriveFilteredAndProjectedWithPseudoColumns() throws Exception {
        produce("pv", "before", "{\"page\":\"/old\",\"ms\":99}");
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT user_id, UPPER(page) AS page, ms * 2 AS ms2, ROWPARTITION, "
                 + "ROWOFFSET, ROWTIME FROM pv WHERE ms > 10 EMIT CHANGES LIMIT 2")) {
            assertEquals("PAGE", rs.getMetaData().getColumnLabel(2));
            assertEquals(6, rs.getMetaData().getColumnCount());
            final long before = System.currentTimeMillis();
            produce("pv", "u1", "{\"page\":\"/a\",\"ms\":20}");
            // One record committed, no second one: next() returns its row now (nothing is read ahead).
            final List<Object> first = next(rs);
            assertEquals("u1", first.get(0));
            assertEquals("/A", first.get(1));
            assertEquals(40L, first.get(2));
            assertInstanceOf(Integer.class, first.get(3));
            assertInstanceOf(Long.class, first.get(4));
            final Timestamp rowtime = (Timestamp) first.get(5);
            assertTrue(Math.abs(rowtime.getTime() + java.util.TimeZone.getDefault().getOffset(rowtime.getTime())
                - before) < 60_000, "ROWTIME " + rowtime + " is the record's timestamp");
            produce("pv", "u2", "{\"page\":\"/filtered\",\"ms\":5}");
            produce("pv", "u3", "{\"page\":\"/b\",\"ms\":30}");
            assertEquals(List.of("u3", "/B", 60L), next(rs).subList(0, 3));
            // LIMIT 2 reached: the rows end.
            assertEquals(null, next(rs));
        }
    }

    @Test
    void earliestStartsAtTheLogStartAndAMalformedRecordIsCountedAndSkipped() throws Exception {
        update("CREATE STREAM early (k VARCHAR KEY, n BIGINT) WITH (KAFKA_TOPIC='early', PARTITIONS=1)");
        produce("early", "a", "{\"n\":1}");
        produce("early", "b", "{\"n\":\"not a number\"");
        produce("early", "c", "{\"n\":3}");
        try (Connection c = DriverManager.getConnection(broker.url()); Statement statement = c.createStatement()) {
            assertEquals(0, statement.executeUpdate("SET 'auto.offset.reset' = 'earliest'"));
            try (ResultSet rs = statement.executeQuery("SELECT k, n FROM early EMIT CHANGES")) {
                assertEquals(List.of("a", 1L), next(rs));
                assertEquals(List.of("c", 3L), next(rs));
                final PushQuery query = PushQuery.running().stream().filter(q -> q.source().equals("EARLY"))
                    .findFirst().orElseThrow();
                assertEquals(1, query.malformed());
                assertEquals(2, query.rows());
                produce("early", "d", "{\"n\":4}");
                assertEquals(List.of("d", 4L), next(rs));
            }
            final SQLException bad = assertThrows(SQLException.class,
                () -> statement.executeUpdate("SET 'auto.offset.reset' = 'sometime'"));
            assertEquals(SqlErrors.SYNTAX, bad.getSQLState());
            assertThrows(SQLException.class, () -> statement.executeUpdate("SET 'no.such.thing' = 'x'"));
        }
        try (Connection c = DriverManager.getConnection(broker.url() + ";auto.offset.reset=earliest");
             Statement statement = c.createStatement();
             ResultSet rs = statement.executeQuery("SELECT n FROM early EMIT CHANGES LIMIT 1")) {
            assertEquals(List.of(1L), next(rs));
            assertEquals(null, next(rs));
        }
        assertTrue(PushQuery.running().stream().noneMatch(q -> q.source().equals("EARLY")), "closed queries end");
    }

    @Test
    void cancelFromAnotherThreadEndsTheRows() throws Exception {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT page FROM pv EMIT CHANGES")) {
            final CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return rs.next();
                } catch (final SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, readers);
            assertFalse(waiting.isDone(), "no record, no row");
            statement.cancel();
            assertFalse(waiting.get(WAIT_S, TimeUnit.SECONDS));
            assertFalse(rs.next());
        }
    }

    @Test
    void theQueryTimeoutFailsTheWaitingRead() throws Exception {
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(1);
            try (ResultSet rs = statement.executeQuery("SELECT page FROM pv WHERE page = 'never' EMIT CHANGES")) {
                final ExecutionException e = assertThrows(ExecutionException.class, () -> next(rs));
                assertInstanceOf(SQLTimeoutException.class, e.getCause());
            }
        }
    }

    @Test
    void aTablePushQueryGivesEachChangeAndDeletesGiveNone() throws Exception {
        update("CREATE TABLE accounts (id VARCHAR PRIMARY KEY, balance INT) "
            + "WITH (KAFKA_TOPIC='accounts', PARTITIONS=1)");
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT id, balance FROM accounts EMIT CHANGES LIMIT 3")) {
            produce("accounts", "a", "{\"balance\":10}");
            produce("accounts", "a", null);
            produce("accounts", null, "{\"balance\":1}");
            produce("accounts", "b", "{\"balance\":20}");
            produce("accounts", "a", "{\"balance\":30}");
            assertEquals(List.of("a", 10), next(rs));
            assertEquals(List.of("b", 20), next(rs));
            assertEquals(List.of("a", 30), next(rs));
            assertEquals(null, next(rs));
        }
    }

    @Test
    void queriesAPushQueryCannotRunAreRefused() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (final String sql : Arrays.asList("SELECT user_id, COUNT(*) FROM pv GROUP BY user_id EMIT CHANGES",
                "SELECT a.page FROM pv a JOIN pv b ON a.user_id = b.user_id EMIT CHANGES",
                "SELECT page FROM pv ORDER BY page EMIT CHANGES")) {
                final SQLException e = assertThrows(SQLFeatureNotSupportedException.class,
                    () -> statement.executeQuery(sql));
                assertEquals(SqlErrors.NOT_SUPPORTED, e.getSQLState(), sql);
            }
            assertEquals(SqlErrors.UNKNOWN_SOURCE, assertThrows(SQLException.class,
                () -> statement.executeQuery("SELECT x FROM nowhere EMIT CHANGES")).getSQLState());
            assertEquals(SqlErrors.SYNTAX, assertThrows(SQLException.class,
                () -> statement.executeQuery("SELECT no_such_column FROM pv EMIT CHANGES")).getSQLState());
        }
    }
}

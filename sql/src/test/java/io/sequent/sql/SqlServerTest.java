package io.sequent.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote JDBC through Avatica's own driver to a {@link SqlServer} on 127.0.0.1, over a real broker. */
class SqlServerTest {
    @TempDir
    static Path dataDir;

    private static SqlBroker broker;
    private static SqlServer server;

    @BeforeAll
    static void start() {
        broker = new SqlBroker(dataDir);
        server = SqlServer.launch(new SqlServer.Context().bootstrap(broker.endpoint()).host("127.0.0.1").port(0)
            .setting("request.timeout.ms", "20000"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static List<String> rows(final ResultSet rs) throws SQLException {
        final List<String> out = new ArrayList<>();
        try (rs) {
            final int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                final StringBuilder b = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    b.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    @Test
    void remoteJdbcCreatesInsertsAndSelects() throws SQLException {
        assertTrue(server.url().startsWith("jdbc:avatica:remote:url=http://127.0.0.1:"), server.url());
        assertTrue(server.port() > 0);
        try (Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
            assertEquals(0, s.executeUpdate("CREATE STREAM remote_pv (user_id VARCHAR KEY, page VARCHAR, ms BIGINT) "
                + "WITH (KAFKA_TOPIC='remote_pv', VALUE_FORMAT='JSON', PARTITIONS=1)"));
            assertEquals(1, s.executeUpdate("INSERT INTO remote_pv (user_id, page, ms) VALUES ('u1', '/home', 10)"));
            assertEquals(1, s.executeUpdate("INSERT INTO remote_pv (user_id, page, ms) VALUES ('u2', '/cart', 20)"));
            assertEquals(1, s.executeUpdate("INSERT INTO remote_pv (user_id, page, ms) VALUES ('u1', '/buy', 30)"));
            assertEquals(List.of("u1|/home|10", "u1|/buy|30"),
                rows(s.executeQuery("SELECT user_id, page, ms FROM remote_pv WHERE user_id = 'u1' ORDER BY ms")));
            assertEquals(List.of("u1|2", "u2|1"),
                rows(s.executeQuery("SELECT user_id, COUNT(*) FROM remote_pv GROUP BY user_id ORDER BY user_id")));
            assertTrue(rows(s.executeQuery("SHOW STREAMS")).stream().anyMatch(r -> r.startsWith("REMOTE_PV|")));
            // A push query ends at its LIMIT, which fills Avatica's first frame.
            s.executeUpdate("SET 'auto.offset.reset' = 'earliest'");
            assertEquals(List.of("/home", "/cart"),
                rows(s.executeQuery("SELECT page FROM remote_pv EMIT CHANGES LIMIT 2")));

            final DatabaseMetaData meta = c.getMetaData();
            final List<String> tables = new ArrayList<>();
            try (ResultSet rs = meta.getTables(null, SequentDriver.SCHEMA, "REMOTE_PV", null)) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
                }
            }
            assertEquals(List.of("REMOTE_PV STREAM"), tables);
            final List<String> columns = new ArrayList<>();
            try (ResultSet rs = meta.getColumns(null, SequentDriver.SCHEMA, "REMOTE_PV", "%")) {
                while (rs.next()) {
                    columns.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
                }
            }
            assertEquals(List.of("USER_ID VARCHAR", "PAGE VARCHAR", "MS BIGINT"), columns.subList(0, 3));
        }
    }

    @Test
    void badStatementsReachTheRemoteClientWithTheirSqlState() throws SQLException {
        try (Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
            final SQLException unknown = assertThrows(SQLException.class,
                () -> s.executeQuery("SELECT * FROM no_such_stream"));
            assertTrue(unknown.getMessage().contains("NO_SUCH_STREAM"), unknown.getMessage());
            assertFalse(unknown.getSQLState() == null || unknown.getSQLState().isEmpty(), "an SQLState");
            final SQLException syntax = assertThrows(SQLException.class, () -> s.execute("CREATE STREM x (a INT)"));
            assertEquals("42000", syntax.getSQLState(), syntax.getMessage());
            // The connection is still usable after errors.
            assertEquals(List.of("1"), rows(s.executeQuery("VALUES 1")));
        }
    }

    @Test
    void contextRejectsMissingBrokersAndBadPorts() {
        assertThrows(IllegalArgumentException.class, () -> new SqlServer.Context().conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new SqlServer.Context().bootstrap("127.0.0.1:1").port(70000).conclude());
    }
}

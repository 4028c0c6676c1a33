package io.sequent.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog lives in its topic: it outlives every connection and a restart of the broker. */
class CatalogRestartTest {
    @TempDir
    Path dataDir;

    private static List<String> column(final Connection c, final String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            final List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    @Test
    void definitionsAndRowsSurviveABrokerRestart() throws SQLException {
        try (SqlBroker broker = new SqlBroker(dataDir); Connection c = DriverManager.getConnection(broker.url());
            Statement s = c.createStatement()) {
            s.executeUpdate("CREATE STREAM orders (id VARCHAR KEY, amount DOUBLE) "
                + "WITH (KAFKA_TOPIC='orders', PARTITIONS=2)");
            s.executeUpdate("CREATE TABLE prices (sku VARCHAR PRIMARY KEY, price DECIMAL) "
                + "WITH (KAFKA_TOPIC='prices', PARTITIONS=1)");
            s.executeUpdate("CREATE STREAM doomed (id VARCHAR KEY, v INT) WITH (KAFKA_TOPIC='doomed', PARTITIONS=1)");
            s.executeUpdate("DROP STREAM doomed");
            s.executeUpdate("CREATE OR REPLACE STREAM orders (id VARCHAR KEY, amount DOUBLE, note VARCHAR) "
                + "WITH (KAFKA_TOPIC='orders')");
            s.executeUpdate("INSERT INTO orders VALUES ('o1', 9.5, 'first'), ('o2', 0.5, NULL)");
        }
        try (SqlBroker broker = new SqlBroker(dataDir); Connection c = DriverManager.getConnection(broker.url())) {
            assertEquals(List.of("ORDERS"), column(c, "SHOW STREAMS"));
            assertEquals(List.of("PRICES"), column(c, "SHOW TABLES"));
            assertEquals(List.of("ID", "AMOUNT", "NOTE", "ROWTIME", "ROWPARTITION", "ROWOFFSET"),
                column(c, "DESCRIBE orders"));
            assertEquals(List.of("first"), column(c, "SELECT note FROM orders WHERE amount > 1"));
            assertEquals(List.of("10.0"), column(c, "SELECT SUM(amount) FROM orders"));
        }
    }
}

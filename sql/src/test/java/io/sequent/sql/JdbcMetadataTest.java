package io.sequent.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code jdbc:sequent://host:port} URL, the driver's service registration and DatabaseMetaData browsing. */
class JdbcMetadataTest {
    @TempDir
    static Path dataDir;

    private static SqlBroker broker;

    @BeforeAll
    static void start() {
        broker = new SqlBroker(dataDir);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static List<String> strings(final ResultSet rs, final String... columns) throws SQLException {
        final List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                final StringBuilder b = new StringBuilder();
                for (final String column : columns) {
                    b.append(b.length() == 0 ? "" : " ").append(rs.getString(column));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    @Test
    void theDriverIsAServiceAndTakesBothUrlForms() throws SQLException {
        boolean found = false;
        for (final Driver driver : ServiceLoader.load(Driver.class)) {
            found |= driver instanceof SequentDriver;
        }
        assertTrue(found, "META-INF/services/java.sql.Driver names SequentDriver");
        final String url = "jdbc:sequent://" + broker.endpoint() + "?request.timeout.ms=20000&auto.offset.reset=latest";
        assertTrue(DriverManager.getDriver(url) instanceof SequentDriver);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE STREAM viaurl (k VARCHAR KEY, v INT) WITH (KAFKA_TOPIC='viaurl', PARTITIONS=1)");
            assertEquals(url, c.getMetaData().getURL());
        }
        try (Connection old = DriverManager.getConnection(broker.url());
             ResultSet rs = old.createStatement().executeQuery("SHOW STREAMS")) {
            assertTrue(rs.next());
        }
        for (final String bad : List.of("jdbc:sequent://", "jdbc:sequent://" + broker.endpoint() + "?novalue",
            "jdbc:sequent://" + broker.endpoint() + "?auto.offset.reset=sometime")) {
            assertEquals("08001",
                assertThrows(SQLException.class, () -> DriverManager.getConnection(bad)).getSQLState(), bad);
        }
    }

    @Test
    void metadataListsStreamsAndTablesWithTheirColumnsAsTheCatalogIsNow() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sequent://" + broker.endpoint());
             Connection other = DriverManager.getConnection("jdbc:sequent://" + broker.endpoint())) {
            final DatabaseMetaData meta = c.getMetaData();
            assertTrue(strings(meta.getSchemas(), "TABLE_SCHEM").contains(SequentDriver.SCHEMA));
            final List<String> types = strings(meta.getTableTypes(), "TABLE_TYPE");
            assertTrue(types.contains("STREAM") && types.contains("TABLE"), types.toString());
            // Made through another connection after this one opened: metadata reads the catalog again.
            try (Statement s = other.createStatement()) {
                s.executeUpdate("CREATE STREAM clicks (user_id VARCHAR KEY, page VARCHAR) "
                    + "WITH (KAFKA_TOPIC='mclicks', PARTITIONS=1)");
                s.executeUpdate("CREATE TABLE people (id VARCHAR PRIMARY KEY, age INT) "
                    + "WITH (KAFKA_TOPIC='mpeople', PARTITIONS=1)");
            }
            assertEquals(List.of("SEQUENT CLICKS STREAM"),
                strings(meta.getTables(null, SequentDriver.SCHEMA, "%", new String[] {"STREAM"}), "TABLE_SCHEM",
                    "TABLE_NAME", "TABLE_TYPE").stream().filter(t -> t.contains("CLICKS")).toList());
            assertEquals(List.of("SEQUENT PEOPLE TABLE"),
                strings(meta.getTables(null, SequentDriver.SCHEMA, "PEOPLE", null), "TABLE_SCHEM", "TABLE_NAME",
                    "TABLE_TYPE"));
            assertEquals(List.of("USER_ID VARCHAR", "PAGE VARCHAR", "ROWTIME TIMESTAMP(3) NOT NULL",
                "ROWPARTITION INTEGER NOT NULL", "ROWOFFSET BIGINT NOT NULL"),
                strings(meta.getColumns(null, SequentDriver.SCHEMA, "CLICKS", "%"), "COLUMN_NAME", "TYPE_NAME"));
            assertEquals(List.of("ID " + Types.VARCHAR + " 1", "AGE " + Types.INTEGER + " 2"),
                strings(meta.getColumns(null, SequentDriver.SCHEMA, "PEOPLE", "%"), "COLUMN_NAME", "DATA_TYPE",
                    "ORDINAL_POSITION").subList(0, 2));
            try (Statement s = other.createStatement()) {
                s.executeUpdate("DROP TABLE people");
            }
            assertEquals(List.of(), strings(meta.getTables(null, SequentDriver.SCHEMA, "PEOPLE", null), "TABLE_NAME"));
        }
    }
}

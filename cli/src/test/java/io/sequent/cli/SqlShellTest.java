package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.sql.SqlServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sequent sql -e / -f}: sqlline (the real one) through both drivers, the embedded
 * {@code jdbc:sequent://} one and Avatica's remote one to a {@link SqlServer}, over a real broker on 127.0.0.1.
 */
class SqlShellTest {
    @TempDir
    static Path dataDir;

    private static Broker broker;
    private static SqlServer server;
    private static String endpoint;

    @BeforeAll
    static void start() {
        broker = Broker.launch(new BrokerContext()
            .port(0)
            .dataDir(dataDir.resolve("broker"))
            .aeronDir("/dev/shm/sequent-cli-sql-test-" + UUID.randomUUID())
            .idleStrategy("backoff")
            .driverIdleStrategy("backoff")
            .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
            .topicDefault("log.preallocate", "false"));
        endpoint = broker.ingressEndpoint();
        server = SqlServer.launch(new SqlServer.Context().bootstrap(endpoint).host("127.0.0.1").port(0));
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

    private static Run embedded(final String... args) {
        final String[] all = new String[args.length + 3];
        all[0] = "sql";
        all[1] = "--broker";
        all[2] = endpoint;
        System.arraycopy(args, 0, all, 3, args.length);
        return Run.of(all);
    }

    private static Run remote(final String... args) {
        final String[] all = new String[args.length + 3];
        all[0] = "sql";
        all[1] = "--url";
        all[2] = server.url();
        System.arraycopy(args, 0, all, 3, args.length);
        return Run.of(all);
    }

    @Test
    void sqllineRunsStatementsThroughTheEmbeddedAndTheRemoteDriver() throws IOException {
        final Run create = embedded("-e", "CREATE STREAM shell_pv (user_id VARCHAR KEY, page VARCHAR, ms BIGINT) "
            + "WITH (KAFKA_TOPIC='shell_pv', VALUE_FORMAT='JSON', PARTITIONS=2)");
        assertEquals(0, create.exitCode, create.toString());

        // A script through the remote driver: inserts, then a query whose rows it prints.
        final Path script = dataDir.resolve("pageviews.sql");
        Files.writeString(script, String.join("\n",
            "INSERT INTO shell_pv VALUES ('u1', '/home', 10), ('u2', '/cart', 25);",
            "INSERT INTO shell_pv VALUES ('u1', '/cart', 40);",
            "SELECT user_id, COUNT(*) AS views FROM shell_pv GROUP BY user_id ORDER BY views DESC;", ""));
        final Run remote = remote("-f", script.toString(), "--output-format", "csv");
        assertEquals(0, remote.exitCode, remote.toString());
        assertEquals(List.of("'USER_ID','VIEWS'", "'u1','2'", "'u2','1'"), remote.outLines());

        // The same rows through the embedded driver, as a table.
        final Run table = embedded("-e", "SELECT user_id, page FROM shell_pv WHERE ms > 20 ORDER BY ms");
        assertEquals(0, table.exitCode, table.toString());
        final List<String> lines = table.outLines();
        assertTrue(lines.contains("| USER_ID | PAGE  |"), table.out);
        assertTrue(lines.indexOf("| u2      | /cart |") < lines.indexOf("| u1      | /cart |"), table.out);
        assertFalse(table.out.contains("/home"), table.out);

        // Sequent's own statements' rows (SHOW, DESCRIBE) print too, through both drivers.
        for (final Run show : List.of(embedded("-e", "DESCRIBE shell_pv", "--output-format", "csv"),
            remote("-e", "DESCRIBE shell_pv", "--output-format", "csv"))) {
            assertEquals(0, show.exitCode, show.toString());
            assertEquals("'COLUMN_NAME','TYPE','KEY'", show.outLines().get(0), show.out);
            assertEquals("'USER_ID','VARCHAR','KEY'", show.outLines().get(1), show.out);
        }

        // A push query ends at its LIMIT; csv prints each row as it arrives.
        final Run push = embedded("--property", "auto.offset.reset=earliest", "--output-format", "csv",
            "-e", "SELECT page FROM shell_pv WHERE user_id = 'u1' EMIT CHANGES LIMIT 2");
        assertEquals(0, push.exitCode, push.toString());
        assertEquals(List.of("'PAGE'", "'/home'", "'/cart'"), push.outLines());
    }

    @Test
    void aFailingStatementPrintsOneErrorLineWithItsSqlStateAndExitsOne() {
        for (final Run failed : List.of(embedded("-e", "SELECT * FROM no_such_stream"),
            remote("-e", "SELECT * FROM no_such_stream"))) {
            assertEquals(1, failed.exitCode, failed.toString());
            assertTrue(failed.err.contains("Object 'NO_SUCH_STREAM' not found (state=42S02"), failed.err);
            assertFalse(failed.err.contains("\tat "), "no stack trace: " + failed.err);
        }
        final Run syntax = embedded("-e", "CREATE STREM x (a INT)");
        assertEquals(1, syntax.exitCode, syntax.toString());
        assertTrue(syntax.err.contains("line 1, column 8") && syntax.err.contains("state=42000"), syntax.err);
    }
}

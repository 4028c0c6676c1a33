package io.sequent.sql;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.BuiltInConnectionProperty;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.Driver;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.server.HttpServer;
import org.apache.calcite.avatica.server.ServerCustomizer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL server: Avatica's HTTP protocol (protobuf serialization) in front of the embedded driver, so remote
 * JDBC tools connect with {@code jdbc:avatica:remote:url=http://host:8088;serialization=protobuf}. Each remote
 * connection is one {@link SequentDriver} connection on the server (its own session, catalog view and clients);
 * statements run exactly as they do embedded.
 *
 * <p>Avatica hands rows to the client in frames (100 rows by default): a push query ({@code EMIT CHANGES})
 * over this server delivers a frame once it is full or the query ends ({@code LIMIT}, timeout), not row by
 * row as the embedded driver does.
 *
 * <p>Threads: Jetty's request threads; the server holds no state of its own beyond Avatica's connection and
 * statement caches.
 */
public final class SqlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqlServer.class);

    /** The settings of a {@link SqlServer}. */
    public static final class Context {
        /** The default HTTP port. */
        public static final int DEFAULT_PORT = 8088;

        private String bootstrap;
        private String host = "0.0.0.0";
        private int port = DEFAULT_PORT;
        private final Properties settings = new Properties();

        /** The brokers, {@code host:port[,host:port]} (required). */
        public Context bootstrap(final String bootstrap) {
            this.bootstrap = bootstrap;
            return this;
        }

        /** The address to listen on; {@code 0.0.0.0} (every interface) by default. */
        public Context host(final String host) {
            this.host = host;
            return this;
        }

        /** The HTTP port; {@value #DEFAULT_PORT} by default, 0 for an ephemeral one. */
        public Context port(final int port) {
            this.port = port;
            return this;
        }

        /** A client setting (docs/client.md) or {@code auto.offset.reset} for every connection. */
        public Context setting(final String key, final String value) {
            settings.setProperty(key, value);
            return this;
        }

        /** Checks the settings. */
        public Context conclude() {
            if (bootstrap == null || bootstrap.isBlank()) {
                throw new IllegalArgumentException("the SQL server needs the brokers: bootstrap host:port");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be empty");
            }
            return this;
        }

        String url() {
            return SequentDriver.HOST_PREFIX + bootstrap;
        }
    }

    private final HttpServer http;
    private final String host;

    private SqlServer(final HttpServer http, final String host) {
        this.http = http;
        this.host = host;
    }

    /** Starts the server; connections to the brokers are made as remote clients connect. */
    public static SqlServer launch(final Context context) {
        context.conclude();
        final JdbcMeta meta;
        try {
            meta = new SequentMeta(context.url(), context.settings);
        } catch (final SQLException e) {
            throw new IllegalStateException("cannot start the SQL server: " + e.getMessage(), e);
        }
        final String host = context.host;
        final ServerCustomizer<Server> bind = server -> {
            for (final Connector connector : server.getConnectors()) {
                if (connector instanceof ServerConnector serverConnector) {
                    serverConnector.setHost(host);
                }
            }
        };
        final HttpServer http = new HttpServer.Builder<Server>()
            .withHandler(new LocalService(meta), Driver.Serialization.PROTOBUF)
            .withPort(context.port)
            .withServerCustomizers(List.of(bind), Server.class)
            .build();
        http.start();
        final SqlServer server = new SqlServer(http, host);
        LOG.info("SQL server on {} over {}", server.url(), context.bootstrap);
        return server;
    }

    /** The port the server listens on (the ephemeral one it was given when asked for port 0). */
    public int port() {
        return http.getPort();
    }

    /** The remote JDBC URL of this server. */
    public String url() {
        final String address = "0.0.0.0".equals(host) ? "localhost" : host;
        return "jdbc:avatica:remote:url=http://" + address + ":" + port() + ";serialization=protobuf";
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        http.join();
    }

    @Override
    public void close() {
        http.stop();
    }

    /**
     * Avatica's JDBC-backed {@link Meta} over the embedded driver, without the remote driver's own connection
     * properties ({@code url}, {@code serialization}, ...), which are no client settings.
     */
    private static final class SequentMeta extends JdbcMeta {
        private static final Set<String> AVATICA_KEYS = Stream.of(BuiltInConnectionProperty.values())
            .map(BuiltInConnectionProperty::camelName).collect(Collectors.toUnmodifiableSet());

        SequentMeta(final String url, final Properties settings) throws SQLException {
            super(url, settings);
        }

        @Override
        public void openConnection(final ConnectionHandle handle, final Map<String, String> info) {
            final Map<String, String> settings = new HashMap<>();
            if (info != null) {
                info.forEach((key, value) -> {
                    if (!AVATICA_KEYS.contains(key)) {
                        settings.put(key, value);
                    }
                });
            }
            super.openConnection(handle, settings);
        }

        @Override
        public ExecuteResult prepareAndExecute(final StatementHandle h, final String sql, final long maxRowCount,
            final int maxRowsInFirstFrame, final PrepareCallback callback) throws NoSuchStatementException {
            try {
                return super.prepareAndExecute(h, sql, maxRowCount, maxRowsInFirstFrame, callback);
            } catch (final RuntimeException e) {
                throw withSqlState(e);
            }
        }

        @Override
        public Frame fetch(final StatementHandle h, final long offset, final int fetchMaxRowCount)
            throws NoSuchStatementException, MissingResultsException {
            try {
                return super.fetch(h, offset, fetchMaxRowCount);
            } catch (final RuntimeException e) {
                throw withSqlState(e);
            }
        }

        /**
         * The statement's {@link SQLException} as Avatica's error with its message and SQLState, which the
         * remote client raises as they were ({@code JdbcMeta} wraps it in a plain RuntimeException, whose
         * SQLState the client would see as {@code 00000}).
         */
        private static RuntimeException withSqlState(final RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && sql.getSQLState() != null) {
                    return new AvaticaRuntimeException(sql.getMessage(), sql.getErrorCode(), sql.getSQLState(),
                        AvaticaSeverity.ERROR);
                }
            }
            return e;
        }
    }
}

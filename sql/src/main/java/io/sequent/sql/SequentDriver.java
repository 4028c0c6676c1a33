package io.sequent.sql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Properties;
import java.util.logging.Logger;

import io.sequent.client.SequentException;
import io.sequent.sql.parser.impl.SequentSqlParserImpl;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.lookup.LikePattern;

/**
 * The embedded JDBC driver. URLs: {@code jdbc:sequent://host:port[,host:port][?key=value[&key=value...]]},
 * or the older {@code jdbc:sequent:bootstrap=host:port[,host:port][;key=value...]}; the keys are client
 * settings (docs/client.md) and {@code auto.offset.reset} (where push queries start). A connection is a
 * Calcite connection whose default schema {@value #SCHEMA} holds the catalog's streams and tables; statements
 * made by {@code createStatement()} run Sequent's own statements ({@link SqlSession}) and hand queries to
 * Calcite. {@code getMetaData()} is Calcite's metadata over that schema, with the catalog read again before
 * each listing. Registered through {@code META-INF/services/java.sql.Driver}.
 */
public final class SequentDriver implements Driver {
    /** The URL prefix. */
    public static final String PREFIX = "jdbc:sequent:";
    /** The prefix of the {@code jdbc:sequent://host:port} form. */
    public static final String HOST_PREFIX = "jdbc:sequent://";
    /** The schema the streams and tables are in. */
    public static final String SCHEMA = "SEQUENT";

    static {
        try {
            DriverManager.registerDriver(new SequentDriver());
        } catch (final SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Connection connect(final String url, final Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        final Properties settings = new Properties();
        if (info != null) {
            settings.putAll(info);
        }
        String bootstrap = null;
        final String[] parts;
        if (url.startsWith(HOST_PREFIX)) {
            final String rest = url.substring(HOST_PREFIX.length());
            final int query = rest.indexOf('?');
            String hosts = query < 0 ? rest : rest.substring(0, query);
            if (hosts.endsWith("/")) {
                hosts = hosts.substring(0, hosts.length() - 1);
            }
            bootstrap = hosts.trim();
            parts = query < 0 ? new String[0] : rest.substring(query + 1).split("[&;]");
            if (bootstrap.isEmpty()) {
                throw new SQLException("the URL names no brokers: " + HOST_PREFIX + "host:port", "08001");
            }
        } else {
            parts = url.substring(PREFIX.length()).split(";");
        }
        for (final String part : parts) {
            if (part.isBlank()) {
                continue;
            }
            final int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new SQLException("expected key=value in the URL, found '" + part + "'", "08001");
            }
            final String key = part.substring(0, eq).trim();
            final String value = part.substring(eq + 1).trim();
            if ("bootstrap".equals(key) && !url.startsWith(HOST_PREFIX)) {
                bootstrap = value;
            } else {
                settings.setProperty(key, value);
            }
        }
        if (bootstrap == null || bootstrap.isEmpty()) {
            throw new SQLException("the URL names no brokers: " + HOST_PREFIX + "host:port", "08001");
        }
        final SqlSession session;
        try {
            session = new SqlSession(bootstrap, settings);
        } catch (final SequentException e) {
            throw new SQLException("cannot connect to " + bootstrap + ": " + e.getMessage(), "08001", e);
        } catch (final IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), "08001", e);
        }
        try {
            final Properties calcite = new Properties();
            calcite.setProperty("parserFactory", SequentSqlParserImpl.class.getName() + "#FACTORY");
            final CalciteConnection connection = new org.apache.calcite.jdbc.Driver()
                .connect("jdbc:calcite:", calcite).unwrap(CalciteConnection.class);
            final SchemaPlus schema = connection.getRootSchema().add(SCHEMA, session.schema());
            // Calcite makes the schema's table lookup on first use, and a lookup made after setCacheEnabled(false)
            // still caches: make it now, then turn caching off for it, so every statement and metadata call
            // sees the catalog as it is.
            schema.tables().getNames(LikePattern.any());
            schema.setCacheEnabled(true);
            schema.setCacheEnabled(false);
            connection.setSchema(SCHEMA);
            session.attach(connection);
            return (Connection) Proxy.newProxyInstance(SequentDriver.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ConnectionHandler(connection, session, url));
        } catch (final SQLException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    @Override
    public boolean acceptsURL(final String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(final String url, final Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    private static Object call(final Object target, final Method method, final Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (final InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The connection: Calcite's, with statements that run Sequent's statements, and the session closed with it. */
    private static final class ConnectionHandler implements InvocationHandler {
        private final CalciteConnection target;
        private final SqlSession session;
        private final String url;

        ConnectionHandler(final CalciteConnection target, final SqlSession session, final String url) {
            this.target = target;
            this.session = session;
            this.url = url;
        }

        @Override
        public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable {
            switch (method.getName()) {
                case "createStatement" -> {
                    final Statement statement = (Statement) call(target, method, args);
                    return Proxy.newProxyInstance(SequentDriver.class.getClassLoader(),
                        new Class<?>[] {Statement.class}, new StatementHandler((Connection) proxy, statement, session));
                }
                case "close" -> {
                    try {
                        return call(target, method, args);
                    } finally {
                        session.close();
                    }
                }
                case "getMetaData" -> {
                    return metaData((Connection) proxy, (DatabaseMetaData) call(target, method, args));
                }
                default -> {
                    return call(target, method, args);
                }
            }
        }

        /**
         * Calcite's metadata over the {@value #SCHEMA} schema, read from the catalog as it is now (the catalog
         * is read again first), under Sequent's names.
         */
        private DatabaseMetaData metaData(final Connection connection, final DatabaseMetaData calcite) {
            return (DatabaseMetaData) Proxy.newProxyInstance(SequentDriver.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getTables", "getColumns", "getSchemas", "getPrimaryKeys" -> session.refreshCatalog();
                        case "getConnection" -> {
                            return connection;
                        }
                        case "getURL" -> {
                            return url;
                        }
                        case "getDatabaseProductName" -> {
                            return "Sequent";
                        }
                        case "getDriverName" -> {
                            return "Sequent JDBC";
                        }
                        case "getDriverVersion" -> {
                            return "0.1";
                        }
                        case "getIdentifierQuoteString" -> {
                            return "\"";
                        }
                        case "getTableTypes" -> {
                            // Calcite answers TABLE and VIEW only; getTables also reports STREAM.
                            return new ResultRows().column("TABLE_TYPE", Types.VARCHAR)
                                .row("STREAM").row("TABLE").row("VIEW").build();
                        }
                        default -> {
                        }
                    }
                    return call(calcite, method, args);
                });
        }
    }

    /** A statement: Sequent's statements run in the session, queries on Calcite's statement. */
    private static final class StatementHandler implements InvocationHandler {
        private final Connection connection;
        private final Statement target;
        private final SqlSession session;
        private SqlSession.Outcome outcome;
        private volatile PushQuery push;

        StatementHandler(final Connection connection, final Statement target, final SqlSession session) {
            this.connection = connection;
            this.target = target;
            this.session = session;
        }

        @Override
        public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable {
            final String name = method.getName();
            final boolean sqlCall = args != null && args.length >= 1 && args[0] instanceof String;
            switch (name) {
                case "execute", "executeQuery", "executeUpdate", "executeLargeUpdate" -> {
                    if (!sqlCall) {
                        return call(target, method, args);
                    }
                    endPush();
                    outcome = session.execute((String) args[0], target.getQueryTimeout());
                    if (outcome.push() != null) {
                        push = outcome.push();
                        outcome = SqlSession.Outcome.rows(push.resultSet((Statement) proxy));
                    }
                    if (outcome.delegate()) {
                        outcome = null;
                        try {
                            return rows(call(target, method, args));
                        } catch (final SQLException e) {
                            throw SqlErrors.fromCalcite(e);
                        }
                    }
                    return answer(name, outcome);
                }
                case "getResultSet" -> {
                    return outcome != null ? outcome.rows() : rows(call(target, method, args));
                }
                case "getUpdateCount" -> {
                    return outcome != null ? (int) outcome.updateCount() : call(target, method, args);
                }
                case "getLargeUpdateCount" -> {
                    return outcome != null ? outcome.updateCount() : call(target, method, args);
                }
                case "getMoreResults" -> {
                    if (outcome != null) {
                        outcome = new SqlSession.Outcome(null, -1, false, null);
                        return false;
                    }
                    return call(target, method, args);
                }
                case "cancel" -> {
                    final PushQuery running = push;
                    if (running != null) {
                        running.cancel();
                    }
                    return call(target, method, args);
                }
                case "close" -> {
                    endPush();
                    return call(target, method, args);
                }
                case "getConnection" -> {
                    return connection;
                }
                default -> {
                    return call(target, method, args);
                }
            }
        }

        /** Ends the push query this statement ran last, if any (a new execute or close ends the previous rows). */
        private void endPush() {
            final PushQuery running = push;
            push = null;
            if (running != null) {
                running.close();
            }
        }

        /** Calcite's rows, whose unchecked exceptions (a record that does not decode) become SQLExceptions. */
        private static Object rows(final Object result) {
            if (!(result instanceof ResultSet rows)) {
                return result;
            }
            return Proxy.newProxyInstance(SequentDriver.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                (proxy, method, args) -> {
                    try {
                        return call(rows, method, args);
                    } catch (final RuntimeException e) {
                        throw SqlErrors.reading(e);
                    }
                });
        }

        private static Object answer(final String method, final SqlSession.Outcome outcome) throws SQLException {
            final ResultSet rows = outcome.rows();
            switch (method) {
                case "execute" -> {
                    return rows != null;
                }
                case "executeQuery" -> {
                    if (rows == null) {
                        throw new SQLException("the statement returns no rows: use execute or executeUpdate",
                            SqlErrors.SYNTAX);
                    }
                    return rows;
                }
                case "executeUpdate" -> {
                    if (rows != null) {
                        throw new SQLException("the statement returns rows: use executeQuery", SqlErrors.SYNTAX);
                    }
                    return (int) outcome.updateCount();
                }
                default -> {
                    if (rows != null) {
                        throw new SQLException("the statement returns rows: use executeQuery", SqlErrors.SYNTAX);
                    }
                    return outcome.updateCount();
                }
            }
        }
    }
}

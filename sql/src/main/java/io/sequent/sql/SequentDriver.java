package io.sequent.sql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;

import io.sequent.client.SequentException;
import io.sequent.sql.parser.impl.SequentSqlParserImpl;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.schema.SchemaPlus;

/**
 * The embedded JDBC driver: {@code jdbc:sequent:bootstrap=host:port[,host:port][;key=value...]}, the keys
 * being client settings (docs/client.md). A connection is a Calcite connection whose default schema
 * {@value #SCHEMA} holds the catalog's streams and tables; statements made by {@code createStatement()} run
 * Sequent's own statements ({@link SqlSession}) and hand queries to Calcite. Registered through
 * {@code META-INF/services/java.sql.Driver}.
 */
public final class SequentDriver implements Driver {
    /** The URL prefix. */
    public static final String PREFIX = "jdbc:sequent:";
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
        for (final String part : url.substring(PREFIX.length()).split(";")) {
            if (part.isBlank()) {
                continue;
            }
            final int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new SQLException("expected key=value in the URL, found '" + part + "'", "08001");
            }
            final String key = part.substring(0, eq).trim();
            final String value = part.substring(eq + 1).trim();
            if ("bootstrap".equals(key)) {
                bootstrap = value;
            } else {
                settings.setProperty(key, value);
            }
        }
        if (bootstrap == null || bootstrap.isEmpty()) {
            throw new SQLException("the URL names no brokers: " + PREFIX + "bootstrap=host:port", "08001");
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
            schema.setCacheEnabled(false);
            connection.setSchema(SCHEMA);
            session.attach(connection);
            return (Connection) Proxy.newProxyInstance(SequentDriver.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ConnectionHandler(connection, session));
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

        ConnectionHandler(final CalciteConnection target, final SqlSession session) {
            this.target = target;
            this.session = session;
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
                default -> {
                    return call(target, method, args);
                }
            }
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

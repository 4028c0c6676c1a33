package io.sequent.sql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.TimeZone;

import javax.sql.rowset.RowSetMetaDataImpl;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.util.ByteString;

/**
 * The JDBC view of a {@link PushQuery}: a forward-only, read-only result set whose {@code next()} waits for
 * the next row and returns it as soon as its record arrives (nothing is read ahead). It returns false once the
 * query is cancelled or reached its {@code LIMIT}, and throws {@link SQLTimeoutException} past the query
 * timeout. Values come as Calcite's JDBC driver gives them ({@code TIMESTAMP} as {@link java.sql.Timestamp},
 * and so on). Used by one thread.
 */
final class PushResultSet implements InvocationHandler {
    private final PushQuery query;
    private final Statement statement;
    private final List<ColumnMetaData> columns;
    private final ResultSetMetaData metaData;
    private Object[] row;
    private boolean wasNull;
    private boolean closed;
    private boolean finished;

    private PushResultSet(final PushQuery query, final Statement statement) throws SQLException {
        this.query = query;
        this.statement = statement;
        this.columns = query.columns();
        final RowSetMetaDataImpl meta = new RowSetMetaDataImpl();
        meta.setColumnCount(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            final ColumnMetaData column = columns.get(i);
            meta.setColumnName(i + 1, column.columnName == null ? column.label : column.columnName);
            meta.setColumnLabel(i + 1, column.label);
            meta.setColumnType(i + 1, column.type.id);
            meta.setColumnTypeName(i + 1, column.type.name);
            meta.setNullable(i + 1, column.nullable);
            meta.setPrecision(i + 1, Math.max(0, column.precision));
            meta.setScale(i + 1, Math.max(0, column.scale));
            meta.setSigned(i + 1, column.signed);
            if (column.tableName != null) {
                meta.setTableName(i + 1, column.tableName);
            }
            meta.setSchemaName(i + 1, column.schemaName == null ? "" : column.schemaName);
        }
        this.metaData = meta;
    }

    static ResultSet create(final PushQuery query, final Statement statement) {
        try {
            return (ResultSet) Proxy.newProxyInstance(PushResultSet.class.getClassLoader(),
                new Class<?>[] {ResultSet.class}, new PushResultSet(query, statement));
        } catch (final SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable {
        final String name = method.getName();
        switch (name) {
            case "next":
                return next();
            case "close":
                closed = true;
                row = null;
                query.close();
                return null;
            case "isClosed":
                return closed;
            case "getMetaData":
                return metaData;
            case "getStatement":
                return statement;
            case "wasNull":
                return wasNull;
            case "findColumn":
                return findColumn((String) args[0]);
            case "getWarnings":
            case "getCursorName":
                return null;
            case "clearWarnings":
            case "setFetchSize":
            case "setFetchDirection":
                return null;
            case "getFetchSize":
                return 1;
            case "getFetchDirection":
                return ResultSet.FETCH_FORWARD;
            case "getType":
                return ResultSet.TYPE_FORWARD_ONLY;
            case "getConcurrency":
                return ResultSet.CONCUR_READ_ONLY;
            case "getHoldability":
                return ResultSet.CLOSE_CURSORS_AT_COMMIT;
            case "getRow":
                return row == null ? 0 : (int) Math.min(Integer.MAX_VALUE, query.rows());
            case "isBeforeFirst":
                return row == null && !finished && query.rows() == 0;
            case "isAfterLast":
                return finished;
            case "isFirst":
                return row != null && query.rows() == 1;
            case "isLast":
                return false;
            case "unwrap":
                if (((Class<?>) args[0]).isInstance(proxy)) {
                    return proxy;
                }
                throw new SQLException("not a wrapper for " + args[0]);
            case "isWrapperFor":
                return ((Class<?>) args[0]).isInstance(proxy);
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            case "toString":
                return "PushResultSet[" + query.id() + "]";
            default:
                break;
        }
        if (name.startsWith("get") && args != null && args.length >= 1
            && (args[0] instanceof Integer || args[0] instanceof String)) {
            final int index = args[0] instanceof Integer i ? i : findColumn((String) args[0]);
            return get(name, index, args.length > 1 ? args[1] : null);
        }
        throw new SQLFeatureNotSupportedException("ResultSet." + name + " is not supported by a push query's rows");
    }

    private boolean next() throws SQLException {
        if (closed) {
            throw new SQLException("the result set is closed");
        }
        if (finished) {
            return false;
        }
        try {
            row = query.next();
        } catch (final LiveScan.TimeoutException e) {
            finished = true;
            row = null;
            throw new SQLTimeoutException(e.getMessage(), "HYT00", e);
        } catch (final RuntimeException e) {
            finished = true;
            row = null;
            throw SqlErrors.reading(e);
        }
        if (row == null) {
            finished = true;
            return false;
        }
        return true;
    }

    private int findColumn(final String label) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).label.equalsIgnoreCase(label)) {
                return i + 1;
            }
        }
        throw new SQLException("no column " + label, "42S22");
    }

    private Object get(final String method, final int index, final Object extra) throws SQLException {
        if (row == null) {
            throw new SQLException("no current row: call next() first");
        }
        if (index < 1 || index > columns.size()) {
            throw new SQLException("column index " + index + " out of range 1.." + columns.size());
        }
        final Object value = value(columns.get(index - 1).type.id, row[index - 1]);
        wasNull = value == null;
        switch (method) {
            case "getObject":
                return extra instanceof Class<?> type && value != null && !type.isInstance(value)
                    ? convert(value, type) : value;
            case "getString":
                return value == null ? null : value instanceof byte[] bytes ? ByteString.toString(bytes, 16)
                    : String.valueOf(value);
            case "getBoolean":
                return value != null && (value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString()));
            case "getByte":
                return value == null ? (byte) 0 : number(value).byteValue();
            case "getShort":
                return value == null ? (short) 0 : number(value).shortValue();
            case "getInt":
                return value == null ? 0 : number(value).intValue();
            case "getLong":
                return value == null ? 0L : number(value).longValue();
            case "getFloat":
                return value == null ? 0f : number(value).floatValue();
            case "getDouble":
                return value == null ? 0d : number(value).doubleValue();
            case "getBigDecimal":
                return value == null ? null : value instanceof BigDecimal d ? d : new BigDecimal(value.toString());
            case "getTimestamp":
            case "getDate":
            case "getTime":
            case "getBytes":
            case "getArray":
                return value;
            default:
                throw new SQLFeatureNotSupportedException("ResultSet." + method + " is not supported by a push "
                    + "query's rows");
        }
    }

    private static Number number(final Object value) throws SQLException {
        if (value instanceof Number n) {
            return n;
        }
        try {
            return new BigDecimal(value.toString().trim());
        } catch (final NumberFormatException e) {
            throw new SQLException("cannot read " + value + " as a number", SqlErrors.DATA);
        }
    }

    private static Object convert(final Object value, final Class<?> type) throws SQLException {
        if (type == String.class) {
            return value.toString();
        }
        if (Number.class.isAssignableFrom(type) && value instanceof Number n) {
            return switch (type.getSimpleName()) {
                case "Integer" -> n.intValue();
                case "Long" -> n.longValue();
                case "Double" -> n.doubleValue();
                case "Float" -> n.floatValue();
                case "Short" -> n.shortValue();
                case "Byte" -> n.byteValue();
                case "BigDecimal" -> new BigDecimal(n.toString());
                default -> throw new SQLException("cannot convert " + value + " to " + type.getName());
            };
        }
        throw new SQLException("cannot convert " + value + " to " + type.getName());
    }

    /** A value of Calcite's internal representation as JDBC gives it (times in the JVM's time zone, as Avatica). */
    static Object value(final int sqlType, final Object internal) {
        if (internal == null) {
            return null;
        }
        final TimeZone zone = TimeZone.getDefault();
        switch (sqlType) {
            case Types.TIMESTAMP:
                if (internal instanceof Long millis) {
                    return new java.sql.Timestamp(millis - zone.getOffset(millis));
                }
                return internal;
            case Types.DATE:
                if (internal instanceof Integer days) {
                    final long millis = days * 86_400_000L;
                    return new java.sql.Date(millis - zone.getOffset(millis));
                }
                return internal;
            case Types.TIME:
                if (internal instanceof Integer millis) {
                    return new java.sql.Time(millis - zone.getOffset(millis));
                }
                return internal;
            case Types.BINARY:
            case Types.VARBINARY:
                return internal instanceof ByteString bytes ? bytes.getBytes() : internal;
            default:
                return internal;
        }
    }
}

package io.sequent.sql;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.JDBCType;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.rowset.CachedRowSet;
import javax.sql.rowset.RowSetMetaDataImpl;
import javax.sql.rowset.RowSetProvider;

/** The rows of a statement Sequent answers itself (SHOW, DESCRIBE), as a detached {@link ResultSet}. */
final class ResultRows {
    private final List<String> names = new ArrayList<>();
    private final List<Integer> types = new ArrayList<>();
    private final List<Object[]> rows = new ArrayList<>();

    ResultRows column(final String name, final int sqlType) {
        names.add(name);
        types.add(sqlType);
        return this;
    }

    ResultRows row(final Object... values) {
        rows.add(values);
        return this;
    }

    ResultSet build() throws SQLException {
        final RowSetMetaDataImpl meta = new RowSetMetaDataImpl();
        meta.setColumnCount(names.size());
        for (int i = 0; i < names.size(); i++) {
            meta.setColumnName(i + 1, names.get(i));
            meta.setColumnLabel(i + 1, names.get(i));
            meta.setColumnType(i + 1, types.get(i));
            // Avatica's server needs the type's name as well (the row set leaves it null).
            meta.setColumnTypeName(i + 1, JDBCType.valueOf(types.get(i)).getName());
            meta.setNullable(i + 1, ResultSetMetaData.columnNullable);
        }
        final CachedRowSet set = RowSetProvider.newFactory().createCachedRowSet();
        set.setMetaData(meta);
        // The row set inserts each row before the one inserted last: insert them last first.
        for (int r = rows.size() - 1; r >= 0; r--) {
            final Object[] row = rows.get(r);
            set.moveToInsertRow();
            for (int i = 0; i < row.length; i++) {
                set.updateObject(i + 1, row[i]);
            }
            set.insertRow();
            set.moveToCurrentRow();
        }
        set.beforeFirst();
        return closable(set);
    }

    /**
     * The row set as a plain read-only {@link ResultSet}: it answers {@code isClosed} (which the JDK's row set
     * does not support, and sqlline calls), {@code next} past the end and {@code rowDeleted} and the like.
     */
    private static ResultSet closable(final CachedRowSet set) {
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicBoolean ended = new AtomicBoolean();
        return (ResultSet) Proxy.newProxyInstance(ResultRows.class.getClassLoader(), new Class<?>[] {ResultSet.class},
            (proxy, method, args) -> {
                switch (method.getName()) {
                    case "isClosed" -> {
                        return closed.get();
                    }
                    case "close" -> closed.set(true);
                    case "next" -> {
                        // JDBC: false again past the end (the row set throws instead).
                        if (ended.get()) {
                            return false;
                        }
                        final boolean more = set.next();
                        ended.set(!more);
                        return more;
                    }
                    case "rowDeleted", "rowInserted", "rowUpdated" -> {
                        // Read-only rows; the row set throws here once its cursor has left the rows.
                        return false;
                    }
                    case "unwrap" -> {
                        if (((Class<?>) args[0]).isInstance(proxy)) {
                            return proxy;
                        }
                    }
                    default -> {
                    }
                }
                try {
                    return method.invoke(set, args);
                } catch (final InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }
}

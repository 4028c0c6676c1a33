package io.sequent.sql;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

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
        return set;
    }
}

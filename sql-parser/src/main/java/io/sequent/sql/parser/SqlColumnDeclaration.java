package io.sequent.sql.parser;

import java.util.List;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/** One column of {@code CREATE STREAM|TABLE}: {@code name type [KEY | PRIMARY KEY]}. */
public final class SqlColumnDeclaration extends SqlCall {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("COLUMN_DECL", SqlKind.COLUMN_DECL);

    /** Whether the column is the record's key. */
    public enum KeyKind {
        /** A column of the value. */
        NONE,
        /** {@code KEY}: the key of a stream. */
        KEY,
        /** {@code PRIMARY KEY}: the key of a table. */
        PRIMARY_KEY
    }

    private final SqlIdentifier name;
    private final SqlDataTypeSpec type;
    private final KeyKind key;

    /**
     * @param pos  where the declaration is.
     * @param name the column name.
     * @param type its declared type.
     * @param key  whether it is the key.
     */
    public SqlColumnDeclaration(
        final SqlParserPos pos, final SqlIdentifier name, final SqlDataTypeSpec type, final KeyKind key) {
        super(pos);
        this.name = name;
        this.type = type;
        this.key = key;
    }

    public SqlIdentifier name() {
        return name;
    }

    public SqlDataTypeSpec type() {
        return type;
    }

    public KeyKind key() {
        return key;
    }

    @Override
    public SqlOperator getOperator() {
        return OPERATOR;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of(name, type);
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        name.unparse(writer, 0, 0);
        type.unparse(writer, 0, 0);
        if (key == KeyKind.KEY) {
            writer.keyword("KEY");
        } else if (key == KeyKind.PRIMARY_KEY) {
            writer.keyword("PRIMARY KEY");
        }
    }
}

package io.sequent.sql.parser;

import java.util.List;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/** {@code SET 'name' = 'value'} and {@code UNSET 'name'} (ksqlDB's form): a property of the connection. */
public final class SqlSetProperty extends SqlCall {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("SET", SqlKind.OTHER);

    private final String name;
    private final String value;

    /**
     * @param pos   where the statement is.
     * @param name  the property.
     * @param value its value, or null for {@code UNSET}.
     */
    public SqlSetProperty(final SqlParserPos pos, final String name, final String value) {
        super(pos);
        this.name = name;
        this.value = value;
    }

    public String name() {
        return name;
    }

    /** The value, or null for {@code UNSET}. */
    public String value() {
        return value;
    }

    @Override
    public SqlOperator getOperator() {
        return OPERATOR;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of();
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        writer.keyword(value == null ? "UNSET" : "SET");
        writer.literal("'" + name.replace("'", "''") + "'");
        if (value != null) {
            writer.keyword("=");
            writer.literal("'" + value.replace("'", "''") + "'");
        }
    }
}

package io.sequent.sql.parser;

import java.util.List;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/** One {@code KEY = 'value'} of a {@code WITH (...)} clause; the value is a string or a number literal. */
public final class SqlSourceProperty extends SqlCall {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("PROPERTY", SqlKind.OTHER);

    private final SqlIdentifier key;
    private final SqlNode value;

    /**
     * @param pos   where the property is.
     * @param key   its name.
     * @param value a string or numeric literal.
     */
    public SqlSourceProperty(final SqlParserPos pos, final SqlIdentifier key, final SqlNode value) {
        super(pos);
        this.key = key;
        this.value = value;
    }

    /** The property name, upper-cased as Calcite does with unquoted identifiers. */
    public String key() {
        return key.getSimple();
    }

    public SqlIdentifier keyIdentifier() {
        return key;
    }

    /** The value as text: a string literal's characters or a number's digits. */
    public String value() {
        return ((SqlLiteral) value).toValue();
    }

    public SqlNode valueNode() {
        return value;
    }

    @Override
    public SqlOperator getOperator() {
        return OPERATOR;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of(key, value);
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        key.unparse(writer, 0, 0);
        writer.keyword("=");
        value.unparse(writer, 0, 0);
    }
}

package io.sequent.sql.parser;

import java.util.List;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/** {@code DESCRIBE EXTENDED name}: the columns of a stream or table, then its topic, formats and partitions. */
public final class SqlDescribeExtended extends SqlCall {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("DESCRIBE EXTENDED", SqlKind.OTHER);

    private final SqlIdentifier name;

    /**
     * @param pos  where the statement is.
     * @param name the stream or table.
     */
    public SqlDescribeExtended(final SqlParserPos pos, final SqlIdentifier name) {
        super(pos);
        this.name = name;
    }

    public SqlIdentifier name() {
        return name;
    }

    @Override
    public SqlOperator getOperator() {
        return OPERATOR;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of(name);
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        writer.keyword("DESCRIBE EXTENDED");
        name.unparse(writer, 0, 0);
    }
}

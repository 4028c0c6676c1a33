package io.sequent.sql.parser;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/** {@code query EMIT CHANGES [LIMIT n]}: a push query, whose rows keep coming as records arrive. */
public final class SqlEmitChanges extends SqlCall {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("EMIT CHANGES", SqlKind.OTHER);

    private final SqlNode query;
    private final SqlNode limit;

    /**
     * @param pos   where the statement is.
     * @param query the query.
     * @param limit the {@code LIMIT} after {@code EMIT CHANGES}, or null.
     */
    public SqlEmitChanges(final SqlParserPos pos, final SqlNode query, final SqlNode limit) {
        super(pos);
        this.query = query;
        this.limit = limit;
    }

    public SqlNode query() {
        return query;
    }

    /** The row limit given after {@code EMIT CHANGES}, or null. */
    public SqlNode limit() {
        return limit;
    }

    @Override
    public SqlOperator getOperator() {
        return OPERATOR;
    }

    @Override
    public List<SqlNode> getOperandList() {
        final List<SqlNode> operands = new ArrayList<>();
        operands.add(query);
        operands.add(limit);
        return operands;
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        query.unparse(writer, 0, 0);
        writer.keyword("EMIT CHANGES");
        if (limit != null) {
            writer.keyword("LIMIT");
            limit.unparse(writer, 0, 0);
        }
    }
}

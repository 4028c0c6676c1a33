package io.sequent.sql.parser;

import java.util.List;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * {@code EXPLAIN query [EMIT CHANGES]} (ksqlDB's short form; Calcite's {@code EXPLAIN PLAN FOR} is parsed as
 * Calcite's own): the plan of a pull or push query.
 */
public final class SqlExplainQuery extends SqlCall {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("EXPLAIN", SqlKind.OTHER);

    private final SqlNode query;

    /**
     * @param pos   where the statement is.
     * @param query the query, a {@link SqlEmitChanges} for a push query.
     */
    public SqlExplainQuery(final SqlParserPos pos, final SqlNode query) {
        super(pos);
        this.query = query;
    }

    public SqlNode query() {
        return query;
    }

    @Override
    public SqlOperator getOperator() {
        return OPERATOR;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of(query);
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        writer.keyword("EXPLAIN");
        query.unparse(writer, 0, 0);
    }
}

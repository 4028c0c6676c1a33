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

/** {@code PRINT 'topic' [FROM BEGINNING] [LIMIT n]}: the records of a topic as they are, one row each. */
public final class SqlPrint extends SqlCall {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("PRINT", SqlKind.OTHER);

    private final String topic;
    private final boolean fromBeginning;
    private final SqlNode limit;

    /**
     * @param pos           where the statement is.
     * @param topic         the topic, as written (a quoted name keeps its case).
     * @param fromBeginning whether to start at the log start rather than the end.
     * @param limit         the row limit, or null.
     */
    public SqlPrint(final SqlParserPos pos, final String topic, final boolean fromBeginning, final SqlNode limit) {
        super(pos);
        this.topic = topic;
        this.fromBeginning = fromBeginning;
        this.limit = limit;
    }

    public String topic() {
        return topic;
    }

    public boolean fromBeginning() {
        return fromBeginning;
    }

    /** The row limit, or null. */
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
        operands.add(limit);
        return operands;
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        writer.keyword("PRINT");
        writer.literal("'" + topic.replace("'", "''") + "'");
        if (fromBeginning) {
            writer.keyword("FROM BEGINNING");
        }
        if (limit != null) {
            writer.keyword("LIMIT");
            limit.unparse(writer, 0, 0);
        }
    }
}

package io.sequent.sql.parser;

import java.util.List;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/** {@code SHOW STREAMS | TABLES | TOPICS | QUERIES}. */
public final class SqlShow extends SqlCall {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("SHOW", SqlKind.OTHER);

    /** What is listed. */
    public enum Subject {
        /** The streams of the catalog. */
        STREAMS,
        /** The tables of the catalog. */
        TABLES,
        /** The topics of the brokers. */
        TOPICS,
        /** The push queries running in this process. */
        QUERIES
    }

    private final Subject subject;

    /**
     * @param pos     where the statement is.
     * @param subject what is listed.
     */
    public SqlShow(final SqlParserPos pos, final Subject subject) {
        super(pos);
        this.subject = subject;
    }

    public Subject subject() {
        return subject;
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
        writer.keyword("SHOW");
        writer.keyword(subject.name());
    }
}

package io.sequent.sql.parser;

import java.util.List;

import org.apache.calcite.sql.SqlDrop;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/** {@code DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC]}. */
public final class SqlDropSource extends SqlDrop {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("DROP SOURCE", SqlKind.OTHER_DDL);

    private final SourceKind kind;
    private final SqlIdentifier name;
    private final boolean deleteTopic;

    /**
     * @param pos         where the statement is.
     * @param ifExists    {@code IF EXISTS} was given.
     * @param kind        stream or table.
     * @param name        the source's name.
     * @param deleteTopic {@code DELETE TOPIC} was given: the topic goes too.
     */
    public SqlDropSource(
        final SqlParserPos pos, final boolean ifExists, final SourceKind kind, final SqlIdentifier name,
        final boolean deleteTopic) {
        super(OPERATOR, pos, ifExists);
        this.kind = kind;
        this.name = name;
        this.deleteTopic = deleteTopic;
    }

    public SourceKind kind() {
        return kind;
    }

    public SqlIdentifier name() {
        return name;
    }

    public boolean ifExists() {
        return ifExists;
    }

    public boolean deleteTopic() {
        return deleteTopic;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of(name);
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        writer.keyword("DROP");
        writer.keyword(kind.name());
        if (ifExists) {
            writer.keyword("IF EXISTS");
        }
        name.unparse(writer, leftPrec, rightPrec);
        if (deleteTopic) {
            writer.keyword("DELETE TOPIC");
        }
    }
}

package io.sequent.sql.parser;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.sql.SqlCreate;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * {@code CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name (column, ...) WITH (property, ...)}: maps a
 * topic as a stream or a table.
 */
public final class SqlCreateSource extends SqlCreate {
    private static final SqlOperator OPERATOR = new SqlSpecialOperator("CREATE SOURCE", SqlKind.OTHER_DDL);

    private final SourceKind kind;
    private final SqlIdentifier name;
    private final SqlNodeList columns;
    private final SqlNodeList properties;

    /**
     * @param pos         where the statement is.
     * @param replace     {@code OR REPLACE} was given.
     * @param ifNotExists {@code IF NOT EXISTS} was given.
     * @param kind        stream or table.
     * @param name        the source's name.
     * @param columns     {@link SqlColumnDeclaration}s.
     * @param properties  {@link SqlSourceProperty}s of the {@code WITH} clause.
     */
    public SqlCreateSource(
        final SqlParserPos pos, final boolean replace, final boolean ifNotExists, final SourceKind kind,
        final SqlIdentifier name, final SqlNodeList columns, final SqlNodeList properties) {
        super(OPERATOR, pos, replace, ifNotExists);
        this.kind = kind;
        this.name = name;
        this.columns = columns;
        this.properties = properties;
    }

    public SourceKind kind() {
        return kind;
    }

    public SqlIdentifier name() {
        return name;
    }

    public boolean orReplace() {
        return getReplace();
    }

    public boolean ifNotExists() {
        return ifNotExists;
    }

    /** The declared columns, in order. */
    public List<SqlColumnDeclaration> columns() {
        final List<SqlColumnDeclaration> out = new ArrayList<>();
        for (final SqlNode node : columns) {
            out.add((SqlColumnDeclaration) node);
        }
        return out;
    }

    /** The {@code WITH} properties, in order. */
    public List<SqlSourceProperty> properties() {
        final List<SqlSourceProperty> out = new ArrayList<>();
        for (final SqlNode node : properties) {
            out.add((SqlSourceProperty) node);
        }
        return out;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of(name, columns, properties);
    }

    @Override
    public void unparse(final SqlWriter writer, final int leftPrec, final int rightPrec) {
        writer.keyword("CREATE");
        if (getReplace()) {
            writer.keyword("OR REPLACE");
        }
        writer.keyword(kind.name());
        if (ifNotExists) {
            writer.keyword("IF NOT EXISTS");
        }
        name.unparse(writer, leftPrec, rightPrec);
        unparseList(writer, columns);
        writer.keyword("WITH");
        unparseList(writer, properties);
    }

    private static void unparseList(final SqlWriter writer, final SqlNodeList list) {
        final SqlWriter.Frame frame = writer.startList("(", ")");
        for (final SqlNode node : list) {
            writer.sep(",");
            node.unparse(writer, 0, 0);
        }
        writer.endList(frame);
    }
}

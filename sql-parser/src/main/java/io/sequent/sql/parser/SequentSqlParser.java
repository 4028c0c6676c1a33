package io.sequent.sql.parser;

import io.sequent.sql.parser.impl.SequentSqlParserImpl;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;

/**
 * Parses one Sequent SQL statement: Calcite's grammar (unquoted identifiers upper-cased, double quotes
 * to quote) with the statements of {@code src/main/codegen/includes/parserImpls.ftl}.
 */
public final class SequentSqlParser {
    /** The parser configuration: Sequent's generated parser, Calcite's default lexical rules. */
    public static final SqlParser.Config CONFIG = SqlParser.config().withParserFactory(SequentSqlParserImpl.FACTORY);

    private SequentSqlParser() {
    }

    /**
     * @param sql one statement.
     * @return its tree.
     * @throws SqlParseException with the position ({@link SqlParseException#getPos()}) of the first error.
     */
    public static SqlNode parse(final String sql) throws SqlParseException {
        return SqlParser.create(sql, CONFIG).parseStmt();
    }
}

package io.sequent.sql;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;

import io.sequent.client.SequentException;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.validate.SqlValidatorException;

/**
 * The {@link SQLException}s of the SQL layer, each with an SQLState: {@code 42000} syntax error or access
 * rule violation (with line and column), {@code 42S02} unknown stream or table, {@code 42S01} one that
 * exists already, {@code 22000} data that does not match the declared columns, {@code 0A000} not supported,
 * {@code 08000} the brokers could not be reached or failed the request.
 */
public final class SqlErrors {
    /** Syntax error or a statement that breaks a rule of the language. */
    public static final String SYNTAX = "42000";
    /** The named stream or table does not exist. */
    public static final String UNKNOWN_SOURCE = "42S02";
    /** A stream or table of that name exists already. */
    public static final String SOURCE_EXISTS = "42S01";
    /** A value does not match its column. */
    public static final String DATA = "22000";
    /** The statement is valid but not supported yet. */
    public static final String NOT_SUPPORTED = "0A000";
    /** The brokers failed the request. */
    public static final String CONNECTION = "08000";

    private SqlErrors() {
    }

    /** A parse error, its message naming line and column. */
    public static SQLException syntax(final SqlParseException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof StackOverflowError) {
                // Calcite's parser turns a stack overflow into a parse error without a message.
                return new SQLException("statement too deeply nested to parse", SYNTAX, e);
            }
        }
        final SqlParserPos pos = e.getPos();
        final String message = e.getMessage() == null ? "syntax error" : firstLine(e.getMessage());
        final String where = pos == null || message.contains("line " + pos.getLineNum() + ", column ")
            ? "" : " (line " + pos.getLineNum() + ", column " + pos.getColumnNum() + ")";
        return new SQLException(message + where, SYNTAX, e);
    }

    /** A statement that parses but is wrong, at a position. */
    public static SQLException invalid(final String message, final SqlParserPos pos) {
        final String where = pos == null || pos.getLineNum() == 0
            ? "" : " (line " + pos.getLineNum() + ", column " + pos.getColumnNum() + ")";
        return new SQLException(message + where, SYNTAX);
    }

    public static SQLException unknownSource(final String name) {
        return new SQLException("no stream or table named " + name, UNKNOWN_SOURCE);
    }

    public static SQLException data(final String message) {
        return new SQLException(message, DATA);
    }

    public static SQLFeatureNotSupportedException notSupported(final String message) {
        return new SQLFeatureNotSupportedException(message, NOT_SUPPORTED);
    }

    /**
     * An exception thrown while rows are read (Calcite passes them on unchecked): a record that does not match
     * its columns is {@link #DATA}, a broker failure {@link #CONNECTION}.
     */
    public static SQLException reading(final RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RowCodecException) {
                return new SQLException(t.getMessage(), DATA, e);
            }
            if (t instanceof SequentException || t instanceof IllegalStateException) {
                return new SQLException(t.getMessage(), CONNECTION, e);
            }
        }
        return new SQLException(String.valueOf(e.getMessage()), (String) null, e);
    }

    /**
     * Calcite's own errors come without an SQLState: an unknown table gets {@link #UNKNOWN_SOURCE}, other
     * validation errors {@link #SYNTAX}; anything else is returned as it is.
     */
    public static SQLException fromCalcite(final SQLException e) {
        if (e.getSQLState() != null) {
            return e;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SqlValidatorException
                || t instanceof CalciteContextException) {
                final String state = String.valueOf(t.getMessage()).matches("(?s).*Object '.*' not found.*")
                    ? UNKNOWN_SOURCE : SYNTAX;
                return new SQLException(e.getMessage(), state, e);
            }
        }
        return e;
    }

    private static String firstLine(final String message) {
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}

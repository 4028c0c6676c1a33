package io.sequent.sql.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.calcite.sql.SqlCollectionTypeNameSpec;
import org.apache.calcite.sql.SqlDescribeTable;
import org.apache.calcite.sql.SqlExplain;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlMapTypeNameSpec;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlRowTypeNameSpec;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSetOption;
import org.apache.calcite.sql.parser.SqlParseException;
import org.junit.jupiter.api.Test;

class SequentSqlParserTest {
    @Test
    void createStreamWithKeyColumnAndProperties() throws SqlParseException {
        final SqlCreateSource create = (SqlCreateSource) SequentSqlParser.parse(
            "CREATE STREAM pageviews (user_id VARCHAR KEY, page STRING, ms BIGINT, score DOUBLE) "
                + "WITH (KAFKA_TOPIC='pv', VALUE_FORMAT='JSON', PARTITIONS=3, TIMESTAMP='ms')");
        assertEquals(SourceKind.STREAM, create.kind());
        assertEquals("PAGEVIEWS", create.name().getSimple());
        assertFalse(create.orReplace());
        assertFalse(create.ifNotExists());
        final List<SqlColumnDeclaration> columns = create.columns();
        assertEquals(4, columns.size());
        assertEquals("USER_ID", columns.get(0).name().getSimple());
        assertEquals(SqlColumnDeclaration.KeyKind.KEY, columns.get(0).key());
        assertEquals("VARCHAR", columns.get(0).type().getTypeName().getSimple());
        assertEquals("STRING", columns.get(1).type().getTypeName().getSimple());
        assertEquals(SqlColumnDeclaration.KeyKind.NONE, columns.get(1).key());
        final List<SqlSourceProperty> properties = create.properties();
        assertEquals(List.of("KAFKA_TOPIC", "VALUE_FORMAT", "PARTITIONS", "TIMESTAMP"),
            properties.stream().map(SqlSourceProperty::key).toList());
        assertEquals(List.of("pv", "JSON", "3", "ms"), properties.stream().map(SqlSourceProperty::value).toList());
    }

    @Test
    void createOrReplaceTableIfNotExistsWithPrimaryKey() throws SqlParseException {
        final SqlCreateSource create = (SqlCreateSource) SequentSqlParser.parse(
            "create or replace table if not exists users (id INT PRIMARY KEY, name VARCHAR) "
                + "with (kafka_topic='users', value_format='JSON', key_format='KAFKA')");
        assertEquals(SourceKind.TABLE, create.kind());
        assertTrue(create.orReplace());
        assertTrue(create.ifNotExists());
        assertEquals(SqlColumnDeclaration.KeyKind.PRIMARY_KEY, create.columns().get(0).key());
        assertEquals("KEY_FORMAT", create.properties().get(2).key());
    }

    @Test
    void dropWithIfExistsAndDeleteTopic() throws SqlParseException {
        final SqlDropSource drop = (SqlDropSource) SequentSqlParser.parse("DROP TABLE IF EXISTS users DELETE TOPIC");
        assertEquals(SourceKind.TABLE, drop.kind());
        assertTrue(drop.ifExists());
        assertTrue(drop.deleteTopic());
        final SqlDropSource plain = (SqlDropSource) SequentSqlParser.parse("DROP STREAM pv");
        assertEquals(SourceKind.STREAM, plain.kind());
        assertFalse(plain.ifExists());
        assertFalse(plain.deleteTopic());
        assertEquals("PV", plain.name().getSimple());
    }

    @Test
    void showAndDescribe() throws SqlParseException {
        assertEquals(SqlShow.Subject.STREAMS, ((SqlShow) SequentSqlParser.parse("SHOW STREAMS")).subject());
        assertEquals(SqlShow.Subject.TABLES, ((SqlShow) SequentSqlParser.parse("show tables")).subject());
        assertEquals(SqlShow.Subject.TOPICS, ((SqlShow) SequentSqlParser.parse("SHOW TOPICS")).subject());
        final SqlDescribeTable describe = (SqlDescribeTable) SequentSqlParser.parse("DESCRIBE pageviews");
        assertEquals("PAGEVIEWS", describe.getTable().getSimple());
    }

    @Test
    void emitChangesIsNotReadAsAnAliasAndTakesALimitAfterIt() throws SqlParseException {
        final SqlEmitChanges emit = (SqlEmitChanges) SequentSqlParser.parse(
            "SELECT page FROM pageviews WHERE ms > 10 EMIT CHANGES LIMIT 5");
        final SqlSelect select = assertInstanceOf(SqlSelect.class, emit.query());
        assertEquals("PAGEVIEWS", select.getFrom().toString());
        assertEquals("5", emit.limit().toString());
        final SqlEmitChanges noLimit = (SqlEmitChanges) SequentSqlParser.parse("SELECT * FROM t EMIT CHANGES");
        assertNull(noLimit.limit());
    }

    @Test
    void plainQueriesAndInsertsStayCalcites() throws SqlParseException {
        final SqlNode query = SequentSqlParser.parse(
            "SELECT user_id, COUNT(*) FROM pageviews GROUP BY user_id ORDER BY 2 DESC LIMIT 3");
        assertInstanceOf(SqlOrderBy.class, query);
        final SqlInsert insert = (SqlInsert) SequentSqlParser.parse(
            "INSERT INTO pageviews (user_id, page) VALUES ('u1', '/a'), ('u2', '/b')");
        assertEquals("PAGEVIEWS", insert.getTargetTable().toString());
        assertEquals(2, insert.getTargetColumnList().size());
    }

    @Test
    void newNonReservedKeywordsStayUsableAsNames() throws SqlParseException {
        final SqlSelect select = (SqlSelect) SequentSqlParser.parse("SELECT topics, streams, changes FROM tables");
        assertEquals(3, select.getSelectList().size());
    }

    @Test
    void ksqlStatements() throws SqlParseException {
        assertEquals(SqlShow.Subject.QUERIES, ((SqlShow) SequentSqlParser.parse("SHOW QUERIES")).subject());
        final SqlSetProperty set = (SqlSetProperty) SequentSqlParser.parse("SET 'auto.offset.reset' = 'earliest'");
        assertEquals("auto.offset.reset", set.name());
        assertEquals("earliest", set.value());
        final SqlSetProperty unset = (SqlSetProperty) SequentSqlParser.parse("UNSET 'auto.offset.reset'");
        assertNull(unset.value());
        assertEquals("PV", ((SqlDescribeExtended) SequentSqlParser.parse("DESCRIBE EXTENDED pv")).name().getSimple());
        final SqlPrint print = (SqlPrint) SequentSqlParser.parse("PRINT 'PageViews' FROM BEGINNING LIMIT 3");
        assertEquals("PageViews", print.topic());
        assertTrue(print.fromBeginning());
        assertEquals("3", print.limit().toString());
        final SqlPrint bare = (SqlPrint) SequentSqlParser.parse("PRINT pageviews");
        assertEquals("PAGEVIEWS", bare.topic());
        assertFalse(bare.fromBeginning());
        assertNull(bare.limit());
        final SqlExplainQuery explain = (SqlExplainQuery) SequentSqlParser.parse(
            "EXPLAIN SELECT page FROM pv WHERE ms > 1 EMIT CHANGES");
        assertInstanceOf(SqlEmitChanges.class, explain.query());
        assertInstanceOf(SqlExplain.class, SequentSqlParser.parse("EXPLAIN PLAN FOR SELECT page FROM pv"));
        // Calcite's own SET keeps working beside ksqlDB's quoted form.
        assertInstanceOf(SqlSetOption.class, SequentSqlParser.parse("SET approximate = true"));
    }

    @Test
    void ksqlTypesBesideCalcites() throws SqlParseException {
        final SqlCreateSource create = (SqlCreateSource) SequentSqlParser.parse(
            "CREATE STREAM s (a ARRAY<INT>, m MAP<VARCHAR, BIGINT>, st STRUCT<x INT, y STRING>, b BYTES, d DATE, "
                + "t TIME, c INT ARRAY) WITH (KAFKA_TOPIC='s')");
        final List<SqlColumnDeclaration> columns = create.columns();
        assertInstanceOf(SqlCollectionTypeNameSpec.class, columns.get(0).type().getTypeNameSpec());
        assertInstanceOf(SqlMapTypeNameSpec.class, columns.get(1).type().getTypeNameSpec());
        assertInstanceOf(SqlRowTypeNameSpec.class, columns.get(2).type().getTypeNameSpec());
        assertEquals("BYTES", columns.get(3).type().getTypeName().getSimple());
        assertInstanceOf(SqlCollectionTypeNameSpec.class, columns.get(6).type().getTypeNameSpec());
    }

    @Test
    void badStatementsReportWhereTheyFail() {
        final SqlParseException missingWith = assertThrows(SqlParseException.class,
            () -> SequentSqlParser.parse("CREATE STREAM s (a INT)\nKAFKA_TOPIC='t'"));
        assertEquals(2, missingWith.getPos().getLineNum());
        assertEquals(1, missingWith.getPos().getColumnNum());
        final SqlParseException badProperty = assertThrows(SqlParseException.class,
            () -> SequentSqlParser.parse("CREATE TABLE s (a INT PRIMARY KEY) WITH (KAFKA_TOPIC=t)"));
        assertEquals(1, badProperty.getPos().getLineNum());
        assertEquals(54, badProperty.getPos().getColumnNum());
        final SqlParseException emitAlone = assertThrows(SqlParseException.class,
            () -> SequentSqlParser.parse("SELECT * FROM t EMIT"));
        // EMIT is reserved: were it read as an alias of t, this statement would parse.
        assertEquals(20, emitAlone.getPos().getColumnNum(), emitAlone.getMessage());
        assertThrows(SqlParseException.class, () -> SequentSqlParser.parse("SHOW QUERIES PLEASE"));
        assertThrows(SqlParseException.class, () -> SequentSqlParser.parse("PRINT 't' FROM"));
        assertThrows(SqlParseException.class, () -> SequentSqlParser.parse("DROP STREAM"));
    }
}

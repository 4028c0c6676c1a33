<#--
  Sequent's statements over topics, added to Calcite's grammar (see config.fmpp):
    CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name (col type [KEY | PRIMARY KEY], ...) WITH (k = v, ...)
    DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC]
    SHOW STREAMS|TABLES|TOPICS|QUERIES
    query EMIT CHANGES [LIMIT n]
    SET 'name' = 'value', UNSET 'name'
    DESCRIBE EXTENDED name
    PRINT 'topic' [FROM BEGINNING] [LIMIT n]
    EXPLAIN query [EMIT CHANGES] (and Calcite's EXPLAIN PLAN ... FOR)
    types ARRAY<type>, STRUCT<name type, ...>
-->

boolean SequentIfNotExists() :
{
}
{
    <IF> <NOT> <EXISTS> { return true; }
|
    { return false; }
}

boolean SequentIfExists() :
{
}
{
    <IF> <EXISTS> { return true; }
|
    { return false; }
}

SourceKind SequentSourceKind() :
{
}
{
    <STREAM> { return SourceKind.STREAM; }
|
    <TABLE> { return SourceKind.TABLE; }
}

void SequentColumn(List<SqlNode> columns) :
{
    final SqlIdentifier name;
    final SqlDataTypeSpec type;
    SqlColumnDeclaration.KeyKind key = SqlColumnDeclaration.KeyKind.NONE;
}
{
    name = SimpleIdentifier()
    type = DataType()
    [
        <KEY> { key = SqlColumnDeclaration.KeyKind.KEY; }
    |
        <PRIMARY> <KEY> { key = SqlColumnDeclaration.KeyKind.PRIMARY_KEY; }
    ]
    {
        columns.add(new SqlColumnDeclaration(name.getParserPosition().plus(getPos()), name, type, key));
    }
}

void SequentProperty(List<SqlNode> properties) :
{
    final SqlIdentifier key;
    final SqlNode value;
}
{
    (
        key = SimpleIdentifier()
    |
        // ksqlDB's TIMESTAMP='column': a reserved word of Calcite's, so taken here by name.
        <TIMESTAMP> { key = new SqlIdentifier("TIMESTAMP", getPos()); }
    )
    <EQ>
    (
        value = StringLiteral()
    |
        value = UnsignedNumericLiteral()
    )
    {
        properties.add(new SqlSourceProperty(key.getParserPosition().plus(getPos()), key, value));
    }
}

SqlCreate SqlCreateSource(Span s, boolean replace) :
{
    final SourceKind kind;
    final boolean ifNotExists;
    final SqlIdentifier name;
    final List<SqlNode> columns = new ArrayList<SqlNode>();
    final List<SqlNode> properties = new ArrayList<SqlNode>();
    final Span columnSpan;
    final Span propertySpan;
}
{
    kind = SequentSourceKind()
    ifNotExists = SequentIfNotExists()
    name = CompoundIdentifier()
    <LPAREN> { columnSpan = span(); }
    SequentColumn(columns)
    ( <COMMA> SequentColumn(columns) )*
    <RPAREN>
    <WITH>
    <LPAREN> { propertySpan = span(); }
    SequentProperty(properties)
    ( <COMMA> SequentProperty(properties) )*
    <RPAREN>
    {
        return new SqlCreateSource(s.end(this), replace, ifNotExists, kind, name,
            new SqlNodeList(columns, columnSpan.end(this)), new SqlNodeList(properties, propertySpan.end(this)));
    }
}

SqlDrop SqlDropSource(Span s, boolean replace) :
{
    final SourceKind kind;
    final boolean ifExists;
    final SqlIdentifier name;
    boolean deleteTopic = false;
}
{
    kind = SequentSourceKind()
    ifExists = SequentIfExists()
    name = CompoundIdentifier()
    [ <DELETE> <TOPIC> { deleteTopic = true; } ]
    {
        return new SqlDropSource(s.end(this), ifExists, kind, name, deleteTopic);
    }
}

SqlNode SqlShow() :
{
    final Span s;
}
{
    <SHOW> { s = span(); }
    (
        <STREAMS> { return new SqlShow(s.end(this), SqlShow.Subject.STREAMS); }
    |
        <TABLES> { return new SqlShow(s.end(this), SqlShow.Subject.TABLES); }
    |
        <TOPICS> { return new SqlShow(s.end(this), SqlShow.Subject.TOPICS); }
    |
        <QUERIES> { return new SqlShow(s.end(this), SqlShow.Subject.QUERIES); }
    )
}

SqlNode SequentSet() :
{
    final Span s;
    final String name;
    final String value;
}
{
    <SET> { s = span(); }
    name = SimpleStringLiteral()
    <EQ>
    value = SimpleStringLiteral()
    {
        return new SqlSetProperty(s.end(this), name, value);
    }
}

SqlNode SequentUnset() :
{
    final Span s;
    final String name;
}
{
    <UNSET> { s = span(); }
    name = SimpleStringLiteral()
    {
        return new SqlSetProperty(s.end(this), name, null);
    }
}

SqlNode SequentDescribeExtended() :
{
    final Span s;
    final SqlIdentifier name;
}
{
    <DESCRIBE> { s = span(); }
    <EXTENDED>
    name = CompoundIdentifier()
    {
        return new SqlDescribeExtended(s.end(this), name);
    }
}

SqlNode SequentPrint() :
{
    final Span s;
    final String topic;
    boolean fromBeginning = false;
    final SqlNode[] offsetFetch = {null, null};
}
{
    <PRINT> { s = span(); }
    (
        topic = SimpleStringLiteral()
    |
        topic = Identifier()
    )
    [ <FROM> <BEGINNING> { fromBeginning = true; } ]
    [ LimitClause(s, offsetFetch) ]
    {
        return new SqlPrint(s.end(this), topic, fromBeginning, offsetFetch[1]);
    }
}

SqlNode SequentExplain() :
{
    final Span s;
    final SqlNode stmt;
}
{
    LOOKAHEAD(2)
    stmt = SqlExplain() { return stmt; }
|
    <EXPLAIN> { s = span(); }
    stmt = SqlQueryEmit()
    {
        return new SqlExplainQuery(s.end(this), stmt);
    }
}

SqlTypeNameSpec SequentArrayType() :
{
    final SqlDataTypeSpec element;
}
{
    <ARRAY> <LT>
    element = DataType()
    <GT>
    {
        return new SqlCollectionTypeNameSpec(element.getTypeNameSpec(), SqlTypeName.ARRAY, getPos());
    }
}

SqlTypeNameSpec SequentStructType() :
{
    final List<SqlIdentifier> fieldNames = new ArrayList<SqlIdentifier>();
    final List<SqlDataTypeSpec> fieldTypes = new ArrayList<SqlDataTypeSpec>();
    SqlIdentifier fieldName;
    SqlDataTypeSpec fieldType;
}
{
    <STRUCT> <LT>
    fieldName = SimpleIdentifier() fieldType = DataType()
    { fieldNames.add(fieldName); fieldTypes.add(fieldType.withNullable(true)); }
    (
        <COMMA>
        fieldName = SimpleIdentifier() fieldType = DataType()
        { fieldNames.add(fieldName); fieldTypes.add(fieldType.withNullable(true)); }
    )*
    <GT>
    {
        return new SqlRowTypeNameSpec(getPos(), fieldNames, fieldTypes);
    }
}

/** A query, optionally followed by EMIT CHANGES and then LIMIT (ksqlDB's order). */
SqlNode SqlQueryEmit() :
{
    final SqlNode query;
    final Span s;
    final SqlNode[] offsetFetch = {null, null};
}
{
    query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY) { s = span(); }
    (
        <EMIT> <CHANGES>
        [ LimitClause(s, offsetFetch) ]
        {
            return new SqlEmitChanges(s.end(this), query, offsetFetch[1]);
        }
    |
        { return query; }
    )
}

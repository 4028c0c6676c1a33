package io.sequent.sql.parser;

/** What a topic is read as: every record (a stream) or the latest value per key (a table). */
public enum SourceKind {
    /** An append-only relation: every record of the topic is a row. */
    STREAM,
    /** The latest value per key; a record with a null value deletes its key. */
    TABLE
}

package io.sequent.sql;

/**
 * One declared column of a stream or table.
 *
 * @param name the column name (upper-cased unless it was quoted).
 * @param type its type.
 * @param key  true for the key column: its value is the record key, not a field of the value.
 */
public record ColumnDefinition(String name, ColumnType type, boolean key) {
}

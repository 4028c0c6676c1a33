package io.sequent.sql;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sequent.sql.parser.SourceKind;

/**
 * A stream or table of the catalog: which topic it reads and how. Stored in the catalog topic as the
 * JSON object
 * <pre>
 * {"name":"PAGEVIEWS","kind":"STREAM","topic":"pageviews","valueFormat":"JSON","keyFormat":"KAFKA",
 *  "partitions":3,"timestamp":"MS","columns":[{"name":"USER_ID","type":"VARCHAR","key":true}, ...]}
 * </pre>
 * ({@code timestamp} is absent when ROWTIME is the record's timestamp).
 *
 * @param name            the source's name.
 * @param kind            stream or table.
 * @param topic           the topic it reads.
 * @param valueFormat     how values hold the columns.
 * @param keyFormat       how the key holds the key column.
 * @param partitions      partitions of the topic when the statement created it.
 * @param timestampColumn the column ROWTIME is taken from, or null for the record's timestamp.
 * @param columns         the declared columns, in order.
 */
public record SourceDefinition(
    String name, SourceKind kind, String topic, Format valueFormat, Format keyFormat, int partitions,
    String timestampColumn, List<ColumnDefinition> columns) {

    private static final JsonFactory JSON = new JsonFactory();

    public SourceDefinition {
        columns = List.copyOf(columns);
    }

    /** The key column, or null when none is declared. */
    public ColumnDefinition keyColumn() {
        for (final ColumnDefinition column : columns) {
            if (column.key()) {
                return column;
            }
        }
        return null;
    }

    /** The columns held in the value, in order. */
    public List<ColumnDefinition> valueColumns() {
        final List<ColumnDefinition> out = new ArrayList<>();
        for (final ColumnDefinition column : columns) {
            if (!column.key()) {
                out.add(column);
            }
        }
        return out;
    }

    /** This definition as the JSON of a catalog record. */
    public byte[] toJson() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("kind", kind.name());
            g.writeStringField("topic", topic);
            g.writeStringField("valueFormat", valueFormat.name());
            g.writeStringField("keyFormat", keyFormat.name());
            g.writeNumberField("partitions", partitions);
            if (timestampColumn != null) {
                g.writeStringField("timestamp", timestampColumn);
            }
            g.writeArrayFieldStart("columns");
            for (final ColumnDefinition column : columns) {
                g.writeStartObject();
                g.writeStringField("name", column.name());
                g.writeStringField("type", column.type().name());
                g.writeBooleanField("key", column.key());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * @param json a catalog record's value.
     * @return the definition.
     * @throws IllegalArgumentException when the JSON is not a definition.
     */
    public static SourceDefinition fromJson(final byte[] json) {
        String name = null;
        SourceKind kind = null;
        String topic = null;
        Format valueFormat = Format.JSON;
        Format keyFormat = Format.KAFKA;
        int partitions = 1;
        String timestamp = null;
        final List<ColumnDefinition> columns = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "name" -> name = p.getText();
                    case "kind" -> kind = SourceKind.valueOf(p.getText());
                    case "topic" -> topic = p.getText();
                    case "valueFormat" -> valueFormat = Format.valueOf(p.getText());
                    case "keyFormat" -> keyFormat = Format.valueOf(p.getText());
                    case "partitions" -> partitions = p.getIntValue();
                    case "timestamp" -> timestamp = p.getText();
                    case "columns" -> readColumns(p, columns);
                    default -> p.skipChildren();
                }
            }
        } catch (final IOException e) {
            throw new IllegalArgumentException("not a source definition: " + e.getMessage(), e);
        }
        if (name == null || kind == null || topic == null || columns.isEmpty()) {
            throw new IllegalArgumentException("not a source definition: name, kind, topic or columns missing");
        }
        return new SourceDefinition(name, kind, topic, valueFormat, keyFormat, partitions, timestamp, columns);
    }

    private static void readColumns(final JsonParser p, final List<ColumnDefinition> columns) throws IOException {
        expect(p.currentToken(), JsonToken.START_ARRAY);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            ColumnType type = null;
            boolean key = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "name" -> name = p.getText();
                    case "type" -> type = ColumnType.valueOf(p.getText());
                    case "key" -> key = p.getBooleanValue();
                    default -> p.skipChildren();
                }
            }
            if (name == null || type == null) {
                throw new IOException("a column without name or type");
            }
            columns.add(new ColumnDefinition(name, type, key));
        }
    }

    private static void expect(final JsonToken actual, final JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + ", found " + actual);
        }
    }
}

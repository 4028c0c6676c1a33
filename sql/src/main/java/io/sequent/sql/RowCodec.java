package io.sequent.sql;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Decodes a record's value (and key) into the columns of a source and encodes them back, in the source's
 * {@link Format}. JSON is read with Jackson's streaming parser: no tree per record; fields that match no
 * column are skipped, missing fields are null. One instance per scan or statement (not thread-safe).
 */
final class RowCodec {
    private static final JsonFactory JSON = new JsonFactory();

    private final SourceDefinition source;
    private final List<ColumnDefinition> valueColumns;
    private final Map<String, Integer> indexByName = new HashMap<>();

    RowCodec(final SourceDefinition source) {
        this.source = source;
        this.valueColumns = source.valueColumns();
        for (int i = 0; i < valueColumns.size(); i++) {
            indexByName.put(valueColumns.get(i).name().toUpperCase(Locale.ROOT), i);
        }
    }

    /**
     * Reads the value columns into {@code out[offset ..]} in declared order.
     *
     * @throws RowCodecException when the bytes do not match the format or a value its column's type.
     */
    void decodeValue(final byte[] value, final Object[] out, final int offset) {
        switch (source.valueFormat()) {
            case JSON -> decodeJson(value, out, offset);
            case DELIMITED -> decodeDelimited(value, out, offset);
            case KAFKA -> {
                if (valueColumns.size() != 1) {
                    throw new RowCodecException("VALUE_FORMAT='KAFKA' holds exactly one value column");
                }
                out[offset] = decodeKafka(value, valueColumns.get(0).type());
            }
            default -> throw new IllegalStateException();
        }
    }

    /** The key column's value from the record key, in the key format. */
    Object decodeKey(final byte[] key) {
        final ColumnDefinition column = source.keyColumn();
        if (key == null || column == null) {
            return null;
        }
        return switch (source.keyFormat()) {
            case KAFKA -> decodeKafka(key, column.type());
            case DELIMITED -> parseText(new String(key, StandardCharsets.UTF_8), column.type());
            case JSON -> decodeJsonScalar(key, column.type());
        };
    }

    /** The value bytes of the value columns in {@code values} (declared order). */
    byte[] encodeValue(final Object[] values) {
        switch (source.valueFormat()) {
            case JSON -> {
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (JsonGenerator g = JSON.createGenerator(out)) {
                    g.writeStartObject();
                    for (int i = 0; i < valueColumns.size(); i++) {
                        g.writeFieldName(valueColumns.get(i).name());
                        writeJson(g, values[i]);
                    }
                    g.writeEndObject();
                } catch (final IOException e) {
                    throw new RowCodecException("cannot write JSON: " + e.getMessage(), e);
                }
                return out.toByteArray();
            }
            case DELIMITED -> {
                final StringBuilder line = new StringBuilder();
                for (int i = 0; i < values.length; i++) {
                    if (i > 0) {
                        line.append(',');
                    }
                    if (values[i] != null) {
                        final String text = values[i].toString();
                        if (text.indexOf(',') >= 0) {
                            throw new RowCodecException("a DELIMITED value may not hold a comma: " + text);
                        }
                        line.append(text);
                    }
                }
                return line.toString().getBytes(StandardCharsets.UTF_8);
            }
            case KAFKA -> {
                return encodeKafka(values[0], valueColumns.get(0).type());
            }
            default -> throw new IllegalStateException();
        }
    }

    /** The key bytes for the key column's value, or null. */
    byte[] encodeKey(final Object key) {
        final ColumnDefinition column = source.keyColumn();
        if (key == null || column == null) {
            return null;
        }
        return switch (source.keyFormat()) {
            case KAFKA -> encodeKafka(key, column.type());
            case DELIMITED -> key.toString().getBytes(StandardCharsets.UTF_8);
            case JSON -> {
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (JsonGenerator g = JSON.createGenerator(out)) {
                    writeJson(g, key);
                } catch (final IOException e) {
                    throw new RowCodecException("cannot write JSON: " + e.getMessage(), e);
                }
                yield out.toByteArray();
            }
        };
    }

    private void decodeJson(final byte[] value, final Object[] out, final int offset) {
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RowCodecException("value is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final Integer index = indexByName.get(p.currentName().toUpperCase(Locale.ROOT));
                final JsonToken token = p.nextToken();
                if (index == null) {
                    p.skipChildren();
                    continue;
                }
                out[offset + index] = jsonValue(p, token, valueColumns.get(index));
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new RowCodecException("malformed JSON value");
            }
        } catch (final IOException e) {
            throw new RowCodecException("malformed JSON value: " + firstLine(e.getMessage()), e);
        }
    }

    private static Object decodeJsonScalar(final byte[] bytes, final ColumnType type) {
        try (JsonParser p = JSON.createParser(bytes)) {
            return jsonValue(p, p.nextToken(), new ColumnDefinition("key", type, true));
        } catch (final IOException e) {
            throw new RowCodecException("malformed JSON key: " + firstLine(e.getMessage()), e);
        }
    }

    private static Object jsonValue(final JsonParser p, final JsonToken token, final ColumnDefinition column)
        throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        final ColumnType type = column.type();
        switch (type) {
            case BOOLEAN:
                if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                    return token == JsonToken.VALUE_TRUE;
                }
                break;
            case INTEGER:
                if (token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                    return p.getIntValue();
                }
                break;
            case BIGINT:
            case TIMESTAMP:
                if (token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    return p.getLongValue();
                }
                break;
            case DOUBLE:
                if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                    return p.getDoubleValue();
                }
                break;
            case DECIMAL:
                if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                    return p.getDecimalValue();
                }
                break;
            case VARCHAR:
                if (token == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
                break;
            default:
                break;
        }
        throw new RowCodecException("field " + column.name() + " holds " + describe(p, token)
            + ", not a " + type.name());
    }

    private void decodeDelimited(final byte[] value, final Object[] out, final int offset) {
        final String[] fields = new String(value, StandardCharsets.UTF_8).split(",", -1);
        if (fields.length != valueColumns.size()) {
            throw new RowCodecException("DELIMITED value has " + fields.length + " fields, the source declares "
                + valueColumns.size());
        }
        for (int i = 0; i < fields.length; i++) {
            out[offset + i] = fields[i].isEmpty() ? null : parseText(fields[i], valueColumns.get(i).type());
        }
    }

    private static Object parseText(final String text, final ColumnType type) {
        try {
            return switch (type) {
                case BOOLEAN -> {
                    if (!"true".equalsIgnoreCase(text) && !"false".equalsIgnoreCase(text)) {
                        throw new NumberFormatException();
                    }
                    yield Boolean.parseBoolean(text);
                }
                case INTEGER -> Integer.parseInt(text.trim());
                case BIGINT, TIMESTAMP -> Long.parseLong(text.trim());
                case DOUBLE -> Double.parseDouble(text.trim());
                case DECIMAL -> new BigDecimal(text.trim());
                case VARCHAR -> text;
            };
        } catch (final NumberFormatException e) {
            throw new RowCodecException("'" + text + "' is not a " + type.name());
        }
    }

    private static Object decodeKafka(final byte[] bytes, final ColumnType type) {
        if (bytes == null) {
            return null;
        }
        final int expected = switch (type) {
            case INTEGER -> 4;
            case BIGINT, TIMESTAMP, DOUBLE -> 8;
            case BOOLEAN -> 1;
            default -> -1;
        };
        if (expected > 0 && bytes.length != expected) {
            throw new RowCodecException("a KAFKA " + type.name() + " is " + expected + " bytes, found "
                + bytes.length);
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return switch (type) {
            case INTEGER -> buffer.getInt();
            case BIGINT, TIMESTAMP -> buffer.getLong();
            case DOUBLE -> buffer.getDouble();
            case BOOLEAN -> bytes[0] != 0;
            case DECIMAL -> new BigDecimal(new String(bytes, StandardCharsets.UTF_8));
            case VARCHAR -> new String(bytes, StandardCharsets.UTF_8);
        };
    }

    private static byte[] encodeKafka(final Object value, final ColumnType type) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case INTEGER -> ByteBuffer.allocate(4).putInt((Integer) value).array();
            case BIGINT, TIMESTAMP -> ByteBuffer.allocate(8).putLong((Long) value).array();
            case DOUBLE -> ByteBuffer.allocate(8).putDouble((Double) value).array();
            case BOOLEAN -> new byte[] {(byte) ((Boolean) value ? 1 : 0)};
            case DECIMAL, VARCHAR -> value.toString().getBytes(StandardCharsets.UTF_8);
        };
    }

    private static void writeJson(final JsonGenerator g, final Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof BigDecimal d) {
            g.writeNumber(d);
        } else {
            g.writeString(value.toString());
        }
    }

    private static String describe(final JsonParser p, final JsonToken token) throws IOException {
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            return token == JsonToken.START_OBJECT ? "an object" : "an array";
        }
        return token == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\"" : p.getText();
    }

    private static String firstLine(final String message) {
        if (message == null) {
            return "";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}

package io.sequent.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.sequent.sql.parser.SourceKind;
import org.junit.jupiter.api.Test;

class RowCodecTest {
    private static SourceDefinition source(final Format value, final Format key, final ColumnDefinition... columns) {
        return new SourceDefinition("S", SourceKind.STREAM, "s", value, key, 1, null, List.of(columns));
    }

    private static final ColumnDefinition KEY = new ColumnDefinition("ID", ColumnType.BIGINT, true);

    @Test
    void jsonFieldsMatchColumnsWithoutRegardToCaseAndUnknownFieldsAreSkipped() {
        final RowCodec codec = new RowCodec(source(Format.JSON, Format.KAFKA, KEY,
            new ColumnDefinition("NAME", ColumnType.VARCHAR, false),
            new ColumnDefinition("OK", ColumnType.BOOLEAN, false),
            new ColumnDefinition("PRICE", ColumnType.DECIMAL, false),
            new ColumnDefinition("N", ColumnType.INTEGER, false)));
        final Object[] out = new Object[4];
        codec.decodeValue("{\"name\":\"x\",\"nested\":{\"a\":[1,{\"b\":2}]},\"Ok\":true,\"price\":1.25}"
            .getBytes(StandardCharsets.UTF_8), out, 0);
        assertArrayEquals(new Object[] {"x", true, new BigDecimal("1.25"), null}, out);
    }

    @Test
    void jsonRoundTripsThroughEncodeAndDecode() {
        final RowCodec codec = new RowCodec(source(Format.JSON, Format.KAFKA, KEY,
            new ColumnDefinition("V", ColumnType.VARCHAR, false),
            new ColumnDefinition("D", ColumnType.DOUBLE, false)));
        final byte[] value = codec.encodeValue(new Object[] {"a \"quoted\" text", 2.5});
        final Object[] out = new Object[2];
        codec.decodeValue(value, out, 0);
        assertArrayEquals(new Object[] {"a \"quoted\" text", 2.5}, out);
        assertEquals(-7L, codec.decodeKey(codec.encodeKey(-7L)));
        assertEquals(8, codec.encodeKey(1L).length, "a KAFKA BIGINT key is 8 bytes");
    }

    @Test
    void delimitedAndKafkaFormats() {
        final RowCodec delimited = new RowCodec(source(Format.DELIMITED, Format.DELIMITED, KEY,
            new ColumnDefinition("A", ColumnType.INTEGER, false),
            new ColumnDefinition("B", ColumnType.VARCHAR, false)));
        final Object[] out = new Object[2];
        delimited.decodeValue("42,".getBytes(StandardCharsets.UTF_8), out, 0);
        assertArrayEquals(new Object[] {42, null}, out);
        assertEquals(12L, delimited.decodeKey("12".getBytes(StandardCharsets.UTF_8)));
        assertThrows(RowCodecException.class, () -> delimited.decodeValue("1,2,3".getBytes(StandardCharsets.UTF_8),
            out, 0));
        assertThrows(RowCodecException.class, () -> delimited.encodeValue(new Object[] {1, "a,b"}));

        final RowCodec kafka = new RowCodec(source(Format.KAFKA, Format.KAFKA, KEY,
            new ColumnDefinition("N", ColumnType.INTEGER, false)));
        final Object[] one = new Object[1];
        kafka.decodeValue(kafka.encodeValue(new Object[] {-3}), one, 0);
        assertEquals(-3, one[0]);
        final RowCodecException tooShort = assertThrows(RowCodecException.class,
            () -> kafka.decodeValue(new byte[] {1, 2}, one, 0));
        assertTrue(tooShort.getMessage().contains("4 bytes"), tooShort.getMessage());
    }

    @Test
    void valuesThatDoNotMatchTheirColumnsAreRefused() {
        final RowCodec codec = new RowCodec(source(Format.JSON, Format.KAFKA, KEY,
            new ColumnDefinition("N", ColumnType.INTEGER, false)));
        final Object[] out = new Object[1];
        final RowCodecException type = assertThrows(RowCodecException.class,
            () -> codec.decodeValue("{\"n\":\"7\"}".getBytes(StandardCharsets.UTF_8), out, 0));
        assertTrue(type.getMessage().contains("N holds \"7\", not a INTEGER"), type.getMessage());
        assertThrows(RowCodecException.class,
            () -> codec.decodeValue("{\"n\":3000000000}".getBytes(StandardCharsets.UTF_8), out, 0));
        assertThrows(RowCodecException.class, () -> codec.decodeValue("[1]".getBytes(StandardCharsets.UTF_8), out, 0));
        assertThrows(RowCodecException.class, () -> codec.decodeValue("{\"n\":1".getBytes(StandardCharsets.UTF_8),
            out, 0));
    }

    @Test
    void definitionsRoundTripThroughTheirCatalogJson() {
        final SourceDefinition table = new SourceDefinition("USERS", SourceKind.TABLE, "users", Format.DELIMITED,
            Format.JSON, 3, "TS", List.of(new ColumnDefinition("ID", ColumnType.VARCHAR, true),
                new ColumnDefinition("TS", ColumnType.BIGINT, false)));
        assertEquals(table, SourceDefinition.fromJson(table.toJson()));
        assertThrows(IllegalArgumentException.class,
            () -> SourceDefinition.fromJson("{\"name\":\"X\"}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class,
            () -> SourceDefinition.fromJson("not json".getBytes(StandardCharsets.UTF_8)));
    }
}

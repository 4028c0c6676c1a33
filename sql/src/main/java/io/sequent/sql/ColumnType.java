package io.sequent.sql;

import java.math.BigDecimal;
import java.util.Locale;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The column types a stream or table may declare (ksqlDB's names where they differ from SQL's), the
 * Calcite type each maps to and the Java value a row holds for it.
 */
public enum ColumnType {
    BOOLEAN(SqlTypeName.BOOLEAN),
    INTEGER(SqlTypeName.INTEGER),
    BIGINT(SqlTypeName.BIGINT),
    DOUBLE(SqlTypeName.DOUBLE),
    DECIMAL(SqlTypeName.DECIMAL),
    VARCHAR(SqlTypeName.VARCHAR),
    /** Epoch milliseconds (a JSON number); Calcite's rows hold it as a {@code long}. */
    TIMESTAMP(SqlTypeName.TIMESTAMP);

    private final SqlTypeName sqlType;

    ColumnType(final SqlTypeName sqlType) {
        this.sqlType = sqlType;
    }

    /**
     * @param name a declared type name: BOOLEAN, INT, INTEGER, BIGINT, DOUBLE, DECIMAL, VARCHAR, STRING or
     *             TIMESTAMP, any case.
     * @return the type, or null when the name is none of these.
     */
    public static ColumnType of(final String name) {
        switch (name.toUpperCase(Locale.ROOT)) {
            case "BOOLEAN":
                return BOOLEAN;
            case "INT":
            case "INTEGER":
                return INTEGER;
            case "BIGINT":
                return BIGINT;
            case "DOUBLE":
                return DOUBLE;
            case "DECIMAL":
                return DECIMAL;
            case "VARCHAR":
            case "STRING":
                return VARCHAR;
            case "TIMESTAMP":
                return TIMESTAMP;
            default:
                return null;
        }
    }

    public SqlTypeName sqlType() {
        return sqlType;
    }

    /** The nullable Calcite type of a column of this type. */
    public RelDataType relType(final RelDataTypeFactory factory) {
        final RelDataType type = this == DECIMAL
            ? factory.createSqlType(sqlType, 38, 10)
            : this == TIMESTAMP ? factory.createSqlType(sqlType, 3) : factory.createSqlType(sqlType);
        return factory.createTypeWithNullability(type, true);
    }

    /**
     * Converts a value of any of the Java types Calcite hands over (numbers, strings, booleans) to this
     * type's row value.
     *
     * @throws IllegalArgumentException when it cannot be converted.
     */
    public Object coerce(final Object value) {
        if (value == null) {
            return null;
        }
        try {
            return convert(value);
        } catch (final ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("cannot use " + value + " as " + name());
        }
    }

    private Object convert(final Object value) {
        switch (this) {
            case BOOLEAN:
                if (value instanceof Boolean) {
                    return value;
                }
                break;
            case INTEGER:
                if (value instanceof Number) {
                    return Math.toIntExact(new BigDecimal(value.toString()).longValueExact());
                }
                break;
            case BIGINT:
            case TIMESTAMP:
                if (value instanceof Number) {
                    return new BigDecimal(value.toString()).longValueExact();
                }
                break;
            case DOUBLE:
                if (value instanceof Number) {
                    return ((Number) value).doubleValue();
                }
                break;
            case DECIMAL:
                if (value instanceof Number) {
                    return new BigDecimal(value.toString());
                }
                break;
            case VARCHAR:
                if (value instanceof String) {
                    return value;
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("cannot use " + value + " as " + name());
    }
}

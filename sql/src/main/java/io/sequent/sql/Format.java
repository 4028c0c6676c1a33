package io.sequent.sql;

import java.util.Locale;

/** How a record's value (or key) bytes hold the columns. */
public enum Format {
    /** A JSON object, one field per column (field names matched without regard to case). */
    JSON,
    /** Comma-separated fields in column order (no quoting). */
    DELIMITED,
    /**
     * One column as Kafka's serializers write it: VARCHAR as UTF-8, INTEGER as 4 and BIGINT/TIMESTAMP as 8
     * big-endian bytes, DOUBLE as an IEEE 754 big-endian double, BOOLEAN as one byte.
     */
    KAFKA;

    /** @return the format of that name (any case), or null. */
    public static Format of(final String name) {
        for (final Format format : values()) {
            if (format.name().equals(name.toUpperCase(Locale.ROOT))) {
                return format;
            }
        }
        return null;
    }
}

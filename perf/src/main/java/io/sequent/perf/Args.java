package io.sequent.perf;

import java.util.HashMap;
import java.util.Map;

/** {@code key=value} arguments of the benchmark mains, with typed getters and clear errors. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(final String... argv) {
        for (final String arg : argv) {
            final int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are key=value, not '" + arg + "'");
            }
            values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
    }

    String value(final String key, final String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    int intValue(final String key, final int defaultValue) {
        return (int) longValue(key, defaultValue);
    }

    long longValue(final String key, final long defaultValue) {
        final String value = values.get(key);
        if (null == value) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (final NumberFormatException ex) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + value + "'");
        }
    }
}

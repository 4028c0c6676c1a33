package io.sequent.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;

/**
 * Typed reads of configuration properties; every failure names the key. Used by the
 * {@code fromProperties} methods of the config classes, which read only the keys present.
 */
final class Settings {
    private Settings() {
    }

    static String string(final Properties properties, final String key) {
        final String value = properties.getProperty(key);
        return value == null ? null : value.trim();
    }

    static long longValue(final String key, final String value) {
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (final NumberFormatException ex) {
            throw InvalidConfigException.forKey(key, value, "expected an integer");
        }
    }

    static int intValue(final String key, final String value) {
        final long parsed = longValue(key, value);
        if (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE) {
            throw InvalidConfigException.forKey(key, value, "out of the int range");
        }
        return (int) parsed;
    }

    static boolean booleanValue(final String key, final String value) {
        final String v = value.toLowerCase(Locale.ROOT);
        if ("true".equals(v)) {
            return true;
        }
        if ("false".equals(v)) {
            return false;
        }
        throw InvalidConfigException.forKey(key, value, "expected true or false");
    }

    static long requireRange(final String key, final long value, final long min, final long max) {
        if (value < min || value > max) {
            throw InvalidConfigException.forKey(key, value, "must be between " + min + " and " + max);
        }
        return value;
    }

    static int requireRange(final String key, final int value, final int min, final int max) {
        if (value < min || value > max) {
            throw InvalidConfigException.forKey(key, value, "must be between " + min + " and " + max);
        }
        return value;
    }

    static String requireOneOf(final String key, final String value, final String... allowed) {
        if (value != null) {
            final String v = value.trim().toLowerCase(Locale.ROOT);
            for (final String a : allowed) {
                if (a.equals(v)) {
                    return a;
                }
            }
        }
        throw InvalidConfigException.forKey(key, value, "must be one of " + String.join(", ", allowed));
    }

    /**
     * The keys of {@code properties} that none of {@code known} holds, sorted.
     */
    @SafeVarargs
    static List<String> unknownKeys(final Properties properties, final Set<String>... known) {
        final List<String> unknown = new ArrayList<>();
        for (final String key : new TreeSet<>(properties.stringPropertyNames())) {
            boolean found = false;
            for (final Set<String> keys : known) {
                found |= keys.contains(key);
            }
            if (!found) {
                unknown.add(key);
            }
        }
        return unknown;
    }

    /** Logs each unknown key once, as Kafka's clients do: the setting is ignored, the typo is named. */
    static void warnUnknown(final Logger log, final String kind, final List<String> unknown) {
        for (final String key : unknown) {
            log.warn("The configuration '{}' was supplied but isn't a known {} config; it is ignored", key, kind);
        }
    }
}

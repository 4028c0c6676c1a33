package io.sequent.perf.harness;

import java.time.Duration;
import java.util.Locale;

/** Reading and printing the harness's durations. */
public final class Durations {
    private Durations() {
    }

    /** A latency in nanoseconds, in the unit that suits it: {@code 41.5 µs}, {@code 2.10 ms}, {@code 1.20 s}. */
    public static String format(final double nanos) {
        // The thresholds sit where rounding would print "1000.0 µs" or "1000.00 ms".
        if (nanos < 999_950) {
            return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
        }
        if (nanos < 999_995_000) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /**
     * Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of seconds.
     *
     * @throws IllegalArgumentException naming the text when it is not a duration.
     */
    public static Duration parse(final String text) {
        final String trimmed = text.trim().toLowerCase(Locale.ROOT);
        int unitAt = trimmed.length();
        while (unitAt > 0 && !Character.isDigit(trimmed.charAt(unitAt - 1))) {
            unitAt--;
        }
        final String unit = trimmed.substring(unitAt);
        final long amount;
        try {
            amount = Long.parseLong(trimmed.substring(0, unitAt).replace("_", ""));
        } catch (final NumberFormatException ex) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 500ms, 30s, 2m)");
        }
        switch (unit) {
            case "ms":
                return Duration.ofMillis(amount);
            case "":
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
            case "min":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                throw new IllegalArgumentException("not a duration: '" + text + "' (units: ms, s, m, h)");
        }
    }
}

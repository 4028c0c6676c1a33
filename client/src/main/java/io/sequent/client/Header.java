package io.sequent.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record header: a string key (UTF-8 on the wire) and a byte value ({@code null} is sent as empty).
 * Equality compares the value's bytes.
 *
 * @param key   the header key, not null.
 * @param value the header value.
 */
public record Header(String key, byte[] value) {
    /**
     * @param key   the header key, not null.
     * @param value the header value.
     */
    public Header {
        Objects.requireNonNull(key, "header key");
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Header[key=" + key + ", value=" + (value == null ? "null" : value.length + " bytes") + "]";
    }
}

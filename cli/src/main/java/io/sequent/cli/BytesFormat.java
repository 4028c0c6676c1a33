package io.sequent.cli;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/** How keys and values are written on a line: UTF-8 text, base64 or hex, so that binary data round-trips. */
enum BytesFormat {
    /** The line's characters, UTF-8 encoded. */
    TEXT,
    /** Standard base64 (RFC 4648), with padding. */
    BASE64,
    /** Two hex digits per byte, either case when read, lower case when written. */
    HEX;

    private static final HexFormat HEX_FORMAT = HexFormat.of();

    /**
     * @param text the text on the line.
     * @return its bytes.
     * @throws IllegalArgumentException when {@code text} is not valid in this format.
     */
    byte[] decode(final String text) {
        switch (this) {
            case BASE64:
                return Base64.getDecoder().decode(text.trim());
            case HEX:
                return HEX_FORMAT.parseHex(text.trim());
            default:
                return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * @param bytes the bytes.
     * @return them as text in this format.
     */
    String encode(final byte[] bytes) {
        switch (this) {
            case BASE64:
                return Base64.getEncoder().encodeToString(bytes);
            case HEX:
                return HEX_FORMAT.formatHex(bytes);
            default:
                return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}

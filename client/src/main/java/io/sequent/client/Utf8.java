package io.sequent.client;

import org.agrona.MutableDirectBuffer;

/**
 * UTF-8 length and encoding of strings without allocating, for header keys on the send path. Same
 * bytes as {@code String.getBytes(UTF_8)}, including its replacement of an unpaired surrogate by '?'.
 */
final class Utf8 {
    private Utf8() {
    }

    static int encodedLength(final String s) {
        int bytes = 0;
        final int length = s.length();
        for (int i = 0; i < length; i++) {
            final char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * @param s      the string.
     * @param buffer where to write (an expandable buffer grows as needed).
     * @param offset first byte.
     * @return bytes written.
     */
    static int encode(final String s, final MutableDirectBuffer buffer, final int offset) {
        int p = offset;
        final int length = s.length();
        for (int i = 0; i < length; i++) {
            final char c = s.charAt(i);
            if (c < 0x80) {
                buffer.putByte(p++, (byte) c);
            } else if (c < 0x800) {
                buffer.putByte(p++, (byte) (0xC0 | c >> 6));
                buffer.putByte(p++, (byte) (0x80 | c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                buffer.putByte(p++, (byte) (0xF0 | cp >> 18));
                buffer.putByte(p++, (byte) (0x80 | cp >> 12 & 0x3F));
                buffer.putByte(p++, (byte) (0x80 | cp >> 6 & 0x3F));
                buffer.putByte(p++, (byte) (0x80 | cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                buffer.putByte(p++, (byte) '?');
            } else {
                buffer.putByte(p++, (byte) (0xE0 | c >> 12));
                buffer.putByte(p++, (byte) (0x80 | c >> 6 & 0x3F));
                buffer.putByte(p++, (byte) (0x80 | c & 0x3F));
            }
        }
        return p - offset;
    }
}

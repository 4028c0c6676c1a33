package io.sequent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

class Murmur2Test {
    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void matchesKafkasPublishedVectors() {
        assertEquals(-973932308, Murmur2.hash(bytes("21")));
        assertEquals(-790332482, Murmur2.hash(bytes("foobar")));
        assertEquals(-985981536, Murmur2.hash(bytes("a-little-bit-long-string")));
        assertEquals(-1486304829, Murmur2.hash(bytes("a-little-bit-longer-string")));
        assertEquals(-58897971, Murmur2.hash(bytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")));
        assertEquals(479470107, Murmur2.hash(new byte[] {'a', 'b', 'c'}));
    }

    @Test
    void partitionIsPositiveHashModuloCount() {
        // "21" hashes to -973932308: (h & 0x7fffffff) % n
        final int positive = -973932308 & 0x7FFFFFFF;
        for (int n = 1; n <= 64; n++) {
            assertEquals(positive % n, Murmur2.partition(bytes("21"), n));
        }
        final Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            final byte[] key = new byte[random.nextInt(40)];
            random.nextBytes(key);
            final int p = Murmur2.partition(key, 7);
            assertTrue(p >= 0 && p < 7);
        }
    }

    @Test
    void utf8MatchesTheJdk() {
        final String[] samples = {"", "plain", "caf\u00e9", "\u20ac uro", "emoji \ud83d\ude00 x", "lone \ud800 high",
            "lone \udc00 low", "\u0800\u07ff\u007f"};
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(16);
        for (final String s : samples) {
            final byte[] expected = s.getBytes(StandardCharsets.UTF_8);
            assertEquals(expected.length, Utf8.encodedLength(s), s);
            final int written = Utf8.encode(s, buffer, 3);
            assertEquals(expected.length, written, s);
            final byte[] actual = new byte[written];
            buffer.getBytes(3, actual);
            assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8));
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, s);
        }
    }
}

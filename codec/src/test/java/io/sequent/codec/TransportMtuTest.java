package io.sequent.codec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Aeron's MTU rules, and the endpoints {@link TransportMtu#AUTO} counts as loopback. */
class TransportMtuTest {
    @Test
    void acceptsWhatAeronAccepts() {
        assertNull(TransportMtu.check(TransportMtu.AUTO));
        assertNull(TransportMtu.check(64));
        assertNull(TransportMtu.check(1408));
        assertNull(TransportMtu.check(65504));
        assertEquals("must be 'auto' or between 64 and 65504 bytes", TransportMtu.check(32));
        assertEquals("must be 'auto' or between 64 and 65504 bytes", TransportMtu.check(65536));
        assertEquals("must be 'auto' or between 64 and 65504 bytes", TransportMtu.check(-32));
        assertEquals("must be a multiple of 32 bytes (Aeron's frame alignment), e.g. 8192", TransportMtu.check(8200));
    }

    @Test
    void parsesAutoAndNumbers() {
        assertEquals(TransportMtu.AUTO, TransportMtu.parse(" Auto "));
        assertEquals(4096, TransportMtu.parse("4096"));
        assertThrows(NumberFormatException.class, () -> TransportMtu.parse("4k"));
        assertEquals("auto", TransportMtu.toString(TransportMtu.AUTO));
        assertEquals("4096", TransportMtu.toString(4096));
    }

    @Test
    void autoTakesTheLargestOnlyTowardsALiteralLoopbackAddress() {
        assertEquals(TransportMtu.LOOPBACK, TransportMtu.resolve(TransportMtu.AUTO, "127.0.0.1:9090"));
        assertEquals(TransportMtu.LOOPBACK, TransportMtu.resolve(TransportMtu.AUTO, "127.1.2.3:0"));
        assertEquals(TransportMtu.LOOPBACK, TransportMtu.resolve(TransportMtu.AUTO, "localhost:9090"));
        assertEquals(TransportMtu.LOOPBACK, TransportMtu.resolve(TransportMtu.AUTO, "[::1]:9090"));
        assertEquals(TransportMtu.LOOPBACK, TransportMtu.resolve(TransportMtu.AUTO, "127.0.0.1"));
        assertEquals(TransportMtu.NETWORK, TransportMtu.resolve(TransportMtu.AUTO, "10.0.0.1:9090"));
        assertEquals(TransportMtu.NETWORK, TransportMtu.resolve(TransportMtu.AUTO, "[fe80::1]:9090"));
        assertEquals(TransportMtu.NETWORK, TransportMtu.resolve(TransportMtu.AUTO, "127.example.com:9090"));
        assertEquals(TransportMtu.NETWORK, TransportMtu.resolve(TransportMtu.AUTO, null));
        assertEquals(2048, TransportMtu.resolve(2048, "127.0.0.1:9090"), "a configured MTU is kept");
        assertTrue(TransportMtu.isLoopback("0:0:0:0:0:0:0:1"));
        assertFalse(TransportMtu.isLoopback("127.0.0.256"));
        assertFalse(TransportMtu.isLoopback("127.0.0"));
        assertFalse(TransportMtu.isLoopback(""));
    }
}

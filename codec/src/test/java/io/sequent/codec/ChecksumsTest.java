package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
    @Test
    void knownVector() {
        final byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, Checksums.crc32c(check, 0, check.length));
        assertEquals(0xE3069283, Checksums.crc32c(new UnsafeBuffer(check), 0, check.length));
        assertEquals(0, Checksums.crc32c(check, 3, 0));
    }

    @Test
    void heapDirectAndSlicedBuffersAgreeWithTheJdk() {
        final Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            final int length = random.nextInt(5000);
            final int offset = random.nextInt(64);
            final byte[] bytes = new byte[offset + length + 16];
            random.nextBytes(bytes);
            final CRC32C expected = new CRC32C();
            expected.update(bytes, offset, length);

            final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
            direct.put(bytes).clear();
            final ByteBuffer heapWithOffset = ByteBuffer.wrap(new byte[bytes.length + 5], 5, bytes.length).slice();
            heapWithOffset.put(bytes).clear();

            assertEquals((int) expected.getValue(), Checksums.crc32c(bytes, offset, length));
            assertEquals((int) expected.getValue(), Checksums.crc32c(new UnsafeBuffer(bytes), offset, length));
            assertEquals((int) expected.getValue(), Checksums.crc32c(new UnsafeBuffer(direct), offset, length));
            assertEquals((int) expected.getValue(), Checksums.crc32c(new UnsafeBuffer(heapWithOffset), offset, length));
            assertEquals((int) expected.getValue(),
                Checksums.crc32c(new UnsafeBuffer(bytes, offset, length + 16), 0, length));
        }
    }

    @Test
    void regionOutsideTheBufferIsACallerBug() {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksums.crc32c(buffer, 8, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksums.crc32c(new byte[4], -1, 2));
    }
}

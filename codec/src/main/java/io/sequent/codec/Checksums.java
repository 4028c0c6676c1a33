package io.sequent.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.zip.CRC32C;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;

/**
 * CRC-32C (Castagnoli) over a region of any Agrona buffer, without allocation.
 *
 * <p>Direct memory (off-heap and mapped buffers) goes through Agrona's {@link Crc32c}, which calls the
 * JDK's intrinsic over the raw address; heap buffers go through the same JDK routine over the array.
 * Both need {@code --add-opens java.base/java.util.zip=ALL-UNNAMED} (set for tests by the parent pom
 * and by the launcher). Without it the class still works, falling back to {@link CRC32C} instances,
 * which allocate: a correctness fallback, not a configuration to run in production.
 */
public final class Checksums {
    private static final MethodHandle UPDATE_BYTES = findUpdateBytes();
    private static final boolean DIRECT_INTRINSIC = directIntrinsicAvailable();
    private static final int FALLBACK_CHUNK = 4096;

    private Checksums() {
    }

    /**
     * CRC-32C of {@code length} bytes at {@code offset}, with the standard initial value and final
     * complement (the value {@link CRC32C} gives).
     *
     * @param buffer the bytes, heap or direct.
     * @param offset first byte, relative to the buffer.
     * @param length number of bytes.
     * @return the checksum as a 32-bit int.
     * @throws IndexOutOfBoundsException if the region is not inside the buffer (a caller bug).
     */
    public static int crc32c(final DirectBuffer buffer, final int offset, final int length) {
        buffer.boundsCheck(offset, length);
        final byte[] array = buffer.byteArray();
        if (array != null) {
            return crc32c(array, (int) (buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + offset, length);
        }
        if (DIRECT_INTRINSIC) {
            return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset, length);
        }
        return fallbackDirect(buffer, offset, length);
    }

    /**
     * CRC-32C of a region of an array.
     *
     * @param array  the bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @return the checksum as a 32-bit int.
     * @throws IndexOutOfBoundsException if the region is not inside the array.
     */
    public static int crc32c(final byte[] array, final int offset, final int length) {
        if (offset < 0 || length < 0 || offset > array.length - length) {
            throw new IndexOutOfBoundsException("offset=" + offset + " length=" + length + " array=" + array.length);
        }
        if (UPDATE_BYTES != null) {
            try {
                return ~(int) UPDATE_BYTES.invokeExact(0xFFFFFFFF, array, offset, offset + length);
            } catch (final Throwable ex) {
                throw new IllegalStateException(ex);
            }
        }
        final CRC32C crc = new CRC32C();
        crc.update(array, offset, length);
        return (int) crc.getValue();
    }

    private static int fallbackDirect(final DirectBuffer buffer, final int offset, final int length) {
        final CRC32C crc = new CRC32C();
        final byte[] chunk = new byte[Math.min(FALLBACK_CHUNK, Math.max(length, 1))];
        int position = offset;
        int remaining = length;
        while (remaining > 0) {
            final int n = Math.min(remaining, chunk.length);
            buffer.getBytes(position, chunk, 0, n);
            crc.update(chunk, 0, n);
            position += n;
            remaining -= n;
        }
        return (int) crc.getValue();
    }

    private static MethodHandle findUpdateBytes() {
        try {
            final Method method = CRC32C.class.getDeclaredMethod(
                "updateBytes", int.class, byte[].class, int.class, int.class);
            method.setAccessible(true);
            final MethodHandle handle = MethodHandles.lookup().unreflect(method);
            return handle.asType(MethodType.methodType(int.class, int.class, byte[].class, int.class, int.class));
        } catch (final ReflectiveOperationException | RuntimeException ignore) {
            return null;
        }
    }

    private static boolean directIntrinsicAvailable() {
        try {
            return Crc32c.INSTANCE != null;
        } catch (final Error ignore) {
            return false;
        }
    }
}

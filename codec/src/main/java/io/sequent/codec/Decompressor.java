package io.sequent.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

import com.github.luben.zstd.ZstdDecompressCtx;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Consumer-side decompression scratch of a {@link BatchReader}. Compressed records come from the
 * network or from disk, so they are treated as hostile:
 *
 * <ul>
 *   <li>the declared uncompressed length is checked against the configured maximum before any
 *       buffer grows, and the output must come out at exactly that length;</li>
 *   <li>LZ4 uses lz4-java's pure-Java safe decompressor on heap arrays, never the JNI or Unsafe
 *       implementations (lz4-java 1.8.0 has out-of-bounds reads in those on crafted input,
 *       CVE-2025-12183); the output region is zeroed first, so no byte of an earlier batch can
 *       surface through a crafted match (CVE-2025-66566);</li>
 *   <li>Zstandard decompresses into a direct buffer with one reused native context;</li>
 *   <li>a library exception on malformed input is caught here and becomes
 *       {@link BatchError#DECOMPRESSION_FAILED}; it never escapes.</li>
 * </ul>
 *
 * Buffers grow (to a power of two, capped at the maximum) only when a larger batch arrives.
 */
final class Decompressor implements AutoCloseable {
    private static final int INITIAL_CAPACITY = 64 * 1024;

    private final int maxLength;
    private final LZ4SafeDecompressor lz4 = LZ4Factory.safeInstance().safeDecompressor();
    private final UnsafeBuffer heapView = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer directView = new UnsafeBuffer(new byte[0]);
    private ZstdDecompressCtx zstd;
    private byte[] heapOutput = new byte[0];
    private ByteBuffer directOutput;
    private byte[] copiedInput = new byte[0];
    private UnsafeBuffer result;

    Decompressor(final int maxLength) {
        this.maxLength = maxLength;
    }

    /** The records of the last successful {@link #decompress}, from index 0. */
    DirectBuffer result() {
        return result;
    }

    /**
     * Decompresses {@code [srcOffset, srcOffset + srcLength)} of {@code src}, which must yield exactly
     * {@code uncompressedLength} bytes (already checked to be at most the maximum).
     *
     * @return {@link BatchError#NONE}, {@link BatchError#TOO_LARGE} or {@link BatchError#DECOMPRESSION_FAILED}.
     */
    int decompress(
        final Compression codec,
        final DirectBuffer src,
        final int srcOffset,
        final int srcLength,
        final int uncompressedLength) {
        if (uncompressedLength > maxLength || srcLength > maxLength) {
            return BatchError.TOO_LARGE;
        }
        try {
            switch (codec) {
                case LZ4:
                    return lz4(src, srcOffset, srcLength, uncompressedLength);
                case ZSTD:
                    return zstd(src, srcOffset, srcLength, uncompressedLength);
                default:
                    return BatchError.BAD_COMPRESSION;
            }
        } catch (final RuntimeException ignore) {
            return BatchError.DECOMPRESSION_FAILED;
        }
    }

    private int lz4(final DirectBuffer src, final int srcOffset, final int srcLength, final int uncompressedLength) {
        if (heapOutput.length < uncompressedLength) {
            heapOutput = new byte[capacityFor(uncompressedLength)];
        }
        Arrays.fill(heapOutput, 0, uncompressedLength, (byte) 0);
        final byte[] srcArray;
        final int srcArrayOffset;
        if (src.byteArray() != null) {
            srcArray = src.byteArray();
            srcArrayOffset = (int) (src.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + srcOffset;
        } else {
            srcArray = copyInput(src, srcOffset, srcLength);
            srcArrayOffset = 0;
        }
        final int produced = lz4.decompress(
            srcArray, srcArrayOffset, srcLength, heapOutput, 0, uncompressedLength);
        if (produced != uncompressedLength) {
            return BatchError.DECOMPRESSION_FAILED;
        }
        heapView.wrap(heapOutput, 0, uncompressedLength);
        result = heapView;
        return BatchError.NONE;
    }

    private int zstd(final DirectBuffer src, final int srcOffset, final int srcLength, final int uncompressedLength) {
        if (directOutput == null || directOutput.capacity() < uncompressedLength) {
            directOutput = BufferUtil.allocateDirectAligned(BitUtil.align(capacityFor(uncompressedLength), 64), 64);
        }
        if (zstd == null) {
            zstd = new ZstdDecompressCtx();
        }
        final int produced;
        final ByteBuffer srcByteBuffer = src.byteBuffer();
        if (src.byteArray() != null) {
            final int arrayOffset = (int) (src.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + srcOffset;
            produced = zstd.decompressByteArrayToDirectByteBuffer(
                directOutput, 0, uncompressedLength, src.byteArray(), arrayOffset, srcLength);
        } else if (srcByteBuffer != null && srcByteBuffer.isDirect()) {
            produced = zstd.decompressDirectByteBuffer(
                directOutput, 0, uncompressedLength, srcByteBuffer, src.wrapAdjustment() + srcOffset, srcLength);
        } else {
            final byte[] copy = copyInput(src, srcOffset, srcLength);
            produced = zstd.decompressByteArrayToDirectByteBuffer(
                directOutput, 0, uncompressedLength, copy, 0, srcLength);
        }
        if (produced != uncompressedLength) {
            return BatchError.DECOMPRESSION_FAILED;
        }
        directView.wrap(directOutput, 0, uncompressedLength);
        result = directView;
        return BatchError.NONE;
    }

    private byte[] copyInput(final DirectBuffer src, final int srcOffset, final int srcLength) {
        if (copiedInput.length < srcLength) {
            copiedInput = new byte[capacityFor(srcLength)];
        }
        src.getBytes(srcOffset, copiedInput, 0, srcLength);
        return copiedInput;
    }

    private int capacityFor(final int length) {
        final long pow2 = Long.highestOneBit(Math.max(length, INITIAL_CAPACITY) - 1L) << 1;
        return (int) Math.min(Math.max(pow2, length), Math.max(maxLength, length));
    }

    @Override
    public void close() {
        if (zstd != null) {
            zstd.close();
            zstd = null;
        }
    }
}

package io.sequent.codec;

import java.nio.ByteBuffer;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Producer-side compression scratch of a {@link BatchBuilder}: a direct buffer the records are
 * encoded into, and a direct buffer sized for the worst-case compressed form of the largest batch.
 * LZ4 uses the block format of the fastest available implementation (compressing our own, well-formed
 * input); Zstandard reuses one native context. Not thread-safe; owned by one builder.
 */
final class Compressor implements AutoCloseable {
    private final ByteBuffer input;
    private final UnsafeBuffer inputBuffer;
    private final ByteBuffer output;
    private final UnsafeBuffer outputBuffer;
    private final LZ4Compressor lz4 = LZ4Factory.fastestInstance().fastCompressor();
    private ZstdCompressCtx zstd;
    private int zstdLevel;

    Compressor(final int maxRecordsLength, final int zstdLevel) {
        this.zstdLevel = zstdLevel;
        input = BufferUtil.allocateDirectAligned(BitUtil.align(Math.max(maxRecordsLength, 1), 64), 64);
        inputBuffer = new UnsafeBuffer(input);
        final long bound = Math.max(lz4.maxCompressedLength(maxRecordsLength), Zstd.compressBound(maxRecordsLength));
        final int outputCapacity = (int) Math.min(Integer.MAX_VALUE - 64, bound);
        output = BufferUtil.allocateDirectAligned(BitUtil.align(outputCapacity, 64), 64);
        outputBuffer = new UnsafeBuffer(output);
    }

    /** Where the builder encodes records before compression. */
    UnsafeBuffer input() {
        return inputBuffer;
    }

    /** The compressed bytes of the last {@link #compress} call, from index 0. */
    UnsafeBuffer output() {
        return outputBuffer;
    }

    void zstdLevel(final int level) {
        zstdLevel = level;
        if (zstd != null) {
            zstd.setLevel(level);
        }
    }

    /**
     * Compresses {@code length} bytes of {@link #input()} into {@link #output()}.
     *
     * @return the compressed length.
     */
    int compress(final Compression codec, final int length) {
        switch (codec) {
            case LZ4:
                return lz4.compress(input, 0, length, output, 0, output.capacity());
            case ZSTD:
                if (zstd == null) {
                    zstd = new ZstdCompressCtx();
                    zstd.setLevel(zstdLevel);
                }
                return zstd.compressDirectByteBuffer(output, 0, output.capacity(), input, 0, length);
            default:
                throw new IllegalArgumentException("not a compression codec: " + codec);
        }
    }

    @Override
    public void close() {
        if (zstd != null) {
            zstd.close();
            zstd = null;
        }
    }
}

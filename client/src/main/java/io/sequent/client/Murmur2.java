package io.sequent.client;

/**
 * MurmurHash2 (32-bit, Austin Appleby's public algorithm) with the seed Kafka's default partitioner
 * uses, so that a key lands on the same partition number as it would with Kafka:
 * {@code (murmur2(key) & 0x7fffffff) % partitions}.
 *
 * <p>The key is read as little-endian 4-byte words; each is multiplied by {@code m}, mixed with its
 * own top bits ({@code k ^= k >>> 24}), multiplied by {@code m} again and folded into the running
 * hash ({@code h = h * m ^ k}); the 1 to 3 trailing bytes are xored in and multiplied once; a final
 * avalanche ({@code h ^= h >>> 13; h *= m; h ^= h >>> 15}) spreads the bits.
 */
final class Murmur2 {
    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {
    }

    /**
     * @param data the bytes to hash.
     * @return the 32-bit hash.
     */
    static int hash(final byte[] data) {
        final int length = data.length;
        int h = SEED ^ length;
        final int words = length >>> 2;
        for (int i = 0; i < words; i++) {
            final int p = i << 2;
            int k = (data[p] & 0xFF)
                | (data[p + 1] & 0xFF) << 8
                | (data[p + 2] & 0xFF) << 16
                | (data[p + 3] & 0xFF) << 24;
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        final int tail = words << 2;
        final int remaining = length & 3;
        if (remaining == 3) {
            h ^= (data[tail + 2] & 0xFF) << 16;
        }
        if (remaining >= 2) {
            h ^= (data[tail + 1] & 0xFF) << 8;
        }
        if (remaining >= 1) {
            h ^= data[tail] & 0xFF;
            h *= M;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    /**
     * The partition of a key, as Kafka's default partitioner computes it.
     *
     * @param key        the key bytes.
     * @param partitions the topic's partition count, at least 1.
     * @return 0 to {@code partitions - 1}.
     */
    static int partition(final byte[] key, final int partitions) {
        return (hash(key) & 0x7FFFFFFF) % partitions;
    }
}

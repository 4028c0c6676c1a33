package io.sequent.codec;

/**
 * Compression codec of a batch's records, stored in the low three bits of the batch attributes
 * ({@code compression0..2} of {@code BatchAttributes} in batch-schema.xml).
 */
public enum Compression {
    /** Records stored as they are. */
    NONE(0),
    /** LZ4 block format. */
    LZ4(1),
    /** Zstandard frame format. */
    ZSTD(2);

    private static final Compression[] BY_ID = {NONE, LZ4, ZSTD};

    private final int id;

    Compression(final int id) {
        this.id = id;
    }

    /**
     * The codec's id as stored in the attributes.
     *
     * @return 0 to 7.
     */
    public int id() {
        return id;
    }

    /**
     * Looks up a codec by id without throwing.
     *
     * @param id the value of the attributes' compression bits.
     * @return the codec, or {@code null} when no codec has this id.
     */
    public static Compression fromId(final int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}

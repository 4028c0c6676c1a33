package io.sequent.client;

/**
 * Which offset {@link Admin#listOffsets} looks up for a partition.
 */
public sealed interface OffsetSpec permits OffsetSpec.Earliest, OffsetSpec.Latest, OffsetSpec.ForTimestamp {
    /**
     * The log start offset.
     *
     * @return the spec.
     */
    static OffsetSpec earliest() {
        return Earliest.INSTANCE;
    }

    /**
     * The high watermark: the offset the next committed record will get.
     *
     * @return the spec.
     */
    static OffsetSpec latest() {
        return Latest.INSTANCE;
    }

    /**
     * The first offset whose record timestamp is at or after {@code timestamp}; -1 when none is.
     *
     * @param timestamp epoch ms.
     * @return the spec.
     */
    static OffsetSpec forTimestamp(final long timestamp) {
        return new ForTimestamp(timestamp);
    }

    /** The log start offset. */
    record Earliest() implements OffsetSpec {
        static final Earliest INSTANCE = new Earliest();
    }

    /** The high watermark. */
    record Latest() implements OffsetSpec {
        static final Latest INSTANCE = new Latest();
    }

    /**
     * The first offset at or after a timestamp.
     *
     * @param timestamp epoch ms.
     */
    record ForTimestamp(long timestamp) implements OffsetSpec {
    }
}

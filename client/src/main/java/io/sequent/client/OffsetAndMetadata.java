package io.sequent.client;

import java.util.Objects;

/**
 * A committed offset: the next offset the group reads from a partition, with an optional metadata string, as
 * Kafka's class of the same name.
 *
 * @param offset   the offset, 0 or more.
 * @param metadata kept with it (at most 4096 UTF-8 bytes), empty for none.
 */
public record OffsetAndMetadata(long offset, String metadata) {
    /**
     * @param offset   the offset, 0 or more.
     * @param metadata kept with it, empty for none.
     */
    public OffsetAndMetadata {
        if (offset < 0) {
            throw new IllegalArgumentException("a committed offset must not be negative: " + offset);
        }
        metadata = Objects.requireNonNullElse(metadata, "");
    }

    /**
     * @param offset the offset, 0 or more.
     */
    public OffsetAndMetadata(final long offset) {
        this(offset, "");
    }
}

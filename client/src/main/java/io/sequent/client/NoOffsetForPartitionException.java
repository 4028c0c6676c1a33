package io.sequent.client;

/**
 * A consumer partition has no position and {@code auto.offset.reset} is {@code none}: the application
 * must {@link Consumer#seek} first. A kind of {@link OffsetOutOfRangeException}, as in Kafka.
 */
public class NoOffsetForPartitionException extends OffsetOutOfRangeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which partition.
     */
    public NoOffsetForPartitionException(final String message) {
        super(message);
    }
}

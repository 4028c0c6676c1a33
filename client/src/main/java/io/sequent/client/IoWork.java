package io.sequent.client;

/**
 * Client-specific work run by an {@link IoAgent} after its connection's duty cycle (the producer's
 * batching and sending). Called on the I/O thread only.
 */
interface IoWork {
    /** No extra work: the consumer and admin client need only the connection. */
    IoWork NONE = nowNs -> 0;

    /**
     * @param nowNs the I/O thread's clock.
     * @return work done, 0 when idle.
     */
    int doWork(long nowNs);

    /**
     * The I/O thread is stopping; the connection is still open.
     *
     * @param nowNs the I/O thread's clock.
     */
    default void onClose(long nowNs) {
    }
}

package io.sequent.perf.harness;

/**
 * One system a perf run measures (Sequent, Apache Kafka, or the raw Aeron round trip), behind the
 * few operations every workload needs. Drivers are used from one thread, except their senders and
 * receivers, each of which is used by one thread of its own.
 */
public interface Driver extends AutoCloseable {
    /** Short name: {@code sequent}, {@code kafka} or {@code aeron}. */
    String system();

    /** What exactly runs, for reports: version, where, durability settings. */
    String description();

    /** Whether {@link #consumer} is supported (the transport baseline has no consumer). */
    default boolean hasConsumer() {
        return true;
    }

    /**
     * Creates the run's topic with the workload's partitions and durability ({@code flush}).
     *
     * @throws Exception when the system refuses or cannot be reached.
     */
    void createTopic(String topic, Workload workload) throws Exception;

    /**
     * A new producer for the topic, configured from the workload ({@code acks}, {@code linger.ms},
     * idempotence with {@code acks=all}).
     */
    Sender producer(String topic, Workload workload) throws Exception;

    /** A new consumer of every partition of the topic, positioned at their beginnings (no group). */
    Receiver consumer(String topic, Workload workload) throws Exception;

    @Override
    void close();

    /** Sends records; used by one thread. */
    interface Sender extends AutoCloseable {
        /**
         * Sends one record (no key: spread over partitions by the system's default), calling
         * {@code completion} on whichever thread the system acknowledges on. May block while the
         * client's buffer is full, as the systems' producers do.
         */
        void send(byte[] value, Completion completion);

        /** Waits until every record sent so far has completed. */
        void flush() throws Exception;

        /**
         * Waits between sends until {@code deadlineNs}. By default the clock's wait; a sender whose client runs
         * its I/O on the sending thread (the two-thread layout) runs it meanwhile.
         */
        default void awaitUntil(final NanoClock clock, final long deadlineNs) {
            clock.sleepUntil(deadlineNs);
        }

        @Override
        void close();
    }

    /** The outcome of one send. */
    @FunctionalInterface
    interface Completion {
        /** Called once per send: {@code failure} null on success. */
        void complete(Throwable failure);
    }

    /** Receives records; used by one thread. */
    interface Receiver extends AutoCloseable {
        /**
         * Waits up to {@code timeoutMs} for records and hands each value to {@code sink}.
         *
         * @return records handed over.
         */
        int poll(ValueSink sink, long timeoutMs) throws Exception;

        @Override
        void close();
    }

    /** Takes the values a receiver delivers. */
    @FunctionalInterface
    interface ValueSink {
        /** One record's value. */
        void accept(byte[] value);
    }
}

package io.sequent.log;

/**
 * When the log forces written frames to the storage device; applied by {@link PartitionLog#flushIfDue}. The
 * property is {@link LogConfig#FLUSH_POLICY_PROP_NAME}.
 */
public enum FlushPolicy {
    /**
     * Group commit: force dirty bytes at the end of each sequencer batch (the default). An acknowledged record
     * survives power loss of every member whose disk survives.
     */
    BATCH,

    /**
     * Never force on the write path: rely on replication and the operating system's write-back. Survives any
     * process crash and the OS or power loss of a minority of members (Kafka's contract).
     */
    NONE,

    /** Force dirty bytes once every {@link LogConfig#flushIntervalMs()} when there are any. */
    INTERVAL
}

/**
 * The partition log: a segmented, memory-mapped, append-only store of record batches ("frames"), one directory per
 * partition.
 * <p>
 * Entry points: {@link io.sequent.log.PartitionLog} (open, append, flush, truncate, retention, close; its Javadoc
 * shows the directory layout and the threads), {@link io.sequent.log.LogReader} (zero-copy reads of whole frames),
 * {@link io.sequent.log.LogConfig} (every setting, with its property name and default) and
 * {@link io.sequent.log.RecoveryReport} (what opening the log found and repaired).
 * <p>
 * Binary layouts, each documented once in the class that owns it: the frame header in
 * {@link io.sequent.log.FrameDescriptor}, the segment file in {@code Segment}, the offset and time indexes in
 * {@code OffsetIndex} and {@code TimeIndex}, the recovery checkpoint in {@code RecoveryCheckpoint}.
 * <p>
 * Error handling follows the path: hot paths (append, read, flushIfDue) return {@link io.sequent.log.LogResult}
 * codes and never throw, allocate, lock or log; cold paths throw {@link io.sequent.log.LogException}, and
 * {@link io.sequent.log.LogCorruptionException} when durable data is damaged.
 */
package io.sequent.log;

package io.sequent.perf.harness;

import java.time.Duration;
import java.util.Locale;

/**
 * What a perf run does, the same for every system it runs against.
 *
 * @param mode       what is measured.
 * @param rate       records per second over all producers; 0 means as fast as the system takes them.
 * @param records    records to send after warm-up, or 0 when {@code duration} bounds the run.
 * @param duration   how long to send after warm-up, or null when {@code records} bounds the run.
 * @param size       record value size in bytes (at least {@link #MIN_SIZE}: the value carries the send time).
 * @param acks       {@code 0}, {@code 1} or {@code all}.
 * @param partitions partitions of the run's topic.
 * @param producers  producers, each on its own thread, each sending {@code rate / producers}.
 * @param warmup     how long to send before measuring.
 * @param flush      {@code batch} (fsync before acknowledging) or {@code none} (leave it to the OS).
 * @param lingerMs   producer {@code linger.ms}, the same for every system.
 */
public record Workload(
    Mode mode,
    long rate,
    long records,
    Duration duration,
    int size,
    String acks,
    int partitions,
    int producers,
    Duration warmup,
    String flush,
    long lingerMs) {

    /** The system name of the raw Aeron ping-pong baseline. */
    public static final String BASELINE = "aeron";
    /** The smallest record: an 8-byte send time and an 8-byte sequence. */
    public static final int MIN_SIZE = 16;

    /** Checks the settings, throwing IllegalArgumentException with a message that names the bad one. */
    public Workload {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be >= 0, not " + rate);
        }
        if (rate == 0 && mode != Mode.THROUGHPUT && mode != Mode.CONSUME) {
            throw new IllegalArgumentException("--rate is required for " + mode.label() + " (records per second)");
        }
        if (mode == Mode.CONSUME && (records <= 0 || duration != null)) {
            throw new IllegalArgumentException(
                "consume reads a topic filled with --records N; --duration does not apply");
        }
        if ((records > 0) == (duration != null)) {
            throw new IllegalArgumentException("give one of --records N or --duration D");
        }
        if (records < 0 || duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("--records and --duration must be positive");
        }
        if (size < MIN_SIZE || size > 1024 * 1024) {
            throw new IllegalArgumentException(
                "--size must be " + MIN_SIZE + ".." + 1024 * 1024 + " bytes, not " + size);
        }
        if (!"0".equals(acks) && !"1".equals(acks) && !"all".equals(acks) && !"-1".equals(acks)) {
            throw new IllegalArgumentException("--acks must be 0, 1 or all, not '" + acks + "'");
        }
        if ("-1".equals(acks)) {
            acks = "all";
        }
        if (mode == Mode.CONSUME && "0".equals(acks)) {
            throw new IllegalArgumentException("--acks 0 cannot tell which records the topic holds; use 1 or all");
        }
        if (mode != Mode.THROUGHPUT && "0".equals(acks)) {
            throw new IllegalArgumentException("--acks 0 has no acknowledgement to time; use throughput mode");
        }
        if (partitions < 1 || producers < 1) {
            throw new IllegalArgumentException("--partitions and --producers must be at least 1");
        }
        if (warmup == null || warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must be zero or more");
        }
        flush = flush.toLowerCase(Locale.ROOT);
        if (!"batch".equals(flush) && !"none".equals(flush)) {
            throw new IllegalArgumentException("--flush must be batch or none, not '" + flush + "'");
        }
        if (lingerMs < 0) {
            throw new IllegalArgumentException("--linger-ms must be >= 0");
        }
    }

    /** One line describing the workload, for reports. */
    public String describe() {
        if (mode == Mode.CONSUME) {
            return String.format(Locale.ROOT, "consume, %,d %d-byte records read from the start by one consumer " +
                "(filled with acks=%s, flush=%s, %d partition(s), %d producer(s)), %s warm-up read",
                records, size, acks, flush, partitions, producers,
                warmup.toMillis() % 1000 == 0 ? warmup.toSeconds() + " s" : warmup.toMillis() + " ms");
        }
        return String.format(Locale.ROOT, "%s, %s, %d-byte records, acks=%s, flush=%s, %d partition(s), " +
            "%d producer(s), linger.ms=%d, %s after %s warm-up", mode.label(),
            rate == 0 ? "unthrottled" : String.format(Locale.ROOT, "%,d records/s", rate), size, acks, flush,
            partitions, producers, lingerMs,
            duration != null ? duration.toSeconds() + " s" : String.format(Locale.ROOT, "%,d records", records),
            warmup.toMillis() % 1000 == 0 ? warmup.toSeconds() + " s" : warmup.toMillis() + " ms");
    }
}

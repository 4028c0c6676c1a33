package io.sequent.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The record of every write operation a test made, as a Jepsen-style history: each write is {@code invoke}d
 * once and ends {@code ok} (acknowledged, with the partition and offset the broker gave it), {@code fail}
 * (the client reported a definite error) or {@code unknown} (no answer by the end: it may or may not be in the
 * log). Every event carries the monotonic time it happened at, so unavailability windows can be read off
 * afterwards. Thread-safe: callbacks arrive on the client's threads.
 *
 * <p>{@link #write(Path)} keeps the history as a text file beside the test's data, one event per line, so a
 * failing run can be checked again by hand: {@code <nanos> invoke <value>}, {@code <nanos> ok <value>
 * <partition> <offset>}, {@code <nanos> fail <value> <error>}, {@code <nanos> unknown <value>}.
 */
final class OpHistory {
    /** The outcome of one write. */
    enum Outcome {
        PENDING, OK, FAIL, UNKNOWN
    }

    /** One write: its value (unique in the test), when it was invoked and how it ended. */
    static final class Op {
        final String value;
        final long invokedNs;
        Outcome outcome = Outcome.PENDING;
        long completedNs = -1;
        int partition = -1;
        long offset = -1;
        String error;

        Op(final String value, final long invokedNs) {
            this.value = value;
            this.invokedNs = invokedNs;
        }
    }

    private final LongSupplier clock;
    private final Map<String, Op> byValue = new HashMap<>();
    private final List<Op> ops = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    OpHistory() {
        this(System::nanoTime);
    }

    /** A history on a given monotonic clock in nanoseconds (a scripted one in tests). */
    OpHistory(final LongSupplier clock) {
        this.clock = clock;
    }

    synchronized void invoke(final String value) {
        final long now = clock.getAsLong();
        final Op op = new Op(value, now);
        if (null != byValue.putIfAbsent(value, op)) {
            throw new IllegalArgumentException("value written twice by the test: " + value);
        }
        ops.add(op);
        events.add(now + " invoke " + value);
    }

    synchronized void ok(final String value, final int partition, final long offset) {
        final long now = clock.getAsLong();
        final Op op = complete(value, Outcome.OK, now);
        op.partition = partition;
        op.offset = offset;
        events.add(now + " ok " + value + " " + partition + " " + offset);
    }

    synchronized void fail(final String value, final Throwable error) {
        final long now = clock.getAsLong();
        final Op op = complete(value, Outcome.FAIL, now);
        op.error = error.getClass().getSimpleName();
        events.add(now + " fail " + value + " " + op.error);
    }

    /** Ends every write still pending as {@code unknown}: its fate is for the log to tell. */
    synchronized void closeOut() {
        final long now = clock.getAsLong();
        for (final Op op : ops) {
            if (op.outcome == Outcome.PENDING) {
                op.outcome = Outcome.UNKNOWN;
                op.completedNs = now;
                events.add(now + " unknown " + op.value);
            }
        }
    }

    private Op complete(final String value, final Outcome outcome, final long now) {
        final Op op = byValue.get(value);
        if (null == op) {
            throw new IllegalStateException("completion of a write never invoked: " + value);
        }
        if (op.outcome != Outcome.PENDING) {
            throw new IllegalStateException("write " + value + " completed twice: " + op.outcome + " then " + outcome);
        }
        op.outcome = outcome;
        op.completedNs = now;
        return op;
    }

    synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    synchronized long count(final Outcome outcome) {
        return ops.stream().filter(op -> op.outcome == outcome).count();
    }

    synchronized void write(final Path file) {
        try {
            Files.write(file, events, StandardCharsets.UTF_8);
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}

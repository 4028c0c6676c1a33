package io.sequent.systemtest;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where each failover's time goes, read off the log lines the broker processes and the test's own clients print
 * (each starts with its wall-clock time, {@code yyyy-MM-dd HH:mm:ss.SSS}) and the write history:
 *
 * <pre>
 *   kill --detect--> the producer's session with the killed leader is given up ("session ... lost")
 *   kill --elect---> a survivor logs "member N leads epoch E"
 *   kill --found---> the producer has a session with the new leader ("session ... with the leader")
 *   kill --ack-----> the first acknowledgement of a write invoked after the kill (the unavailability)
 * </pre>
 *
 * A phase whose line is missing is -1 (a client that found the leader before it lost the session logs no loss).
 */
final class FailoverTimeline {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final int STAMP_LENGTH = 23;

    /** One failover, each phase in ms from the kill. */
    record Cycle(int cycle, int killed, long detectMs, long electMs, long foundMs, long ackMs) {
        String describe() {
            return String.format("cycle %d (leader %d killed): detect %d ms, elect %d ms, " +
                "new leader's session %d ms, first ack %d ms", cycle, killed, detectMs, electMs, foundMs, ackMs);
        }
    }

    private final List<Cycle> cycles = new ArrayList<>();
    private final String client;

    /** @param client the id of the client whose lines count (the producer's {@code client.id}). */
    FailoverTimeline(final String client) {
        this.client = client;
    }

    /**
     * Reads one failover off the lines printed since the kill.
     *
     * @param killedWallMs the kill's wall-clock time.
     * @param clientLines  the test JVM's own log lines.
     * @param brokerLines  the log lines of the running members.
     * @param ackMs        the unavailability the history measured.
     */
    Cycle add(final int cycle, final int killed, final long killedWallMs, final List<String> clientLines,
        final List<String> brokerLines, final long ackMs) {
        final String prefix = "client " + client + ": session ";
        final long detect = first(clientLines, killedWallMs, line -> line.contains(prefix) && line.contains(" lost: "));
        final long found = first(clientLines, killedWallMs,
            line -> line.contains(prefix) && line.contains(" with the leader"));
        final long elect = first(brokerLines, killedWallMs, line -> line.contains(" leads epoch "));
        final Cycle entry = new Cycle(cycle, killed, since(detect, killedWallMs), since(elect, killedWallMs),
            since(found, killedWallMs), ackMs);
        cycles.add(entry);
        return entry;
    }

    List<Cycle> cycles() {
        return List.copyOf(cycles);
    }

    /** p50 / p99 / max of each phase over the failovers recorded. */
    String summary() {
        return String.format("failover phases ms (p50/p99/max over %d): detect %s, elect %s, " +
                "new leader's session %s, first ack %s", cycles.size(), percentiles(Cycle::detectMs),
            percentiles(Cycle::electMs), percentiles(Cycle::foundMs), percentiles(Cycle::ackMs));
    }

    private String percentiles(final java.util.function.ToLongFunction<Cycle> phase) {
        final long[] values = cycles.stream().mapToLong(phase).filter(v -> v >= 0).toArray();
        if (values.length == 0) {
            return "n/a";
        }
        Arrays.sort(values);
        return percentile(values, 50) + "/" + percentile(values, 99) + "/" + values[values.length - 1] +
            (values.length < cycles.size() ? " (" + values.length + " seen)" : "");
    }

    static long percentile(final long[] sorted, final double percentile) {
        final int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static long since(final long wallMs, final long killedWallMs) {
        return wallMs < 0 ? -1 : wallMs - killedWallMs;
    }

    /** @return the stamp of the first line at or after {@code fromMs} that matches, -1 when none. */
    private static long first(final List<String> lines, final long fromMs,
        final java.util.function.Predicate<String> match) {
        long first = Long.MAX_VALUE;
        for (final String line : lines) {
            final long stamp = stamp(line);
            if (stamp >= fromMs && stamp < first && match.test(line)) {
                first = stamp;
            }
        }
        return first == Long.MAX_VALUE ? -1 : first;
    }

    /** @return the wall-clock ms a log line starts with, -1 when it starts with none. */
    static long stamp(final String line) {
        if (line.length() < STAMP_LENGTH) {
            return -1;
        }
        try {
            return LocalDateTime.parse(line.substring(0, STAMP_LENGTH), STAMP).atZone(ZoneId.systemDefault())
                .toInstant().toEpochMilli();
        } catch (final DateTimeParseException ex) {
            return -1;
        }
    }

    /**
     * Keeps a copy of every line written to {@link System#err} (where the client's log goes) while installed, and
     * passes them on.
     */
    static final class LogTap implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        LogTap() {
            final OutputStream tee = new OutputStream() {
                private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                @Override
                public synchronized void write(final int b) {
                    original.write(b);
                    if (b == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }

                @Override
                public synchronized void write(final byte[] bytes, final int offset, final int length) {
                    for (int i = offset; i < offset + length; i++) {
                        write(bytes[i]);
                    }
                }
            };
            System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        }

        /** @return the lines written so far. */
        List<String> lines() {
            return new ArrayList<>(lines);
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}

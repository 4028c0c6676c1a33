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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each failover's time goes, read off the log lines the broker processes and the test's own clients print
 * (each starts with its wall-clock time, {@code yyyy-MM-dd HH:mm:ss.SSS}) and the write history:
 *
 * <pre>
 *   kill --detect----> the producer's session with the killed leader is given up ("session ... lost")
 *   kill --timeout---> a survivor's election timer fires: it runs a pre-vote ("member N knows no leader")
 *   kill --elect-----> a survivor logs "member N leads epoch E"
 *   kill --joined----> a survivor follows the new leader, its log a prefix of the leader's ("member N joined")
 *   kill --committed-> the new leader commits a batch of its epoch ("member N commits in epoch E")
 *   kill --found-----> the producer has a session with the new leader ("session ... with the leader")
 *   kill --ack-------> the first acknowledgement of a write invoked after the kill (the unavailability)
 * </pre>
 *
 * A phase whose line is missing is -1 (a client that found the leader before it lost the session logs no loss).
 * Each failover also counts the epochs it took ({@code E} less the epoch of the failover before it): more than one
 * is an election that did not produce a leader (a split vote) or a leader that did not last.
 */
final class FailoverTimeline {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final int STAMP_LENGTH = 23;
    private static final Pattern LEADS = Pattern.compile(" leads epoch (\\d+)");

    /** One failover, each phase in ms from the kill; {@code epochs} the epochs it took, -1 when not known. */
    record Cycle(int cycle, int killed, boolean settled, long detectMs, long timeoutMs, long electMs, long joinedMs,
        long committedMs, long foundMs, long ackMs, int epochs) {
        String describe() {
            return String.format("cycle %d (leader %d killed, %s): detect %d ms, timeout %d ms, elect %d ms " +
                    "(epochs %d), joined %d ms, committed %d ms, new leader's session %d ms, first ack %d ms", cycle,
                killed, settled ? "group caught up" : "a member still catching up", detectMs, timeoutMs, electMs,
                epochs, joinedMs, committedMs, foundMs, ackMs);
        }
    }

    private final List<Cycle> cycles = new ArrayList<>();
    private final String client;
    private int lastEpoch = -1;

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
    Cycle add(final int cycle, final int killed, final boolean settled, final long killedWallMs,
        final List<String> clientLines, final List<String> brokerLines, final long ackMs) {
        final String prefix = "client " + client + ": session ";
        final long detect = first(clientLines, killedWallMs, line -> line.contains(prefix) && line.contains(" lost: "));
        final long found = first(clientLines, killedWallMs,
            line -> line.contains(prefix) && line.contains(" with the leader"));
        final long timeout = first(brokerLines, killedWallMs, line -> line.contains(" knows no leader in epoch "));
        final long elect = first(brokerLines, killedWallMs, line -> line.contains(" leads epoch "));
        final long joined = first(brokerLines, killedWallMs, line -> line.contains(" joined leader "));
        final long committed = first(brokerLines, killedWallMs, line -> line.contains(" commits in epoch "));
        final int epoch = leaderEpoch(brokerLines, elect);
        final Cycle entry = new Cycle(cycle, killed, settled, since(detect, killedWallMs),
            since(timeout, killedWallMs),
            since(elect, killedWallMs), since(joined, killedWallMs), since(committed, killedWallMs),
            since(found, killedWallMs), ackMs, lastEpoch < 0 || epoch < 0 ? -1 : epoch - lastEpoch);
        lastEpoch = Math.max(lastEpoch, epoch);
        cycles.add(entry);
        return entry;
    }

    /** @return the epoch named by the first "leads epoch" line stamped {@code stampMs}, -1 when none. */
    private static int leaderEpoch(final List<String> lines, final long stampMs) {
        for (final String line : lines) {
            final Matcher m = LEADS.matcher(line);
            if (stampMs >= 0 && stamp(line) == stampMs && m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }

    List<Cycle> cycles() {
        return List.copyOf(cycles);
    }

    /** p50 / p99 / max of each phase over the failovers recorded, all of them and each kind of cycle apart. */
    String summary() {
        return summary("all", cycles) + "\n" +
            summary("group caught up at the kill", cycles.stream().filter(Cycle::settled).toList()) + "\n" +
            summary("a member still catching up at the kill", cycles.stream().filter(c -> !c.settled()).toList());
    }

    private static String summary(final String label, final List<Cycle> cycles) {
        return String.format("failover phases ms, %s (p50/p99/max over %d): detect %s, timeout %s, elect %s, " +
                "joined %s, committed %s, new leader's session %s, first ack %s; failovers that took more than " +
                "one epoch: %d", label, cycles.size(), percentiles(cycles, Cycle::detectMs),
            percentiles(cycles, Cycle::timeoutMs), percentiles(cycles, Cycle::electMs),
            percentiles(cycles, Cycle::joinedMs), percentiles(cycles, Cycle::committedMs),
            percentiles(cycles, Cycle::foundMs), percentiles(cycles, Cycle::ackMs),
            cycles.stream().filter(c -> c.epochs() > 1).count());
    }

    private static String percentiles(final List<Cycle> cycles, final java.util.function.ToLongFunction<Cycle> phase) {
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

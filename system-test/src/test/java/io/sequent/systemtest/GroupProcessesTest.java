package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.GroupDescription;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.OffsetSpec;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Consumer groups with real processes: a broker ({@code sequent broker start}) and consumers, each its own JVM
 * ({@link GroupMemberMain}). Three members of a group over six partitions get disjoint shares covering all; one
 * SIGKILLed has its partitions moved to the others within its session timeout + 1 s and no record is skipped from
 * the committed offsets; a fourth joining moves only the partitions it takes (from the listener calls); a static
 * member restarted moves nothing; committed offsets only grow, survive a broker SIGKILL and restart, and a member
 * joining after the restart resumes from them; {@code group describe}'s lag is the end offsets less the committed
 * ones. Session timeouts are 2 s, so the whole run takes well under a minute.
 */
class GroupProcessesTest {
    private static final int SESSION_MS = 2_000;
    static final int PARTITIONS = 6;
    static final String TOPIC = "orders";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** One member process and what it printed, with the time of each line. */
    static final class Member implements AutoCloseable {
        final String name;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<Long> times = new CopyOnWriteArrayList<>();
        final Path log;

        Member(final String broker, final String group, final String name, final String instanceId)
            throws IOException {
            this(broker, group, name, instanceId, SESSION_MS);
        }

        Member(final String broker, final String group, final String name, final String instanceId,
            final int sessionMs) throws IOException {
            this(broker, group, name, instanceId, sessionMs, 0, null);
        }

        /**
         * @param requestTimeoutMs the member's {@code request.timeout.ms}; 0 for the default.
         * @param log              the file its standard error (the client's log) goes to; null to discard it.
         */
        Member(final String broker, final String group, final String name, final String instanceId,
            final int sessionMs, final int requestTimeoutMs, final Path log) throws IOException {
            this.name = name;
            this.log = log;
            final Path classes = Path.of(GroupMemberMain.class.getProtectionDomain().getCodeSource().getLocation()
                .getPath());
            final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", classes + java.io.File.pathSeparator + Cli.JAR.toAbsolutePath(),
                GroupMemberMain.class.getName(), broker, group, TOPIC, name, instanceId,
                Integer.toString(sessionMs)));
            if (requestTimeoutMs > 0) {
                command.add(Integer.toString(requestTimeoutMs));
            }
            process = new ProcessBuilder(command).redirectError(null == log ? ProcessBuilder.Redirect.DISCARD :
                ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            final Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        times.add(System.nanoTime());
                        lines.add(line);
                    }
                } catch (final IOException ignored) {
                    // gone
                }
            }, "member-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        /** The partitions it owns per its listener calls so far. */
        Set<String> owned() {
            final Set<String> owned = new TreeSet<>();
            for (final String line : lines) {
                if (line.startsWith("ASSIGNED ")) {
                    owned.addAll(parts(line));
                } else if (line.startsWith("REVOKED ") || line.startsWith("LOST ")) {
                    owned.removeAll(parts(line));
                }
            }
            return owned;
        }

        /** The partitions of the listener calls of this kind from line {@code from} on. */
        Set<String> calls(final String kind, final int from) {
            final Set<String> set = new TreeSet<>();
            for (int i = from; i < lines.size(); i++) {
                if (lines.get(i).startsWith(kind + " ")) {
                    set.addAll(parts(lines.get(i)));
                }
            }
            return set;
        }

        /** When (nanoTime) it was first told of owning {@code partition} at or after line {@code from}, or -1. */
        long assignedAt(final String partition, final int from) {
            for (int i = from; i < lines.size(); i++) {
                if (lines.get(i).startsWith("ASSIGNED ") && parts(lines.get(i)).contains(partition)) {
                    return times.get(i);
                }
            }
            return -1;
        }

        /** The offset of the first record of {@code partition} it printed at or after line {@code from}, or -1. */
        long firstOffset(final int partition, final int from) {
            for (int i = from; i < lines.size(); i++) {
                final String[] f = lines.get(i).split(" ");
                if (f[0].equals("RECORD") && Integer.parseInt(f[1]) == partition) {
                    return Long.parseLong(f[2]);
                }
            }
            return -1;
        }

        void records(final Map<Integer, Set<Long>> into) {
            for (final String line : lines) {
                if (line.startsWith("RECORD ")) {
                    final String[] f = line.split(" ");
                    into.computeIfAbsent(Integer.parseInt(f[1]), p -> new HashSet<>()).add(Long.parseLong(f[2]));
                }
            }
        }

        private static List<String> parts(final String line) {
            final String rest = line.substring(line.indexOf(' ') + 1).trim();
            return rest.isEmpty() ? List.of() : List.of(rest.split(","));
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }

        /** The lines other than records and commits: the listener calls and errors, in order. */
        List<String> control() {
            final List<String> control = new ArrayList<>();
            for (final String line : lines) {
                if (!line.startsWith("RECORD ") && !line.startsWith("COMMIT")) {
                    control.add(line);
                }
            }
            return control;
        }

        /** The last lines of its log, or "" when it is discarded. */
        String logTail(final int count) {
            if (null == log) {
                return "";
            }
            try {
                final List<String> all = java.nio.file.Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
            } catch (final IOException ex) {
                return ex.toString();
            }
        }

        @Override
        public String toString() {
            return name + " " + owned() + " " + control();
        }
    }

    static void await(final BooleanSupplier done, final String what, final Object state)
        throws InterruptedException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what + ": " + state);
            }
            Thread.sleep(20);
        }
    }

    static boolean disjointAndComplete(final int partitions, final Member... members) {
        final Set<String> all = new HashSet<>();
        int total = 0;
        for (final Member member : members) {
            total += member.owned().size();
            all.addAll(member.owned());
        }
        return total == partitions && all.size() == partitions;
    }

    /** Sends {@code perPartition[p]} records to each partition p and raises {@code ends} to match. */
    static void produce(final Producer producer, final Map<Integer, Long> ends, final int... perPartition)
        throws Exception {
        for (int p = 0; p < PARTITIONS; p++) {
            for (int i = 0; i < perPartition[p]; i++) {
                producer.send(new ProducerRecord(TOPIC, p, null, null, ("v" + p + "-" + i)
                    .getBytes(StandardCharsets.UTF_8), null));
            }
            ends.merge(p, (long) perPartition[p], Long::sum);
        }
        producer.flush();
    }

    static int[] each(final int count) {
        final int[] counts = new int[PARTITIONS];
        java.util.Arrays.fill(counts, count);
        return counts;
    }

    private static ClientConfig client(final String broker) {
        return new ClientConfig().bootstrap(broker).connectTimeout(Duration.ofSeconds(20));
    }

    static boolean allSeen(final Map<Integer, Long> ends, final Member... members) {
        return allSeen(Map.of(), ends, members);
    }

    /** Whether the members together printed every offset of each partition from {@code from} (or 0) to its end. */
    private static boolean allSeen(final Map<Integer, Long> from, final Map<Integer, Long> ends,
        final Member... members) {
        final Map<Integer, Set<Long>> seen = new HashMap<>();
        for (final Member member : members) {
            member.records(seen);
        }
        for (final Map.Entry<Integer, Long> end : ends.entrySet()) {
            final Set<Long> offsets = seen.getOrDefault(end.getKey(), Set.of());
            for (long o = from.getOrDefault(end.getKey(), 0L); o < end.getValue(); o++) {
                if (!offsets.contains(o)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void membersShareMoveAndResumeAsProcesses() throws Exception {
        final Path data = dir.resolve("data");
        final int port = Cli.freeUdpPort();
        Cli.BrokerProcess broker = new Cli.BrokerProcess(data, port);
        final Map<Integer, Long> ends = new TreeMap<>();
        final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
        try (Admin admin = Admin.create(client(broker.broker()));
            Producer producer = new Producer(new ProducerConfig(client(broker.broker())).lingerMs(1))) {
            admin.createTopic(TOPIC, PARTITIONS, Map.of());
            produce(producer, ends, each(100));
            final Member a = new Member(broker.broker(), "g", "a", "-");
            final Member b = new Member(broker.broker(), "g", "b", "-");
            final Member c = new Member(broker.broker(), "g", "c", "-");
            try (a; b; c) {
                await(() -> disjointAndComplete(PARTITIONS, a, b, c) && a.owned().size() == 2 &&
                    b.owned().size() == 2, "three disjoint shares of two", List.of(a, b, c));
                await(() -> allSeen(ends, a, b, c), "every record", List.of(a, b, c));
                awaitCommitted(admin, lastCommitted, ends, List.of(a, b, c));

                // SIGKILL c: its partitions go to a and b, which resume them from c's committed offsets
                final Set<String> killed = c.owned();
                final int aFrom = a.lines.size();
                final int bFrom = b.lines.size();
                final long killedAt = System.nanoTime();
                c.kill();
                final Map<Integer, Long> committedAtKill = new TreeMap<>(ends);
                produce(producer, ends, each(50));
                await(() -> disjointAndComplete(PARTITIONS, a, b), "c's partitions moved to a and b", List.of(a, b));
                for (final String partition : killed) {
                    final long at = Math.max(a.assignedAt(partition, aFrom), b.assignedAt(partition, bFrom));
                    final double seconds = (at - killedAt) / 1e9;
                    System.out.printf("GroupProcessesTest: %s moved %.2f s after the SIGKILL (session timeout " +
                        "%.1f s)%n", partition, seconds, SESSION_MS / 1000.0);
                    assertTrue(seconds <= SESSION_MS / 1000.0 + 1.0, partition + " moved after " + seconds + " s");
                }
                assertTrue(a.calls("REVOKED", aFrom).isEmpty() && b.calls("REVOKED", bFrom).isEmpty(),
                    "the survivors kept what they had: " + List.of(a, b));
                await(() -> allSeen(ends, a, b, c), "no record skipped after the kill", List.of(a, b));
                for (final String partition : killed) {
                    final int p = Integer.parseInt(partition.substring(partition.lastIndexOf('-') + 1));
                    final Member owner = a.owned().contains(partition) ? a : b;
                    assertEquals(committedAtKill.get(p), owner.firstOffset(p, owner == a ? aFrom : bFrom),
                        partition + " resumed at c's committed offset: " + owner);
                }
                awaitCommitted(admin, lastCommitted, ends, List.of(a, b));

                // a fourth member: only the partitions it takes move, from a and b to d
                final int aJoin = a.lines.size();
                final int bJoin = b.lines.size();
                final Member d = new Member(broker.broker(), "g", "d", "-");
                try (d) {
                    await(() -> disjointAndComplete(PARTITIONS, a, b, d) && d.owned().size() == 2, "d's share",
                        List.of(a, b, d));
                    final Set<String> revoked = new TreeSet<>(a.calls("REVOKED", aJoin));
                    revoked.addAll(b.calls("REVOKED", bJoin));
                    assertEquals(d.calls("ASSIGNED", 0), revoked, "d was given exactly what a and b gave up: " +
                        List.of(a, b, d));
                    assertTrue(a.calls("ASSIGNED", aJoin).isEmpty() && b.calls("ASSIGNED", bJoin).isEmpty(),
                        "nothing moved to a or b on d's join: " + List.of(a, b));
                    assertTrue(a.owned().size() == 2 && b.owned().size() == 2, List.of(a, b).toString());
                    assertTrue(a.calls("LOST", aJoin).isEmpty() && b.calls("LOST", bJoin).isEmpty());
                    produce(producer, ends, each(10));
                    await(() -> allSeen(ends, a, b, c, d), "every record after d's join", List.of(a, b, d));
                    awaitCommitted(admin, lastCommitted, ends, List.of(a, b, d));
                }
            }

            // the group is empty (its dynamic members left on SIGTERM); partition p gets p + 1 records more
            await(() -> admin.describeGroups(List.of("g")).get(0).members().isEmpty(), "g to be empty", "");
            final Map<Integer, Long> committed = new TreeMap<>(ends);
            produce(producer, ends, 1, 2, 3, 4, 5, 6);
            checkDescribe(broker, admin, "g", committed, ends);
            sampleMonotonic(admin, lastCommitted);
        }

        // static membership: a restarted member gets its partitions back and nobody else moves
        try (Admin admin = Admin.create(client(broker.broker()))) {
            final Member s1 = new Member(broker.broker(), "static", "s1", "instance-1", 30_000);
            final Member s2 = new Member(broker.broker(), "static", "s2", "instance-2", 30_000);
            try (s2) {
                final Set<String> before;
                final GroupDescription described;
                try (s1) {
                    await(() -> disjointAndComplete(PARTITIONS, s1, s2) && s1.owned().size() == 3, "3/3",
                        List.of(s1, s2));
                    await(() -> admin.describeGroups(List.of("static")).get(0).state().equals("STABLE"),
                        "the static group to be stable", List.of(s1, s2));
                    before = Set.copyOf(s1.owned());
                    described = admin.describeGroups(List.of("static")).get(0);
                }
                final int s2From = s2.lines.size();
                final Member again = new Member(broker.broker(), "static", "s1-again", "instance-1", 30_000);
                try (again) {
                    await(() -> again.owned().size() == 3, "the restarted member's share", again);
                    assertEquals(before, again.owned(), "the same partitions back");
                    final GroupDescription after = admin.describeGroups(List.of("static")).get(0);
                    assertEquals(described.groupEpoch(), after.groupEpoch(), "no rebalance: " + after);
                    assertEquals(assignments(described, "s2"), assignments(after, "s2"), "s2 kept its partitions");
                    assertTrue(s2.lines.subList(s2From, s2.lines.size()).stream()
                        .noneMatch(l -> l.startsWith("ASSIGNED") || l.startsWith("REVOKED")),
                        "s2 saw no rebalance: " + s2.lines.subList(s2From, s2.lines.size()));
                }
            }

            // committed offsets survive a broker SIGKILL; a member joining after the restart resumes from them
            final Map<TopicPartition, OffsetAndMetadata> committed = admin.listGroupOffsets("g");
            final Map<TopicPartition, OffsetAndMetadata> committedStatic = admin.listGroupOffsets("static");
            assertEquals(PARTITIONS, committed.size(), committed.toString());
            broker.kill();
            broker = new Cli.BrokerProcess(data, port);
            try (Admin restarted = Admin.create(client(broker.broker()))) {
                assertEquals(committed, restarted.listGroupOffsets("g"), "committed offsets survive a broker SIGKILL");
                assertEquals(committedStatic, restarted.listGroupOffsets("static"));
                sampleMonotonic(restarted, lastCommitted);
                final Map<Integer, Long> resumeAt = new TreeMap<>();
                committed.forEach((tp, offset) -> resumeAt.put(tp.partition(), offset.offset()));
                try (Member e = new Member(broker.broker(), "g", "e", "-")) {
                    await(() -> e.owned().size() == PARTITIONS && allSeen(resumeAt, ends, e), "e to read the rest",
                        e);
                    for (final Map.Entry<TopicPartition, OffsetAndMetadata> row : committed.entrySet()) {
                        assertEquals(row.getValue().offset(), e.firstOffset(row.getKey().partition(), 0),
                            row.getKey() + ": e resumed at the committed offset");
                    }
                }
            }
        } finally {
            broker.close();
        }
    }

    private static Set<TopicPartition> assignments(final GroupDescription group, final String clientId) {
        for (final GroupDescription.Member member : group.members()) {
            if (member.clientId().equals(clientId)) {
                return member.assignment();
            }
        }
        throw new AssertionError("no member " + clientId + " in " + group);
    }

    /** Waits until the group has committed every partition up to {@code ends}, checking monotony at each look. */
    private static void awaitCommitted(final Admin admin, final Map<TopicPartition, Long> last,
        final Map<Integer, Long> ends, final Object state) throws InterruptedException {
        await(() -> {
            sampleMonotonic(admin, last);
            for (final Map.Entry<Integer, Long> end : ends.entrySet()) {
                if (!end.getValue().equals(last.get(new TopicPartition(TOPIC, end.getKey())))) {
                    return false;
                }
            }
            return true;
        }, "the group to commit " + ends, state);
    }

    /** Checks that no committed offset of group g went back since the last sample, and records the new ones. */
    private static void sampleMonotonic(final Admin admin, final Map<TopicPartition, Long> last) {
        for (final Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listGroupOffsets("g").entrySet()) {
            final Long before = last.get(e.getKey());
            assertTrue(before == null || e.getValue().offset() >= before,
                e.getKey() + " went back from " + before + " to " + e.getValue().offset());
            last.put(e.getKey(), e.getValue().offset());
        }
    }

    /**
     * {@code group describe} of a group without members: CURRENT-OFFSET is the committed offset, LOG-END-OFFSET the
     * end offset (as ListOffsets answers it), LAG their difference, one row per partition.
     */
    private static void checkDescribe(final Cli.BrokerProcess broker, final Admin admin, final String group,
        final Map<Integer, Long> committed, final Map<Integer, Long> ends) throws Exception {
        final Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            specs.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        final Map<TopicPartition, Long> listed = admin.listOffsets(specs);
        final Cli.Result describe = Cli.run(null, 60, "group", "describe", group, "--broker", broker.broker());
        assertEquals(0, describe.exitCode(), describe.stderr());
        final Set<Integer> rows = new TreeSet<>();
        for (final String line : describe.lines()) {
            if (!line.startsWith(group + "\t")) {
                continue;
            }
            final String[] cols = line.split("\t");
            assertEquals(TOPIC, cols[1], line);
            final int p = Integer.parseInt(cols[2]);
            assertEquals(ends.get(p), listed.get(new TopicPartition(TOPIC, p)), "ListOffsets: " + listed);
            assertEquals(Long.toString(committed.get(p)), cols[3], "CURRENT-OFFSET: " + line);
            assertEquals(Long.toString(ends.get(p)), cols[4], "LOG-END-OFFSET: " + line);
            assertEquals(Long.toString(p + 1), cols[5], "LAG: " + line);
            assertEquals("-", cols[6], "no owner: " + line);
            rows.add(p);
        }
        assertEquals(PARTITIONS, rows.size(), describe.stdout());
    }
}

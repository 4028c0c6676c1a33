package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.BrokerUnreachableException;
import io.sequent.client.GroupDescription;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.RequestTimeoutException;
import io.sequent.client.TopicExistsException;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.sequent.systemtest.GroupProcessesTest.PARTITIONS;
import static io.sequent.systemtest.GroupProcessesTest.TOPIC;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups across leader failovers, all real processes: three consumers of one group ({@link
 * GroupMemberMain}) over a 6-partition topic of a 3-member replica group ({@link Cluster}), while the test
 * SIGKILLs the leader, waits for a new one, writes more and restarts the old one, cycle after cycle (3 by default,
 * 20 with {@code -Plong}, {@code -Dgroup.failover.cycles=N} to choose). After each cycle the group must have read
 * and committed everything written, and settle with each partition owned by exactly one member (per the listener
 * calls, and as DescribeGroups has it). Throughout, the committed offsets sampled never go back; at the end every
 * member's output is checked: each run of records of a partition it owns starts at an offset that was committed
 * (or 0) and never jumps, and together they cover every offset (at-least-once from the committed offsets).
 */
class GroupFailoverProcessesTest {
    private static final int SESSION_MS = 6_000;
    private static final int REQUEST_MS = 1_000;
    private static final int PER_CHUNK = 40;

    @TempDir
    Path dir;

    private Admin admin;

    @Test
    void consumersOfOneGroupSkipNothingAcrossLeaderFailovers() throws Exception {
        final int cycles = Integer.getInteger("group.failover.cycles", Boolean.getBoolean("sequent.long") ? 20 : 3);
        final Map<Integer, Long> ends = new TreeMap<>();
        final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
        try (Cluster cluster = new Cluster(dir, 3, member -> List.of())) {
            cluster.startAll();
            admin = Admin.create(cluster.client());
            createTopic(cluster);
            try (Producer producer = new Producer(new ProducerConfig(cluster.client().clientId("group-failover"))
                .acks("all").enableIdempotence(true).lingerMs(1).deliveryTimeoutMs(120_000))) {
                GroupProcessesTest.produce(producer, ends, GroupProcessesTest.each(PER_CHUNK));
                final GroupProcessesTest.Member a = member(cluster, "a");
                final GroupProcessesTest.Member b = member(cluster, "b");
                final GroupProcessesTest.Member c = member(cluster, "c");
                final GroupProcessesTest.Member[] all = {a, b, c};
                try (a; b; c) {
                    awaitCaughtUpAndSettled(cluster, ends, lastCommitted, all, "the first share");
                    for (int cycle = 0; cycle < cycles; cycle++) {
                        GroupProcessesTest.produce(producer, ends, GroupProcessesTest.each(PER_CHUNK));
                        final int leader = cluster.leader(30_000);
                        final long killedAt = System.nanoTime();
                        cluster.kill(leader);
                        final int next = cluster.leader(30_000);
                        GroupProcessesTest.produce(producer, ends, GroupProcessesTest.each(PER_CHUNK));
                        cluster.start(leader);
                        awaitCaughtUpAndSettled(cluster, ends, lastCommitted, all, "cycle " + cycle);
                        System.out.printf("GroupFailoverProcessesTest: cycle %d, leader %d killed, %d led, the group " +
                            "read, committed and settled %.1f s after the kill%n", cycle, leader, next,
                            (System.nanoTime() - killedAt) / 1e9);
                    }
                    final Map<Integer, Set<Long>> committedValues = new HashMap<>();
                    for (final GroupProcessesTest.Member member : all) {
                        commits(member, committedValues);
                    }
                    int errors = 0;
                    int moves = 0;
                    for (final GroupProcessesTest.Member member : all) {
                        checkRuns(member, committedValues);
                        errors += (int) member.lines.stream().filter(l -> l.startsWith("ERROR ")).count();
                        moves += (int) member.lines.stream()
                            .filter(l -> l.startsWith("REVOKED ") || l.startsWith("LOST ")).count();
                    }
                    assertTrue(GroupProcessesTest.allSeen(ends, all), "every offset was read by some member");
                    System.out.printf("GroupFailoverProcessesTest: %d leader failovers, %d records per partition, " +
                        "%d failed polls or commits retried by the members, %d revocations or losses (the first " +
                        "shares' included), group epoch %d%n", cycles, ends.get(0), errors, moves,
                        admin.describeGroups(List.of("g")).get(0).groupEpoch());
                }
            } finally {
                admin.close();
            }
        }
    }

    /** Creates the topic, asking again while the new group's leader does not answer in time (a busy machine). */
    private void createTopic(final Cluster cluster) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.createTopic(TOPIC, PARTITIONS, Map.of());
                return;
            } catch (final TopicExistsException created) {
                return; // an earlier attempt whose answer was lost
            } catch (final BrokerUnreachableException | RequestTimeoutException ex) {
                if (System.nanoTime() - deadline > 0) {
                    throw ex;
                }
                renewAdmin(cluster);
                Thread.sleep(200);
            }
        }
    }

    private GroupProcessesTest.Member member(final Cluster cluster, final String name) throws Exception {
        return new GroupProcessesTest.Member(cluster.bootstrap(), "g", name, "-", SESSION_MS, REQUEST_MS,
            dir.resolve("member-" + name + ".log"));
    }

    /**
     * Waits until the members together printed every record up to {@code ends}, the group committed all of them
     * (no committed offset going back meanwhile), and the group is stable with every partition owned by exactly one
     * member, per the listener calls and per DescribeGroups alike.
     */
    private void awaitCaughtUpAndSettled(final Cluster cluster, final Map<Integer, Long> ends,
        final Map<TopicPartition, Long> lastCommitted, final GroupProcessesTest.Member[] members, final String when)
        throws InterruptedException {
        final String[] last = {"nothing asked yet"};
        GroupProcessesTest.await(() -> {
            if (!GroupProcessesTest.allSeen(ends, members) || !committedUpTo(cluster, lastCommitted, ends)) {
                return false;
            }
            if (!GroupProcessesTest.disjointAndComplete(PARTITIONS, members)) {
                return false;
            }
            final GroupDescription group = describe(cluster);
            if (null == group) {
                return false;
            }
            last[0] = group.toString();
            if (!"STABLE".equals(group.state()) || group.members().size() != members.length) {
                return false;
            }
            final Set<String> described = new TreeSet<>();
            for (final GroupDescription.Member member : group.members()) {
                final Set<String> assigned = new TreeSet<>();
                member.assignment().forEach(tp -> assigned.add(tp.topic() + "-" + tp.partition()));
                described.addAll(assigned);
                if (!assigned.equals(owner(members, member.clientId()).owned())) {
                    return false;
                }
            }
            return described.size() == PARTITIONS;
        }, when + ": every record read and committed, each partition owned by one member", new Object() {
            @Override
            public String toString() {
                final StringBuilder logs = new StringBuilder();
                for (final GroupProcessesTest.Member member : members) {
                    logs.append("\n--- consumer ").append(member.name).append('\n').append(member.logTail(15));
                }
                return List.of(members) + " committed " + lastCommitted + " ends " + ends + " described " + last[0] +
                    logs + "\n" + cluster.tails(20);
            }
        });
    }

    private static GroupProcessesTest.Member owner(final GroupProcessesTest.Member[] members, final String name) {
        for (final GroupProcessesTest.Member member : members) {
            if (member.name.equals(name)) {
                return member;
            }
        }
        throw new AssertionError("a member named " + name + " the test did not start");
    }

    /**
     * Samples the group's committed offsets (checking that none went back) and says whether they reach the ends;
     * false when the cluster does not answer (a failover), after which a new admin client is made.
     */
    private boolean committedUpTo(final Cluster cluster, final Map<TopicPartition, Long> last,
        final Map<Integer, Long> ends) {
        final Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = admin.listGroupOffsets("g");
        } catch (final RuntimeException ex) {
            renewAdmin(cluster);
            return false;
        }
        for (final Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            final Long before = last.get(e.getKey());
            assertTrue(null == before || e.getValue().offset() >= before,
                e.getKey() + " committed offset went back from " + before + " to " + e.getValue().offset());
            last.put(e.getKey(), e.getValue().offset());
        }
        for (final Map.Entry<Integer, Long> end : ends.entrySet()) {
            if (!end.getValue().equals(last.get(new TopicPartition(TOPIC, end.getKey())))) {
                return false;
            }
        }
        return true;
    }

    private GroupDescription describe(final Cluster cluster) {
        try {
            return admin.describeGroups(List.of("g")).get(0);
        } catch (final RuntimeException ex) {
            renewAdmin(cluster);
            return null;
        }
    }

    private void renewAdmin(final Cluster cluster) {
        try {
            admin.close();
        } catch (final RuntimeException ignored) {
            // replaced below
        }
        admin = Admin.create(cluster.client());
    }

    /** Every offset a member committed, or tried to (a failed commit may still have been made). */
    private static void commits(final GroupProcessesTest.Member member, final Map<Integer, Set<Long>> into) {
        for (final String line : member.lines) {
            if (line.startsWith("COMMIT")) {
                final String[] f = line.split(" ");
                into.computeIfAbsent(Integer.parseInt(f[1]), p -> new HashSet<>()).add(Long.parseLong(f[2]));
            }
        }
    }

    /**
     * A member's output in order: it prints records only of partitions it owns; each run of records of a partition
     * (from its assignment on) starts at a committed offset, or 0, and goes on without a gap.
     */
    private static void checkRuns(final GroupProcessesTest.Member member, final Map<Integer, Set<Long>> committed) {
        final Set<Integer> owned = new HashSet<>();
        final Map<Integer, Long> previous = new HashMap<>();
        final List<String> lines = new ArrayList<>(member.lines);
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i);
            final String[] f = line.split(" ");
            if (f[0].equals("ASSIGNED") || f[0].equals("REVOKED") || f[0].equals("LOST")) {
                for (final String partition : f.length > 1 ? f[1].split(",") : new String[0]) {
                    final int p = Integer.parseInt(partition.substring(partition.lastIndexOf('-') + 1));
                    if (f[0].equals("ASSIGNED")) {
                        owned.add(p);
                    } else {
                        owned.remove(p);
                    }
                    previous.remove(p);
                }
            } else if (f[0].equals("RECORD")) {
                final int p = Integer.parseInt(f[1]);
                final long offset = Long.parseLong(f[2]);
                final String where = member.name + " line " + i + " '" + line + "'";
                assertTrue(owned.contains(p), where + ": a record of a partition it does not own " + owned);
                final Long before = previous.get(p);
                if (null == before) {
                    assertTrue(offset == 0 || committed.getOrDefault(p, Set.of()).contains(offset),
                        where + ": a run that starts neither at 0 nor at a committed offset " +
                        new TreeSet<>(committed.getOrDefault(p, Set.of())));
                } else {
                    assertTrue(offset <= before + 1, where + ": skipped from " + before);
                }
                previous.put(p, offset);
            }
        }
    }
}

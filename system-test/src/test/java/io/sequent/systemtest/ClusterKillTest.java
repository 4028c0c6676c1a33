package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 under load on a 3-member group of real broker processes on loopback: an idempotent producer writes at
 * acks=all and a consumer reads while the test SIGKILLs the leader, waits for writes to resume on a new leader,
 * and restarts the old one on its data directory, cycle after cycle (20 by default, 200 with {@code -Plong}).
 * Every write is recorded ({@link OpHistory}); at the end all members are stopped and their logs, read from their
 * files, are checked offline with the history and the consumer's reads ({@link HistoryChecker}): no acknowledged
 * write lost or moved, none stored twice, no offset at which members differ, no offset the consumer skipped or
 * read dirty. The failover unavailability (kill to the first acknowledgement of a later write) is printed, for all
 * failovers and apart for the two kinds of cycle: three in four wait before the kill until the restarted member
 * has caught up (within {@value #MAX_LAG_BATCHES} batches, if it does within 20 s), so the new leader's first
 * commit needs no replay of a backlog; the fourth kills at once, while the member restarted in the cycle before
 * may still be replaying.
 */
class ClusterKillTest {
    private static final int MEMBERS = 3;
    private static final int PARTITIONS = 3;
    private static final String TOPIC = "replicated";
    private static final int ELECTION_TIMEOUT_MS = 500;
    private static final long LOAD_PER_CYCLE_MS = 700;
    private static final long MAX_LAG_BATCHES = 64;
    private static final long CATCH_UP_TIMEOUT_MS = 20_000;
    private static final String PRODUCER_ID = "kill-test-producer";
    private static final AtomicReference<RuntimeException> LAST_READ_ERROR = new AtomicReference<>();

    @TempDir
    Path dir;

    @Test
    void noAcknowledgedWriteIsLostDuplicatedOrDivergentAcrossLeaderKills() throws Exception {
        final int cycles = Integer.getInteger("cluster.cycles", Boolean.getBoolean("sequent.long") ? 200 : 20);
        try (Cluster cluster = new Cluster(dir, MEMBERS, member -> List.of());
            FailoverTimeline.LogTap clientLog = new FailoverTimeline.LogTap()) {
            cluster.startAll();
            try (Admin admin = Admin.create(cluster.client())) {
                admin.createTopic(TOPIC, PARTITIONS, Map.of());
            }

            final OpHistory history = new OpHistory();
            // the reader thread's own list (handed over by join); its progress per partition for the others
            final List<HistoryChecker.Read> reads = new ArrayList<>();
            final AtomicLongArray consumed = new AtomicLongArray(PARTITIONS);
            final List<Long> killTimes = new ArrayList<>();
            final FailoverTimeline timeline = new FailoverTimeline(PRODUCER_ID);
            final Producer producer = new Producer(new ProducerConfig(cluster.client().clientId(PRODUCER_ID))
                .acks("all").enableIdempotence(true).lingerMs(1).deliveryTimeoutMs(120_000));
            final Consumer consumer = new Consumer(new ConsumerConfig(cluster.client()).autoOffsetReset("earliest"));
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final AtomicBoolean reading = new AtomicBoolean(true);
            final Thread reader = new Thread(() -> read(consumer, reads, consumed, reading), "cluster-test-reader");
            final HistoryWriter writer = new HistoryWriter(producer, TOPIC, "v", history);
            reader.start();
            try {
                for (int cycle = 0; cycle < cycles; cycle++) {
                    Thread.sleep(LOAD_PER_CYCLE_MS);
                    // three cycles in four kill a group whose restarted member has caught up (a failover of a
                    // healthy group), if it does within the timeout; the fourth kills at once, while it may still
                    // be replaying (two faults)
                    final boolean settled = cycle % 4 != 3 &&
                        cluster.awaitCaughtUp(MAX_LAG_BATCHES, CATCH_UP_TIMEOUT_MS) >= 0;
                    final int leader = cluster.leader(30_000);
                    final long killedWallMs = System.currentTimeMillis();
                    final long killedAt = System.nanoTime();
                    killTimes.add(killedAt);
                    cluster.kill(leader);
                    final long ackMs;
                    try {
                        ackMs = HistoryWriter.awaitAcknowledgementAfter(history, killedAt, 60_000);
                    } catch (final AssertionError ex) {
                        throw new AssertionError("cycle " + cycle + ", leader " + leader + " killed: " +
                            ex.getMessage() + "\n" + cluster.tails(40), ex);
                    }
                    Thread.sleep(100); // the lines of the phases logged last
                    final List<String> brokerLines = brokerLines(cluster);
                    System.out.println(timeline.add(cycle, leader, settled, killedWallMs, clientLog.lines(),
                        brokerLines, ackMs).describe());
                    if (ackMs > 2 * ELECTION_TIMEOUT_MS) {
                        // past the goal: the members' replication lines since the kill, for a post-mortem
                        for (final String line : brokerLines) {
                            if (FailoverTimeline.stamp(line) >= killedWallMs && line.contains("ReplicaAgent - ")) {
                                System.out.println("  " + line);
                            }
                        }
                    }
                    cluster.start(leader);
                }
                Thread.sleep(LOAD_PER_CYCLE_MS);
            } finally {
                writer.close();
                producer.close(Duration.ofSeconds(120));
            }
            history.closeOut();
            final Map<TopicPartition, Long> end = cluster.awaitConverged(TOPIC, PARTITIONS, 60_000);
            awaitConsumed(consumed, end, 60_000);
            reading.set(false);
            reader.join(TimeUnit.MINUTES.toMillis(1));
            consumer.close();
            cluster.stopAll();
            history.write(dir.resolve("history.log"));

            final Map<Integer, List<List<MemberLogs.Entry>>> logs = new HashMap<>();
            for (int m = 0; m < MEMBERS; m++) {
                logs.put(m, MemberLogs.read(cluster.dataDir(m), TOPIC, PARTITIONS));
            }
            final HistoryChecker.Verdict verdict = HistoryChecker.check(history.ops(), logs, reads, killTimes);
            System.out.printf("cluster kill -9 x%d (3 members, election timeout %d ms): %s%n", cycles,
                ELECTION_TIMEOUT_MS, verdict.summary());
            System.out.println(timeline.summary());
            assertTrue(verdict.clean(), verdict.summary() + "\n" + String.join("\n", verdict.examples()) +
                "\nhistory: " + dir.resolve("history.log"));
            assertTrue(verdict.acknowledged() > 1000, "too few acknowledged to mean anything: " + verdict.summary());
        }
    }

    private static List<String> brokerLines(final Cluster cluster) {
        final List<String> lines = new ArrayList<>();
        for (int m = 0; m < cluster.size(); m++) {
            if (cluster.isRunning(m)) {
                lines.addAll(List.of(cluster.output(m).split("\n")));
            }
        }
        return lines;
    }

    private static void read(final Consumer consumer, final List<HistoryChecker.Read> reads,
        final AtomicLongArray consumed, final AtomicBoolean reading) {
        while (reading.get()) {
            try {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(100))) {
                    reads.add(new HistoryChecker.Read(record.partition(), record.offset(),
                        new String(record.value(), StandardCharsets.UTF_8)));
                    consumed.accumulateAndGet(record.partition(), record.offset() + 1, Math::max);
                }
            } catch (final RuntimeException ex) {
                // a failover: the consumer re-resolves the leader on its next poll
                LAST_READ_ERROR.set(ex);
                sleepMs(50);
            }
        }
    }

    private static void awaitConsumed(final AtomicLongArray consumed, final Map<TopicPartition, Long> end,
        final long timeoutMs) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            boolean done = true;
            for (int p = 0; p < PARTITIONS; p++) {
                done &= consumed.get(p) >= end.get(new TopicPartition(TOPIC, p));
            }
            if (done) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the consumer did not read up to the end offsets " + end + " within " +
                    timeoutMs + " ms: it reached " + consumed + "; its last error: " + LAST_READ_ERROR.get());
            }
            Thread.sleep(50);
        }
    }

    private static void sleepMs(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}

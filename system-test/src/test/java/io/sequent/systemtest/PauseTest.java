package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker paused for 15 s ({@code kill -STOP}, as a long GC pause or a stalled VM would) under an acks=all
 * producer, then resumed: its Aeron client has timed out, so the broker must not live on unreachable. It exits
 * with one line and status 75 at once; the test then plays the supervisor and starts it again on the same data
 * directory. The new broker serves within seconds, the producer (one idempotent producer throughout) finishes
 * with every record acknowledged, and no acknowledged record is lost or duplicated.
 */
class PauseTest {
    private static final String TOPIC = "paused";
    private static final int RECORDS = 6_000;

    @TempDir
    Path dir;

    @Test
    void aBrokerPausedForFifteenSecondsExitsForARestartAndLosesNothing() throws Exception {
        final Path data = dir.resolve("data");
        final int port = Cli.freeUdpPort();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicInteger failed = new AtomicInteger();
        final Cli.BrokerProcess paused = new Cli.BrokerProcess(data, port);
        Cli.BrokerProcess restarted = null;
        try {
            try (Admin admin = Admin.create(client(paused.broker()))) {
                admin.createTopic(TOPIC, 1, Map.of());
            }
            final Producer producer = new Producer(new ProducerConfig(client(paused.broker())
                .requestTimeout(Duration.ofSeconds(5))).acks("all").lingerMs(1).deliveryTimeoutMs(120_000));
            final Thread sender = new Thread(() -> send(producer, acknowledged, failed), "pause-test-sender");
            sender.start();
            Thread.sleep(3_000);
            signal("STOP", paused.process.pid());
            Thread.sleep(15_000);
            signal("CONT", paused.process.pid());
            final long resumedNs = System.nanoTime();

            assertTrue(paused.process.waitFor(20, TimeUnit.SECONDS),
                "the resumed broker neither served nor exited:\n" + paused.output());
            final double exitSeconds = (System.nanoTime() - resumedNs) / 1e9;
            assertEquals(75, paused.process.exitValue(), paused.output());
            final long outputDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!paused.output().contains("error:") && System.nanoTime() < outputDeadline) {
                Thread.sleep(10); // the output reader may still be draining the pipe
            }
            final List<String> errors = paused.output().lines().filter(l -> l.startsWith("error:")).toList();
            assertEquals(1, errors.size(), paused.output());
            assertTrue(errors.get(0).contains("restarted"), errors.get(0));

            final long restartNs = System.nanoTime();
            restarted = new Cli.BrokerProcess(data, port);
            final double readySeconds = (System.nanoTime() - restartNs) / 1e9;

            sender.join(TimeUnit.SECONDS.toMillis(180));
            assertTrue(!sender.isAlive(), "the producer did not finish");
            producer.close(Duration.ofSeconds(30));
            assertEquals(0, failed.get(), "records that failed instead of being retried");
            assertEquals(RECORDS, acknowledged.size(), "every record acknowledged");

            final Set<String> seen = readAll(restarted.broker());
            final Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(seen);
            assertTrue(lost.isEmpty(), lost.size() + " acknowledged records lost");
            System.out.printf("paused 15 s: exited %.1f s after SIGCONT (status 75), restarted and ready in %.1f s; "
                + "%d acknowledged, %d in the log, 0 lost, 0 duplicated%n", exitSeconds, readySeconds,
                acknowledged.size(), seen.size());
        } finally {
            if (paused.process.isAlive()) {
                signal("CONT", paused.process.pid());
            }
            paused.close();
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    private static void send(final Producer producer, final Set<String> acknowledged, final AtomicInteger failed) {
        try {
            for (int i = 0; i < RECORDS; i++) {
                final String value = "p" + i;
                final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord(TOPIC, bytes, bytes), (metadata, exception) -> {
                    if (exception == null) {
                        acknowledged.add(value);
                    } else {
                        failed.incrementAndGet();
                    }
                });
                if (i % 20 == 0) {
                    Thread.sleep(5);
                }
            }
            producer.flush();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static Set<String> readAll(final String broker) {
        try (Consumer consumer = new Consumer(new ConsumerConfig(client(broker)).autoOffsetReset("earliest"))) {
            final TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition)).get(partition);
            final Set<String> seen = new HashSet<>();
            long expected = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (expected < end && System.nanoTime() < deadline) {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(expected++, record.offset(), "offsets are dense");
                    final String value = new String(record.value(), StandardCharsets.UTF_8);
                    assertTrue(seen.add(value), "duplicate record " + value);
                }
            }
            assertEquals(end, expected, "read up to the end offset");
            return seen;
        }
    }

    private static void signal(final String signal, final long pid) throws Exception {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid);
    }

    private static ClientConfig client(final String broker) {
        return new ClientConfig().bootstrap(broker).connectTimeout(Duration.ofSeconds(20));
    }
}

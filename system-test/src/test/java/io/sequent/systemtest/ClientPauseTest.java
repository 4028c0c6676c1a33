package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code sequent produce} process paused for 15 s ({@code kill -STOP}, as a long GC pause or a stalled VM would)
 * while it produces at acks=all to a running broker, then resumed: its Aeron client conductor has missed its
 * service interval and closed itself, so the client rebuilds its embedded media driver and Aeron client,
 * reconnects, and sends again what was in flight. The command finishes, exits 0, and the topic holds every line
 * exactly once (the idempotent producer drops nothing and writes nothing twice).
 */
class ClientPauseTest {
    private static final String TOPIC = "client-paused";
    private static final int LINES = 10_000;

    @TempDir
    Path dir;

    @Test
    void aProducerPausedForFifteenSecondsRebuildsItsAeronClientAndWritesEveryLineOnce() throws Exception {
        final int port = Cli.freeUdpPort();
        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(dir.resolve("data"), port)) {
            try (Admin admin = Admin.create(client(broker.broker()))) {
                admin.createTopic(TOPIC, 2, Map.of());
            }
            final Process producer = new ProcessBuilder(Cli.command("produce", TOPIC, "--broker", broker.broker(),
                "--acks", "all", "--linger-ms", "1", "--producer-property", "delivery.timeout.ms=120000"))
                .redirectErrorStream(true).start();
            final CompletableFuture<String> output = Cli.drain(producer.getInputStream());
            final Thread writer = new Thread(() -> write(producer.getOutputStream()), "client-pause-test-writer");
            writer.start();
            try {
                Thread.sleep(3_000);
                signal("STOP", producer.pid());
                Thread.sleep(15_000);
                signal("CONT", producer.pid());
                final long resumedNs = System.nanoTime();
                assertTrue(producer.waitFor(90, TimeUnit.SECONDS),
                    "the resumed producer did not finish:\n" + output.getNow(""));
                final double finishSeconds = (System.nanoTime() - resumedNs) / 1e9;
                final String log = output.get(10, TimeUnit.SECONDS);
                assertEquals(0, producer.exitValue(), log);
                assertTrue(log.contains("rebuilding"), "the client rebuilt its Aeron side:\n" + log);
                log.lines().filter(l -> l.contains("WARN")).forEach(System.out::println);

                final Set<String> seen = readAll(broker.broker());
                for (int i = 0; i < LINES; i++) {
                    assertTrue(seen.contains("line-" + i), "line-" + i + " missing");
                }
                assertEquals(LINES, seen.size(), "every line once");
                System.out.printf("producer paused 15 s: finished %.1f s after SIGCONT, exit 0; %d lines, %d records "
                    + "in the topic, 0 lost, 0 duplicated%n", finishSeconds, LINES, seen.size());
            } finally {
                if (producer.isAlive()) {
                    signal("CONT", producer.pid());
                    producer.destroyForcibly();
                    producer.waitFor(10, TimeUnit.SECONDS);
                }
                writer.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    /**
     * Feeds the lines at 500 a second for about 20 s, so that the pause falls in the middle of the stream (lines
     * written during the pause wait in the pipe).
     */
    private static void write(final OutputStream stdin) {
        try (OutputStream in = stdin) {
            for (int i = 0; i < LINES; i++) {
                in.write(("line-" + i + "\n").getBytes(StandardCharsets.UTF_8));
                if (i % 10 == 0) {
                    in.flush();
                    Thread.sleep(20);
                }
            }
        } catch (final IOException ex) {
            // the producer went away; the assertions report it
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static Set<String> readAll(final String broker) {
        try (Consumer consumer = new Consumer(new ConsumerConfig(client(broker)).autoOffsetReset("earliest"))) {
            final Set<String> seen = new HashSet<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int p = 0; p < 2; p++) {
                final TopicPartition partition = new TopicPartition(TOPIC, p);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                final long end = consumer.endOffsets(List.of(partition)).get(partition);
                long expected = 0;
                while (expected < end && System.nanoTime() < deadline) {
                    for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200))) {
                        assertEquals(expected++, record.offset(), "offsets are dense");
                        final String value = new String(record.value(), StandardCharsets.UTF_8);
                        assertTrue(seen.add(value), "duplicate record " + value);
                    }
                }
                assertEquals(end, expected, "read partition " + p + " up to the end offset");
            }
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

package io.sequent.systemtest;

import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRebalanceListener;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.TopicPartition;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer-group member as its own process, for {@link GroupProcessesTest}: joins the group, prints every
 * listener call and every record, and commits synchronously after each poll that returned records (per partition
 * the offset after its last record; so what it printed before a SIGKILL is at most what the group has committed
 * plus the last poll). A SIGTERM closes it (it
 * leaves the group, unless static). A poll or commit that fails (a broker failover) is printed and the loop goes
 * on: the next commit covers what the failed one did not.
 *
 * <p>Arguments: {@code bootstrap group topic clientId instanceId|- sessionTimeoutMs [requestTimeoutMs]}. Output
 * lines: {@code ASSIGNED t-0,t-3}, {@code REVOKED ...}, {@code LOST ...}, {@code RECORD partition offset},
 * {@code JOINED}, after each commit {@code COMMIT partition offset} per partition it covered ({@code COMMIT?} when
 * the commit failed: it may or may not have been made), {@code ERROR message}.
 */
public final class GroupMemberMain {
    private GroupMemberMain() {
    }

    public static void main(final String[] args) {
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final ClientConfig client = new ClientConfig().bootstrap(args[0]).clientId(args[3])
            .connectTimeout(Duration.ofSeconds(20));
        if (args.length > 6) {
            client.requestTimeout(Duration.ofMillis(Long.parseLong(args[6])));
        }
        final ConsumerConfig config = new ConsumerConfig(client)
            .groupId(args[1]).autoOffsetReset("earliest").enableAutoCommit(false).fetchMaxWaitMs(100)
            .sessionTimeoutMs(Integer.parseInt(args[5]));
        if (!"-".equals(args[4])) {
            config.groupInstanceId(args[4]);
        }
        final Consumer consumer = new Consumer(config);
        final Thread main = Thread.currentThread();
        final boolean[] stopping = {false};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (stopping) {
                stopping[0] = true;
            }
            consumer.wakeup();
            try {
                main.join(20_000);
            } catch (final InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        consumer.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
                out.println("REVOKED " + names(partitions));
            }

            @Override
            public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
                out.println("ASSIGNED " + names(partitions));
            }

            @Override
            public void onPartitionsLost(final Collection<TopicPartition> partitions) {
                out.println("LOST " + names(partitions));
            }
        });
        out.println("JOINED");
        try {
            while (true) {
                synchronized (stopping) {
                    if (stopping[0]) {
                        break;
                    }
                }
                final List<ConsumerRecord> records = new ArrayList<>();
                try {
                    consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                } catch (final io.sequent.client.WakeupException | io.sequent.client.FencedInstanceIdException ex) {
                    throw ex;
                } catch (final RuntimeException ex) {
                    out.println("ERROR poll: " + ex);
                    Thread.sleep(50);
                    continue;
                }
                for (final ConsumerRecord record : records) {
                    out.println("RECORD " + record.partition() + " " + record.offset());
                }
                if (!records.isEmpty()) {
                    commit(consumer, records, args[2], out);
                }
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (final io.sequent.client.WakeupException stop) {
            // SIGTERM
        } finally {
            consumer.close();
            out.println("CLOSED");
        }
    }

    /**
     * Commits, per partition of the records a poll returned, the offset after its last one, and prints them:
     * {@code COMMIT}, or {@code COMMIT?} when the commit failed.
     */
    private static void commit(final Consumer consumer, final List<ConsumerRecord> records, final String topic,
        final PrintStream out) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>(
            java.util.Comparator.comparingInt(TopicPartition::partition));
        for (final ConsumerRecord record : records) {
            offsets.put(new TopicPartition(topic, record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        String outcome = "COMMIT ";
        try {
            consumer.commitSync(offsets);
        } catch (final io.sequent.client.WakeupException | io.sequent.client.FencedInstanceIdException ex) {
            throw ex;
        } catch (final RuntimeException ex) {
            out.println("ERROR commit: " + ex);
            outcome = "COMMIT? ";
        }
        for (final Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            out.println(outcome + e.getKey().partition() + " " + e.getValue().offset());
        }
    }

    private static String names(final Collection<TopicPartition> partitions) {
        final List<String> names = new ArrayList<>();
        for (final TopicPartition tp : partitions) {
            names.add(tp.topic() + "-" + tp.partition());
        }
        names.sort(null);
        return String.join(",", names);
    }
}

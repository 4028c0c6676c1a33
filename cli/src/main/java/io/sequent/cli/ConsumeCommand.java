package io.sequent.cli;

import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.ConsumerRecords;
import io.sequent.client.PartitionInfo;
import io.sequent.client.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sequent consume TOPIC}: prints one record per line (each partition's records in offset order)
 * and exits after {@code --max-messages} records or {@code --timeout-ms} without new data.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description = "Print a topic's records, one value per line.")
final class ConsumeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = "--from-beginning", description = "Start at each partition's first record (default: the end).")
    boolean fromBeginning;

    @Option(names = "--offset", paramLabel = "N", description = "Start at offset N (needs --partition).")
    Long offset;

    @Option(names = "--partition", paramLabel = "P", description = "Read only partition P.")
    Integer partition;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after N records.")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "T", description = "Exit after T ms without a new record.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print the key and a tab before each value.")
    boolean printKey;

    @Option(names = "--print-offset", description = "Print partition:offset and a tab before each record.")
    boolean printOffset;

    @Override
    public void run() {
        if (offset != null && partition == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset needs --partition");
        }
        if (offset != null && fromBeginning) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--offset and --from-beginning cannot be used together");
        }
        final ConsumerConfig config = new ConsumerConfig(client.clientConfig("sequent-consume"))
            .autoOffsetReset(fromBeginning ? "earliest" : "latest");
        final PrintWriter out = spec.commandLine().getOut();
        try (Consumer consumer = new Consumer(config)) {
            final List<TopicPartition> partitions = new ArrayList<>();
            final List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            for (final PartitionInfo info : infos) {
                if (partition == null || partition == info.partition()) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " has no partition " + partition);
            }
            consumer.assign(partitions);
            if (offset != null) {
                consumer.seek(partitions.get(0), offset);
            } else if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            long printed = 0;
            long lastDataNs = System.nanoTime();
            final StringBuilder line = new StringBuilder();
            while (maxMessages == null || printed < maxMessages) {
                final ConsumerRecords records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    if (timeoutMs != null && System.nanoTime() - lastDataNs >= timeoutMs * 1_000_000L) {
                        break;
                    }
                    continue;
                }
                lastDataNs = System.nanoTime();
                for (final TopicPartition tp : partitions) {
                    for (final ConsumerRecord record : records.records(tp)) {
                        if (maxMessages != null && printed >= maxMessages) {
                            break;
                        }
                        line.setLength(0);
                        if (printOffset) {
                            line.append(record.partition()).append(':').append(record.offset()).append('\t');
                        }
                        if (printKey) {
                            line.append(record.key() == null ? "null" :
                                new String(record.key(), StandardCharsets.UTF_8)).append('\t');
                        }
                        line.append(record.value() == null ? "null" :
                            new String(record.value(), StandardCharsets.UTF_8));
                        out.println(line);
                        printed++;
                    }
                }
                out.flush();
            }
        }
        out.flush();
    }
}

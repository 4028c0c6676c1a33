package io.sequent.cli;

import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.ConsumerRecords;
import io.sequent.client.OffsetOutOfRangeException;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code sequent consume TOPIC}: prints one record per line (each partition's records in offset order)
 * and exits after {@code --max-messages} records or {@code --timeout-ms} without new data. With
 * {@code --group G} it reads as a member of consumer group G: the broker gives it its share of the partitions,
 * it starts at the group's committed offsets, commits as it goes (auto-commit) and leaves the group on exit.
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

    @Option(names = "--group", paramLabel = "G",
        description = "Read as a member of consumer group G: share the partitions with its other members and start "
            + "at its committed offsets (--from-beginning then applies only where nothing is committed).")
    String group;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after N records.")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "T", description = "Exit after T ms without a new record.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print the key and a tab before each value.")
    boolean printKey;

    @Option(names = "--print-offset", description = "Print partition:offset and a tab before each record.")
    boolean printOffset;

    @Option(names = "--value-format", paramLabel = "text|base64|hex", defaultValue = "text",
        description = "How each value is printed (default: ${DEFAULT-VALUE}); base64 and hex show binary values.")
    BytesFormat valueFormat;

    @Option(names = "--key-format", paramLabel = "text|base64|hex", defaultValue = "text",
        description = "How each key is printed with --print-key (default: ${DEFAULT-VALUE}).")
    BytesFormat keyFormat;

    @Option(names = "--read-from", paramLabel = "leader|follower",
        description = "Which member of a replica group serves the fetches: the leader, or a follower (the first "
            + "member of --broker that answers; committed data only); overrides client.read.from.")
    String readFrom;

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE",
        description = "A consumer setting (docs/client.md), e.g. auto.offset.reset=earliest or "
            + "max.poll.records=100; overrides --command-config.")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    @Override
    public void run() {
        if (offset != null && partition == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset needs --partition");
        }
        if (offset != null && fromBeginning) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--offset and --from-beginning cannot be used together");
        }
        if (offset != null && offset < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset must be 0 or more, not " + offset);
        }
        if (group != null && (partition != null || offset != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--group cannot be used with --partition or --offset: the group assigns the partitions");
        }
        if (group != null && group.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--group needs a group id");
        }
        if (timeoutMs != null && timeoutMs < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--timeout-ms must be 0 or more, not " + timeoutMs);
        }
        if (maxMessages != null && maxMessages < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--max-messages must be 0 or more, not " + maxMessages);
        }
        if (partition != null && partition < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--partition must be 0 or more, not " + partition);
        }
        final Properties properties = client.properties(spec, "sequent-consume",
            Map.of(ConsumerConfig.AUTO_OFFSET_RESET, "latest"), consumerProperties);
        if (fromBeginning) {
            properties.setProperty(ConsumerConfig.AUTO_OFFSET_RESET, "earliest");
        }
        if (group != null) {
            properties.setProperty(ConsumerConfig.GROUP_ID, group);
        }
        if (readFrom != null) {
            properties.setProperty(ConsumerConfig.CLIENT_READ_FROM, readFrom);
        }
        final ConsumerConfig config = ConsumerConfig.fromProperties(properties);
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
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
            if (group != null) {
                consumer.subscribe(List.of(topic));
            } else {
                consumer.assign(partitions);
            }
            if (group != null) {
                partitions.clear();
            } else if (offset != null) {
                seek(consumer, partitions.get(0), offset, config.autoOffsetReset(), err);
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
                for (final TopicPartition tp : group != null ? List.copyOf(records.partitions()) : partitions) {
                    for (final ConsumerRecord record : records.records(tp)) {
                        if (maxMessages != null && printed >= maxMessages) {
                            if (group != null) {
                                // the group commits the position at exit: move it back to the first record not
                                // printed, so the next member of the group prints it
                                consumer.seek(tp, record.offset());
                            }
                            break;
                        }
                        line.setLength(0);
                        if (printOffset) {
                            line.append(record.partition()).append(':').append(record.offset()).append('\t');
                        }
                        if (printKey) {
                            line.append(record.key() == null ? "null" : keyFormat.encode(record.key())).append('\t');
                        }
                        line.append(record.value() == null ? "null" : valueFormat.encode(record.value()));
                        out.println(line);
                        printed++;
                    }
                }
                out.flush();
            }
        }
        out.flush();
    }

    /**
     * Starts {@code tp} at {@code offset} when the partition holds it; otherwise does what
     * {@code auto.offset.reset} says, as Kafka's consumer does, and says so on stderr: {@code earliest}
     * starts at the first offset, {@code latest} at the end, {@code none} fails.
     */
    static void seek(
        final Consumer consumer,
        final TopicPartition tp,
        final long offset,
        final String reset,
        final PrintWriter err) {
        final long start = consumer.beginningOffsets(List.of(tp)).get(tp);
        final long end = consumer.endOffsets(List.of(tp)).get(tp);
        if (offset >= start && offset <= end) {
            consumer.seek(tp, offset);
            return;
        }
        final String range = "offset " + offset + " is out of range for " + tp + (start == end ?
            ", which holds no records (its next offset is " + end + ")" :
            ", which holds offsets " + start + " to " + (end - 1));
        switch (reset) {
            case "earliest":
                err.println("warning: " + range + "; starting at its first offset, " + start +
                    " (auto.offset.reset=earliest)");
                consumer.seek(tp, start);
                break;
            case "latest":
                err.println("warning: " + range + "; starting at its end, " + end +
                    " (auto.offset.reset=latest; --consumer-property auto.offset.reset=earliest|none to change)");
                consumer.seek(tp, end);
                break;
            default:
                throw new OffsetOutOfRangeException(range + " and auto.offset.reset=none");
        }
        err.flush();
    }
}

package io.sequent.cli;

import io.sequent.client.Admin;
import io.sequent.client.GroupDescription;
import io.sequent.client.GroupListing;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.OffsetSpec;
import io.sequent.client.PartitionDescription;
import io.sequent.client.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code sequent group list|describe|reset-offsets|delete}, in the vocabulary of Kafka's
 * {@code kafka-consumer-groups}.
 */
@Command(name = "group", mixinStandardHelpOptions = true,
    description = "List consumer groups, describe their members, committed offsets and lag, reset their offsets, "
        + "delete them.",
    subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupCommand.ResetOffsets.class,
        GroupCommand.Delete.class})
final class GroupCommand implements Runnable {
    private static final Comparator<TopicPartition> ORDER =
        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing command: list, describe, reset-offsets or delete");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "List consumer groups, one per line: GROUP STATE MEMBERS.")
    static final class ListGroups implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Override
        public void run() {
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-group"))) {
                final PrintWriter out = spec.commandLine().getOut();
                for (final GroupListing group : admin.listGroups()) {
                    out.println(group.groupId() + "\t" + group.state() + "\t" + group.memberCount());
                }
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Per partition of a group: committed offset (CURRENT-OFFSET), end offset (LOG-END-OFFSET), "
            + "LAG, and the member that owns it.")
    static final class Describe implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String groupId;

        @Override
        public void run() {
            final GroupDescription group;
            final Map<TopicPartition, OffsetAndMetadata> committed;
            final Map<TopicPartition, Long> ends;
            final Map<TopicPartition, GroupDescription.Member> owners = new HashMap<>();
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-group"))) {
                group = admin.describeGroups(List.of(groupId)).get(0);
                if (!group.exists()) {
                    throw new IllegalArgumentException("consumer group '" + groupId + "' does not exist");
                }
                committed = admin.listGroupOffsets(groupId);
                final Map<TopicPartition, OffsetSpec> specs = new TreeMap<>(ORDER);
                for (final TopicPartition tp : committed.keySet()) {
                    specs.put(tp, OffsetSpec.latest());
                }
                for (final GroupDescription.Member member : group.members()) {
                    for (final TopicPartition tp : member.assignment()) {
                        specs.put(tp, OffsetSpec.latest());
                        owners.put(tp, member);
                    }
                }
                ends = specs.isEmpty() ? Map.of() : admin.listOffsets(specs);
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println("Consumer group '" + groupId + "' (" + group.state() + ", assignor " + group.assignor() +
                ", epoch " + group.groupEpoch() + ") has " + group.members().size() +
                (group.members().size() == 1 ? " member." : " members."));
            out.println();
            out.println(String.join("\t", "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                "CONSUMER-ID", "HOST", "CLIENT-ID"));
            final Map<TopicPartition, Long> sorted = new TreeMap<>(ORDER);
            sorted.putAll(ends);
            for (final Map.Entry<TopicPartition, Long> e : sorted.entrySet()) {
                final TopicPartition tp = e.getKey();
                final OffsetAndMetadata offset = committed.get(tp);
                final GroupDescription.Member owner = owners.get(tp);
                final long end = e.getValue();
                out.println(String.join("\t", groupId, tp.topic(), Integer.toString(tp.partition()),
                    offset == null ? "-" : Long.toString(offset.offset()), Long.toString(end),
                    offset == null ? "-" : Long.toString(Math.max(0, end - offset.offset())),
                    owner == null ? "-" : owner.memberId(),
                    owner == null || owner.host().isEmpty() ? "-" : owner.host(),
                    owner == null ? "-" : owner.clientId()));
            }
        }
    }

    /** Where reset-offsets moves each partition: exactly one of these. */
    static final class ResetSpec {
        @Option(names = "--to-earliest", required = true, description = "The log start offset.")
        boolean earliest;

        @Option(names = "--to-latest", required = true, description = "The log end offset.")
        boolean latest;

        @Option(names = "--to-offset", required = true, paramLabel = "N",
            description = "Offset N (kept within the partition's offsets).")
        Long offset;

        @Option(names = "--to-datetime", required = true, paramLabel = "ISO",
            description = "The first offset at or after this time: 2026-12-07T10:00:00Z, with an offset "
                + "(+01:00), or local time (2026-12-07T10:00:00.000).")
        String datetime;

        @Option(names = "--shift-by", required = true, paramLabel = "N",
            description = "The committed offset plus N (negative: back), kept within the partition's offsets.")
        Long shift;
    }

    @Command(name = "reset-offsets", mixinStandardHelpOptions = true,
        description = "Set a group's committed offsets of a topic. Prints the plan and changes nothing unless "
            + "--execute is given; refused while the group has members.")
    static final class ResetOffsets implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String groupId;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC[:P,P...]",
            description = "The topic, optionally with the partitions to reset (default: all of them).")
        String topic;

        @ArgGroup(exclusive = true, multiplicity = "1")
        ResetSpec to;

        @Option(names = "--execute", description = "Apply the plan.")
        boolean execute;

        @Option(names = "--dry-run", description = "Only print the plan (the default).")
        boolean dryRun;

        @Override
        public void run() {
            if (execute && dryRun) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--execute and --dry-run exclude each "
                    + "other");
            }
            final String name = topic.contains(":") ? topic.substring(0, topic.indexOf(':')) : topic;
            final List<Integer> only = partitions(topic);
            final long timestamp = null == to.datetime ? -1 : parseTime(to.datetime);
            final Map<TopicPartition, Long> plan = new TreeMap<>(ORDER);
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-group"))) {
                final GroupDescription group = admin.describeGroups(List.of(groupId)).get(0);
                if (group.exists() && !group.members().isEmpty()) {
                    throw new IllegalArgumentException("consumer group '" + groupId + "' has " +
                        group.members().size() + " active member(s) (" + group.state() + "): offsets can only be " +
                        "reset while the group is empty; stop its consumers first");
                }
                final Map<TopicPartition, OffsetAndMetadata> committed = admin.listGroupOffsets(groupId);
                final List<PartitionDescription> described = admin.describeTopic(name).partitions();
                final Map<TopicPartition, OffsetSpec> byTime = new TreeMap<>(ORDER);
                final Map<TopicPartition, PartitionDescription> bounds = new TreeMap<>(ORDER);
                for (final PartitionDescription p : described) {
                    if (!only.isEmpty() && !only.contains(p.partition())) {
                        continue;
                    }
                    final TopicPartition tp = new TopicPartition(name, p.partition());
                    bounds.put(tp, p);
                    if (timestamp >= 0) {
                        byTime.put(tp, OffsetSpec.forTimestamp(timestamp));
                    }
                }
                for (final int p : only) {
                    if (!bounds.containsKey(new TopicPartition(name, p))) {
                        throw new IllegalArgumentException("topic " + name + " has no partition " + p + " (it has " +
                            described.size() + ")");
                    }
                }
                final Map<TopicPartition, Long> times = byTime.isEmpty() ? Map.of() : admin.listOffsets(byTime);
                for (final Map.Entry<TopicPartition, PartitionDescription> e : bounds.entrySet()) {
                    final PartitionDescription p = e.getValue();
                    final OffsetAndMetadata current = committed.get(e.getKey());
                    final long target;
                    if (to.earliest) {
                        target = p.startOffset();
                    } else if (to.latest) {
                        target = p.endOffset();
                    } else if (null != to.offset) {
                        target = to.offset;
                    } else if (null != to.shift) {
                        target = (null == current ? p.startOffset() : current.offset()) + to.shift;
                    } else {
                        final long found = times.get(e.getKey());
                        target = found < 0 ? p.endOffset() : found;
                    }
                    plan.put(e.getKey(), Math.max(p.startOffset(), Math.min(p.endOffset(), target)));
                }
                final PrintWriter out = spec.commandLine().getOut();
                out.println(String.join("\t", "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"));
                for (final Map.Entry<TopicPartition, Long> e : plan.entrySet()) {
                    final OffsetAndMetadata current = committed.get(e.getKey());
                    out.println(String.join("\t", groupId, name, Integer.toString(e.getKey().partition()),
                        null == current ? "-" : Long.toString(current.offset()), Long.toString(e.getValue())));
                }
                if (!execute) {
                    spec.commandLine().getErr().println("dry run: nothing changed; add --execute to apply");
                    return;
                }
                final Map<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>(ORDER);
                for (final Map.Entry<TopicPartition, Long> e : plan.entrySet()) {
                    offsets.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
                }
                admin.alterGroupOffsets(groupId, offsets);
                out.println("Reset the offsets of " + plan.size() + (plan.size() == 1 ? " partition" : " partitions") +
                    " of " + name + " for group '" + groupId + "'");
            }
        }

        private List<Integer> partitions(final String spec) {
            final List<Integer> partitions = new ArrayList<>();
            final int colon = spec.indexOf(':');
            if (colon < 0) {
                return partitions;
            }
            for (final String part : spec.substring(colon + 1).split(",")) {
                try {
                    partitions.add(Integer.parseInt(part.trim()));
                } catch (final NumberFormatException ex) {
                    throw new CommandLine.ParameterException(this.spec.commandLine(),
                        "--topic " + spec + ": '" + part + "' is not a partition number");
                }
            }
            return partitions;
        }

        private long parseTime(final String text) {
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (final DateTimeParseException notOffset) {
                try {
                    return LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
                } catch (final DateTimeParseException ex) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--to-datetime " + text +
                        ": not an ISO date-time such as 2026-12-07T10:00:00Z or 2026-12-07T10:00:00.000");
                }
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a consumer group and its committed offsets; refused while it has members.")
    static final class Delete implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String groupId;

        @Override
        public void run() {
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-group"))) {
                admin.deleteGroup(groupId);
            }
            spec.commandLine().getOut().println("Deleted consumer group '" + groupId + "'");
        }
    }
}

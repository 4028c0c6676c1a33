package io.sequent.cli;

import io.sequent.client.Admin;
import io.sequent.client.GroupDescription;
import io.sequent.client.GroupListing;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.OffsetSpec;
import io.sequent.client.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code sequent group list|describe}, in the vocabulary of Kafka's {@code kafka-consumer-groups}. */
@Command(name = "group", mixinStandardHelpOptions = true,
    description = "List consumer groups and describe their members, committed offsets and lag.",
    subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class})
final class GroupCommand implements Runnable {
    private static final Comparator<TopicPartition> ORDER =
        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: list or describe");
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
                "CONSUMER-ID", "CLIENT-ID"));
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
                    owner == null ? "-" : owner.memberId(), owner == null ? "-" : owner.clientId()));
            }
        }
    }
}

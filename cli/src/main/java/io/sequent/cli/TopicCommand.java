package io.sequent.cli;

import io.sequent.client.Admin;
import io.sequent.client.PartitionDescription;
import io.sequent.client.TopicDescription;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** {@code sequent topic create|list|describe|delete}. */
@Command(name = "topic", mixinStandardHelpOptions = true,
    description = "Create, list, describe, alter and delete topics.",
    subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
        TopicCommand.Alter.class, TopicCommand.Delete.class})
final class TopicCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing command: create, list, describe, alter or delete");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--partitions", paramLabel = "N",
            description = "Number of partitions, 1 or more (default: the broker's num.partitions).")
        Integer partitions;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Topic setting, e.g. retention.ms=60000.")
        Map<String, String> configs = new LinkedHashMap<>();

        @Override
        public void run() {
            if (partitions != null && partitions < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--partitions must be 1 or more, not " + partitions + " (leave it out for the broker's default)");
            }
            final int created;
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-topic"))) {
                admin.createTopic(name, partitions == null ? -1 : partitions, configs);
                created = partitions != null ? partitions : admin.describeTopic(name).partitions().size();
            }
            spec.commandLine().getOut().println("Created topic " + name + " with " + created +
                (created == 1 ? " partition" : " partitions"));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics, one name per line.")
    static final class ListTopics implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Override
        public void run() {
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-topic"))) {
                final PrintWriter out = spec.commandLine().getOut();
                admin.listTopics().stream().sorted().forEach(out::println);
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Show a topic's partitions with their start and end offsets, and its settings.")
    static final class Describe implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            final TopicDescription description;
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-topic"))) {
                description = admin.describeTopic(name);
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println("Topic: " + description.name() + "\tPartitions: " + description.partitions().size());
            for (final Map.Entry<String, String> config : new TreeMap<>(description.configs()).entrySet()) {
                out.println("  " + config.getKey() + "=" + config.getValue());
            }
            for (final PartitionDescription partition : description.partitions()) {
                out.println("  Partition: " + partition.partition() + "\tLeader: " + partition.leader() +
                    "\tStartOffset: " + partition.startOffset() + "\tEndOffset: " + partition.endOffset());
            }
        }
    }

    @Command(name = "alter", mixinStandardHelpOptions = true,
        description = "Change a topic's settings (stored at once, in force from the broker's next start).")
    static final class Alter implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Setting to set, e.g. retention.ms=60000.")
        Map<String, String> configs = new LinkedHashMap<>();

        @Option(names = "--delete-config", paramLabel = "KEY",
            description = "Setting to revert to the broker's default.")
        java.util.List<String> deletes = new java.util.ArrayList<>();

        @Override
        public void run() {
            if (configs.isEmpty() && deletes.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "nothing to alter: give --config KEY=VALUE or --delete-config KEY");
            }
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-topic"))) {
                admin.alterConfigs(name, configs, deletes);
            }
            final java.util.List<String> changes = new java.util.ArrayList<>();
            configs.forEach((k, v) -> changes.add(k + "=" + v));
            deletes.forEach(k -> changes.add(k + " (default)"));
            spec.commandLine().getOut().println("Altered topic " + name + ": " + String.join(", ", changes) +
                " (in force from the broker's next start)");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its data.")
    static final class Delete implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            try (Admin admin = Admin.create(client.clientConfig(spec, "sequent-topic"))) {
                admin.deleteTopic(name);
            }
            spec.commandLine().getOut().println("Deleted topic " + name);
        }
    }
}

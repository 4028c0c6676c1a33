package io.sequent.cli;

import io.sequent.client.Admin;
import io.sequent.client.BrokerUnreachableException;
import io.sequent.client.ClientConfig;
import io.sequent.client.ClusterStatus;
import io.sequent.client.SequentException;
import io.sequent.codec.client.ErrorCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Show a replica group's members and move its leadership.",
    subcommands = {ClusterCommand.Status.class, ClusterCommand.TransferLeadership.class})
final class ClusterCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: status or transfer-leadership");
    }

    /** The admin settings for one member: the command's, with bootstrap.servers narrowed to that member. */
    static ClientConfig memberConfig(final ClientOptions client, final CommandSpec spec, final String endpoint) {
        final Properties properties = client.properties(spec, "sequent-cluster", Map.of(), Map.of());
        properties.setProperty(ClientConfig.BOOTSTRAP_SERVERS, endpoint);
        return ClientConfig.fromProperties(properties);
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Ask every member named by --broker for its view and print one row per member: role, epoch, "
            + "leader, commit seq, log end, lag behind the leader (batches, bytes), ms since the leader heard from "
            + "it. A member that cannot be reached is said so; rows it would fill come from the leader's view.")
    static final class Status implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Override
        public void run() {
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            final Map<Integer, ClusterStatus.Member> own = new TreeMap<>();
            final Map<Integer, ClusterStatus.Member> leaderView = new TreeMap<>();
            final Map<Integer, String> conditions = new TreeMap<>();
            int leader = -1;
            int reached = 0;
            for (final String endpoint : client.broker.split(",")) {
                final ClusterStatus status;
                try (Admin admin = Admin.forMember(memberConfig(client, spec, endpoint.trim()))) {
                    status = admin.clusterStatus();
                } catch (final SequentException ex) {
                    err.println("member at " + endpoint.trim() + " not reached: " + ex.getMessage());
                    continue;
                }
                reached++;
                if (null != status.condition() && !status.condition().isEmpty()) {
                    conditions.put(status.memberId(), status.condition());
                }
                for (final ClusterStatus.Member m : status.members()) {
                    if (m.id() == status.memberId()) {
                        own.put(m.id(), m);
                    } else if (status.leaderId() == status.memberId()) {
                        leaderView.put(m.id(), m);
                    }
                    own.putIfAbsent(m.id(), null);
                }
                if (status.leaderId() >= 0) {
                    leader = status.leaderId();
                }
            }
            if (reached == 0) {
                throw new BrokerUnreachableException("no member of " + client.broker + " answered");
            }
            out.printf("%-6s  %-9s  %5s  %6s  %10s  %10s  %10s  %12s  %13s  %s%n", "Member", "Role", "Epoch",
                "Leader", "CommitSeq", "LogEnd", "LagBatches", "LagBytes", "LastContactMs", "Endpoint");
            for (final Map.Entry<Integer, ClusterStatus.Member> entry : own.entrySet()) {
                final ClusterStatus.Member self = entry.getValue();
                final ClusterStatus.Member seen = leaderView.get(entry.getKey());
                final ClusterStatus.Member row = null != self ? self : seen;
                if (null == row) {
                    continue;
                }
                out.printf("%-6d  %-9s  %5s  %6s  %10s  %10s  %10s  %12s  %13s  %s%s%n", row.id(),
                    null != self ? self.role() : "UNREACHED", num(row.epoch()), num(row.leaderId()),
                    num(row.commitSeq()), num(null != self ? self.logEndSeq() : seen.logEndSeq()),
                    num(null != seen ? seen.lagBatches() : row.lagBatches()),
                    num(null != seen ? seen.lagBytes() : row.lagBytes()),
                    num(null != seen ? seen.lastContactMsAgo() : -1), row.ingressChannel(),
                    null != seen && seen.behindRetention() ? "  BEHIND THE LEADER'S RETENTION: start it anew" : "");
            }
            for (final Map.Entry<Integer, String> condition : conditions.entrySet()) {
                out.println("Member " + condition.getKey() + ": " + condition.getValue());
            }
            out.println(leader >= 0 ? "Leader: " + leader : "Leader: none known");
        }

        private static String num(final long value) {
            return value < 0 ? "-" : Long.toString(value);
        }
    }

    @Command(name = "transfer-leadership", mixinStandardHelpOptions = true,
        description = "Hand leadership to member N (rolling restarts): the leader refuses new writes until N, once "
            + "caught up, has won its election. --broker must reach the current leader.")
    static final class TransferLeadership implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--to", required = true, paramLabel = "N", description = "The member to lead.")
        int target;

        @Override
        public void run() {
            SequentException last = null;
            for (final String endpoint : client.broker.split(",")) {
                try (Admin admin = Admin.create(memberConfig(client, spec, endpoint.trim()))) {
                    final int leader = admin.transferLeadership(target);
                    spec.commandLine().getOut().println("Leader: " + leader);
                    return;
                } catch (final SequentException ex) {
                    last = ex;
                    if (ex.errorCode() != ErrorCode.NOT_LEADER && !(ex instanceof BrokerUnreachableException)) {
                        throw ex;
                    }
                }
            }
            throw last;
        }
    }
}

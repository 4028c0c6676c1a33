package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.ClusterStatus;
import io.sequent.client.PartitionDescription;
import io.sequent.client.TopicPartition;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A replica group of real broker processes on loopback ({@code sequent broker start --node-id N --members ...}),
 * each member with its own data directory and embedded media driver, for the cluster system tests.
 */
final class Cluster implements AutoCloseable {
    /** Each member uses its client port and the two above it (replication and control). */
    static final int PORTS_PER_MEMBER = 3;

    private final Path root;
    private final int[] ports;
    private final String[] hosts;
    private final IntFunction<List<String>> prefixes;
    private final IntFunction<List<String>> jvmOptions;
    private final Cli.BrokerProcess[] processes;
    private String responseHost = ClientConfig.DEFAULT_RESPONSE_HOST;

    /** A group on loopback. */
    Cluster(final Path root, final int size, final IntFunction<List<String>> jvmOptions) throws IOException {
        this(root, loopback(size), member -> List.of(), jvmOptions);
    }

    /**
     * @param hosts      each member's address.
     * @param prefixes   each member's command prefix (its network namespace).
     * @param jvmOptions each member's JVM options, asked at every start.
     */
    Cluster(final Path root, final String[] hosts, final IntFunction<List<String>> prefixes,
        final IntFunction<List<String>> jvmOptions) throws IOException {
        this.root = root;
        this.hosts = hosts;
        this.prefixes = prefixes;
        this.jvmOptions = jvmOptions;
        this.ports = freePortRanges(hosts.length);
        this.processes = new Cli.BrokerProcess[hosts.length];
    }

    /**
     * The address the test's clients ask the members to answer on (their own address as the members reach it):
     * the test's address on the namespaces' bridge when the members run in network namespaces.
     */
    Cluster responseHost(final String host) {
        this.responseHost = host;
        return this;
    }

    private static String[] loopback(final int size) {
        final String[] hosts = new String[size];
        java.util.Arrays.fill(hosts, "127.0.0.1");
        return hosts;
    }

    int size() {
        return ports.length;
    }

    /** The {@code --members} value: {@code 0@127.0.0.1:p0,1@127.0.0.1:p1,...}. */
    String members() {
        final StringBuilder members = new StringBuilder();
        for (int m = 0; m < ports.length; m++) {
            members.append(m == 0 ? "" : ",").append(m).append("@").append(endpoint(m));
        }
        return members.toString();
    }

    String endpoint(final int member) {
        return hosts[member] + ":" + ports[member];
    }

    /** Every member's client endpoint, as a bootstrap list. */
    String bootstrap() {
        final StringBuilder bootstrap = new StringBuilder();
        for (int m = 0; m < ports.length; m++) {
            bootstrap.append(m == 0 ? "" : ",").append(endpoint(m));
        }
        return bootstrap.toString();
    }

    Path dataDir(final int member) {
        return root.resolve("member-" + member);
    }

    /** Client settings over every member, with timeouts that fit a failover. */
    ClientConfig client() {
        return clientFor(bootstrap());
    }

    ClientConfig clientFor(final String bootstrap) {
        return new ClientConfig().bootstrap(bootstrap).connectTimeout(Duration.ofSeconds(20))
            .requestTimeout(Duration.ofSeconds(1)).responseHost(responseHost);
    }

    boolean isRunning(final int member) {
        return null != processes[member] && processes[member].process.isAlive();
    }

    void startAll() throws Exception {
        for (int m = 0; m < ports.length; m++) {
            start(m);
        }
    }

    void start(final int member) throws Exception {
        if (isRunning(member)) {
            throw new IllegalStateException("member " + member + " is running");
        }
        final List<String> options = new ArrayList<>(jvmOptions.apply(member));
        options.add("-D" + "broker.host=" + hosts[member]);
        processes[member] = new Cli.BrokerProcess(prefixes.apply(member), dataDir(member), ports[member], options,
            "--node-id", Integer.toString(member), "--members", members());
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill(final int member) throws InterruptedException {
        processes[member].kill();
        keepOutput(member);
    }

    void stop(final int member) throws InterruptedException {
        if (null != processes[member]) {
            processes[member].close();
            keepOutput(member);
        }
    }

    /** Appends the finished run's output to {@code member-N.out} beside the data directories, for a post-mortem. */
    private void keepOutput(final int member) {
        try {
            java.nio.file.Files.writeString(root.resolve("member-" + member + ".out"), processes[member].output(),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (final IOException ex) {
            // a diagnostic only
        }
        processes[member] = null;
    }

    void stopAll() throws InterruptedException {
        for (int m = 0; m < ports.length; m++) {
            stop(m);
        }
    }

    /** @return the last lines each running member printed, for a failure message. */
    String tails(final int lines) {
        final StringBuilder tails = new StringBuilder();
        for (int m = 0; m < ports.length; m++) {
            if (null != processes[m]) {
                final String[] all = processes[m].output().split("\n");
                tails.append("--- member ").append(m).append(isRunning(m) ? "" : " (exited)").append('\n');
                for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
                    tails.append(all[i]).append('\n');
                }
            }
        }
        return tails.toString();
    }

    String output(final int member) {
        return null == processes[member] ? "" : processes[member].output();
    }

    /**
     * @return the leader named by the running members' metadata, once a running member is named.
     */
    int leader(final long timeoutMs) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (int m = 0; m < ports.length; m++) {
                if (!isRunning(m)) {
                    continue;
                }
                try (Admin admin = Admin.create(clientFor(endpoint(m)))) {
                    final int leader = admin.clusterStatus().leaderId();
                    if (leader >= 0 && leader < ports.length && isRunning(leader)) {
                        return leader;
                    }
                    last = "member " + m + " names leader " + leader;
                } catch (final RuntimeException ex) {
                    last = "member " + m + ": " + ex;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no running leader within " + timeoutMs + " ms: " + last);
    }

    /**
     * Waits until the leader sees every other member in contact and at most {@code maxLagBatches} behind (under
     * load a follower is always a few batches behind).
     *
     * @return the ms waited, -1 if that did not happen within {@code timeoutMs}.
     */
    long awaitCaughtUp(final long maxLagBatches, final long timeoutMs) throws InterruptedException {
        final long start = System.nanoTime();
        final long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            try {
                final int leader = leader(timeoutMs);
                try (Admin admin = Admin.create(clientFor(endpoint(leader)))) {
                    final ClusterStatus status = admin.clusterStatus();
                    boolean caughtUp = status.memberId() == leader && status.members().size() == ports.length;
                    for (final ClusterStatus.Member member : status.members()) {
                        caughtUp &= member.id() == leader || (member.lagBatches() >= 0 &&
                            member.lagBatches() <= maxLagBatches && member.lastContactMsAgo() >= 0 &&
                            member.lastContactMsAgo() < 500);
                    }
                    if (caughtUp) {
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    }
                }
            } catch (final RuntimeException ex) {
                // a member restarting or a failover: ask again
            }
            Thread.sleep(50);
        }
        return -1;
    }

    /**
     * Waits until the leader sees every member caught up (no lag, in contact) and returns the end offsets of each
     * partition of {@code topic}.
     */
    Map<TopicPartition, Long> awaitConverged(final String topic, final int partitions, final long timeoutMs)
        throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                final int leader = leader(timeoutMs);
                try (Admin admin = Admin.create(clientFor(endpoint(leader)))) {
                    final ClusterStatus status = admin.clusterStatus();
                    boolean caughtUp = status.memberId() == leader && status.members().size() == ports.length;
                    for (final ClusterStatus.Member member : status.members()) {
                        caughtUp &= member.id() == leader || member.lagBatches() == 0;
                    }
                    last = status.toString();
                    if (caughtUp) {
                        final Map<TopicPartition, Long> end = new HashMap<>();
                        for (final PartitionDescription p : admin.describeTopic(topic).partitions()) {
                            end.put(new TopicPartition(topic, p.partition()), p.endOffset());
                        }
                        if (end.size() == partitions) {
                            return end;
                        }
                    }
                }
            } catch (final RuntimeException ex) {
                last = ex.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("members did not converge within " + timeoutMs + " ms: " + last);
    }

    @Override
    public void close() throws InterruptedException {
        for (int m = 0; m < ports.length; m++) {
            stop(m);
        }
    }

    /** A base port per member such that it and the {@link #PORTS_PER_MEMBER} - 1 above it are free UDP ports. */
    private static int[] freePortRanges(final int members) throws IOException {
        final int[] ports = new int[members];
        int found = 0;
        for (int attempt = 0; attempt < 1000 && found < members; attempt++) {
            final int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            boolean clash = false;
            for (int i = 0; i < found; i++) {
                clash |= Math.abs(ports[i] - base) < PORTS_PER_MEMBER;
            }
            if (!clash && free(base)) {
                ports[found++] = base;
            }
        }
        if (found < members) {
            throw new IOException("no free UDP port ranges for " + members + " members");
        }
        return ports;
    }

    private static boolean free(final int base) {
        for (int port = base; port < base + PORTS_PER_MEMBER; port++) {
            try (DatagramSocket socket = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                Objects.requireNonNull(socket);
            } catch (final IOException ex) {
                return false;
            }
        }
        return true;
    }
}

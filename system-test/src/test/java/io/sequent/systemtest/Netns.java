package io.sequent.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A small network of Linux network namespaces that a test makes for itself and removes afterwards: one namespace
 * per member, each with a veth link to a bridge in a namespace of its own, and one veth link from the test's own
 * namespace to that bridge so that the test's clients reach the members. Every address is in a private /24
 * chosen at random ({@code 10.201.X.0/24}); nothing is routed anywhere else, and multicast sent by the members
 * stays on the bridge.
 *
 * <pre>
 *   test JVM [h 10.201.X.100] ---+
 *   member 0 [10.201.X.10]  ------+--- bridge (namespace "sqN-br")
 *   member 1 [10.201.X.11]  ------+
 *   member 2 [10.201.X.12]  ------+
 * </pre>
 *
 * A partition takes a member's bridge port down ({@link #isolate}): it then reaches no one, and no one reaches it.
 * Needs root and iproute2's {@code ip netns}; {@link #unavailableReason()} says why not where they are missing.
 */
final class Netns implements AutoCloseable {
    private final String id;
    private final int subnet;
    private final int members;
    private boolean hostLink;
    private final List<String> namespaces = new ArrayList<>();

    Netns(final int members) throws IOException, InterruptedException {
        this.members = members;
        this.id = "sq" + ThreadLocalRandom.current().nextInt(1000, 10_000);
        this.subnet = ThreadLocalRandom.current().nextInt(1, 255);
        try {
            create();
        } catch (final IOException | RuntimeException ex) {
            close();
            throw ex;
        }
    }

    /** @return null when namespaces can be made here, else why not (for the test's skip message). */
    static String unavailableReason() {
        try {
            final String probe = "sqprobe" + ThreadLocalRandom.current().nextInt(1000, 10_000);
            final Run add = exec(List.of("ip", "netns", "add", probe));
            if (add.exit != 0) {
                return "cannot create a network namespace (needs root and iproute2's ip netns): " + add.output.trim();
            }
            exec(List.of("ip", "netns", "del", probe));
            return null;
        } catch (final IOException | InterruptedException ex) {
            return "cannot run ip (iproute2): " + ex.getMessage();
        }
    }

    private void create() throws IOException, InterruptedException {
        final String bridgeNs = id + "-br";
        addNamespace(bridgeNs);
        run("ip", "-n", bridgeNs, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", bridgeNs, "link", "set", "br0", "up");
        for (int m = 0; m < members; m++) {
            final String ns = namespace(m);
            addNamespace(ns);
            final String link = id + "m" + m;
            run("ip", "link", "add", link, "type", "veth", "peer", "name", bridgePort(m), "netns", bridgeNs);
            run("ip", "link", "set", link, "netns", ns);
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "-n", ns, "addr", "add", address(m) + "/24", "dev", link);
            run("ip", "-n", ns, "link", "set", link, "up");
            // multicast replication (when configured) leaves by this link, onto the bridge only
            run("ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", link);
            run("ip", "-n", bridgeNs, "link", "set", bridgePort(m), "master", "br0", "up");
        }
        run("ip", "link", "add", hostLinkName(), "type", "veth", "peer", "name", id + "hp", "netns", bridgeNs);
        hostLink = true;
        run("ip", "addr", "add", hostAddress() + "/24", "dev", hostLinkName());
        run("ip", "link", "set", hostLinkName(), "up");
        run("ip", "-n", bridgeNs, "link", "set", id + "hp", "master", "br0", "up");
    }

    private void addNamespace(final String ns) throws IOException, InterruptedException {
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
    }

    String namespace(final int member) {
        return id + "-m" + member;
    }

    private String bridgePort(final int member) {
        return id + "m" + member + "p";
    }

    private String hostLinkName() {
        return id + "h";
    }

    /** @return the member's address. */
    String address(final int member) {
        return "10.201." + subnet + "." + (10 + member);
    }

    /** @return the test's own address on the bridge. */
    String hostAddress() {
        return "10.201." + subnet + ".100";
    }

    /** @return the subnet, for Aeron's {@code interface=} parameter. */
    String subnet() {
        return "10.201." + subnet + ".0/24";
    }

    /** @return the command prefix that runs a program in the member's namespace. */
    List<String> prefix(final int member) {
        return List.of("ip", "netns", "exec", namespace(member));
    }

    /** Cuts the member off from everyone (members and clients alike). */
    void isolate(final int member) throws IOException, InterruptedException {
        run("ip", "-n", id + "-br", "link", "set", bridgePort(member), "down");
    }

    /** Undoes {@link #isolate}. */
    void heal(final int member) throws IOException, InterruptedException {
        run("ip", "-n", id + "-br", "link", "set", bridgePort(member), "up");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (hostLink) {
            exec(List.of("ip", "link", "del", hostLinkName()));
            hostLink = false;
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            exec(List.of("ip", "netns", "del", namespaces.get(i)));
        }
        namespaces.clear();
    }

    private static void run(final String... command) throws IOException, InterruptedException {
        final Run result = exec(List.of(command));
        if (result.exit != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + result.exit + "): " + result.output.trim());
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run exec(final List<String> command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 30 s");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}

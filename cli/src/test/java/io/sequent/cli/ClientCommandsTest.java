package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** produce, consume and topic against an in-process broker. */
class ClientCommandsTest {
    @TempDir
    static Path dataDir;

    private static Broker broker;
    private static String endpoint;

    @BeforeAll
    static void startBroker() {
        final BrokerContext ctx = new BrokerContext()
            .port(0)
            .dataDir(dataDir)
            .aeronDir("/dev/shm/sequent-cli-test-" + UUID.randomUUID())
            .idleStrategy("backoff")
            .driverIdleStrategy("backoff")
            .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
            .topicDefault("log.preallocate", "false");
        broker = Broker.launch(ctx);
        endpoint = broker.ingressEndpoint();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Run run(final String... args) {
        return Run.of(withBroker(args));
    }

    private static Run produce(final String input, final String... args) {
        return Run.withInput(input.getBytes(StandardCharsets.UTF_8), withBroker(args));
    }

    private static String[] withBroker(final String... args) {
        final List<String> all = new ArrayList<>(List.of(args));
        all.add("--broker");
        all.add(endpoint);
        return all.toArray(new String[0]);
    }

    private static String lines(final int count) {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("v").append(i).append('\n');
        }
        return text.toString();
    }

    @Test
    void anOutOfRangeOffsetFollowsAutoOffsetResetAndSaysSo() {
        assertEquals(0, run("topic", "create", "ten", "--partitions", "1").exitCode);
        assertEquals(0, produce(lines(10), "produce", "ten").exitCode);

        final Run latest = run("consume", "ten", "--partition", "0", "--offset", "50", "--timeout-ms", "300");
        assertEquals(0, latest.exitCode, latest.toString());
        assertEquals("", latest.out, "latest: nothing before new records arrive");
        assertTrue(latest.err.contains("offset 50 is out of range for ten-0, which holds offsets 0 to 9; "
            + "starting at its end, 10 (auto.offset.reset=latest"), latest.toString());

        final Run earliest = run("consume", "ten", "--partition", "0", "--offset", "50", "--max-messages", "10",
            "--print-offset", "--consumer-property", "auto.offset.reset=earliest");
        assertEquals(0, earliest.exitCode, earliest.toString());
        assertEquals("0:0\tv0", earliest.outLines().get(0));
        assertEquals(10, earliest.outLines().size());
        assertTrue(earliest.err.contains("starting at its first offset, 0 (auto.offset.reset=earliest)"),
            earliest.toString());

        final Run none = run("consume", "ten", "--partition", "0", "--offset", "50", "--timeout-ms", "300",
            "--consumer-property", "auto.offset.reset=none");
        assertEquals(1, none.exitCode, none.toString());
        assertEquals(List.of("error: offset 50 is out of range for ten-0, which holds offsets 0 to 9 and "
            + "auto.offset.reset=none"), none.errLines());

        final Run inRange = run("consume", "ten", "--partition", "0", "--offset", "7", "--max-messages", "3");
        assertEquals(List.of("v7", "v8", "v9"), inRange.outLines());
        assertFalse(inRange.err.contains("out of range"), inRange.toString());
    }

    @Test
    void aBrokerListWithADeadMemberAndFollowerReadsWorkOnAGroupOfOne() throws Exception {
        final int dead;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            dead = socket.getLocalPort();
        }
        final String members = "127.0.0.1:" + dead + "," + endpoint;
        assertEquals(0, Run.of("topic", "create", "followed", "--partitions", "1", "--broker", members).exitCode);
        assertEquals(0, Run.withInput(lines(3).getBytes(StandardCharsets.UTF_8), "produce", "followed",
            "--broker", members).exitCode);
        final Run follower = Run.of("consume", "followed", "--from-beginning", "--max-messages", "3",
            "--read-from", "follower", "--broker", members);
        assertEquals(0, follower.exitCode, follower.toString());
        assertEquals(List.of("v0", "v1", "v2"), follower.outLines(), "a group of one: its only member serves");

        final Run bad = run("consume", "followed", "--read-from", "sideways", "--max-messages", "1");
        assertEquals(2, bad.exitCode, bad.toString());
        assertTrue(bad.err.contains("client.read.from"), bad.toString());
    }

    @Test
    void propertyFlagsAndTheCommandConfigFileReachTheClient(@TempDir final Path dir) throws Exception {
        assertEquals(0, run("topic", "create", "props").exitCode);
        final String big = "x".repeat(3000);
        final Run tooLarge = produce("small\nsmall\n" + big + "\nsmall\n", "produce", "props",
            "--producer-property", "max.request.size=2000");
        assertEquals(1, tooLarge.exitCode, tooLarge.toString());
        assertTrue(tooLarge.err.startsWith("error: not every record was acknowledged: line 3: the record is "),
            tooLarge.toString());

        final Path config = dir.resolve("client.properties");
        Files.writeString(config, "bootstrap.servers=" + endpoint + "\nmax.poll.records=1\n");
        final Run list = Run.of("topic", "list", "--command-config", config.toString());
        assertEquals(0, list.exitCode, "the file names the broker: " + list);
        assertTrue(list.outLines().contains("props"), list.toString());
        final Path elsewhere = dir.resolve("elsewhere.properties");
        Files.writeString(elsewhere, "bootstrap.servers=127.0.0.1:1\n");
        final Run overridden = run("topic", "list", "--command-config", elsewhere.toString());
        assertEquals(0, overridden.exitCode, "--broker on the command line wins over the file: " + overridden);

        final Run typo = run("consume", "props", "--from-beginning", "--max-messages", "1",
            "--consumer-property", "max.pol.records=5");
        assertEquals(0, typo.exitCode, typo.toString());
        assertTrue(typo.err.contains("The configuration 'max.pol.records' was supplied but isn't a known consumer "
            + "config; it is ignored"), typo.toString());
    }

    @Test
    void binaryValuesAndKeysRoundTripInBase64AndHex() {
        assertEquals(0, run("topic", "create", "bin").exitCode);
        final byte[] value = {0, 1, '\n', (byte) 0xff, (byte) 0x80, 'a'};
        final String line = "00ff:" + Base64.getEncoder().encodeToString(value) + "\n";
        final Run produced = produce(line, "produce", "bin", "--key-separator", ":", "--key-format", "hex",
            "--value-format", "base64");
        assertEquals(0, produced.exitCode, produced.toString());
        final Run consumed = run("consume", "bin", "--from-beginning", "--max-messages", "1", "--print-key",
            "--key-format", "base64", "--value-format", "hex");
        assertEquals(List.of("AP8=\t00010aff8061"), consumed.outLines(), consumed.toString());

        final Run bad = produce("not base64!\n", "produce", "bin", "--value-format", "base64");
        assertEquals(1, bad.exitCode, bad.toString());
        assertTrue(bad.err.startsWith("error: line 1 is not valid --value-format input"), bad.toString());
    }

    @Test
    void topicCreateWithoutPartitionsReportsWhatTheBrokerCreated() {
        final Run created = run("topic", "create", "dflt");
        assertEquals(0, created.exitCode, created.toString());
        assertEquals("Created topic dflt with " + BrokerContext.NUM_PARTITIONS_DEFAULT + " partition",
            created.outLines().get(0));
    }
}

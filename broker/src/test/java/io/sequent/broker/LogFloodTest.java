package io.sequent.broker;

import io.sequent.codec.client.ConnectRequestEncoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flood of garbage at the ingress costs a bounded number of log lines, and every malformed request is counted:
 * ConnectRequests whose response channel does not parse, ConnectRequests whose channel parses but the media
 * driver refuses, and random bytes.
 */
class LogFloodTest {
    private static final int EACH = 1_000;

    @TempDir
    Path dataDir;

    @Test
    void garbageIsCountedAndLoggedAtABoundedRate() {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream oldErr = System.err;
        final long malformed;
        final long invalid;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient attacker = new TestClient(broker)) {
            final ConnectRequestEncoder encoder = new ConnectRequestEncoder();
            for (int i = 0; i < EACH; i++) {
                encoder.wrapAndApplyHeader(attacker.buffer(), 0, attacker.headerEncoder())
                    .correlationId(i)
                    .responseStreamId(1002)
                    .protocolVersion(ConnectRequestEncoder.SCHEMA_VERSION)
                    .responseChannel("garbage " + i)
                    .clientId("flood");
                attacker.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
                encoder.wrapAndApplyHeader(attacker.buffer(), 0, attacker.headerEncoder())
                    .correlationId(EACH + i)
                    .responseStreamId(1002)
                    .protocolVersion(ConnectRequestEncoder.SCHEMA_VERSION)
                    .responseChannel("aeron:udp?endpoint=127.0.0.1:" + (70_000 + i))
                    .clientId("flood");
                attacker.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
                if (i % 50 == 49) {
                    // Paced so that the admin queue never overflows (a ConnectRequest it cannot take is dropped
                    // and counted as such, not as malformed).
                    final long expected = 2L * (i + 1) - 100;
                    await(() -> broker.counters().malformedRequests.get() >= expected, () -> "pacing");
                }
            }
            final Random random = new Random(11);
            final byte[] bytes = new byte[200];
            for (int i = 0; i < EACH; i++) {
                random.nextBytes(bytes);
                attacker.sendRaw(new UnsafeBuffer(bytes), 0, 1 + random.nextInt(bytes.length));
            }
            final BrokerCounters counters = broker.counters();
            await(() -> counters.malformedRequests.get() >= 2 * EACH && counters.framesReceived.get() >= 3 * EACH,
                () -> "malformed " + counters.malformedRequests.get() + ", received " + counters.framesReceived.get() +
                ", invalid " + counters.invalidFrames.get() + ", dropped " + counters.framesDropped.get() +
                ", errors " + counters.errors.get() + "\n" + captured.toString(StandardCharsets.UTF_8));
            malformed = broker.counters().malformedRequests.get();
            invalid = broker.counters().invalidFrames.get();
        } finally {
            System.setErr(oldErr);
        }
        final String log = captured.toString(StandardCharsets.UTF_8);
        oldErr.print(log);
        final long lines = log.lines().count();
        assertEquals(2 * EACH, malformed, "every malformed ConnectRequest counted once");
        assertTrue(invalid > 0, "random bytes fail frame validation and are counted there");
        assertTrue(lines <= 80, lines + " log lines for " + 3 * EACH + " garbage frames:\n" + log);
        assertTrue(log.contains("names a response channel that cannot be used"), log);
        assertTrue(log.contains("more like this"), "a summary line says how many were not logged:\n" + log);
    }

    private static void await(final BooleanSupplier condition, final Supplier<String> state) {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, state);
            Thread.yield();
        }
    }
}

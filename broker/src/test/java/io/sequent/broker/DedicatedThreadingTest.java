package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's two threading modes: dedicated (driver, ingress, fetch and the sequencer on threads of their own; on a
 * 2-core machine that is more hot threads than cores, so they back off when idle instead of yielding) and shared
 * (all of them agents of one thread).
 */
class DedicatedThreadingTest {
    @TempDir
    Path dataDir;

    private static Set<String> threadNames() {
        final Set<String> names = new HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            names.add(thread.getName());
        }
        return names;
    }

    @Test
    void roundTripWithDedicatedThreads() {
        final BrokerContext ctx = TestSupport.context(dataDir)
            .threadingMode(BrokerContext.ThreadingMode.DEDICATED)
            .idleStrategy("backoff");
        ctx.sequencerContext().idleStrategy("backoff");
        try (Broker broker = Broker.launch(ctx);
            TestClient client = new TestClient(broker)) {
            final Set<String> threads = threadNames();
            assertTrue(threads.containsAll(List.of("sequent-ingress", "sequent-fetch", "sequent-admin")),
                threads.toString());
            client.connect("dedicated");
            assertEquals(ErrorCode.NONE, client.createTopic("d", 1).code);
            final long fetchId = client.sendFetch("d", 5_000, 1, 1 << 20, new int[]{0}, new long[]{0});
            for (int i = 0; i < 10; i++) {
                assertEquals(i, client.produce("d", 0, Acks.ALL, TestSupport.batch("v" + i)).baseOffset);
            }
            final TestClient.FetchedPartition parked = TestClient.fetchResult(client.await(fetchId)).partition(0);
            assertEquals("v0", TestSupport.records(parked.records, parked.highWatermark).get(0).value);
            final TestClient.FetchedPartition all = client.fetch("d", 0, 0, 0, 1 << 20).partition(0);
            assertEquals(10, TestSupport.records(all.records, all.highWatermark).size());
        }
    }

    @Test
    void sharedModeRunsOneHotThreadThatServesProduceAndFetch() {
        final Set<String> before = threadNames();
        final BrokerContext ctx = TestSupport.context(dataDir).threadingMode(BrokerContext.ThreadingMode.SHARED);
        try (Broker broker = Broker.launch(ctx)) {
            assertTrue(ctx.driverOnBrokerThread());
            final Set<String> started = threadNames();
            started.removeAll(before);
            started.removeIf(name -> !name.startsWith("sequent") && !name.contains(broker.aeronDirectoryName()) &&
                !name.startsWith("aeron"));
            // the media driver, the Aeron client's conductor, ingress, the sequencer and fetch all run on
            // sequent-broker; the admin thread sleeps between requests
            assertEquals(Set.of("sequent-broker", "sequent-admin"), started);
            assertTrue(broker.ingressEndpoint().startsWith("127.0.0.1:"));
            assertTrue(!broker.ingressEndpoint().endsWith(":0"), "the ephemeral port is resolved");
            try (TestClient client = new TestClient(broker)) {
                client.connect("shared");
                assertEquals(ErrorCode.NONE, client.createTopic("s", 2).code);
                final long fetchId = client.sendFetch("s", 5_000, 1, 1 << 20, new int[]{1}, new long[]{0});
                for (int i = 0; i < 10; i++) {
                    assertEquals(i, client.produce("s", 0, Acks.ALL, TestSupport.batch("v" + i)).baseOffset);
                }
                assertEquals(0, client.produce("s", 1, Acks.LEADER, TestSupport.batch("p1")).baseOffset);
                final TestClient.FetchedPartition parked =
                    TestClient.fetchResult(client.await(fetchId)).partition(1);
                assertEquals("p1", TestSupport.records(parked.records, parked.highWatermark).get(0).value);
                final TestClient.FetchedPartition all = client.fetch("s", 0, 0, 0, 1 << 20).partition(0);
                assertEquals(10, TestSupport.records(all.records, all.highWatermark).size());
            }
        }
    }

    @Test
    void dedicatedModeKeepsTheDriverOnAThreadOfItsOwn() {
        final BrokerContext ctx = TestSupport.context(dataDir)
            .threadingMode(BrokerContext.ThreadingMode.DEDICATED)
            .idleStrategy("backoff");
        ctx.sequencerContext().idleStrategy("backoff");
        try (Broker broker = Broker.launch(ctx)) {
            assertTrue(!ctx.driverOnBrokerThread());
            assertTrue(threadNames().stream().anyMatch(name -> name.startsWith(broker.aeronDirectoryName() + " [")),
                threadNames().toString());
        }
    }
}

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
 * The same broker with ingress, fetch and the sequencer on threads of their own. On a 2-core machine that is more
 * hot threads than cores, so they back off when idle instead of yielding.
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
    void sharedModeRunsOneBrokerThread() {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir)
            .threadingMode(BrokerContext.ThreadingMode.SHARED))) {
            final Set<String> threads = threadNames();
            assertTrue(threads.containsAll(List.of("sequent-broker", "sequent-admin")), threads.toString());
            assertTrue(!threads.contains("sequent-ingress") && !threads.contains("sequencer"), threads.toString());
            assertTrue(broker.ingressEndpoint().startsWith("127.0.0.1:"));
            assertTrue(!broker.ingressEndpoint().endsWith(":0"), "the ephemeral port is resolved");
        }
    }
}

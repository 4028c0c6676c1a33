package io.sequent.broker;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.OffsetSpec;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hot path (ingress, sequencer stages, release, fetch, list offsets) allocates nothing per request. */
class AllocationTest {
    private static final int ROUNDS = 1_000;

    @TempDir
    Path dataDir;

    @Test
    void steadyStateProduceAndFetchDoNotAllocateOnTheBrokerThread() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // The media driver runs on a thread of its own here (in shared mode it is otherwise an agent of the broker
        // thread), so that what is measured is the broker's own agents; Aeron's driver is not this project's code.
        final BrokerContext ctx = TestSupport.context(dataDir);
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(ctx.aeronDir())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true));
            Broker broker = Broker.launch(ctx
                .embeddedDriver(false)
                .threadingMode(BrokerContext.ThreadingMode.SHARED)
                .topicDefault("log.flush.policy", "none"));
            TestClient client = new TestClient(broker)) {
            client.connect("allocation");
            assertEquals(ErrorCode.NONE, client.createTopic("hot", 1).code);
            final long brokerThread = threadId("sequent-broker");
            final UnsafeBuffer batch = TestSupport.batch("a", "b", "c");

            long offset = roundTrips(client, batch, 0, ROUNDS);
            final long before = threads.getThreadAllocatedBytes(brokerThread);
            offset = roundTrips(client, batch, offset, ROUNDS);
            final long allocated = threads.getThreadAllocatedBytes(brokerThread) - before;
            System.out.println("broker thread allocated " + allocated + " bytes over " + ROUNDS +
                " produce (acks=1 and acks=all) + fetch + list-offsets rounds");
            assertTrue(allocated < 4 * 1024, "no allocation per request: " + allocated + " bytes");
            assertEquals(offset, 2L * ROUNDS * 6);
        }
    }

    private static long roundTrips(final TestClient client, final UnsafeBuffer batch, final long start,
        final int rounds) {
        long offset = start;
        for (int i = 0; i < rounds; i++) {
            assertEquals(offset, client.produce("hot", 0, Acks.LEADER, batch).baseOffset);
            assertEquals(offset + 3, client.produce("hot", 0, Acks.ALL, batch).baseOffset);
            offset += 6;
            final TestClient.FetchedPartition fetched = client.fetch("hot", 0, offset - 6, 0, 4096).partition(0);
            assertEquals(ErrorCode.NONE, fetched.code);
            assertEquals(offset, fetched.highWatermark);
            assertEquals(offset, client.listOffset("hot", 0, OffsetSpec.LATEST, 0).offset);
        }
        return offset;
    }

    private static long threadId(final String name) {
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals(name)) {
                return thread.getId();
            }
        }
        throw new AssertionError("no thread " + name);
    }
}

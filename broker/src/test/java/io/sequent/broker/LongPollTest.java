package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fetches that find nothing new wait, and are answered as soon as data is committed or maxWait passes. */
class LongPollTest {
    @TempDir
    static Path dataDir;

    private static Broker broker;
    private static TestClient client;

    @BeforeAll
    static void launch() {
        broker = Broker.launch(TestSupport.context(dataDir));
        client = new TestClient(broker);
        client.connect("long-poll");
        assertEquals(ErrorCode.NONE, client.createTopic("polled", 1).code);
        assertEquals(ErrorCode.NONE, client.createTopic("doomed", 1).code);
    }

    @AfterAll
    static void close() {
        if (null != client) {
            assertEquals(0, client.invalidResponses, "every response the broker sent passed ProtocolFrames.validate");
            client.close();
        }
        if (null != broker) {
            broker.close();
        }
    }

    @Test
    void parkedFetchIsAnsweredPromptlyAfterAProduce() {
        final long end = client.produce("polled", 0, Acks.ALL, TestSupport.batch("first")).baseOffset + 1;
        for (int round = 0; round < 3; round++) {
            final long fetchId = client.sendFetch("polled", 10_000, 1, 1 << 20, new int[]{0}, new long[]{end + round});
            assertNull(client.pollFor(fetchId, 100), "nothing to read: the fetch waits");
            final UnsafeBuffer batch = TestSupport.batch("wake-" + round);
            final long start = System.nanoTime();
            final long produceId = client.sendProduce("polled", 0, Acks.NONE, batch, 0, batch.capacity(), 0);
            final TestClient.FetchResult fetched = TestClient.fetchResult(client.await(fetchId));
            final long elapsedUs = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            System.out.println("long poll answered " + elapsedUs + " us after the produce was sent");
            assertTrue(elapsedUs < 500_000, "answered within 500 ms, took " + elapsedUs + " us");
            final TestClient.FetchedPartition partition = fetched.partition(0);
            assertEquals(ErrorCode.NONE, partition.code);
            final List<TestSupport.Record> records = TestSupport.records(partition.records, partition.highWatermark);
            assertEquals(List.of("wake-" + round), TestSupport.values(records));
            assertEquals(end + round, records.get(0).offset);
            assertNull(client.pollFor(produceId, 0));
        }
    }

    @Test
    void maxWaitIsHonouredWhenNothingArrives() {
        final long end = client.produce("polled", 0, Acks.LEADER, TestSupport.batch("x")).baseOffset + 1;
        final long start = System.nanoTime();
        final TestClient.FetchResult fetched = TestClient.fetchResult(client.await(
            client.sendFetch("polled", 300, 1, 1 << 20, new int[]{0}, new long[]{end})));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("empty long poll of maxWait 300 ms answered after " + elapsedMs + " ms");
        assertTrue(elapsedMs >= 290, "waited maxWait, " + elapsedMs + " ms");
        assertTrue(elapsedMs < 2_000, "but not much longer, " + elapsedMs + " ms");
        assertEquals(ErrorCode.NONE, fetched.partition(0).code);
        assertEquals(0, fetched.partition(0).records.capacity());
        assertEquals(end, fetched.partition(0).highWatermark);
    }

    @Test
    void zeroWaitOrZeroMinBytesAnswersAtOnce() {
        final long end = client.produce("polled", 0, Acks.LEADER, TestSupport.batch("y")).baseOffset + 1;
        final long start = System.nanoTime();
        client.await(client.sendFetch("polled", 0, 1, 1 << 20, new int[]{0}, new long[]{end}));
        client.await(client.sendFetch("polled", 5_000, 0, 1 << 20, new int[]{0}, new long[]{end}));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs < 1_000, "no waiting: " + elapsedMs + " ms");
    }

    @Test
    void parkedFetchOfADeletedTopicIsAnsweredUnknownTopic() {
        final long fetchId = client.sendFetch("doomed", 20_000, 1, 1 << 20, new int[]{0}, new long[]{0});
        assertNull(client.pollFor(fetchId, 100));
        assertEquals(ErrorCode.NONE, client.deleteTopic("doomed").code);
        final TestClient.FetchResult fetched = TestClient.fetchResult(client.await(fetchId, 5_000));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, fetched.code);
    }
}

package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ConnectResponseDecoder;
import io.sequent.codec.client.ErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connect, produce with each acks level, fetch back: over a real embedded driver and UDP loopback. */
class ProduceFetchTest {
    @TempDir
    static Path dataDir;

    private static Broker broker;
    private static TestClient client;

    @BeforeAll
    static void launch() {
        broker = Broker.launch(TestSupport.context(dataDir));
        client = new TestClient(broker);
        final ConnectResponseDecoder connected = client.connect("produce-fetch");
        assertEquals(ErrorCode.NONE, connected.errorCode());
        assertEquals(ErrorCode.NONE, client.createTopic("events", 2).code);
    }

    @AfterAll
    static void close() {
        if (null != client) {
            assertEquals(0, client.invalidResponses, "every response the broker sent passed ProtocolFrames.validate");
            client.close();
        }
        if (null != broker) {
            final String aeronDir = broker.aeronDirectoryName();
            broker.close();
            assertFalse(Files.exists(Paths.get(aeronDir)), "the embedded driver's directory is deleted on close");
        }
    }

    @Test
    void connectAnswersWithASessionAndTheBrokersSettings() {
        try (TestClient other = new TestClient(broker)) {
            final ConnectResponseDecoder response = other.connect("another");
            assertEquals(ErrorCode.NONE, response.errorCode());
            assertTrue(response.sessionId() > 0);
            assertTrue(response.sessionId() != client.sessionId(), "session ids are unique");
            assertEquals(0, response.brokerId());
            assertEquals(0, response.leaderId());
            assertEquals(BrokerContext.SESSION_TIMEOUT_MS_DEFAULT, response.sessionTimeoutMs());
            assertEquals(ConnectResponseDecoder.SCHEMA_VERSION, response.protocolVersion());
            assertEquals(broker.ingressChannel(), response.leaderIngressChannel());
        }
    }

    @Test
    void producesWithEveryAcksLevelAndFetchesDenseOffsets() {
        final TestClient.ProduceResult leader = client.produce("events", 0, Acks.LEADER, TestSupport.batch("a", "b"));
        assertEquals(ErrorCode.NONE, leader.code);
        final long base = leader.baseOffset;
        assertEquals(0, leader.partition);

        final TestClient.ProduceResult all = client.produce("events", 0, Acks.ALL, TestSupport.batch("c"));
        assertEquals(ErrorCode.NONE, all.code);
        assertEquals(base + 2, all.baseOffset);
        assertEquals(0, all.logStartOffset);

        final UnsafeBuffer none = TestSupport.batch("d", "e", "f");
        final long noneId = client.sendProduce("events", 0, Acks.NONE, none, 0, none.capacity(), 0);
        assertNull(client.pollFor(noneId, 200), "acks=NONE is never answered");

        final TestClient.ProduceResult last = client.produce("events", 0, Acks.ALL, TestSupport.batch("g"));
        assertEquals(base + 6, last.baseOffset, "the acks=NONE batch took offsets too");

        final TestClient.FetchResult fetched = client.fetch("events", 0, base, 1000, 1 << 20);
        assertEquals(ErrorCode.NONE, fetched.code);
        assertEquals("events", fetched.topic);
        final TestClient.FetchedPartition partition = fetched.partition(0);
        assertEquals(ErrorCode.NONE, partition.code);
        assertEquals(base + 7, partition.highWatermark);
        final List<TestSupport.Record> records = TestSupport.records(partition.records, partition.highWatermark);
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g"), TestSupport.values(records));
        for (int i = 0; i < records.size(); i++) {
            assertEquals(base + i, records.get(i).offset, "dense offsets");
        }

        final TestClient.FetchResult fromMiddle = client.fetch("events", 0, base + 4, 1000, 1 << 20);
        final List<TestSupport.Record> tail = TestSupport.records(
            fromMiddle.partition(0).records, fromMiddle.partition(0).highWatermark);
        assertEquals(base + 3, tail.get(0).offset, "a fetch starts at the batch holding the offset");
        assertEquals("g", tail.get(tail.size() - 1).value);
    }

    @Test
    void fetchesSeveralPartitionsInOneResponseAndRespectsMaxBytes() {
        assertEquals(ErrorCode.NONE, client.createTopic("multi", 2).code);
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            final String value = "v" + i + "-" + "x".repeat(200);
            expected.add(value);
            assertEquals(ErrorCode.NONE, client.produce("multi", 1, Acks.LEADER, TestSupport.batch(value)).code);
        }
        client.produce("multi", 0, Acks.LEADER, TestSupport.batch("zero"));
        final long start = client.listOffset("multi", 1, io.sequent.codec.client.OffsetSpec.EARLIEST, 0).offset;

        final TestClient.FetchResult both = TestClient.fetchResult(client.await(client.sendFetch(
            "multi", 0, 1, 1 << 20, new int[]{0, 1}, new long[]{0, start})));
        assertEquals(2, both.partitions.size());
        final List<TestSupport.Record> p1 = TestSupport.records(
            both.partition(1).records, both.partition(1).highWatermark);
        assertEquals(expected, TestSupport.values(p1).subList(0, 20));
        assertFalse(TestSupport.records(both.partition(0).records, both.partition(0).highWatermark).isEmpty());

        final TestClient.FetchResult small = TestClient.fetchResult(client.await(client.sendFetch(
            "multi", 0, 1, 1024, new int[]{1}, new long[]{start})));
        final TestClient.FetchedPartition limited = small.partition(1);
        assertTrue(limited.records.capacity() <= 1024, "maxBytes caps the records: " + limited.records.capacity());
        final List<TestSupport.Record> some = TestSupport.records(limited.records, limited.highWatermark);
        assertTrue(some.size() >= 1 && some.size() < 20, "some but not all: " + some.size());

        final TestClient.FetchResult tiny = TestClient.fetchResult(client.await(client.sendFetch(
            "multi", 0, 1, 10, new int[]{1}, new long[]{start})));
        assertEquals(1, TestSupport.records(tiny.partition(1).records, tiny.partition(1).highWatermark).size(),
            "the first batch comes whole even when larger than maxBytes");
    }

    @Test
    void fetchOutsideTheLogIsOffsetOutOfRange() {
        final long hw = client.produce("events", 0, Acks.ALL, TestSupport.batch("h")).baseOffset + 1;
        final TestClient.FetchResult beyond = client.fetch("events", 0, hw + 1, 0, 1 << 20);
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, beyond.partition(0).code);
        final TestClient.FetchResult negative = client.fetch("events", 0, -5, 0, 1 << 20);
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, negative.partition(0).code);
        final TestClient.FetchResult atEnd = client.fetch("events", 0, hw, 0, 1 << 20);
        assertEquals(ErrorCode.NONE, atEnd.partition(0).code);
        assertEquals(0, atEnd.partition(0).records.capacity());
    }

    @Test
    void unknownTopicOrPartitionIsReported() {
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            client.produce("no-such-topic", 0, Acks.LEADER, TestSupport.batch("x")).code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            client.produce("events", 7, Acks.ALL, TestSupport.batch("x")).code);
        final TestClient.FetchResult fetched = client.fetch("no-such-topic", 0, 0, 0, 1 << 20);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, fetched.code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, fetched.partition(0).code);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, client.fetch("events", 9, 0, 0, 1 << 20).partition(9).code);
    }

    @Test
    void oversizeBatchIsRecordTooLarge() {
        final String big = "y".repeat(30_000);
        final String[] values = new String[40];
        java.util.Arrays.fill(values, big);
        final UnsafeBuffer batch = bigBatch(values);
        assertTrue(batch.capacity() > 1024 * 1024, "batch of " + batch.capacity() + " bytes");
        assertEquals(ErrorCode.RECORD_TOO_LARGE, client.produce("events", 0, Acks.LEADER, batch).code);
        assertEquals(ErrorCode.NONE, client.produce("events", 0, Acks.LEADER, TestSupport.batch("after")).code);
    }

    private static UnsafeBuffer bigBatch(final String... values) {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[2 * 1024 * 1024]);
        final io.sequent.codec.BatchBuilder builder = new io.sequent.codec.BatchBuilder(2 * 1024 * 1024);
        builder.begin(out, 0, out.capacity(), -1, (short) -1, -1);
        for (final String value : values) {
            assertTrue(builder.tryAppend(System.currentTimeMillis(), null, value.getBytes()));
        }
        final int length = builder.finish();
        builder.close();
        final byte[] copy = new byte[length];
        out.getBytes(0, copy);
        return new UnsafeBuffer(copy);
    }

    @Test
    void corruptBatchIsCorruptMessage() {
        final UnsafeBuffer batch = TestSupport.batch("ok");
        batch.putByte(batch.capacity() - 1, (byte) (batch.getByte(batch.capacity() - 1) ^ 0x5A));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, client.produce("events", 0, Acks.LEADER, batch).code);
    }

    @Test
    void aCompressedBatchWithBadRecordsInsideIsCorruptMessageAndStoresNothing() {
        final long base = client.produce("events", 0, Acks.LEADER, TestSupport.batch("before")).baseOffset;
        for (final io.sequent.codec.Compression codec : new io.sequent.codec.Compression[] {
            io.sequent.codec.Compression.LZ4, io.sequent.codec.Compression.ZSTD}) {
            final UnsafeBuffer good = compressedBatch(codec, "x".repeat(300), "y".repeat(300));
            final UnsafeBuffer bad = new UnsafeBuffer(new byte[good.capacity()]);
            bad.putBytes(0, good, 0, good.capacity());
            // the uncompressed length the envelope declares is off by one: the records inside do not decompress to
            // it, yet the CRC over the whole batch is right, as a producer with a bug in its compressor would send
            final int declaredAt = io.sequent.codec.Batches.RECORDS_OFFSET;
            bad.putInt(declaredAt, bad.getInt(declaredAt, ByteOrder.LITTLE_ENDIAN) - 1, ByteOrder.LITTLE_ENDIAN);
            bad.putInt(io.sequent.codec.Batches.CRC_OFFSET,
                io.sequent.codec.Batches.computeCrc(bad, 0, bad.capacity()), ByteOrder.LITTLE_ENDIAN);
            assertEquals(ErrorCode.CORRUPT_MESSAGE, client.produce("events", 0, Acks.LEADER, bad).code, codec.name());
            assertEquals(ErrorCode.CORRUPT_MESSAGE, client.produce("events", 0, Acks.ALL, bad).code, codec.name());
            assertEquals(ErrorCode.NONE, client.produce("events", 0, Acks.ALL, good).code, codec.name());
        }
        final TestClient.FetchedPartition partition = client.fetch("events", 0, base, 1000, 1 << 20).partition(0);
        assertEquals(base + 5, partition.highWatermark, "the bad batches took no offsets");
        assertEquals(List.of("before", "x".repeat(300), "y".repeat(300), "x".repeat(300), "y".repeat(300)),
            TestSupport.values(TestSupport.records(partition.records, partition.highWatermark)));
    }

    private static UnsafeBuffer compressedBatch(final io.sequent.codec.Compression codec, final String... values) {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64 * 1024]);
        final io.sequent.codec.BatchBuilder builder = new io.sequent.codec.BatchBuilder(64 * 1024).compression(codec);
        builder.begin(out, 0, out.capacity(), -1, (short) -1, -1);
        for (final String value : values) {
            assertTrue(builder.tryAppend(System.currentTimeMillis(), null, value.getBytes()));
        }
        final int length = builder.finish();
        builder.close();
        assertEquals(codec, io.sequent.codec.Batches.compression(out, 0));
        final byte[] copy = new byte[length];
        out.getBytes(0, copy);
        return new UnsafeBuffer(copy);
    }

    @Test
    void idempotentRetryIsAnsweredWithTheOriginalOffset() {
        final long[] producer = client.initProducerId(-1, (short) -1);
        assertEquals(ErrorCode.NONE.value(), producer[2]);
        final UnsafeBuffer batch = TestSupport.batch(System.currentTimeMillis(), producer[0], (short) producer[1], 0,
            "once");
        final TestClient.ProduceResult first = client.produce("events", 1, Acks.ALL, batch);
        assertEquals(ErrorCode.NONE, first.code);
        final TestClient.ProduceResult retry = client.produce("events", 1, Acks.ALL, batch);
        assertEquals(ErrorCode.NONE, retry.code, "a duplicate is a success");
        assertEquals(first.baseOffset, retry.baseOffset, "with the original offset");
        assertTrue(broker.sequencerCounters().duplicates.get() >= 1);

        final UnsafeBuffer gap = TestSupport.batch(System.currentTimeMillis(), producer[0], (short) producer[1], 5,
            "gap");
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, client.produce("events", 1, Acks.LEADER, gap).code);
    }

    @Test
    void producerIdsAreUniqueAndEpochsBump() {
        final long[] a = client.initProducerId(-1, (short) -1);
        final long[] b = client.initProducerId(-1, (short) -1);
        assertTrue(a[0] >= 0 && b[0] >= 0 && a[0] != b[0]);
        final long[] refenced = client.initProducerId(a[0], (short) a[1]);
        assertEquals(a[0], refenced[0]);
        assertEquals(a[1] + 1, refenced[1]);
        final long[] unknown = client.initProducerId(1_000_000_000L, (short) 0);
        assertEquals(ErrorCode.UNKNOWN_PRODUCER_ID.value(), unknown[2]);
    }
}

package io.sequent.client;

import static io.sequent.client.TestSupport.bytes;
import static io.sequent.client.TestSupport.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;

/**
 * The Aeron client dies under a running producer: the I/O thread rebuilds the embedded driver and
 * the Aeron client, the connection reconnects, the requests in flight are sent again, and the
 * idempotent producer leaves every record in the log exactly once.
 */
class AeronRebuildTest {
    private static final int RECORDS = 4_000;

    private static FakeBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = new FakeBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aProducerWhoseAeronClientIsClosedUnderItRebuildsAndWritesEveryRecordOnce() throws Exception {
        broker.createTopic("rebuilt", 2);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        try (Producer producer = new Producer(new ProducerConfig(client(broker)).retryBackoffMs(20).lingerMs(1))) {
            final Aeron first = producer.io().aeron();
            for (int i = 0; i < RECORDS; i++) {
                futures.add(producer.send(new ProducerRecord("rebuilt", bytes("v" + i))));
                if (i == RECORDS / 4) {
                    TestSupport.await(() -> futures.get(0).isDone(), "the first acknowledgement");
                }
                if (i == RECORDS / 2) {
                    first.close();
                }
                if (i % 50 == 0) {
                    Thread.sleep(1);
                }
            }
            for (final CompletableFuture<RecordMetadata> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
            assertEquals(1, producer.io().aeronRebuilds(), "one rebuild");
            assertNotSame(first, producer.io().aeron(), "a new Aeron client");
            assertTrue(!producer.io().aeron().isClosed(), "the new Aeron client runs");
        }
        final Set<String> seen = new HashSet<>();
        int total = 0;
        for (int p = 0; p < 2; p++) {
            try (BatchReader reader = new BatchReader()) {
                for (final FakeBroker.StoredBatch batch : broker.batches("rebuilt", p)) {
                    final byte[] frame = batch.frame();
                    assertEquals(BatchError.NONE, reader.wrap(new UnsafeBuffer(frame), 0, frame.length));
                    while (reader.next()) {
                        final String value = TestSupport.string(reader.valueBytes());
                        assertTrue(seen.add(value), "duplicate record " + value);
                        total++;
                    }
                }
            }
        }
        assertEquals(RECORDS, total, "every record in the log once");
    }
}

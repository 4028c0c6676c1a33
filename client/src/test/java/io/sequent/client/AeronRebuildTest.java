package io.sequent.client;

import static io.sequent.client.TestSupport.bytes;
import static io.sequent.client.TestSupport.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sequent.codec.BatchError;
import io.sequent.codec.BatchReader;

/**
 * The Aeron client dies under a running producer: the I/O thread rebuilds the embedded driver and
 * the Aeron client (or, with {@code aeron.dir}, a new Aeron client of that driver), the connection
 * reconnects, the requests in flight are sent again, and the idempotent producer leaves every
 * record in the log exactly once.
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

    @Test
    void aProducerWhoseSharedDriverRestartsTimesOutRebuildsItsClientAndWritesEveryRecordOnce() throws Exception {
        broker.createTopic("restarted-driver", 1);
        final String directory = new File("/dev/shm", "sequent-rebuild-test-" + ProcessHandle.current().pid() + "-"
            + Long.toHexString(System.nanoTime())).getAbsolutePath();
        MediaDriver driver = launchDriver(directory);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        try {
            final ClientConfig clientConfig =
                client(broker).aeronDirectory(directory).connectTimeout(Duration.ofSeconds(1));
            try (Producer producer = new Producer(new ProducerConfig(clientConfig)
                .retryBackoffMs(20).lingerMs(1).deliveryTimeoutMs(60_000))) {
                for (int i = 0; i < 200; i++) {
                    futures.add(producer.send(new ProducerRecord("restarted-driver", bytes("d" + i))));
                }
                futures.get(futures.size() - 1).get(30, TimeUnit.SECONDS);
                driver.close(); // the Aeron client loses the driver's heartbeat: DriverTimeoutException
                driver = launchDriver(directory);
                for (int i = 200; i < 400; i++) {
                    futures.add(producer.send(new ProducerRecord("restarted-driver", bytes("d" + i))));
                }
                for (final CompletableFuture<RecordMetadata> future : futures) {
                    future.get(60, TimeUnit.SECONDS);
                }
                assertEquals(1, producer.io().aeronRebuilds(), "one rebuild");
            }
        } finally {
            CloseHelper.quietClose(driver);
        }
        final Set<String> seen = new HashSet<>();
        try (BatchReader reader = new BatchReader()) {
            for (final FakeBroker.StoredBatch batch : broker.batches("restarted-driver", 0)) {
                final byte[] frame = batch.frame();
                assertEquals(BatchError.NONE, reader.wrap(new UnsafeBuffer(frame), 0, frame.length));
                while (reader.next()) {
                    final String value = TestSupport.string(reader.valueBytes());
                    assertTrue(seen.add(value), "duplicate record " + value);
                }
            }
        }
        assertEquals(400, seen.size(), "every record in the log once");
    }

    private static MediaDriver launchDriver(final String directory) {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(100, 100, 1_000, 100_000))
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }
}

package io.sequent.client;

import static io.sequent.client.TestSupport.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * Many records through producer, fake broker and consumer: every record acknowledged once, read back
 * once and in order per partition.
 */
class VolumeTest {
    private static final int RECORDS = 50_000;
    private static final int PARTITIONS = 4;

    @Test
    void everyRecordArrivesOnceAndInOrder() throws Exception {
        try (FakeBroker broker = new FakeBroker()) {
            broker.createTopic("volume", PARTITIONS);
            final AtomicInteger failures = new AtomicInteger();
            final long start = System.nanoTime();
            try (Producer producer = new Producer(new ProducerConfig(client(broker)).compression("lz4"))) {
                for (int i = 0; i < RECORDS; i++) {
                    final byte[] value = ByteBuffer.allocate(100).putInt(i).array();
                    producer.send(new ProducerRecord("volume", ByteBuffer.allocate(4).putInt(i).array(), value),
                        (m, ex) -> {
                            if (ex != null) {
                                failures.incrementAndGet();
                            }
                        });
                }
                producer.flush();
            }
            final long producedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(0, failures.get());
            long stored = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                stored += broker.endOffset("volume", p);
            }
            assertEquals(RECORDS, stored);

            final long consumeStart = System.nanoTime();
            try (Consumer consumer = new Consumer(new ConsumerConfig(client(broker)).autoOffsetReset("earliest"))) {
                consumer.subscribe(List.of("volume"));
                final long[] next = new long[PARTITIONS];
                int read = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (read < RECORDS && System.nanoTime() < deadline) {
                    for (final ConsumerRecord r : consumer.poll(Duration.ofMillis(100))) {
                        assertEquals(next[r.partition()]++, r.offset());
                        final int i = ByteBuffer.wrap(r.value()).getInt();
                        assertEquals(r.partition(), Murmur2.partition(ByteBuffer.allocate(4).putInt(i)
                            .array(), PARTITIONS));
                        read++;
                    }
                }
                assertEquals(RECORDS, read);
                assertTrue(consumer.poll(Duration.ofMillis(200)).isEmpty());
            }
            final long consumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - consumeStart);
            System.out.printf("produced %d records in %d ms, consumed in %d ms%n", RECORDS, producedMs, consumedMs);
        }
    }
}

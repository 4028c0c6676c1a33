package io.sequent.client;

import static io.sequent.client.TestSupport.bytes;
import static io.sequent.client.TestSupport.client;
import static io.sequent.client.TestSupport.pollUntil;
import static io.sequent.client.TestSupport.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code client.threading.mode=caller}: the producer and the consumer run their I/O, the Aeron
 * conductor and the embedded media driver on the application's thread, with only a sleeping
 * backstop thread of their own.
 */
class CallerThreadingTest {
    private static FakeBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = new FakeBroker();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static ClientConfig caller(final String clientId) {
        return client(broker).clientId(clientId).threadingMode(ClientConfig.ThreadingMode.CALLER);
    }

    private static Set<String> threadNames() {
        final Set<String> names = new HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            names.add(thread.getName());
        }
        return names;
    }

    @Test
    void produceAndConsumeRoundTripOnTheCallersThread() throws Exception {
        broker.createTopic("caller", 2);
        final Set<String> before = threadNames();
        try (Producer producer = new Producer(new ProducerConfig(caller("caller-p")).lingerMs(0));
            Consumer consumer = new Consumer(new ConsumerConfig(caller("caller-c")).autoOffsetReset("earliest"))) {
            final Set<String> started = threadNames();
            started.removeAll(before);
            started.removeIf(name -> name.startsWith("ForkJoinPool"));
            // no I/O thread, no Aeron conductor thread, no media driver thread: one sleeping backstop per client
            assertEquals(Set.of("sequent-caller-p-backstop", "sequent-caller-c-backstop"), started);

            final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            final AtomicReference<Thread> callbackThread = new AtomicReference<>();
            for (int i = 0; i < 50; i++) {
                final ProducerRecord record = new ProducerRecord("caller", i % 2, null, bytes("k" + i), bytes("v" + i),
                    null);
                final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
                producer.send(record, (metadata, error) -> {
                    callbackThread.compareAndSet(null, Thread.currentThread());
                    if (error != null) {
                        future.completeExceptionally(error);
                    } else {
                        future.complete(metadata);
                    }
                });
                futures.add(future);
                producer.poll();
            }
            producer.flush();
            final long[] next = new long[2];
            for (int i = 0; i < 50; i++) {
                final RecordMetadata metadata = futures.get(i).getNow(null);
                assertEquals(i % 2, metadata.partition());
                assertEquals(next[i % 2]++, metadata.offset());
            }
            assertTrue(callbackThread.get() == Thread.currentThread() ||
                callbackThread.get().getName().equals("sequent-caller-p-backstop"), callbackThread.get().getName());

            consumer.assign(List.of(new TopicPartition("caller", 0), new TopicPartition("caller", 1)));
            final List<ConsumerRecord> records = pollUntil(consumer, 50);
            final Set<String> values = new HashSet<>();
            for (final ConsumerRecord record : records) {
                values.add(string(record.value()));
            }
            assertEquals(50, values.size());
            assertTrue(values.contains("v0") && values.contains("v49"), values.toString());
        }
        final Set<String> after = threadNames();
        assertTrue(!after.contains("sequent-caller-p-backstop") && !after.contains("sequent-caller-c-backstop"),
            "close stops the backstop threads");
    }

    @Test
    void aFutureCompletesWhileTheApplicationOnlyWaitsOnIt() throws Exception {
        broker.createTopic("backstop", 1);
        try (Producer producer = new Producer(new ProducerConfig(caller("backstop-p")).lingerMs(0))) {
            // send runs the duty cycle once; the acknowledgement is read by the backstop thread
            final RecordMetadata metadata =
                producer.send(new ProducerRecord("backstop", bytes("only"))).get(10, TimeUnit.SECONDS);
            assertEquals(0, metadata.offset());
            final RecordMetadata second =
                producer.send(new ProducerRecord("backstop", bytes("again"))).get(10, TimeUnit.SECONDS);
            assertEquals(1, second.offset());
        }
    }

    @Test
    void waitingForTheClientInsideACallbackIsRefused() throws Exception {
        broker.createTopic("reentrant", 1);
        try (Producer producer = new Producer(new ProducerConfig(caller("reentrant-p")).lingerMs(0))) {
            final CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            producer.send(new ProducerRecord("reentrant", bytes("x")), (metadata, error) -> {
                try {
                    producer.flush();
                    thrown.complete(null);
                } catch (final RuntimeException ex) {
                    thrown.complete(ex);
                }
            });
            producer.flush();
            final Throwable failure = thrown.get(10, TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, failure);
            assertTrue(failure.getMessage().contains("client.threading.mode=caller"), failure.getMessage());
        }
    }

    @Test
    void theModeIsReadFromPropertiesAndABadValueNamesTheKey() {
        final Properties properties = new Properties();
        properties.setProperty(ClientConfig.THREADING_MODE, "Caller");
        assertEquals(ClientConfig.ThreadingMode.CALLER, ClientConfig.fromProperties(properties).threadingMode());
        assertEquals(ClientConfig.ThreadingMode.DEDICATED, new ClientConfig().threadingMode());
        assertTrue(ClientConfig.fromProperties(properties).toString().contains("client.threading.mode=caller"));
        properties.setProperty(ClientConfig.THREADING_MODE, "inline");
        final InvalidConfigException ex =
            assertThrows(InvalidConfigException.class, () -> ClientConfig.fromProperties(properties));
        assertTrue(ex.getMessage().contains(ClientConfig.THREADING_MODE), ex.getMessage());
    }
}

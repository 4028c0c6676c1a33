package io.sequent.perf.harness;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.ClientConfig;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --threads two}: the Sequent client's I/O runs on the sending thread, and a run with it loses nothing. */
class TwoThreadLayoutTest {
    @TempDir
    Path dir;

    @Test
    void theSendersWaitRunsTheClientsIoAndCompletesEveryRecordOnTheSendingThread() throws Exception {
        final Path data = dir.resolve("data");
        try (Broker broker = Broker.launch(new BrokerContext().dataDir(data).port(0)
            .threadingMode(BrokerContext.ThreadingMode.SHARED).idleStrategy("backoff").driverIdleStrategy("backoff"));
            SequentDriver driver = new SequentDriver(new ClientConfig().bootstrap(broker.ingressEndpoint())
                .threadingMode(ClientConfig.ThreadingMode.CALLER).idleStrategy("backoff"), "caller")) {
            final Workload workload =
                new Workload(Mode.PRODUCE, 1000, 500, null, 100, "1", 1, 1, Duration.ZERO, "none", 0);
            driver.createTopic("two", workload);
            final Set<String> completing = ConcurrentHashMap.newKeySet();
            final AtomicInteger completed = new AtomicInteger();
            final List<Throwable> failures = new ArrayList<>();
            try (Driver.Sender sender = driver.producer("two", workload)) {
                assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(thread -> thread.getName().equals("sequent-perf-producer-io")),
                    "caller mode starts no I/O thread");
                final long start = System.nanoTime();
                for (int i = 0; i < 500; i++) {
                    sender.send(new byte[100], failure -> {
                        completing.add(Thread.currentThread().getName());
                        if (failure != null) {
                            synchronized (failures) {
                                failures.add(failure);
                            }
                        }
                        completed.incrementAndGet();
                    });
                    sender.awaitUntil(NanoClock.SYSTEM, start + (i + 1) * TimeUnit.MILLISECONDS.toNanos(1));
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (completed.get() < 500 && System.nanoTime() < deadline) {
                    sender.awaitUntil(NanoClock.SYSTEM, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            assertEquals(500, completed.get());
            assertEquals(List.of(), failures);
            // The wait ran the cycle continuously, so the backstop (which runs it only after 10 ms without a caller)
            // never had to: every acknowledgement was read on the sending thread.
            assertEquals(Set.of(Thread.currentThread().getName()), completing);
        } finally {
            IoUtil.delete(data.toFile(), true);
        }
    }

    @Test
    void aTwoThreadRunAcknowledgesEveryRecordForTheBaselineAndSequent() throws Exception {
        final Workload workload =
            new Workload(Mode.PRODUCE, 2000, 2000, null, 100, "1", 1, 1, Duration.ofMillis(200), "none", 0);
        final StringWriter console = new StringWriter();
        final RunResult run = PerfSuite.run(new PerfSuite.Options(workload, new ClientConfig(), true, null, null, true,
            true, "backoff", "backoff", true, Map.of(), dir.resolve("report"), "sequent perf produce --threads two"),
            new PrintWriter(console), null);

        assertEquals(2, run.systems().size(), console.toString());
        for (final SystemResult result : run.systems()) {
            assertEquals(2000, result.produceAck().getTotalCount(), result.system());
            assertEquals(0, result.errors(), result.system());
        }
        assertTrue(run.systems().get(0).description().contains("two threads"), run.systems().get(0).description());
        assertTrue(run.systems().get(1).description().contains("broker threading shared") &&
            run.systems().get(1).description().contains("client threading caller"),
            run.systems().get(1).description());
    }
}

package io.sequent.broker;

import io.sequent.log.FlushPolicy;
import io.sequent.log.LogConfig;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.Sequencer;
import io.sequent.sequencer.SequencerContext;
import io.sequent.sequencer.ThreadingMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several threads write to an internal partition through the {@link InternalAppender} while one thread (here
 * the test, as the ingress) is the sequencer's only offering thread: every batch is committed once, in the order
 * each thread queued it, and none is reported done before the sequencer committed it.
 */
class InternalAppenderTest {
    @TempDir
    Path dir;

    private final InternalAppender appender = new InternalAppender();
    private Sequencer sequencer;
    private Partition partition;

    private void launch(final int ringSize) {
        sequencer = Sequencer.launch(new SequencerContext()
            .threadingMode(ThreadingMode.INVOKER)
            .ringSize(ringSize)
            .releaseHandler(event -> {
                assertEquals(InternalAppender.SESSION_ID, event.sessionId());
                appender.onRelease(event);
            }));
        partition = sequencer.openPartition("internal", 0, dir.resolve("internal-0"),
            new LogConfig().segmentBytes(1 << 20).preallocate(false).flushPolicy(FlushPolicy.BATCH), false);
    }

    @AfterEach
    void close() {
        if (null != sequencer) {
            sequencer.close();
        }
    }

    private static byte[] bytes(final String value) {
        final UnsafeBuffer batch = TestSupport.batch(value);
        final byte[] copy = new byte[batch.capacity()];
        batch.getBytes(0, copy);
        return copy;
    }

    /** Plays the ingress (drain) and steps the stages until every append is done. */
    private void runUntilDone(final List<InternalAppend> appends) {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            appender.drain(sequencer);
            sequencer.invoker().invoke();
            boolean done = true;
            for (final InternalAppend append : appends) {
                done &= append.isDone();
            }
            if (done) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("appends not done within 20 s");
            }
        }
    }

    @Test
    void anAppendIsDoneOnlyOnceTheIngressOfferedItAndTheSequencerCommittedIt() {
        launch(1024);
        final InternalAppend append = new InternalAppend(partition, bytes("one"));
        assertTrue(appender.offer(append));
        assertFalse(append.isDone(), "queued only");
        assertEquals(1, appender.drain(sequencer));
        assertFalse(append.isDone(), "offered, not yet sequenced, journaled and committed");
        runUntilDone(List.of(append));
        assertTrue(append.isCommitted(), append.toString());
        assertEquals(0, append.baseOffset());
        assertEquals(1, partition.highWatermark());
    }

    @Test
    void aFullRingKeepsTheRestQueuedInOrder() {
        launch(4);
        final List<InternalAppend> appends = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            final InternalAppend append = new InternalAppend(partition, bytes("v" + i));
            assertTrue(appender.offer(append));
            appends.add(append);
        }
        assertEquals(4, appender.drain(sequencer), "the ring takes four; the rest wait for the next cycle");
        runUntilDone(appends);
        for (int i = 0; i < appends.size(); i++) {
            assertTrue(appends.get(i).isCommitted());
            assertEquals(i, appends.get(i).baseOffset(), "offered in the order queued");
        }
    }

    @Test
    void manyThreadsOfferThroughOneIngress() throws Exception {
        launch(64);
        final int threads = 3;
        final int perThread = 200;
        final List<List<InternalAppend>> byThread = new ArrayList<>();
        final List<InternalAppend> all = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final List<InternalAppend> mine = new ArrayList<>();
            byThread.add(mine);
            final int id = t;
            final Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (final InterruptedException ex) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    final InternalAppend append = new InternalAppend(partition, bytes("t" + id + "-" + i));
                    while (!appender.offer(append)) {
                        Thread.yield();
                    }
                    mine.add(append);
                    all.add(append);
                }
            }, "submitter-" + t);
            submitters.add(thread);
            thread.start();
        }
        start.countDown();
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (all.size() < threads * perThread || !allDone(all)) {
            appender.drain(sequencer);
            sequencer.invoker().invoke();
            if (System.nanoTime() > deadline) {
                fail("not done within 20 s: " + all.size() + " queued");
            }
        }
        for (final Thread thread : submitters) {
            thread.join(10_000);
        }
        final Set<Long> offsets = new HashSet<>();
        for (final List<InternalAppend> mine : byThread) {
            long previous = -1;
            for (final InternalAppend append : mine) {
                assertTrue(append.isCommitted(), append.toString());
                assertTrue(append.baseOffset() > previous, "each thread's batches keep its order");
                previous = append.baseOffset();
                offsets.add(append.baseOffset());
            }
        }
        assertEquals(threads * perThread, offsets.size(), "every batch written once");
        assertEquals(threads * perThread, partition.highWatermark(), "dense offsets, all committed");
    }

    private static boolean allDone(final List<InternalAppend> appends) {
        synchronized (appends) {
            for (final InternalAppend append : appends) {
                if (!append.isDone()) {
                    return false;
                }
            }
            return true;
        }
    }
}

package io.sequent.sequencer;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link RestoredSeq} is raised from several threads at once and ends at the maximum, never lower. */
class RestoredSeqTest {
    @Test
    void concurrentRaisesEndAtTheMaximumWhateverTheInterleaving() throws Exception {
        for (int round = 0; round < 200; round++) {
            final RestoredSeq seq = new RestoredSeq();
            final int threads = 4;
            final CountDownLatch start = new CountDownLatch(1);
            final Thread[] raisers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                final int id = t;
                raisers[t] = new Thread(() -> {
                    try {
                        start.await();
                    } catch (final InterruptedException ex) {
                        return;
                    }
                    // interleaved values: each thread's largest differs, and they race on every step
                    for (long v = id; v < 2_000; v += threads) {
                        seq.raise(v);
                        seq.raise(v / 2);
                    }
                });
                raisers[t].start();
            }
            start.countDown();
            for (final Thread raiser : raisers) {
                raiser.join();
            }
            assertEquals(1_999, seq.get(), "round " + round);
        }
        final RestoredSeq seq = new RestoredSeq();
        assertEquals(-1, seq.get());
        seq.raise(5);
        seq.raise(3);
        assertEquals(5, seq.get());
        seq.lowerTo(2, 0);
        assertEquals(2, seq.get(), "a truncation lowers it");
        seq.lowerTo(4, 0);
        assertEquals(2, seq.get(), "but never raises it");
    }
}

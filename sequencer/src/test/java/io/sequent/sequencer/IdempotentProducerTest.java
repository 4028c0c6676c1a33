package io.sequent.sequencer;

import io.sequent.log.FlushPolicy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Kafka's idempotent-producer rules, enforced by the sequence stage and rebuilt from the log. */
class IdempotentProducerTest {
    private static final long PID = 42;

    @TempDir
    Path dir;

    private final RecordingReleaseHandler released = new RecordingReleaseHandler();
    private Sequencer sequencer;
    private Partition partition;
    private long correlation;

    @AfterEach
    void close() {
        if (null != sequencer) {
            sequencer.close();
        }
    }

    private void start() {
        sequencer = Sequencer.launch(
            new SequencerContext().threadingMode(ThreadingMode.INVOKER).releaseHandler(released));
        partition = sequencer.openPartition(
            "t", 0, dir.resolve("t-0"), SequencerTest.logConfig(FlushPolicy.BATCH), false);
    }

    private RecordingReleaseHandler.Release send(final int epoch, final int baseSequence, final String... values) {
        final UnsafeBuffer batch = TestBatches.batch(PID, (short) epoch, baseSequence, values);
        final long id = ++correlation;
        sequencer.offer(partition, batch, 0, batch.capacity(), Acks.ALL, 7, id);
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!sequencer.isIdle() && System.nanoTime() < deadline) {
            sequencer.invoker().invoke();
        }
        return released.byCorrelation(id);
    }

    @Test
    void retryOfAnyOfTheLastFiveBatchesIsADuplicateWithTheOriginalOffset() {
        start();
        for (int i = 0; i < 6; i++) {
            assertEquals(SequencerResult.OK, send(0, i * 2, "r" + (2 * i), "r" + (2 * i + 1)).result());
        }
        final RecordingReleaseHandler.Release retry = send(0, 4, "r4", "r5");
        assertEquals(SequencerResult.DUPLICATE, retry.result());
        assertEquals(4, retry.baseOffset());
        assertEquals(SequencerResult.DUPLICATE, send(0, 2, "r2", "r3").result());
        // The first batch has left the window of five.
        assertEquals(SequencerResult.OUT_OF_ORDER_SEQUENCE, send(0, 0, "r0", "r1").result());
        assertEquals(12, partition.log().nextOffset(), "duplicates add nothing to the log");
    }

    @Test
    void gapsStaleEpochsAndUnknownProducersAreRefused() {
        start();
        assertEquals(SequencerResult.UNKNOWN_PRODUCER_ID, send(0, 5, "x").result());
        assertEquals(SequencerResult.OK, send(1, 0, "a").result());
        assertEquals(SequencerResult.OUT_OF_ORDER_SEQUENCE, send(1, 2, "gap").result());
        assertEquals(SequencerResult.INVALID_PRODUCER_EPOCH, send(0, 1, "fenced").result());
        assertEquals(SequencerResult.OUT_OF_ORDER_SEQUENCE, send(2, 1, "new epoch must start at 0").result());
        assertEquals(SequencerResult.OK, send(2, 0, "b").result());
        assertEquals(SequencerResult.OK, send(2, 1, "c").result());
        assertEquals(List.of("0:a", "1:b", "2:c"), TestBatches.readAll(partition.log()));
    }

    @Test
    void stateSurvivesARestartBecauseItIsRebuiltFromTheLog() {
        start();
        assertEquals(SequencerResult.OK, send(3, 0, "a", "b").result());
        assertEquals(SequencerResult.OK, send(3, 2, "c").result());
        sequencer.close();
        released.releases.clear();

        start();
        final RecordingReleaseHandler.Release retry = send(3, 2, "c");
        assertEquals(SequencerResult.DUPLICATE, retry.result());
        assertEquals(2, retry.baseOffset());
        final RecordingReleaseHandler.Release next = send(3, 3, "d");
        assertEquals(SequencerResult.OK, next.result());
        assertEquals(3, next.baseOffset());
        assertEquals(2, next.groupSeq(), "group sequence continues after the restart");
    }

    @Test
    void sequenceNumbersWrapAtIntegerMax() {
        assertEquals(0, ProducerStateTable.nextSequence(Integer.MAX_VALUE));
        assertEquals(1, ProducerStateTable.lastSequence(Integer.MAX_VALUE, 3));
        final ProducerStateTable table = new ProducerStateTable();
        table.record(1, (short) 0, Integer.MAX_VALUE - 1, 2, 0, 0);
        assertEquals(SequencerResult.OK, table.check(1, (short) 0, 0, 1));
        assertEquals(SequencerResult.DUPLICATE, table.check(1, (short) 0, Integer.MAX_VALUE - 1, 2));
    }
}

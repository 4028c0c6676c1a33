package io.sequent.sequencer;

import io.sequent.codec.Batches;
import io.sequent.log.FlushPolicy;
import io.sequent.log.LogResult;
import io.sequent.log.SeqJournal;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group-sequence journal as the pipeline keeps it: one entry per journaled batch; "truncate every partition to
 * seq S" and "replay from seq S in order" through it; and its reconciliation with the logs after a crash that cost
 * either of them its tail.
 */
class GroupJournalTest {
    @TempDir
    Path dir;

    private Sequencer sequencer;

    @AfterEach
    void close() {
        if (null != sequencer) {
            sequencer.close();
        }
    }

    private Path journalDir() {
        return dir.resolve("journal");
    }

    private Sequencer launch(final ReleaseHandler handler) {
        if (null != sequencer) {
            sequencer.close();
        }
        sequencer = Sequencer.launch(new SequencerContext().threadingMode(ThreadingMode.INVOKER)
            .releaseHandler(handler).groupJournalDir(journalDir()).groupJournalEntriesPerFile(64));
        return sequencer;
    }

    private Partition[] openAll() {
        return new Partition[]{
            ReplicationSeamTest.open(sequencer, dir, "a", 0, FlushPolicy.BATCH),
            ReplicationSeamTest.open(sequencer, dir, "b", 0, FlushPolicy.BATCH),
            ReplicationSeamTest.open(sequencer, dir, "b", 1, FlushPolicy.BATCH)};
    }

    /** Writes n batches round-robin over the partitions; batch i holds "v" + i. */
    private void write(final Partition[] partitions, final int from, final int to) {
        for (int i = from; i < to; i++) {
            ReplicationSeamTest.offer(sequencer, partitions[i % partitions.length], "v" + i, i);
        }
        ReplicationSeamTest.drain(sequencer);
    }

    /** (seq, partition, value) of every batch, replayed in seq order from {@code seq}. */
    private List<String> replay(final long seq) {
        final List<String> out = new ArrayList<>();
        try (GroupLogReader reader = sequencer.newGroupLogReader().seek(seq)) {
            while (reader.next()) {
                final io.sequent.codec.BatchReader records = new io.sequent.codec.BatchReader();
                assertEquals(0, records.wrap(reader.buffer(), reader.offset(), reader.length()));
                assertEquals(reader.seq(), Batches.groupSeq(reader.buffer(), reader.offset()));
                assertTrue(records.next());
                out.add(reader.seq() + ":" + reader.partition() + ":" +
                    new String(records.valueBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static List<String> expected(final int from, final int to, final String... names) {
        final List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i + ":" + names[i % names.length] + ":v" + i);
        }
        return out;
    }

    @Test
    void replayFromASeqReadsEveryBatchInSeqOrderAcrossPartitions() {
        launch(ReleaseHandler.NONE);
        final Partition[] partitions = openAll();
        write(partitions, 0, 40);
        assertEquals(expected(17, 40, "a-0", "b-0", "b-1"), replay(17));
        assertEquals(expected(0, 40, "a-0", "b-0", "b-1"), replay(-5));
        assertEquals(List.of(), replay(40));
        assertEquals(39, sequencer.lastSeq());
    }

    @Test
    void truncateToASeqCutsEveryPartitionAndTheGroupSequenceGoesOnFromThere() {
        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        launch(released);
        Partition[] partitions = openAll();
        write(partitions, 0, 30);
        assertEquals(LogResult.OK, sequencer.truncateTo(19));
        assertEquals(19, sequencer.lastSeq());
        assertEquals(19, sequencer.journaledSeq());
        assertEquals(expected(0, 20, "a-0", "b-0", "b-1"), replay(0));
        // partition a held seqs 0, 3, ..., 18 (offsets 0..6), b-0 1..19 (0..6), b-1 2..17 (0..5)
        assertEquals(7, partitions[0].log().nextOffset());
        assertEquals(7, partitions[1].log().nextOffset());
        assertEquals(6, partitions[2].log().nextOffset());

        write(partitions, 20, 26);
        assertEquals(20, released.byCorrelation(20).groupSeq(), "the group sequence resumes after the cut");
        assertEquals(6, released.byCorrelation(20).baseOffset(), "b-1's offsets resume at its new end");
        assertEquals(expected(0, 26, "a-0", "b-0", "b-1"), replay(0));

        // and all of it survives a restart
        launch(ReleaseHandler.NONE);
        partitions = openAll();
        write(partitions, 26, 27);
        assertEquals(expected(0, 27, "a-0", "b-0", "b-1"), replay(0));
        assertEquals(26, sequencer.lastSeq());
    }

    @Test
    void truncateNeedsAnIdlePipelineAndDropsAnIdempotentProducersLaterBatches() {
        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        launch(released);
        final Partition a = ReplicationSeamTest.open(sequencer, dir, "a", 0, FlushPolicy.BATCH);
        for (int i = 0; i < 4; i++) {
            final UnsafeBuffer batch = TestBatches.batch(7, (short) 0, i, "p" + i);
            sequencer.offer(a, batch, 0, batch.capacity(), Acks.ALL, 1, i);
        }
        final UnsafeBuffer pending = TestBatches.batch("x");
        sequencer.offer(a, pending, 0, pending.capacity(), Acks.ALL, 1, 99);
        assertThrows(IllegalStateException.class, () -> sequencer.truncateTo(1));
        ReplicationSeamTest.drain(sequencer);
        assertEquals(LogResult.OK, sequencer.truncateTo(1));
        // the producer's batches 2 and 3 are gone: sending 2 again is not a duplicate but the next batch
        final UnsafeBuffer again = TestBatches.batch(7, (short) 0, 2, "p2-again");
        sequencer.offer(a, again, 0, again.capacity(), Acks.ALL, 1, 100);
        ReplicationSeamTest.drain(sequencer);
        assertEquals(SequencerResult.OK, released.byCorrelation(100).result());
        assertEquals(2, released.byCorrelation(100).baseOffset());
        assertEquals(2, released.byCorrelation(100).groupSeq());
        assertEquals(List.of("0:p0", "1:p1", "2:p2-again"), TestBatches.readAll(a.log()));
    }

    @Test
    void aLostJournalIsRebuiltFromTheLogsAtStart() throws IOException {
        launch(ReleaseHandler.NONE);
        write(openAll(), 0, 100);
        sequencer.close();
        sequencer = null;
        deleteRecursively(journalDir());
        launch(ReleaseHandler.NONE);
        final Partition[] partitions = openAll();
        write(partitions, 100, 101);
        assertEquals(expected(0, 101, "a-0", "b-0", "b-1"), replay(0));
    }

    @Test
    void aJournalTailLostWhileTheLogsKeptTheirsIsRebuilt() throws IOException {
        launch(ReleaseHandler.NONE);
        write(openAll(), 0, 50);
        sequencer.close();
        sequencer = null;
        // keep 30 entries: zero the rest of the first file and drop the second, as a crash before their force
        try (SeqJournal journal = SeqJournal.open(journalDir(), 64)) {
            assertEquals(20, journal.truncateAfter(29));
        }
        launch(ReleaseHandler.NONE);
        write(openAll(), 50, 52);
        assertEquals(expected(0, 52, "a-0", "b-0", "b-1"), replay(0));
    }

    @Test
    void entriesWhoseBatchesALogLostAreDroppedAtStart() {
        launch(ReleaseHandler.NONE);
        Partition[] partitions = openAll();
        write(partitions, 0, 30);
        // b-0 loses its batches from offset 6 (seq 19) on, as a log can lose an unforced tail
        assertEquals(LogResult.OK, partitions[1].log().truncateTo(6));
        sequencer.close();
        sequencer = null;
        launch(ReleaseHandler.NONE);
        partitions = openAll();
        write(partitions, 30, 31);
        final List<String> want = expected(0, 19, "a-0", "b-0", "b-1");
        want.add("20:b-1:v20");
        for (int i = 21; i < 30; i++) {
            if (i % 3 != 1) {
                want.add(i + ":" + (i % 3 == 0 ? "a-0" : "b-1") + ":v" + i);
            }
        }
        want.add("30:a-0:v30");
        assertEquals(want, replay(0), "the journal keeps what the logs hold, with the hole b-0 left");
    }

    @Test
    void aReplicaGroupMembersLogIsCutBackToTheHeldPrefixBeforeItsEndOrDurablePositionIsReported() {
        launch(ReleaseHandler.NONE);
        Partition[] partitions = openAll();
        write(partitions, 0, 30);
        // b-0 loses its batches from offset 6 (seq 19) on, as a power cut costs a log the tail the journal kept
        assertEquals(LogResult.OK, partitions[1].log().truncateTo(6));
        sequencer.close();
        final ReplicationSeamTest.RecordingListener listener = new ReplicationSeamTest.RecordingListener();
        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        sequencer = Sequencer.launch(new SequencerContext().threadingMode(ThreadingMode.INVOKER)
            .releaseHandler(released).journalListener(listener).groupJournalDir(journalDir())
            .errorHandler(Throwable::printStackTrace)
            .groupJournalEntriesPerFile(64));
        partitions = openAll();
        for (int i = 0; i < 10; i++) {
            sequencer.invoker().invoke();
        }
        assertEquals(List.of(), listener.durable, "nothing is reported durable before the journal meets the logs");

        sequencer.reconcileJournal(true);
        assertEquals(18, sequencer.lastSeq(), "the log ends below the first batch a log lost, not at 29");
        sequencer.invoker().invoke();
        assertEquals(List.of(18L), listener.durable);
        assertEquals(expected(0, 19, "a-0", "b-0", "b-1"), replay(0), "a prefix: no batch above the hole");
        assertEquals(7, partitions[0].log().nextOffset());
        assertEquals(6, partitions[1].log().nextOffset());
        assertEquals(6, partitions[2].log().nextOffset());

        // the leader's batch 19 (b-0, offset 6) follows on, and so do this member's own batches afterwards
        final UnsafeBuffer fromLeader = TestBatches.batch("v19-again");
        Batches.stamp(fromLeader, 0, 6, 19, 0);
        assertTrue(sequencer.offerStamped(partitions[1], fromLeader, 0, fromLeader.capacity()) >= 0);
        ReplicationSeamTest.drain(sequencer);
        assertEquals(19, sequencer.lastSeq());
        ReplicationSeamTest.offer(sequencer, partitions[2], "own", 77);
        ReplicationSeamTest.drain(sequencer);
        assertEquals(SequencerResult.OK, released.byCorrelation(77).result());
        assertEquals(20, released.byCorrelation(77).groupSeq());
        assertEquals(6, released.byCorrelation(77).baseOffset(), "b-1's offsets resume where it was cut");
        assertEquals(List.of(18L, 19L, 20L), listener.durable);
        sequencer.reconcileJournal(true);
        assertEquals(20, sequencer.lastSeq(), "a second reconcile changes nothing");
    }

    @Test
    void aHeldPrefixCutAlsoDropsBatchesTheJournalNeverNamed() throws IOException {
        launch(ReleaseHandler.NONE);
        Partition[] partitions = openAll();
        write(partitions, 0, 30);
        assertEquals(LogResult.OK, partitions[1].log().truncateTo(6)); // b-0 from seq 19 on
        sequencer.close();
        sequencer = null;
        try (SeqJournal journal = SeqJournal.open(journalDir(), 64)) {
            journal.truncateAfter(24); // and the journal lost its entries above 24, while a-0 and b-1 kept theirs
        }
        launch(ReleaseHandler.NONE);
        partitions = openAll();
        sequencer.reconcileJournal(true);
        assertEquals(18, sequencer.lastSeq());
        assertEquals(expected(0, 19, "a-0", "b-0", "b-1"), replay(0));
        assertEquals(7, partitions[0].log().nextOffset());
        assertEquals(6, partitions[2].log().nextOffset());
    }

    @Test
    void theEpochResumesAtTheHighestHeldAndATruncationTakesItBackToTheCut() {
        final RecordingReleaseHandler released = new RecordingReleaseHandler();
        launch(released);
        Partition[] partitions = openAll();
        write(partitions, 0, 3);
        sequencer.leaderEpoch(3);
        ReplicationSeamTest.offer(sequencer, partitions[1], "e3", 3);
        ReplicationSeamTest.drain(sequencer);
        launch(released);
        partitions = openAll();
        // a-0 holds only epoch 0, but b-0 holds epoch 3: a's next batch is stamped 3, and so accepted
        ReplicationSeamTest.offer(sequencer, partitions[0], "after", 4);
        ReplicationSeamTest.drain(sequencer);
        assertEquals(SequencerResult.OK, released.byCorrelation(4).result());
        assertEquals(3, sequencer.lastEpoch());
        assertEquals(4, sequencer.lastSeq());

        // cut back to seq 2 (epoch 0): a follower may now take the leader's epoch-1 batch after it
        assertEquals(LogResult.OK, sequencer.truncateTo(2));
        assertEquals(0, sequencer.lastEpoch());
        final UnsafeBuffer batch = TestBatches.batch("from-leader");
        Batches.stamp(batch, 0, partitions[0].log().nextOffset(), 3, 1);
        assertTrue(sequencer.offerStamped(partitions[0], batch, 0, batch.capacity()) >= 0);
        ReplicationSeamTest.drain(sequencer);
        assertEquals(3, sequencer.lastSeq());
        assertEquals(1, sequencer.lastEpoch());
        assertEquals(List.of("0:v0", "1:from-leader"), TestBatches.readAll(partitions[0].log()));
    }

    private static void deleteRecursively(final Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

package io.sequent.sequencer;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.ByteBuffer;

/**
 * The pipeline's counters, allocated in a {@link CountersManager} so that another process can read
 * them when the manager sits on a shared file. Each counter has one writer stage, named below.
 */
public final class SequencerCounters implements AutoCloseable {
    /** Batches appended to a log (journal stage). */
    public final AtomicCounter batchesAppended;
    /** Records appended to a log (journal stage). */
    public final AtomicCounter recordsAppended;
    /** Producer retries recognised as duplicates (sequence stage). */
    public final AtomicCounter duplicates;
    /** Batches rejected as corrupt or out of sequence (sequence stage). */
    public final AtomicCounter rejected;
    /** Appends or flushes that failed (journal stage). */
    public final AtomicCounter storageErrors;
    /** Offers refused because the ring was full (ingress thread). */
    public final AtomicCounter backPressured;
    /** Times the replication sink pushed back (replicate stage). */
    public final AtomicCounter replicationBackPressure;
    /** Unexpected exceptions caught in any stage (any stage; atomic increments). */
    public final AtomicCounter internalErrors;

    /** Counters in a private on-heap manager. */
    public static SequencerCounters onHeap() {
        final UnsafeBuffer metadata = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        final UnsafeBuffer values = new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024));
        return new SequencerCounters(new CountersManager(metadata, values));
    }

    public SequencerCounters(final CountersManager manager) {
        batchesAppended = manager.newCounter("sequencer: batches appended");
        recordsAppended = manager.newCounter("sequencer: records appended");
        duplicates = manager.newCounter("sequencer: duplicate batches");
        rejected = manager.newCounter("sequencer: rejected batches");
        storageErrors = manager.newCounter("sequencer: storage errors");
        backPressured = manager.newCounter("sequencer: back-pressured offers");
        replicationBackPressure = manager.newCounter("sequencer: replication back-pressure");
        internalErrors = manager.newCounter("sequencer: internal errors");
    }

    @Override
    public void close() {
        batchesAppended.close();
        recordsAppended.close();
        duplicates.close();
        rejected.close();
        storageErrors.close();
        backPressured.close();
        replicationBackPressure.close();
        internalErrors.close();
    }
}

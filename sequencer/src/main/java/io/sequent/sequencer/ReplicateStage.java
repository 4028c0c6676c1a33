package io.sequent.sequencer;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Stage 2b: ships each batch to the {@link ReplicationSink} once the journal has appended it, while the
 * journal's force is still to come. It follows the journal's per-batch sequence, so it reads each batch's final
 * result: one the journal failed or voided is never shipped. A sink that pushes back leaves the batch
 * unconsumed and it is offered again next duty cycle. Batches a follower appends (already stamped) are not
 * shipped.
 */
final class ReplicateStage implements Agent, StagePoller.Handler {
    private final StagePoller poller;
    private final AtomicBuffer data;
    private final ReplicationSink sink;
    private final ErrorHandler errorHandler;
    private final SequencerCounters counters;
    private long lastShipped = BatchEvent.NO_GROUP_SEQ;
    private boolean shippedThisPoll;

    ReplicateStage(
        final StagePoller poller,
        final AtomicBuffer data,
        final ReplicationSink sink,
        final ErrorHandler errorHandler,
        final SequencerCounters counters) {
        this.poller = poller;
        this.data = data;
        this.sink = sink;
        this.errorHandler = errorHandler;
        this.counters = counters;
    }

    @Override
    public int doWork() {
        return poller.poll(this);
    }

    @Override
    public String roleName() {
        return "sequencer-replicate";
    }

    @Override
    public boolean onEvent(final BatchEvent event, final long sequence) {
        if (event.result != SequencerResult.OK || event.stamped) {
            return true;
        }
        try {
            final Partition partition = event.partition;
            if (!sink.offer(data, event.dataOffset, event.length, partition.topicId(), partition.partitionId(),
                event.epoch, event.groupSeq)) {
                counters.replicationBackPressure.incrementRelease();
                return false;
            }
        } catch (final Throwable ex) {
            counters.internalErrors.increment();
            errorHandler.onError(ex);
            return false;
        }
        lastShipped = event.groupSeq;
        shippedThisPoll = true;
        return true;
    }

    @Override
    public void onBatchEnd() {
        if (shippedThisPoll) {
            shippedThisPoll = false;
            try {
                sink.onBatchEnd(lastShipped);
            } catch (final Throwable ex) {
                counters.internalErrors.increment();
                errorHandler.onError(ex);
            }
        }
    }
}

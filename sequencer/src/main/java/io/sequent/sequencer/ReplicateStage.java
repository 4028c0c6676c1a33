package io.sequent.sequencer;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Stage 2b, in parallel with the journal: offers each stamped batch to the {@link ReplicationSink}.
 * A sink that pushes back leaves the batch unconsumed and it is offered again next duty cycle.
 */
final class ReplicateStage implements Agent, StagePoller.Handler {
    private final StagePoller poller;
    private final AtomicBuffer data;
    private final ReplicationSink sink;
    private final ErrorHandler errorHandler;
    private final SequencerCounters counters;

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
        if (event.result != SequencerResult.OK) {
            return true;
        }
        try {
            if (!sink.offer(data, event.dataOffset, event.length, event.groupSeq)) {
                counters.replicationBackPressure.incrementRelease();
                return false;
            }
        } catch (final Throwable ex) {
            counters.internalErrors.increment();
            errorHandler.onError(ex);
            return false;
        }
        return true;
    }
}

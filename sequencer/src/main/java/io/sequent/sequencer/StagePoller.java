package io.sequent.sequencer;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.util.Util;

/**
 * Pull-mode consumer of the sequencer ring for one stage, driven from an agent's {@code doWork()}.
 *
 * <p>It works like the Disruptor's {@code EventPoller} with one difference that the pipeline needs:
 * a handler that returns {@code false} leaves that event unconsumed, so a stage can wait on an
 * event (release waiting for the commit position, replication under back-pressure) and retry it on
 * the next duty cycle. The stage's sequence is published once per poll, after
 * {@link Handler#onBatchEnd()}, so downstream stages and producers see a whole batch at once.
 */
final class StagePoller {
    /** Callback for the events of one poll. */
    interface Handler {
        /**
         * @return true when the event is consumed; false to stop the poll and see it again next time.
         */
        boolean onEvent(BatchEvent event, long sequence);

        /** Called after a poll that consumed at least one event, before the stage's sequence moves. */
        default void onBatchEnd() {
        }
    }

    private final RingBuffer<BatchEvent> ring;
    private final Sequence[] dependencies;
    private final Sequence sequence = new Sequence(RingBuffer.INITIAL_CURSOR_VALUE);
    private final boolean publishEachEvent;

    /**
     * @param dependencies the stages this one follows; none means it follows the publisher.
     */
    StagePoller(final RingBuffer<BatchEvent> ring, final Sequence... dependencies) {
        this(false, ring, dependencies);
    }

    /**
     * @param publishEachEvent publish the stage's sequence after every consumed event as well as after the poll, so
     *                         that a stage following this one sees each event as soon as it is handled (the journal's
     *                         appends, which the replicator follows while the journal forces at the end of the poll).
     * @param dependencies     the stages this one follows; none means it follows the publisher.
     */
    StagePoller(final boolean publishEachEvent, final RingBuffer<BatchEvent> ring, final Sequence... dependencies) {
        this.ring = ring;
        this.dependencies = dependencies;
        this.publishEachEvent = publishEachEvent;
    }

    Sequence sequence() {
        return sequence;
    }

    /**
     * Hands the available events to the handler in order.
     *
     * @return the number of events consumed.
     */
    int poll(final Handler handler) {
        final long available = dependencies.length == 0 ? ring.getCursor() : Util.getMinimumSequence(dependencies);
        long processed = sequence.get();
        long next = processed + 1;
        int count = 0;
        while (next <= available) {
            if (!handler.onEvent(ring.get(next), next)) {
                break;
            }
            processed = next++;
            count++;
            if (publishEachEvent) {
                sequence.set(processed);
            }
        }
        if (count > 0) {
            handler.onBatchEnd();
            sequence.set(processed);
        }
        return count;
    }

    /** True when this stage has consumed everything published so far. */
    int bufferSize() {
        return ring.getBufferSize();
    }

    boolean isCaughtUp() {
        return sequence.get() == ring.getCursor();
    }
}

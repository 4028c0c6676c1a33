package io.sequent.broker;

import io.sequent.sequencer.Acks;
import io.sequent.sequencer.BatchEvent;
import io.sequent.sequencer.Sequencer;
import io.sequent.sequencer.SequencerResult;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The entry through which threads other than the ingress (the admin thread: metadata log, group coordinator) write
 * batches to internal partitions through the sequencer, whose {@link Sequencer#offer} has one caller.
 *
 * <pre>
 *   admin: metadata, offsets --offer(InternalAppend)-->  [ManyToOneConcurrentArrayQueue]
 *   ingress, top of doWork   --drain()------------------> Sequencer.offer(acks=all, session = SESSION_ID,
 *                                                                          correlation = in-flight slot)
 *   release stage            --onRelease(event)---------> inFlight[slot].complete(result, baseOffset)
 *   submitter                polls InternalAppend.isDone()
 * </pre>
 *
 * <p>This is the broker's control-queue pattern: any number of threads offer; the ingress drains the queue at
 * the top of its duty cycle, so the sequencer keeps its single offering thread. Batches enter the ring in the
 * order they were queued; one refused with {@code BACK_PRESSURED} is kept and offered again on the next cycle
 * before anything behind it. Every batch is offered as acks=all, so its submitter learns of it only once it is
 * committed (on one node: durable in the journal per the partition's flush policy).
 *
 * <p>Writers: {@link #offer} any thread; {@link #drain} the ingress thread only (the launching thread before the
 * ingress starts); the in-flight slots are written by the ingress only, and a slot is reused only once its
 * append is done; {@link #onRelease} runs on the release stage and only reads a slot and completes its append.
 */
final class InternalAppender {
    /** The session id that marks an internal batch on the release stage (no client session has it). */
    static final long SESSION_ID = Long.MIN_VALUE;
    static final int QUEUE_CAPACITY = 1024;
    static final int IN_FLIGHT = 256;

    private final ManyToOneConcurrentArrayQueue<InternalAppend> queue =
        new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final AtomicReferenceArray<InternalAppend> inFlight = new AtomicReferenceArray<>(IN_FLIGHT);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private InternalAppend head;
    private int nextSlot;

    /**
     * Queues a batch for the sequencer. Any thread.
     *
     * @return false when the queue is full: offer again later.
     */
    boolean offer(final InternalAppend append) {
        return queue.offer(append);
    }

    /**
     * Offers queued batches to the sequencer, in order, until it pushes back. Ingress thread.
     *
     * @return the number of batches offered or refused.
     */
    int drain(final Sequencer sequencer) {
        return drain(sequencer, true);
    }

    /**
     * As {@link #drain(Sequencer)}; while this member does not lead ({@code writable} false) every queued append is
     * completed {@link SequencerResult#CLOSED} (answered NOT_LEADER) without entering the ring.
     */
    int drain(final Sequencer sequencer, final boolean writable) {
        int work = 0;
        while (true) {
            final InternalAppend append = null != head ? head : queue.poll();
            if (null == append) {
                return work;
            }
            if (!writable) {
                head = null;
                append.complete(SequencerResult.CLOSED, -1);
                work++;
                continue;
            }
            head = append;
            final int slot = freeSlot();
            if (slot < 0) {
                return work;
            }
            view.wrap(append.batch);
            final long result = sequencer.offer(
                append.partition, view, 0, append.batch.length, Acks.ALL, SESSION_ID, slot);
            if (result == SequencerResult.BACK_PRESSURED) {
                inFlight.lazySet(slot, null);
                return work;
            }
            head = null;
            work++;
            if (result < 0) {
                inFlight.lazySet(slot, null);
                append.complete((int) result, -1);
            }
        }
    }

    /** Claims a slot whose append is done (or empty) for the head append; -1 when all are in flight. */
    private int freeSlot() {
        for (int i = 0; i < IN_FLIGHT; i++) {
            final int slot = (nextSlot + i) & (IN_FLIGHT - 1);
            final InternalAppend current = inFlight.get(slot);
            if (null == current || current.isDone()) {
                inFlight.set(slot, head);
                nextSlot = slot + 1;
                return slot;
            }
        }
        return -1;
    }

    /** Completes the append of a released internal batch. Release stage. */
    void onRelease(final BatchEvent event) {
        final InternalAppend append = inFlight.get((int) event.correlationId());
        if (null != append && append.partition == event.partition()) {
            final int result = event.result();
            append.complete(result == SequencerResult.DUPLICATE ? SequencerResult.OK : result,
                SequencerResult.isSuccess(result) ? event.baseOffset() : -1);
        }
    }
}

package io.sequent.broker;

import io.sequent.sequencer.Sequencer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * Copies the sequencer's positions into the broker's counters every {@value #INTERVAL_MS} ms, so that the counters
 * file ({@code sequent stat}) and the metrics show them: the ring sequence of the last batch offered, the group
 * sequence durable in the journal and the committed one (with a replica group of one, the journal's).
 *
 * <p>Runs on the admin thread, composed with the {@link AdminAgent}; reads the sequencer's positions, which any
 * thread may read, and writes the three position counters with release semantics.
 */
final class PositionSampler implements Agent {
    static final long INTERVAL_MS = 100;

    private final Sequencer sequencer;
    private final BrokerCounters counters;
    private final NanoClock clock;
    private long nextSampleNs;

    PositionSampler(final Sequencer sequencer, final BrokerCounters counters, final NanoClock clock) {
        this.sequencer = sequencer;
        this.counters = counters;
        this.clock = clock;
    }

    @Override
    public int doWork() {
        final long nowNs = clock.nanoTime();
        if (nowNs - nextSampleNs < 0) {
            return 0;
        }
        nextSampleNs = nowNs + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
        counters.sequencerPosition.setRelease(sequencer.lastOfferedSequence());
        final long journaled = sequencer.journaledSeq();
        counters.journalPosition.setRelease(journaled);
        counters.commitPosition.setRelease(journaled);
        return 0;
    }

    @Override
    public String roleName() {
        return "sequent-positions";
    }
}

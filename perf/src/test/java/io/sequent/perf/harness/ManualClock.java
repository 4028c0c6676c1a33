package io.sequent.perf.harness;

/** A clock that only moves when told to, or when someone waits for a later moment (waiting is instant). */
final class ManualClock implements NanoClock {
    private long now = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void sleepUntil(final long deadlineNs) {
        now = Math.max(now, deadlineNs);
    }

    synchronized void advance(final long nanos) {
        now += nanos;
    }
}

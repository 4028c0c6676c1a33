package io.sequent.sequencer;

import java.util.ArrayList;
import java.util.List;

/** Remembers every release, in order, as copies. */
final class RecordingReleaseHandler implements ReleaseHandler {
    record Release(long correlationId, int result, long baseOffset, long groupSeq, String partition) {
    }

    final List<Release> releases = new ArrayList<>();

    @Override
    public synchronized void onRelease(final BatchEvent event) {
        releases.add(new Release(
            event.correlationId(), event.result(), event.baseOffset(), event.groupSeq(), event.partition().toString()));
    }

    synchronized List<Release> snapshot() {
        return List.copyOf(releases);
    }

    synchronized Release byCorrelation(final long correlationId) {
        for (final Release release : releases) {
            if (release.correlationId() == correlationId) {
                return release;
            }
        }
        return null;
    }
}

package io.sequent.sequencer;

/**
 * Completes produce requests: called on the release stage's thread once a batch's outcome is final
 * for the acks it asked for (acks=1: durable in the leader's journal per the flush policy;
 * acks=all: committed; a rejected batch: at once). Never called for acks=0. The event is valid only
 * during the call; copy out what is needed.
 */
@FunctionalInterface
public interface ReleaseHandler {
    ReleaseHandler NONE = event -> {
    };

    void onRelease(BatchEvent event);
}

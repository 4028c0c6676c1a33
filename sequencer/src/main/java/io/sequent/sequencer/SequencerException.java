package io.sequent.sequencer;

/** A cold-path failure of the sequencer: bad configuration. */
public class SequencerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SequencerException(final String message) {
        super(message);
    }
}

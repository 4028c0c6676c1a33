package io.sequent.sequencer;

/** A cold-path failure of the sequencer: bad configuration, or a partition that cannot be opened. */
public class SequencerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SequencerException(final String message) {
        super(message);
    }

    public SequencerException(final String message, final Throwable cause) {
        super(message, cause);
    }
}

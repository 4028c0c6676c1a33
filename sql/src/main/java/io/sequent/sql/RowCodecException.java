package io.sequent.sql;

/** A record whose bytes do not match its source's declared columns and format. */
public final class RowCodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RowCodecException(final String message) {
        super(message);
    }

    public RowCodecException(final String message, final Throwable cause) {
        super(message, cause);
    }
}

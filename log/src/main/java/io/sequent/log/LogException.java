package io.sequent.log;

/**
 * The log module's unchecked exception for cold paths (open, configuration, close). Hot paths never throw: they
 * return a {@link LogResult} code. {@link #code()} carries the matching {@link LogResult} constant so a caller
 * can react without parsing the message.
 */
public class LogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * @param code    a {@link LogResult} code.
     * @param message what went wrong, naming the file, key or value involved.
     */
    public LogException(final int code, final String message) {
        super(message);
        this.code = code;
    }

    /**
     * @param code    a {@link LogResult} code.
     * @param message what went wrong, naming the file, key or value involved.
     * @param cause   the underlying exception.
     */
    public LogException(final int code, final String message, final Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * @return the {@link LogResult} code of the failure.
     */
    public int code() {
        return code;
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + LogResult.name(code) + "]: " + getMessage();
    }
}

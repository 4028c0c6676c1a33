package io.sequent.replica;

/**
 * The replica module's unchecked exception, for cold paths only (configuration). The protocol's hot paths never
 * throw: they return negative result codes ({@link ReplicaNode#NOT_LEADER} and friends).
 */
public class ReplicaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the setting and value involved.
     */
    public ReplicaException(final String message) {
        super(message);
    }
}

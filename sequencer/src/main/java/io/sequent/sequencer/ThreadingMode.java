package io.sequent.sequencer;

/**
 * How the pipeline's four stages map onto threads.
 */
public enum ThreadingMode {
    /** One thread per stage; for machines with a core to spare for each. */
    DEDICATED,
    /** All stages composed onto one thread; the default on machines with four cores or fewer. */
    SHARED,
    /** No threads: the caller steps the stages through {@link Sequencer#invoker()} (deterministic tests). */
    INVOKER;

    /** SHARED on small machines (threads would outnumber cores), DEDICATED otherwise. */
    public static ThreadingMode forCores(final int cores) {
        return cores <= 4 ? SHARED : DEDICATED;
    }
}

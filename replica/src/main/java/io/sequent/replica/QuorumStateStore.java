package io.sequent.replica;

/**
 * The persistent quorum state of a member: {@code (currentEpoch, votedFor)}. The protocol calls {@link #store}
 * before it grants a vote, stands as a candidate or acts in a new epoch, and relies on the pair being durable
 * when the call returns (a small file written and fsync'd: a cold path, once per election at most).
 */
public interface QuorumStateStore {
    /**
     * @return the last stored epoch, 0 for a new member.
     */
    int epoch();

    /**
     * @return the member voted for in {@link #epoch()}, -1 for none.
     */
    int votedFor();

    /**
     * Stores the pair durably before returning.
     *
     * @param epoch    the current epoch.
     * @param votedFor the member voted for in it, -1 for none.
     */
    void store(int epoch, int votedFor);
}

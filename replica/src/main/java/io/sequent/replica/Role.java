package io.sequent.replica;

/** The role of a member in its current epoch. */
public enum Role {
    /** Follows the leader of the current epoch, or waits for one (a pre-vote round is part of CANDIDATE). */
    FOLLOWER,
    /** Asks for votes: first a pre-vote round in the current epoch, then a real election in the next. */
    CANDIDATE,
    /** The single writer of the current epoch. */
    LEADER
}

/**
 * The replication protocol of a replica group as a pure, deterministic state machine: elections with pre-vote and
 * check-quorum, the leader's quorum commit, divergence truncation when a follower joins, catch-up replay and
 * leadership transfer. {@link io.sequent.replica.ReplicaNode} is the protocol; it owns no thread, clock, socket or
 * file. Its inputs are the replication messages ({@link io.sequent.replica.ReplicationHandler}, fed by
 * {@link io.sequent.replica.ReplicationAdapter} from SBE frames), the journal's progress
 * ({@code onAppended}/{@code onDurable}) and {@code doWork(nowNs)}; its outputs go through
 * {@link io.sequent.replica.MemberProxy} (one per destination member), {@link io.sequent.replica.ReplicaLog} and
 * {@link io.sequent.replica.QuorumStateStore}. See docs/replication.md.
 */
package io.sequent.replica;

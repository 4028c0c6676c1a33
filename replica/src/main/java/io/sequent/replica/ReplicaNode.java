package io.sequent.replica;

import java.util.random.RandomGenerator;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sequent.codec.replication.EpochStartEncoder;
import io.sequent.codec.replication.MessageHeaderEncoder;
import io.sequent.codec.replication.StepDownReason;

/**
 * One member of a replica group running the replication protocol (Raft applied to one group-wide log of batches,
 * see docs/replication.md) as a pure, deterministic state machine.
 *
 * <p>Inputs: the {@link ReplicationHandler} messages, the journal's progress ({@link #onAppended(long)},
 * {@link #onDurable(long)}), the leader's own writes ({@link #offer}), {@link #transferLeadership(int)} and
 * {@link #doWork(long)}, whose {@code nowNs} is the only clock the protocol sees (message handlers use the time of
 * the last duty cycle, as Aeron's agents cache their clock). Outputs: messages through one {@link MemberProxy} per
 * other member, {@link ReplicaLog} operations (append, truncate, read for replay) and {@link QuorumStateStore}
 * writes. Given the same inputs in the same order and the same random source, it produces the same outputs.
 *
 * <p>The rules, each tested: a follower that hears no leader for a random election timeout runs a pre-vote
 * (no state changes anywhere; refused while the voter hears a live leader); on a majority of pre-votes it stands
 * in epoch + 1, having stored {@code (epoch, self)}; a voter grants one vote per epoch, to a candidate whose log
 * end {@code (lastEpoch, lastSeq)} is at least its own, after storing the vote (a later epoch and the vote in one
 * store). A voter that refuses a candidate whose log is behind its own, and hears no live leader, runs its own
 * pre-vote at once (it is the better candidate; waiting for its own timer could cost up to another election
 * timeout); of two candidates with equal logs that split an epoch's votes, the lower id runs again at once. A
 * candidate asks the members that have not granted its (pre-)vote again every heartbeat interval. The winner
 * appends an {@code EpochStart} control batch and offers every batch to every follower; a follower that learns of
 * the leader sends {@code FollowerJoin}, truncates its divergent tail by the answer (again if its batch at the
 * divergence point is of an older epoch), then appends batches in seq order and acknowledges its durable seq. Gaps
 * and a lagging log end ask for a replay from the leader's log, which merges into the live stream. Commit is the
 * majority-th highest durable seq, never decreases, and moves only onto a batch of the current epoch. A leader
 * that hears from no majority for an election timeout steps down (check-quorum).
 *
 * <p>Allocation-free after construction. Not thread-safe: one thread (the replica agent's) calls every method.
 */
public final class ReplicaNode implements ReplicationHandler {
    /** {@link #offer}: this member is not the leader. */
    public static final long NOT_LEADER = -1;
    /** {@link #offer}: a leadership transfer is under way; writes wait for the new leader. */
    public static final long TRANSFERRING = -2;
    /** {@link #offer}: the log could not take the batch now. */
    public static final long BACK_PRESSURED = -3;
    /** Topic id of control batches ({@code EpochStart}). */
    public static final int CONTROL_TOPIC_ID = -1;
    /** Partition of control batches. */
    public static final int CONTROL_PARTITION = 0;
    /** No member. */
    public static final int NONE = -1;

    private final int memberId;
    private final int memberCount;
    private final int majority;
    private final long electionTimeoutNs;
    private final long heartbeatIntervalNs;
    private final int replayBatchLimit;
    private final RandomGenerator random;
    private final ReplicaLog log;
    private final QuorumStateStore store;
    private final MemberProxy[] members;
    private final FaultInjection faults;
    private final boolean externalAppends;

    private final FollowerProgress followers;
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[64]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EpochStartEncoder epochStartEncoder = new EpochStartEncoder();

    private Role role = Role.FOLLOWER;
    private int epoch;
    private int votedFor;
    private int leaderId = NONE;
    private boolean preVote;
    private int votes;
    private int answered;
    private int lastAnswered;
    private long nextVoteRequestNs;
    private boolean joined;
    private long nextJoinNs;
    private long nextReplayRequestNs;
    private long replayAwaitedSeq;
    private long replayRequests;
    private long lastLeaderContactNs;
    private long lastActivityNs;
    private long timeoutNs;
    private long heartbeatDeadlineNs;
    private long checkQuorumDeadlineNs;
    private long epochStartSeq = Long.MAX_VALUE;
    private long commitSeq;
    private long appendedSeq;
    private long durableSeq;
    private int transferTargetId = NONE;
    private long transferDeadlineNs;
    private long nextTransferNs;
    private long nowNs;
    private boolean started;
    private long electionsStarted;
    private long leadershipsWon;

    /**
     * A member recovering its state: the quorum state from the store, the log as recovered (everything in it is
     * durable). Starts as a follower with no known leader and commit 0; learns the commit seq from the leader.
     *
     * @param ctx the settings, {@link ReplicaContext#conclude() concluded} here.
     */
    public ReplicaNode(final ReplicaContext ctx) {
        this(ctx, FaultInjection.NONE);
    }

    ReplicaNode(final ReplicaContext ctx, final FaultInjection faults) {
        ctx.conclude();
        this.faults = faults;
        memberId = ctx.memberId();
        memberCount = ctx.memberCount();
        majority = Quorum.majority(memberCount);
        electionTimeoutNs = ctx.electionTimeoutNs();
        heartbeatIntervalNs = ctx.heartbeatIntervalNs();
        replayBatchLimit = ctx.replayBatchLimit();
        random = ctx.random();
        log = ctx.log();
        store = ctx.quorumStateStore();
        members = ctx.members();
        externalAppends = ctx.externalAppends();
        followers = new FollowerProgress(memberId, memberCount);
        epoch = store.epoch();
        votedFor = store.votedFor();
        appendedSeq = log.lastSeq();
        durableSeq = appendedSeq;
    }

    /**
     * The duty cycle: election timers, the leader's heartbeats, check-quorum, replay and transfer.
     *
     * @param nowNs the current time, monotonic.
     * @return work done, 0 when idle.
     */
    public int doWork(final long nowNs) {
        this.nowNs = nowNs;
        if (!started) {
            started = true;
            lastLeaderContactNs = nowNs - 2 * electionTimeoutNs;
            resetElectionTimer();
        }
        int work = 0;
        switch (role) {
            case FOLLOWER:
                if (nowNs - lastActivityNs >= timeoutNs || 1 == majority) {
                    startPreVote();
                    work++;
                } else if (NONE != leaderId && !joined && nowNs >= nextJoinNs) {
                    sendJoin();
                    work++;
                }
                break;
            case CANDIDATE:
                if (nowNs - lastActivityNs >= timeoutNs) {
                    startPreVote();
                    work++;
                } else if (nowNs >= nextVoteRequestNs) {
                    // asked again every heartbeat interval: a voter that still heard the old leader may not now
                    requestVotes(preVote ? epoch + 1 : epoch, preVote);
                    work++;
                }
                break;
            case LEADER:
                work += leaderWork();
                break;
            default:
                break;
        }
        return work;
    }

    /**
     * The leader stamps and replicates a batch: appends it at {@code lastSeq + 1} in the current epoch and offers it
     * to every follower.
     *
     * @param topicId   catalog id of the topic.
     * @param partition partition.
     * @param buffer    holding the batch bytes.
     * @param offset    of the first byte.
     * @param length    of the batch.
     * @return the seq given to the batch, or {@link #NOT_LEADER}, {@link #TRANSFERRING}, {@link #BACK_PRESSURED}.
     * @throws IllegalStateException with {@link ReplicaContext#externalAppends()}: the caller appends and ships.
     */
    public long offer(
        final int topicId, final int partition, final DirectBuffer buffer, final int offset, final int length) {
        if (externalAppends) {
            throw new IllegalStateException("externalAppends: the leader's batches are appended by the caller");
        }
        if (Role.LEADER != role) {
            return NOT_LEADER;
        }
        if (NONE != transferTargetId) {
            return TRANSFERRING;
        }
        final long seq = log.lastSeq() + 1;
        if (!log.append(epoch, seq, topicId, partition, buffer, offset, length)) {
            return BACK_PRESSURED;
        }
        for (int i = 0; i < memberCount; i++) {
            if (i != memberId) {
                members[i].replicatedBatch(epoch, memberId, commitSeq, epoch, seq, topicId, partition, buffer, offset,
                    length);
            }
        }
        return seq;
    }

    /**
     * @return true when this member is the leader and takes new writes (no leadership transfer under way): with
     * {@link ReplicaContext#externalAppends()} the caller stamps and ships a batch only while this holds.
     */
    public boolean isWritable() {
        return Role.LEADER == role && NONE == transferTargetId;
    }

    /**
     * The leader's log could not take one of its batches (a failed or voided append leaves its seq out of the log):
     * with {@link ReplicaContext#externalAppends()}, the leader steps down rather than ship anything after the gap,
     * so the seqs of one epoch stay dense in every log. The caller then cuts its log back to the last seq before
     * the gap. No effect on a member that is not the leader.
     */
    public void onAppendFailed() {
        if (Role.LEADER == role) {
            stepDown(StepDownReason.SHUTDOWN);
        }
    }

    /**
     * Asks the leader to hand leadership to {@code targetId} (rolling restarts): new writes are refused with
     * {@link #TRANSFERRING}; once the target's durable seq reaches the leader's log end the leader tells it to
     * start an election at once. Abandoned after one election timeout if that does not happen.
     *
     * @param targetId a follower.
     * @return false if this member is not the leader or the target is not another member.
     */
    public boolean transferLeadership(final int targetId) {
        if (Role.LEADER != role || targetId < 0 || targetId >= memberCount || targetId == memberId) {
            return false;
        }
        transferTargetId = targetId;
        transferDeadlineNs = nowNs + electionTimeoutNs;
        nextTransferNs = nowNs;
        return true;
    }

    /**
     * The journal has written every batch up to {@code seq} (not yet flushed).
     *
     * @param seq last seq written.
     */
    public void onAppended(final long seq) {
        final long s = Math.min(seq, log.lastSeq());
        if (s > appendedSeq) {
            appendedSeq = s;
            if (faults.commitOnAppended) {
                positionAdvanced();
            }
        }
    }

    /**
     * The journal has flushed every batch up to {@code seq}: they survive a crash.
     *
     * @param seq last seq flushed.
     */
    public void onDurable(final long seq) {
        final long s = Math.min(seq, log.lastSeq());
        if (s > durableSeq) {
            durableSeq = s;
            appendedSeq = Math.max(appendedSeq, s);
            if (!faults.commitOnAppended) {
                positionAdvanced();
            }
        }
    }

    /** {@inheritDoc} */
    public void onRequestVote(
        final int epoch, final int candidateId, final int lastEpoch, final long lastSeq, final boolean preVote) {
        if (!isOtherMember(candidateId)) {
            return;
        }
        final MemberProxy candidate = members[candidateId];
        final boolean upToDate = isUpToDate(lastEpoch, lastSeq);
        if (preVote) {
            final boolean granted = epoch > this.epoch && upToDate && !leaderIsAlive();
            candidate.vote(this.epoch, epoch, candidateId, memberId, true, granted);
            if (!upToDate && (Role.CANDIDATE != role || this.preVote || epoch > this.epoch)) {
                // (a candidate in a real election ignores a pre-vote for its own epoch or older: that member has
                // not heard of the election yet, and the request for its vote is on its way)
                standInstead(candidateId);
            }
            return;
        }
        if (epoch < this.epoch) {
            candidate.vote(this.epoch, epoch, candidateId, memberId, false, false);
            return;
        }
        boolean store = false;
        if (epoch > this.epoch) {
            // adopted and voted in one store: the pair on disk is what the answer below claims
            adoptEpoch(epoch);
            store = true;
        }
        final boolean granted = (NONE == votedFor || candidateId == votedFor) && upToDate;
        if (granted && candidateId != votedFor) {
            votedFor = candidateId;
            store = true;
            lastActivityNs = nowNs;
        }
        if (store) {
            persist();
        }
        candidate.vote(this.epoch, epoch, candidateId, memberId, false, granted);
        if (!upToDate) {
            standInstead(candidateId);
        } else if (!granted && Role.CANDIDATE == role && !this.preVote && memberId == votedFor &&
            memberId < candidateId && isSameLogEnd(lastEpoch, lastSeq)) {
            // a split vote between two candidates with equal logs: neither can win this epoch with the other's
            // vote; the lower id runs again at once, the other waits for its timer (and grants that pre-vote)
            startPreVote();
        }
    }

    /** {@inheritDoc} */
    public void onVote(
        final int epoch, final int candidateEpoch, final int candidateId, final int voterId, final boolean preVote,
        final boolean granted) {
        if (candidateId != memberId || !isOtherMember(voterId)) {
            return;
        }
        if (epoch > this.epoch) {
            becomeFollower(epoch, NONE);
            return;
        }
        if (Role.CANDIDATE != role || preVote != this.preVote ||
            candidateEpoch != (preVote ? this.epoch + 1 : this.epoch)) {
            return;
        }
        answered |= 1 << voterId;
        if (!granted) {
            return;
        }
        votes |= 1 << voterId;
        if (Integer.bitCount(votes) >= majority) {
            if (preVote) {
                startElection();
            } else {
                becomeLeader();
            }
        }
    }

    /** {@inheritDoc} */
    public void onReplicatedBatch(
        final int epoch, final int leaderId, final long commitSeq, final int batchEpoch, final long seq,
        final int topicId, final int partition, final DirectBuffer buffer, final int offset, final int length) {
        if (!followLeader(epoch, leaderId)) {
            return;
        }
        final long lastSeq = log.lastSeq();
        if (seq == lastSeq + 1) {
            if (batchEpoch <= epoch && batchEpoch >= log.epochOf(lastSeq) &&
                log.append(batchEpoch, seq, topicId, partition, buffer, offset, length)) {
                nextReplayRequestNs = nowNs + 2 * heartbeatIntervalNs;
            }
        } else if (seq > lastSeq + 1) {
            // A batch beyond a gap: the live stream lost one (an offer the transport refused). Ask at once, unless
            // a replay asked for earlier has not yet reached the batch that revealed its gap: then only after two
            // heartbeat intervals without progress. The commit waits on this follower until the gap is filled.
            final boolean newGap = lastSeq >= replayAwaitedSeq;
            if (newGap) {
                replayAwaitedSeq = seq;
            }
            requestReplay(newGap);
        }
        advanceFollowerCommit(commitSeq);
    }

    /** {@inheritDoc} */
    public void onHeartbeat(final int epoch, final int leaderId, final long commitSeq, final long lastSeq) {
        if (faults.ackBeforeJoin && epoch >= this.epoch && isOtherMember(leaderId) && Role.LEADER != role) {
            members[leaderId].appendPosition(epoch, memberId, ackSeq());
        }
        if (!followLeader(epoch, leaderId)) {
            return;
        }
        advanceFollowerCommit(commitSeq);
        if (log.lastSeq() < lastSeq) {
            requestReplay(false);
        }
        members[leaderId].appendPosition(this.epoch, memberId, ackSeq());
    }

    /** {@inheritDoc} */
    public void onNewLeader(final int epoch, final int leaderId, final long lastSeq, final long commitSeq) {
        followLeader(epoch, leaderId);
    }

    /**
     * Whether a follower's message of {@code epoch} from {@code memberId} is for this member as the leader of that
     * epoch; a later epoch makes this member a follower first. Not contact by itself: the caller decides.
     */
    private boolean isForThisLeader(final int epoch, final int memberId) {
        if (!isOtherMember(memberId)) {
            return false;
        }
        if (epoch > this.epoch) {
            becomeFollower(epoch, NONE);
            return false;
        }
        return Role.LEADER == role && epoch == this.epoch;
    }

    /** {@inheritDoc} */
    public void onAppendPosition(final int epoch, final int memberId, final long seq) {
        if (!isForThisLeader(epoch, memberId)) {
            return;
        }
        followers.heardFrom(memberId, nowNs);
        if (followers.acknowledged(memberId, Math.min(seq, log.lastSeq()))) {
            updateCommit();
        }
    }

    /** {@inheritDoc} */
    public void onFollowerJoin(final int epoch, final int memberId, final int lastEpoch, final long lastSeq) {
        if (!isForThisLeader(epoch, memberId)) {
            return;
        }
        followers.stopReplay(memberId);
        final long end = endOfEpochsUpTo(lastEpoch);
        final int truncateEpoch = log.epochOf(end);
        members[memberId].followerJoinResponse(
            this.epoch, this.memberId, memberId, Math.min(end, lastSeq), truncateEpoch, log.lastSeq(), commitSeq);
    }

    /** {@inheritDoc} */
    public void onFollowerJoinResponse(
        final int epoch, final int leaderId, final int memberId, final long truncateToSeq, final int truncateEpoch,
        final long leaderLastSeq, final long commitSeq) {
        if (memberId != this.memberId || epoch != this.epoch || leaderId != this.leaderId || Role.FOLLOWER != role ||
            joined) {
            return;
        }
        lastLeaderContactNs = nowNs;
        lastActivityNs = nowNs;
        long keep = Math.min(truncateToSeq, endOfEpochsUpTo(truncateEpoch));
        if (faults.truncateOneTooMany && keep > 0) {
            keep--;
        }
        if (keep < log.lastSeq()) {
            log.truncateTo(keep);
            durableSeq = Math.min(durableSeq, keep);
            appendedSeq = Math.min(appendedSeq, keep);
        }
        if (keep > 0 && log.epochOf(keep) != truncateEpoch) {
            sendJoin();
            return;
        }
        joined = true;
        advanceFollowerCommit(commitSeq);
        if (log.lastSeq() < leaderLastSeq) {
            requestReplay(true);
        }
        members[leaderId].appendPosition(epoch, this.memberId, ackSeq());
    }

    /** {@inheritDoc} */
    public void onReplayRequest(final int epoch, final int memberId, final long fromSeq, final long toSeq) {
        if (!isForThisLeader(epoch, memberId)) {
            return;
        }
        followers.heardFrom(memberId, nowNs);
        followers.startReplay(memberId, fromSeq, toSeq);
    }

    /** {@inheritDoc} */
    public void onStepDown(final int epoch, final int leaderId, final StepDownReason reason) {
        if (epoch == this.epoch && leaderId == this.leaderId && Role.FOLLOWER == role) {
            this.leaderId = NONE;
            joined = false;
            lastLeaderContactNs = nowNs - 2 * electionTimeoutNs;
            resetElectionTimer();
        }
    }

    /** {@inheritDoc} */
    public void onTransferLeadership(final int epoch, final int leaderId, final int targetId) {
        if (targetId == memberId && epoch == this.epoch && leaderId == this.leaderId && Role.FOLLOWER == role &&
            joined) {
            startElection();
        }
    }

    /**
     * @return this member's role.
     */
    public Role role() {
        return role;
    }

    /**
     * @return the current epoch.
     */
    public int epoch() {
        return epoch;
    }

    /**
     * @return the member voted for in the current epoch, {@link #NONE} for none.
     */
    public int votedFor() {
        return votedFor;
    }

    /**
     * @return the leader of the current epoch as far as this member knows, {@link #NONE} when unknown.
     */
    public int leaderId() {
        return leaderId;
    }

    /**
     * @return this member's id.
     */
    public int memberId() {
        return memberId;
    }

    /**
     * @return the highest seq known committed: every member derives each partition's high watermark from it.
     */
    public long commitSeq() {
        return commitSeq;
    }

    /**
     * @return the highest seq reported durable by the journal.
     */
    public long durableSeq() {
        return durableSeq;
    }

    /**
     * @return true when this follower's log is known to be a prefix of the current leader's.
     */
    public boolean isJoined() {
        return joined;
    }

    /**
     * @return the target of a leadership transfer under way, {@link #NONE} otherwise.
     */
    public int transferTargetId() {
        return transferTargetId;
    }

    /**
     * @return the members (bit per member id) that granted this candidate's current pre-vote or vote, itself
     * included; 0 when not a candidate.
     */
    public int votesGranted() {
        return Role.CANDIDATE == role ? votes : 0;
    }

    /**
     * @return the members (bit per member id) that answered this candidate's current pre-vote or vote at all,
     * granted or refused, in this round or the one before (a new round has had no time for answers yet); 0 when
     * not a candidate. A member in neither set has not been heard from.
     */
    public int votesAnswered() {
        return Role.CANDIDATE == role ? answered | lastAnswered : 0;
    }

    /**
     * @return replays this member has asked a leader for (a batch beyond a gap in the live stream, a heartbeat
     *     showing the leader's log ahead, a join behind it).
     */
    public long replayRequests() {
        return replayRequests;
    }

    /**
     * @return elections this member has stood in (real ones, after a successful pre-vote or a transfer).
     */
    public long electionsStarted() {
        return electionsStarted;
    }

    /**
     * @return times this member became leader.
     */
    public long leadershipsWon() {
        return leadershipsWon;
    }

    /**
     * @param member a member id.
     * @return the leader's view of the member's durable seq in the current epoch; -1 when not the leader.
     */
    public long matchSeq(final int member) {
        return Role.LEADER != role ? -1 : member == memberId ? durableSeq : followers.matchSeq(member);
    }

    /**
     * @param member a member id.
     * @return when the leader last heard from the member (its clock), or -1 when not the leader.
     */
    public long lastContactNs(final int member) {
        return Role.LEADER != role || member == memberId ? -1 : followers.lastContactNs(member);
    }

    /**
     * @return the time of the last duty cycle (the clock the protocol sees).
     */
    public long nowNs() {
        return nowNs;
    }

    private int leaderWork() {
        int work = 0;
        if (nowNs >= checkQuorumDeadlineNs) {
            checkQuorumDeadlineNs = nowNs + electionTimeoutNs;
            if (!faults.skipCheckQuorum && !followers.hasQuorumContact(nowNs, electionTimeoutNs)) {
                stepDown(StepDownReason.QUORUM_LOST);
                return 1;
            }
        }
        if (nowNs >= heartbeatDeadlineNs) {
            heartbeatDeadlineNs = nowNs + heartbeatIntervalNs;
            final long lastSeq = log.lastSeq();
            for (int i = 0; i < memberCount; i++) {
                if (i != memberId) {
                    members[i].heartbeat(epoch, memberId, commitSeq, lastSeq);
                    work++;
                }
            }
        }
        if (NONE != transferTargetId) {
            if (nowNs >= transferDeadlineNs) {
                transferTargetId = NONE;
            } else if (nowNs >= nextTransferNs && followers.matchSeq(transferTargetId) >= log.lastSeq()) {
                nextTransferNs = nowNs + heartbeatIntervalNs;
                members[transferTargetId].transferLeadership(epoch, memberId, transferTargetId);
                work++;
            }
        }
        return work + followers.replay(log, members, epoch, commitSeq, replayBatchLimit);
    }

    private void positionAdvanced() {
        if (Role.LEADER == role) {
            updateCommit();
        } else if (Role.FOLLOWER == role && joined) {
            members[leaderId].appendPosition(epoch, memberId, ackSeq());
        }
    }

    private long ackSeq() {
        return Math.min(faults.commitOnAppended ? appendedSeq : durableSeq, log.lastSeq());
    }

    private void updateCommit() {
        final long quorumSeq = followers.quorumSeq(ackSeq());
        if (quorumSeq > commitSeq && (quorumSeq >= epochStartSeq || faults.commitEarlierEpoch)) {
            commitSeq = quorumSeq;
        }
    }

    private void advanceFollowerCommit(final long leaderCommitSeq) {
        final long seq = Math.min(leaderCommitSeq, log.lastSeq());
        if (seq > commitSeq) {
            commitSeq = seq;
        }
    }

    /**
     * Accepts the sender as the leader of {@code epoch} if it is current, adopting a later epoch.
     *
     * @return true when this member follows that leader and has joined it.
     */
    private boolean followLeader(final int epoch, final int leaderId) {
        if (!isOtherMember(leaderId)) {
            return false;
        }
        if (epoch < this.epoch) {
            members[leaderId].appendPosition(this.epoch, memberId, ackSeq());
            return false;
        }
        if (epoch == this.epoch && Role.LEADER == role) {
            return false;
        }
        if (epoch > this.epoch || Role.FOLLOWER != role || leaderId != this.leaderId) {
            becomeFollower(epoch, leaderId);
        }
        lastLeaderContactNs = nowNs;
        lastActivityNs = nowNs;
        if (!joined) {
            if (nowNs >= nextJoinNs) {
                sendJoin();
            }
            return false;
        }
        return true;
    }

    private void sendJoin() {
        nextJoinNs = nowNs + heartbeatIntervalNs;
        final long lastSeq = log.lastSeq();
        members[leaderId].followerJoin(epoch, memberId, log.epochOf(lastSeq), lastSeq);
    }

    private void requestReplay(final boolean now) {
        if (now || nowNs >= nextReplayRequestNs) {
            final long fromSeq = log.lastSeq() + 1;
            // a member that cannot store batches asks for the one it needs next, seldom, not for its whole lag
            final boolean failing = log.appendsFailing();
            nextReplayRequestNs = nowNs + (failing ? electionTimeoutNs : 2 * heartbeatIntervalNs);
            members[leaderId].replayRequest(epoch, memberId, fromSeq, failing ? fromSeq : -1);
            replayRequests++;
        }
    }

    private void becomeFollower(final int newEpoch, final int newLeaderId) {
        if (newEpoch > epoch) {
            epoch = newEpoch;
            votedFor = NONE;
            persist();
        }
        toFollower(newLeaderId);
    }

    /** Moves to a later epoch as a follower with no vote and no leader; the caller stores the pair. */
    private void adoptEpoch(final int newEpoch) {
        epoch = newEpoch;
        votedFor = NONE;
        toFollower(NONE);
    }

    private void toFollower(final int newLeaderId) {
        role = Role.FOLLOWER;
        preVote = false;
        leaderId = newLeaderId;
        joined = false;
        nextJoinNs = nowNs;
        replayAwaitedSeq = 0;
        transferTargetId = NONE;
        epochStartSeq = Long.MAX_VALUE;
        resetElectionTimer();
    }

    private void startPreVote() {
        final boolean again = Role.CANDIDATE == role;
        role = Role.CANDIDATE;
        preVote = true;
        leaderId = NONE;
        joined = false;
        votes = 1 << memberId;
        lastAnswered = again ? answered : 0;
        answered = 0;
        resetElectionTimer();
        if (1 == majority) {
            startElection();
            return;
        }
        requestVotes(epoch + 1, true);
    }

    /** Asks every member that has not granted this round's vote yet; again after a heartbeat interval. */
    private void requestVotes(final int candidateEpoch, final boolean preVote) {
        nextVoteRequestNs = nowNs + heartbeatIntervalNs;
        final long lastSeq = log.lastSeq();
        final int lastEpoch = log.epochOf(lastSeq);
        for (int i = 0; i < memberCount; i++) {
            if (i != memberId && 0 == (votes & (1 << i))) {
                members[i].requestVote(candidateEpoch, memberId, lastEpoch, lastSeq, preVote);
            }
        }
    }

    private void startElection() {
        epoch++;
        votedFor = memberId;
        persist();
        electionsStarted++;
        role = Role.CANDIDATE;
        preVote = false;
        leaderId = NONE;
        joined = false;
        votes = 1 << memberId;
        lastAnswered = answered;
        answered = 0;
        resetElectionTimer();
        if (1 == majority) {
            becomeLeader();
            return;
        }
        requestVotes(epoch, false);
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leaderId = memberId;
        preVote = false;
        leadershipsWon++;
        transferTargetId = NONE;
        followers.reset(nowNs);
        heartbeatDeadlineNs = nowNs + heartbeatIntervalNs;
        checkQuorumDeadlineNs = nowNs + electionTimeoutNs;

        final long lastSeq = log.lastSeq();
        for (int i = 0; i < memberCount; i++) {
            if (i != memberId) {
                members[i].newLeader(epoch, memberId, lastSeq, commitSeq);
            }
        }
        epochStartSeq = lastSeq + 1;
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + epochStartEncoder
            .wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .seq(epochStartSeq).timestampMs(nowNs / 1_000_000L).epoch(epoch).leaderId(memberId).encodedLength();
        if (!log.append(epoch, epochStartSeq, CONTROL_TOPIC_ID, CONTROL_PARTITION, controlBuffer, 0, length)) {
            stepDown(StepDownReason.SHUTDOWN);
            return;
        }
        // With external appends the followers take the EpochStart from the leader's log: a follower joins first
        // (the join answer names the log end) and replays from its own end, the EpochStart included.
        for (int i = 0; i < memberCount && !externalAppends; i++) {
            if (i != memberId) {
                members[i].replicatedBatch(epoch, memberId, commitSeq, epoch, epochStartSeq, CONTROL_TOPIC_ID,
                    CONTROL_PARTITION, controlBuffer, 0, length);
            }
        }
        updateCommit();
    }

    private void stepDown(final StepDownReason reason) {
        for (int i = 0; i < memberCount; i++) {
            if (i != memberId) {
                members[i].stepDown(epoch, memberId, reason);
            }
        }
        role = Role.FOLLOWER;
        leaderId = NONE;
        joined = false;
        transferTargetId = NONE;
        epochStartSeq = Long.MAX_VALUE;
        followers.stopReplays();
        lastLeaderContactNs = nowNs - 2 * electionTimeoutNs;
        resetElectionTimer();
    }

    /**
     * This member refused a candidate whose log is behind its own. If it hears no live leader it is the better
     * candidate, so it runs its pre-vote now rather than at its own timeout, which may be up to two election
     * timeouts after the last contact; the voters still check its log and their leader, and a pre-vote changes
     * nothing anywhere. One already in its pre-vote asks that candidate for its grant at once (the others are
     * asked again every heartbeat interval anyway). A follower that voted in this epoch for another member it has
     * not heard lead leaves that candidate be.
     */
    private void standInstead(final int candidateId) {
        if (leaderIsAlive()) {
            return;
        }
        if (Role.CANDIDATE == role && preVote) {
            if (0 == (votes & (1 << candidateId))) {
                final long lastSeq = log.lastSeq();
                members[candidateId].requestVote(epoch + 1, memberId, log.epochOf(lastSeq), lastSeq, true);
            }
        } else if (Role.CANDIDATE == role ||
            (Role.FOLLOWER == role && (NONE == votedFor || memberId == votedFor || leaderId == votedFor))) {
            startPreVote();
        }
    }

    private void persist() {
        if (!faults.skipQuorumStateStore) {
            store.store(epoch, votedFor);
        }
    }

    private void resetElectionTimer() {
        lastActivityNs = nowNs;
        timeoutNs = electionTimeoutNs + random.nextLong(electionTimeoutNs);
    }

    private boolean leaderIsAlive() {
        return Role.LEADER == role || (NONE != leaderId && nowNs - lastLeaderContactNs < electionTimeoutNs);
    }

    private boolean isUpToDate(final int lastEpoch, final long lastSeq) {
        if (faults.voteWithoutLogCheck) {
            return true;
        }
        final long myLastSeq = log.lastSeq();
        final int myLastEpoch = log.epochOf(myLastSeq);
        return lastEpoch > myLastEpoch || (lastEpoch == myLastEpoch && lastSeq >= myLastSeq);
    }

    private boolean isSameLogEnd(final int lastEpoch, final long lastSeq) {
        final long myLastSeq = log.lastSeq();
        return lastSeq == myLastSeq && lastEpoch == log.epochOf(myLastSeq);
    }

    private boolean isOtherMember(final int id) {
        return id >= 0 && id < memberCount && id != memberId;
    }

    /**
     * The last seq of this log whose epoch is at most {@code epoch}: a binary search on {@link ReplicaLog#epochOf},
     * since epochs never decrease along the log.
     */
    private long endOfEpochsUpTo(final int epoch) {
        long lo = 0;
        long hi = log.lastSeq();
        while (lo < hi) {
            final long mid = (lo + hi + 1) >>> 1;
            if (log.epochOf(mid) <= epoch) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}

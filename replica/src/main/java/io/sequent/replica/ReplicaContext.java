package io.sequent.replica;

import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Settings and collaborators of a {@link ReplicaNode}, Aeron style: fluent setters, then {@link #conclude()}
 * validates. Defaults are those of replication.md.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>memberId</td><td>-</td><td>this member's id, in {@code [0, memberCount)}</td></tr>
 *   <tr><td>memberCount</td><td>-</td><td>members of the group: 1 to 7 (1, 3 and 5 are the tested sizes)</td></tr>
 *   <tr><td>electionTimeoutNs</td><td>500 ms</td><td>a follower that hears no leader for a random time in
 *       {@code [t, 2t)} starts a pre-vote; a leader that hears from no majority for {@code t} steps down</td></tr>
 *   <tr><td>heartbeatIntervalNs</td><td>50 ms</td><td>leader heartbeat period; also the retry period of joins,
 *       replay requests and transfer requests</td></tr>
 *   <tr><td>replayBatchLimit</td><td>64</td><td>batches a leader replays to one follower per duty cycle</td></tr>
 *   <tr><td>random</td><td>-</td><td>source of the election timeout jitter (seeded in tests)</td></tr>
 *   <tr><td>externalAppends</td><td>false</td><td>true: the leader's batches are stamped, appended and shipped to
 *       the followers by the caller (the broker's sequencer and its replication sink, on one broadcast
 *       publication), not by {@link ReplicaNode#offer}; the node reads the log end from the {@link ReplicaLog}
 *       and learns its durability through {@link ReplicaNode#onDurable}</td></tr>
 * </table>
 */
public final class ReplicaContext {
    /** Default election timeout. */
    public static final long ELECTION_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Default heartbeat interval. */
    public static final long HEARTBEAT_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Default replay batches per duty cycle and follower. */
    public static final int REPLAY_BATCH_LIMIT_DEFAULT = 64;
    /** Largest group supported. */
    public static final int MAX_MEMBERS = 7;

    private int memberId = -1;
    private int memberCount;
    private long electionTimeoutNs = ELECTION_TIMEOUT_DEFAULT_NS;
    private long heartbeatIntervalNs = HEARTBEAT_INTERVAL_DEFAULT_NS;
    private int replayBatchLimit = REPLAY_BATCH_LIMIT_DEFAULT;
    private RandomGenerator random;
    private ReplicaLog log;
    private QuorumStateStore quorumStateStore;
    private MemberProxy[] members;
    private boolean externalAppends;

    /**
     * Validates the settings.
     *
     * @return this.
     * @throws ReplicaException naming the first invalid setting.
     */
    public ReplicaContext conclude() {
        if (memberCount < 1 || memberCount > MAX_MEMBERS) {
            throw new ReplicaException("memberCount must be in [1, " + MAX_MEMBERS + "]: " + memberCount);
        }
        if (memberId < 0 || memberId >= memberCount) {
            throw new ReplicaException("memberId must be in [0, " + memberCount + "): " + memberId);
        }
        if (heartbeatIntervalNs <= 0 || electionTimeoutNs <= heartbeatIntervalNs) {
            throw new ReplicaException("need 0 < heartbeatIntervalNs < electionTimeoutNs: " + heartbeatIntervalNs +
                ", " + electionTimeoutNs);
        }
        if (replayBatchLimit < 1) {
            throw new ReplicaException("replayBatchLimit must be at least 1: " + replayBatchLimit);
        }
        if (null == random || null == log || null == quorumStateStore) {
            throw new ReplicaException("random, log and quorumStateStore are required");
        }
        if (null == members || members.length != memberCount) {
            throw new ReplicaException("members must hold one proxy per member (" + memberCount + ")");
        }
        for (int i = 0; i < memberCount; i++) {
            if (i != memberId && null == members[i]) {
                throw new ReplicaException("no proxy for member " + i);
            }
        }
        return this;
    }

    /**
     * @param memberId this member's id.
     * @return this.
     */
    public ReplicaContext memberId(final int memberId) {
        this.memberId = memberId;
        return this;
    }

    /**
     * @return this member's id.
     */
    public int memberId() {
        return memberId;
    }

    /**
     * @param memberCount members of the group.
     * @return this.
     */
    public ReplicaContext memberCount(final int memberCount) {
        this.memberCount = memberCount;
        return this;
    }

    /**
     * @return members of the group.
     */
    public int memberCount() {
        return memberCount;
    }

    /**
     * @param electionTimeoutNs the base election timeout.
     * @return this.
     */
    public ReplicaContext electionTimeoutNs(final long electionTimeoutNs) {
        this.electionTimeoutNs = electionTimeoutNs;
        return this;
    }

    /**
     * @return the base election timeout.
     */
    public long electionTimeoutNs() {
        return electionTimeoutNs;
    }

    /**
     * @param heartbeatIntervalNs the leader's heartbeat period.
     * @return this.
     */
    public ReplicaContext heartbeatIntervalNs(final long heartbeatIntervalNs) {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    /**
     * @return the leader's heartbeat period.
     */
    public long heartbeatIntervalNs() {
        return heartbeatIntervalNs;
    }

    /**
     * @param replayBatchLimit batches replayed to one follower per duty cycle.
     * @return this.
     */
    public ReplicaContext replayBatchLimit(final int replayBatchLimit) {
        this.replayBatchLimit = replayBatchLimit;
        return this;
    }

    /**
     * @return batches replayed to one follower per duty cycle.
     */
    public int replayBatchLimit() {
        return replayBatchLimit;
    }

    /**
     * @param random source of election timeout jitter.
     * @return this.
     */
    public ReplicaContext random(final RandomGenerator random) {
        this.random = random;
        return this;
    }

    /**
     * @return source of election timeout jitter.
     */
    public RandomGenerator random() {
        return random;
    }

    /**
     * @param log the replicated log.
     * @return this.
     */
    public ReplicaContext log(final ReplicaLog log) {
        this.log = log;
        return this;
    }

    /**
     * @return the replicated log.
     */
    public ReplicaLog log() {
        return log;
    }

    /**
     * @param quorumStateStore where (currentEpoch, votedFor) is kept.
     * @return this.
     */
    public ReplicaContext quorumStateStore(final QuorumStateStore quorumStateStore) {
        this.quorumStateStore = quorumStateStore;
        return this;
    }

    /**
     * @return where (currentEpoch, votedFor) is kept.
     */
    public QuorumStateStore quorumStateStore() {
        return quorumStateStore;
    }

    /**
     * @param externalAppends true when the caller appends and ships the leader's batches (see the class comment).
     * @return this.
     */
    public ReplicaContext externalAppends(final boolean externalAppends) {
        this.externalAppends = externalAppends;
        return this;
    }

    /**
     * @return true when the caller appends and ships the leader's batches.
     */
    public boolean externalAppends() {
        return externalAppends;
    }

    /**
     * @param members one proxy per member id; the entry of this member is ignored (may be null).
     * @return this.
     */
    public ReplicaContext members(final MemberProxy[] members) {
        this.members = members;
        return this;
    }

    /**
     * @return one proxy per member id.
     */
    public MemberProxy[] members() {
        return members;
    }
}

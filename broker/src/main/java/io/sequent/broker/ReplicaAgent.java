package io.sequent.broker;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.sequent.replica.MemberProxy;
import io.sequent.replica.ReplicaContext;
import io.sequent.replica.ReplicaNode;
import io.sequent.replica.ReplicationAdapter;
import io.sequent.replica.ReplicationPublisher;
import io.sequent.replica.Role;
import io.sequent.sequencer.Sequencer;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs this member's {@link ReplicaNode} (the replication protocol, see docs/replication.md) over Aeron and the
 * member's sequencer. One agent, on the thread that is the sequencer ring's producer (the {@code sequent-broker}
 * composite in the shared threading mode, the {@code sequent-ingress} one in the dedicated mode), so the node is
 * single-threaded and its follower appends are the ring's producer calls.
 *
 * <pre>
 *   member i, its ports from cluster.members (port = client ingress):
 *     control  aeron:udp?endpoint=host_i:controlPort_i      stream 1101  one subscription; every other member holds
 *                                                                        an exclusive publication to it (votes,
 *                                                                        heartbeats, AppendPosition, joins, replay
 *                                                                        requests and the replayed batches)
 *     live     aeron:udp?endpoint=host_i:replicationPort_i  stream 1102  subscription; the leader's one
 *                                                                        multi-destination-cast publication
 *                                                                        (control-mode=manual) has one destination
 *                                                                        per follower; or one multicast channel
 * </pre>
 *
 * <p>Each duty cycle: the command queue (status, leadership transfer, from the admin thread), the node's timers,
 * the live and control subscriptions (decoded by a {@link ReplicationAdapter} into the node), the journal's appended
 * and durable positions (published by the journal stage through {@link LiveStream}), and then what follows
 * from the node's state: on winning an election the sequencer's leader epoch and the live stream; on losing it the
 * batches waiting for commit are given up (answered NOT_LEADER); a failed append of the leader's epoch makes it
 * step down and cut its log back to the last batch shipped; and the commit seq for the release stage
 * ({@link ClusterState}). Idle, it only polls. No allocation, lock or log on the steady path; role changes, a
 * follower's join and a leader's first commit in its epoch log (once each: the failover timeline).
 */
final class ReplicaAgent implements Agent {
    /** Stream id of the control channel. */
    static final int CONTROL_STREAM_ID = 1101;
    /** Stream id of the live batch stream. */
    static final int LIVE_STREAM_ID = 1102;

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaAgent.class);
    private static final int FRAGMENT_LIMIT = 32;
    private static final int COMMAND_LIMIT = 8;
    private static final int ADMIN_ACTION_RETRIES = 3;

    private final ClusterMembers members;
    private final int selfIndex;
    private final int[] brokerIds;
    private final ClusterState state;
    private boolean hadLeader;
    private long noLeaderSinceNs = Long.MIN_VALUE;
    private final LiveStream liveStream;
    private final MemberLogAdapter log;
    private final Sequencer sequencer;
    private final NanoClock clock;
    private final ReplicaNode node;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(64);
    private final List<ExclusivePublication> publications = new ArrayList<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final FragmentHandler controlAssembler;
    private final FragmentHandler liveAssembler;
    private final AtomicCounter badFrames;
    private final QuorumStateFile store;
    private final AtomicCounter replaysRequested;
    private Subscription control;
    private Subscription live;
    private long lastAppended = -1;
    private long lastDurable = -1;
    private long lastReplayRequests;
    private boolean leading;
    private int loggedEpoch = -1;
    private int loggedLeader = -2;
    private long loggedBehindRetention = -1;
    private long leadingSinceNs;
    private long commitWhenLeading = -1;
    private long epochStartSeq;
    private long journaledAtNs;
    private long durableAtNs;
    private final long[] acknowledgedAtNs;
    private boolean loggedJoined;
    private long joinedAtNs;
    private long receivedAtNs;
    private boolean awaitingEpochDurable;

    /**
     * @param ctx        the broker's settings (members, timeouts, replication channel).
     * @param aeron      the broker's Aeron client, null for a group of one (no transport).
     * @param sequencer  the member's write pipeline.
     * @param log        the log adapter over it.
     * @param state      where the agent publishes what other threads see.
     * @param liveStream the replication sink and journal listener given to the sequencer.
     * @param store      the quorum-state file.
     * @param lost       counts replication frames the transport refused.
     * @param badFrames  counts replication frames that failed validation.
     * @param replaysRequested counts the replays this member asked a leader for.
     */
    ReplicaAgent(
        final BrokerContext ctx,
        final Aeron aeron,
        final Sequencer sequencer,
        final MemberLogAdapter log,
        final ClusterState state,
        final LiveStream liveStream,
        final QuorumStateFile store,
        final AtomicCounter lost,
        final AtomicCounter badFrames,
        final AtomicCounter replaysRequested) {
        this.members = ctx.clusterMembers();
        this.selfIndex = members.isConfigured() ? ctx.brokerId() : 0;
        this.brokerIds = new int[members.size()];
        this.acknowledgedAtNs = new long[members.size()];
        for (int i = 0; i < brokerIds.length; i++) {
            brokerIds[i] = members.members().get(i).id();
        }
        this.state = state;
        this.liveStream = liveStream;
        this.log = log;
        this.sequencer = sequencer;
        this.clock = ctx.nanoClock();
        this.badFrames = badFrames;
        this.store = store;
        this.replaysRequested = replaysRequested;
        final int maxBatch = ctx.sequencerContext().maxBatchBytes();
        final MemberProxy[] proxies = new MemberProxy[members.size()];
        try {
            if (members.size() > 1) {
                final ClusterMembers.Member self = members.member(selfIndex);
                control = add(aeron.addSubscription(
                    "aeron:udp?endpoint=" + self.host() + ":" + self.controlPort(), CONTROL_STREAM_ID));
                final String multicast = ctx.replicationChannel();
                live = add(aeron.addSubscription(null != multicast ? multicast :
                    "aeron:udp?endpoint=" + self.host() + ":" + self.replicationPort(), LIVE_STREAM_ID));
                for (final ClusterMembers.Member m : members.members()) {
                    if (m.id() != selfIndex) {
                        final ExclusivePublication pub = add(aeron.addExclusivePublication("aeron:udp?endpoint=" +
                            m.host() + ":" + m.controlPort() + "|term-length=" + BrokerContext.TERM_LENGTH,
                            CONTROL_STREAM_ID));
                        proxies[m.id()] = new ReplicationPublisher((buffer, offset, length) ->
                            offer(pub, buffer, offset, length) || lost(lost), maxBatch);
                    }
                }
                final ExclusivePublication stream = add(aeron.addExclusivePublication(null != multicast ?
                    multicast + "|term-length=" + BrokerContext.TERM_LENGTH :
                    "aeron:udp?control-mode=manual|term-length=" + BrokerContext.TERM_LENGTH, LIVE_STREAM_ID));
                if (null == multicast) {
                    for (final ClusterMembers.Member m : members.members()) {
                        if (m.id() != selfIndex) {
                            stream.addDestination("aeron:udp?endpoint=" + m.host() + ":" + m.replicationPort());
                        }
                    }
                }
                liveStream.publisher(new ReplicationPublisher(
                    (buffer, offset, length) -> offer(stream, buffer, offset, length), maxBatch));
            }
            node = new ReplicaNode(new ReplicaContext()
                .memberId(selfIndex)
                .memberCount(members.size())
                .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ctx.electionTimeoutMs()))
                .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(ctx.heartbeatIntervalMs()))
                .random(new SplittableRandom(System.nanoTime() ^ ((long) selfIndex << 32)))
                .log(log)
                .quorumStateStore(store)
                .members(proxies)
                .externalAppends(true));
        } catch (final RuntimeException ex) {
            close();
            throw ex;
        }
        final ReplicationAdapter adapter = new ReplicationAdapter(node);
        final FragmentHandler decode = (buffer, offset, length, header) -> {
            if (adapter.onFrame(buffer, offset, length) < 0) {
                badFrames.incrementRelease();
            }
        };
        controlAssembler = new FragmentAssembler(decode);
        liveAssembler = new FragmentAssembler(decode);
    }

    /**
     * Offers a frame, again at once when the publication answers {@link Publication#ADMIN_ACTION}: the frame reached
     * the end of a term, which the publication padded and rotated, so the next offer goes into the new term. Without
     * the retry the frame was lost at every term rotation of the live stream (every 16 MiB shipped), each time to
     * every follower at once, and the commit stood still until they had it replayed. Any other refusal
     * (back-pressure, no subscriber connected) is a lost frame, which the protocol repairs.
     */
    static boolean offer(
        final ExclusivePublication publication, final DirectBuffer buffer, final int offset, final int length) {
        long result = publication.offer(buffer, offset, length);
        for (int i = 0; i < ADMIN_ACTION_RETRIES && Publication.ADMIN_ACTION == result; i++) {
            result = publication.offer(buffer, offset, length);
        }
        return result > 0;
    }

    private static boolean lost(final AtomicCounter lost) {
        lost.incrementRelease();
        return false;
    }

    private <T extends AutoCloseable> T add(final T resource) {
        if (resource instanceof Subscription) {
            subscriptions.add((Subscription) resource);
        } else {
            publications.add((ExclusivePublication) resource);
        }
        return resource;
    }

    @Override
    public String roleName() {
        return "sequent-replica";
    }

    @Override
    public int doWork() {
        return doWork(clock.nanoTime());
    }

    int doWork(final long nowNs) {
        int work = 0;
        Runnable command;
        for (int i = 0; i < COMMAND_LIMIT && null != (command = commands.poll()); i++) {
            command.run();
            work++;
        }
        // the node's timers first: its message handlers then see this cycle's time, not the last one's (after a
        // long park, a vote won with a stale clock would open a leadership whose check-quorum is already due)
        work += node.doWork(nowNs);
        if (null != control) {
            // the live stream first: after a stall (this thread descheduled), the batches waiting in its image are
            // appended before the leader's heartbeat is read, so the heartbeat's log end (ahead of this member's)
            // does not prompt a replay of batches this member already has in hand
            work += live.poll(liveAssembler, FRAGMENT_LIMIT);
            work += control.poll(controlAssembler, FRAGMENT_LIMIT);
        }
        final long appended = liveStream.appendedGroupSeq();
        if (appended != lastAppended) {
            lastAppended = appended;
            node.onAppended(appended + 1);
            work++;
        }
        final long durable = liveStream.durableGroupSeq();
        if (durable != lastDurable) {
            lastDurable = durable;
            node.onDurable(durable + 1);
            work++;
        }
        final long replays = node.replayRequests();
        if (replays != lastReplayRequests) {
            replaysRequested.getAndAddRelease(replays - lastReplayRequests);
            lastReplayRequests = replays;
        }
        log.reconcile();
        afterStateChange(nowNs);
        return work;
    }

    private void afterStateChange(final long nowNs) {
        final Role role = node.role();
        final int epoch = node.epoch();
        if (Role.LEADER == role) {
            final long failedAfter = liveStream.failedAfterGroupSeq();
            if (Long.MIN_VALUE != failedAfter) {
                onAppendFailed(failedAfter + 1);
            } else if (!leading) {
                leading = true;
                leadingSinceNs = nowNs;
                commitWhenLeading = node.commitSeq();
                epochStartSeq = log.lastSeq();
                journaledAtNs = 0;
                durableAtNs = 0;
                Arrays.fill(acknowledgedAtNs, 0);
                sequencer.leaderEpoch(epoch);
                liveStream.startLeading(epoch, log.lastSeq());
            }
        }
        if (leading && Role.LEADER != node.role()) {
            leading = false;
            liveStream.stopLeading();
            state.abandonThrough(sequencer.lastOfferedSequence());
        }
        final long commitSeq = node.commitSeq();
        if (leading && commitWhenLeading >= 0 && members.size() > 1) {
            awaitFirstCommit(nowNs, epoch, commitSeq);
        }
        if (node.isJoined() != loggedJoined) {
            loggedJoined = node.isJoined();
            if (loggedJoined) {
                joinedAtNs = nowNs;
                receivedAtNs = 0;
                awaitingEpochDurable = true;
                LOG.info("member {} joined leader {} in epoch {} (log end seq {})", state.selfId(),
                    brokerIds[node.leaderId()], epoch, log.lastSeq());
            }
        }
        if (awaitingEpochDurable && loggedJoined) {
            awaitEpochDurable(nowNs, epoch);
        }
        liveStream.commitSeq(commitSeq);
        state.commitGroupSeq(commitSeq - 1);
        final int leaderIndex = node.leaderId();
        final int leaderId = leaderIndex < 0 ? -1 : brokerIds[leaderIndex];
        state.publish(node.role(), node.epoch(), leaderId, leading && node.isWritable());
        if (leaderId < 0 && (hadLeader || Long.MIN_VALUE == noLeaderSinceNs)) {
            noLeaderSinceNs = node.nowNs();
        }
        hadLeader = leaderId >= 0;
        state.publishElection(node.votesGranted(), node.votesAnswered(), noLeaderSinceNs);
        if (epoch != loggedEpoch || leaderId != loggedLeader) {
            loggedEpoch = epoch;
            loggedLeader = leaderId;
            logChange(leaderId);
        }
        final long behind = log.behindRetention();
        if (behind != loggedBehindRetention) {
            loggedBehindRetention = behind;
            LOG.warn("a follower asked for seq {}, which this leader's log no longer holds (retention): it cannot " +
                "catch up by replay; start it anew from an empty data directory", behind);
        }
    }

    /**
     * A new leader until its first commit (once per leadership, off the steady path): when its {@code EpochStart}
     * was journaled and made durable here, and when each follower acknowledged it; logged at the commit.
     */
    private void awaitFirstCommit(final long nowNs, final int epoch, final long commitSeq) {
        if (0 == journaledAtNs && liveStream.appendedGroupSeq() + 1 >= epochStartSeq) {
            journaledAtNs = nowNs;
        }
        if (0 == durableAtNs && node.durableSeq() >= epochStartSeq) {
            durableAtNs = nowNs;
        }
        for (int m = 0; m < acknowledgedAtNs.length; m++) {
            if (m != selfIndex && 0 == acknowledgedAtNs[m] && node.matchSeq(m) >= epochStartSeq) {
                acknowledgedAtNs[m] = nowNs;
            }
        }
        if (commitSeq > commitWhenLeading) {
            commitWhenLeading = -1;
            final StringBuilder acks = new StringBuilder();
            for (int m = 0; m < acknowledgedAtNs.length; m++) {
                if (m != selfIndex) {
                    acks.append(", member ").append(brokerIds[m]).append(' ').append(since(acknowledgedAtNs[m]));
                }
            }
            LOG.info("member {} commits in epoch {}: commit seq {}, {} ms after it took the lead (its EpochStart " +
                "at seq {} journaled {}, durable {}; acknowledged by{})", state.selfId(), epoch, commitSeq,
                TimeUnit.NANOSECONDS.toMillis(nowNs - leadingSinceNs), epochStartSeq, since(journaledAtNs),
                since(durableAtNs), acks.length() == 0 ? " no other member" : acks.substring(1));
        }
    }

    private String since(final long atNs) {
        return 0 == atNs ? "never" : "+" + TimeUnit.NANOSECONDS.toMillis(atNs - leadingSinceNs) + " ms";
    }

    /** A follower after its join until it holds a batch of the epoch durably (once per join, off the steady path). */
    private void awaitEpochDurable(final long nowNs, final int epoch) {
        if (0 == receivedAtNs && log.epochOf(log.lastSeq()) == epoch) {
            receivedAtNs = nowNs;
        }
        final long durable = node.durableSeq();
        if (durable > 0 && log.epochOf(durable) == epoch) {
            awaitingEpochDurable = false;
            LOG.info("member {} holds epoch {} durably at seq {}: its first batch of the epoch offered +{} ms, " +
                "durable +{} ms after it joined", state.selfId(), epoch, durable,
                TimeUnit.NANOSECONDS.toMillis(receivedAtNs - joinedAtNs), TimeUnit.NANOSECONDS.toMillis(nowNs -
                joinedAtNs));
        }
    }

    private void logChange(final int leaderId) {
        if (members.size() == 1) {
            return;
        }
        final long storeMs = TimeUnit.NANOSECONDS.toMillis(store.takeLongestStoreNs());
        if (leaderId == state.selfId()) {
            LOG.info("member {} leads epoch {} (log end seq {}, commit seq {}; quorum state stored in {} ms)",
                state.selfId(), node.epoch(), log.lastSeq(), node.commitSeq(), storeMs);
        } else if (leaderId >= 0) {
            LOG.info("member {} follows leader {} in epoch {} (quorum state stored in {} ms)", state.selfId(),
                leaderId, node.epoch(), storeMs);
        } else {
            LOG.info("member {} knows no leader in epoch {} ({}; quorum state stored in {} ms)", state.selfId(),
                node.epoch(), node.role(), storeMs);
        }
    }

    /**
     * An append of this leader's epoch failed or was voided: step down and ship nothing after the gap, and cut the
     * log back to the last batch shipped, so that no member holds a seq the group never had.
     */
    private void onAppendFailed(final long keepSeq) {
        LOG.warn("member {} steps down: an append of epoch {} failed after seq {}; cutting its log back to it",
            state.selfId(), node.epoch(), keepSeq);
        log.capAt(keepSeq);
        node.onAppendFailed();
        leading = false;
        liveStream.stopLeading();
        state.abandonThrough(sequencer.lastOfferedSequence());
        state.publish(node.role(), node.epoch(), -1, false);
        log.truncateTo(keepSeq);
    }

    /** @return the node (agent thread only: tests and status). */
    ReplicaNode node() {
        return node;
    }

    /**
     * Queues a command for the agent's thread (admin thread: status, leadership transfer).
     *
     * @return false when the queue is full.
     */
    boolean submit(final Runnable command) {
        return commands.offer(command);
    }

    /** @return the broker id of member index {@code i}. */
    int brokerId(final int index) {
        return brokerIds[index];
    }

    /** @return the member index of this broker. */
    int selfIndex() {
        return selfIndex;
    }

    /** @return the log adapter (agent thread). */
    MemberLogAdapter log() {
        return log;
    }

    /** @return since when (epoch ms) this member's appends have failed, 0 while they succeed (any thread). */
    long storageFailingSinceMs() {
        return sequencer.storageFailingSinceMs();
    }

    @Override
    public void onClose() {
        close();
    }

    private void close() {
        CloseHelper.closeAll(publications);
        CloseHelper.closeAll(subscriptions);
        publications.clear();
        subscriptions.clear();
    }
}

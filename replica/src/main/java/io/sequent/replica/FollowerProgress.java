package io.sequent.replica;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * The leader's view of its followers in the current epoch: each one's acknowledged durable seq, when it was last
 * heard from (an acknowledgement or a replay request: answers to the leader's own messages, so they prove the link
 * works both ways; a join retried on the follower's timer does not count), and its replay cursor. Gives the quorum
 * seq (the commit candidate), the check-quorum verdict and the replay of batches from the leader's log. Reset when
 * a member becomes leader. Allocation-free; used only by the {@link ReplicaNode} that owns it, on its thread.
 */
final class FollowerProgress {
    private final int memberId;
    private final int memberCount;
    private final long[] matchSeq;
    private final long[] lastContactNs;
    private final long[] replayNextSeq;
    private final long[] replayToSeq;
    private final long[] positions;
    private final long[] scratch;
    private final ReplaySender replaySender = new ReplaySender();

    FollowerProgress(final int memberId, final int memberCount) {
        this.memberId = memberId;
        this.memberCount = memberCount;
        matchSeq = new long[memberCount];
        lastContactNs = new long[memberCount];
        replayNextSeq = new long[memberCount];
        replayToSeq = new long[memberCount];
        positions = new long[memberCount];
        scratch = new long[memberCount];
        stopReplays();
    }

    /** A new epoch: nothing acknowledged, everyone counted as just heard from, no replay. */
    void reset(final long nowNs) {
        Arrays.fill(matchSeq, 0);
        Arrays.fill(lastContactNs, nowNs);
        stopReplays();
    }

    void heardFrom(final int member, final long nowNs) {
        lastContactNs[member] = nowNs;
    }

    /**
     * @return true if the member's acknowledged seq moved up.
     */
    boolean acknowledged(final int member, final long seq) {
        if (seq > matchSeq[member]) {
            matchSeq[member] = seq;
            return true;
        }
        return false;
    }

    long lastContactNs(final int member) {
        return lastContactNs[member];
    }

    long matchSeq(final int member) {
        return matchSeq[member];
    }

    /**
     * @param ownSeq the leader's own position.
     * @return the majority-th highest of the followers' acknowledged seqs and {@code ownSeq}.
     */
    long quorumSeq(final long ownSeq) {
        for (int i = 0; i < memberCount; i++) {
            positions[i] = i == memberId ? ownSeq : matchSeq[i];
        }
        return Quorum.position(positions, memberCount, scratch);
    }

    /**
     * @return true if a majority (the leader included) was heard from within {@code windowNs} of {@code nowNs}.
     */
    boolean hasQuorumContact(final long nowNs, final long windowNs) {
        int heard = 1;
        for (int i = 0; i < memberCount; i++) {
            if (i != memberId && nowNs - lastContactNs[i] < windowNs) {
                heard++;
            }
        }
        return heard >= Quorum.majority(memberCount);
    }

    void startReplay(final int member, final long fromSeq, final long toSeq) {
        replayNextSeq[member] = Math.max(1, fromSeq);
        replayToSeq[member] = toSeq;
    }

    void stopReplay(final int member) {
        replayNextSeq[member] = ReplicaNode.NONE;
    }

    void stopReplays() {
        Arrays.fill(replayNextSeq, ReplicaNode.NONE);
    }

    /**
     * Sends each follower with a replay under way up to {@code limit} batches from the log, in seq order.
     *
     * @return batches sent.
     */
    int replay(
        final ReplicaLog log, final MemberProxy[] members, final int epoch, final long commitSeq, final int limit) {
        int work = 0;
        for (int i = 0; i < memberCount; i++) {
            if (ReplicaNode.NONE != replayNextSeq[i]) {
                work += replay(i, log, members[i], epoch, commitSeq, limit);
            }
        }
        return work;
    }

    private int replay(
        final int member, final ReplicaLog log, final MemberProxy proxy, final int epoch, final long commitSeq,
        final int limit) {
        final long lastSeq = log.lastSeq();
        final long toSeq = replayToSeq[member] < 0 ? lastSeq : Math.min(replayToSeq[member], lastSeq);
        final ReplaySender sender = replaySender;
        sender.target = proxy;
        sender.epoch = epoch;
        sender.commitSeq = commitSeq;
        int sent = 0;
        long seq = replayNextSeq[member];
        while (sent < limit && seq <= toSeq) {
            sender.sent = false;
            if (!log.read(seq, sender) || !sender.sent) {
                break;
            }
            seq++;
            sent++;
        }
        sender.target = null;
        replayNextSeq[member] = seq > toSeq ? ReplicaNode.NONE : seq;
        return sent;
    }

    private final class ReplaySender implements ReplicaLog.BatchHandler {
        MemberProxy target;
        int epoch;
        long commitSeq;
        boolean sent;

        public void onBatch(
            final int batchEpoch, final long seq, final int topicId, final int partition, final DirectBuffer buffer,
            final int offset, final int length) {
            sent = target.replicatedBatch(epoch, memberId, commitSeq, batchEpoch, seq, topicId, partition, buffer,
                offset, length);
        }
    }
}

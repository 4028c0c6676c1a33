package io.sequent.client;

import java.util.List;

/**
 * A replica group as one member sees it ({@link Admin#clusterStatus}): the answering member's own row is
 * complete; a leader also knows each follower's acknowledged position, lag and last contact; -1 (and role
 * {@code UNKNOWN}) is what the answering member does not know.
 *
 * @param memberId  the member that answered.
 * @param leaderId  the leader it knows, -1 for none.
 * @param epoch     its epoch.
 * @param members   one row per member, in id order.
 * @param condition the answering member's own trouble in words, such as its storage refusing appends (a full
 *                  disk); empty when it has none.
 */
public record ClusterStatus(int memberId, int leaderId, int epoch, List<Member> members, String condition) {
    /**
     * One member.
     *
     * @param id               member (broker) id.
     * @param role             FOLLOWER, CANDIDATE, LEADER or UNKNOWN.
     * @param epoch            its epoch, -1 unknown.
     * @param leaderId         the leader it follows, -1 unknown.
     * @param commitSeq        its commit seq, -1 unknown.
     * @param logEndSeq        its last seq (on the leader's view of a follower: the follower's acknowledged seq).
     * @param lagBatches       batches it lacks against the leader, -1 unknown.
     * @param lagBytes         bytes of those batches, -1 unknown.
     * @param lastContactMsAgo since the leader heard from it, -1 unknown.
     * @param behindRetention  it needs batches the leader's retention removed: it cannot catch up by replay.
     * @param ingressChannel   where its clients connect.
     */
    public record Member(int id, String role, int epoch, int leaderId, long commitSeq, long logEndSeq,
        long lagBatches, long lagBytes, long lastContactMsAgo, boolean behindRetention, String ingressChannel) {
    }
}

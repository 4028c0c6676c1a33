package io.sequent.client;

import java.util.List;
import java.util.Set;

/**
 * A consumer group as {@link Admin#describeGroups} describes it.
 *
 * @param groupId    the group.
 * @param exists     false when the broker knows no such group (then the rest is empty).
 * @param state      EMPTY, RECONCILING, STABLE, or DEAD for an unknown group.
 * @param assignor   the broker-side assignor the group uses.
 * @param groupEpoch bumped at each change of membership or subscriptions.
 * @param members    its members.
 */
public record GroupDescription(String groupId, boolean exists, String state, String assignor, int groupEpoch,
    List<Member> members) {
    /**
     * A member.
     *
     * @param memberId    the id the broker gave it.
     * @param clientId    its client's {@code client.id}.
     * @param host        the host its client speaks from (its response channel's address; {@code ipc} for a
     *                    client on the broker's media driver), empty when the broker has not heard from it since
     *                    a restart.
     * @param memberEpoch the epoch of its current assignment.
     * @param assignment  the partitions it currently owns.
     */
    public record Member(String memberId, String clientId, String host, int memberEpoch,
        Set<TopicPartition> assignment) {
    }
}

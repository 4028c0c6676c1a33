package io.sequent.client;

import java.util.Optional;

/**
 * A consumer's membership of its group as Kafka's {@code ConsumerGroupMetadata} names it: the group, the
 * member's epoch (Kafka's generation), its member id (empty until the first join is answered) and its
 * {@code group.instance.id}.
 *
 * @param groupId         the group.
 * @param generationId    the member epoch of the current assignment; 0 before the first join.
 * @param memberId        the member id the broker gave; empty when not a member.
 * @param groupInstanceId the static member id, when set.
 */
public record ConsumerGroupMetadata(String groupId, int generationId, String memberId,
    Optional<String> groupInstanceId) {
}

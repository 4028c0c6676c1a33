package io.sequent.client;

/**
 * A consumer group as {@link Admin#listGroups} lists it.
 *
 * @param groupId     the group.
 * @param state       EMPTY, RECONCILING (partitions moving between members) or STABLE.
 * @param memberCount its members.
 */
public record GroupListing(String groupId, String state, int memberCount) {
}

package io.sequent.broker;

/**
 * A topic partition as the group coordinator names it: in assignments, owned sets and committed offsets.
 * Immutable; ordered by topic, then partition.
 */
final class GroupPartition implements Comparable<GroupPartition> {
    final String topic;
    final int partition;

    GroupPartition(final String topic, final int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    @Override
    public int compareTo(final GroupPartition other) {
        final int byTopic = topic.compareTo(other.topic);
        return 0 != byTopic ? byTopic : Integer.compare(partition, other.partition);
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof GroupPartition)) {
            return false;
        }
        final GroupPartition other = (GroupPartition) o;
        return partition == other.partition && topic.equals(other.topic);
    }

    @Override
    public int hashCode() {
        return 31 * topic.hashCode() + partition;
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}

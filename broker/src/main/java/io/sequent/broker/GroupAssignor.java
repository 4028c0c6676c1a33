package io.sequent.broker;

import io.sequent.codec.client.Assignor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The broker's partition assignors: from the members' subscriptions, the topics' partition counts and (for
 * {@link Assignor#STICKY}) the previous target assignment, the target assignment of every member.
 *
 * <ul>
 *   <li>{@link Assignor#RANGE}: per topic, its subscribers in member-id order take contiguous ranges, the first
 *   ones one partition more when the count does not divide;</li>
 *   <li>{@link Assignor#ROUND_ROBIN}: every subscribed partition in (topic, partition) order is dealt to the
 *   next member subscribed to its topic;</li>
 *   <li>{@link Assignor#STICKY} (the default): every member keeps the partitions of its previous target that it
 *   still subscribes to, up to its fair share; the rest go one by one to the subscriber with the fewest. A join
 *   or a leave therefore moves only the partitions that must move for balance.</li>
 * </ul>
 *
 * <p>Pure functions of their input (no state, any thread); ties break on member id, so the result is
 * deterministic.
 */
final class GroupAssignor {
    private GroupAssignor() {
    }

    /**
     * @param assignor      which assignor.
     * @param subscriptions member id to subscribed topics.
     * @param partitions    topic to partition count; topics missing here (unknown) get nothing.
     * @param previous      member id to its previous target (read by STICKY only).
     * @return member id to target assignment, one entry per member.
     */
    static Map<String, Set<GroupPartition>> assign(
        final Assignor assignor,
        final Map<String, ? extends Collection<String>> subscriptions,
        final Map<String, Integer> partitions,
        final Map<String, ? extends Collection<GroupPartition>> previous) {
        final Map<String, Set<GroupPartition>> target = new TreeMap<>();
        for (final String member : subscriptions.keySet()) {
            target.put(member, new TreeSet<>());
        }
        switch (assignor) {
            case RANGE:
                range(subscriptions, partitions, target);
                break;
            case ROUND_ROBIN:
                roundRobin(subscriptions, partitions, target);
                break;
            default:
                sticky(subscriptions, partitions, previous, target);
                break;
        }
        return target;
    }

    private static Map<String, List<String>> subscribersByTopic(
        final Map<String, ? extends Collection<String>> subscriptions, final Map<String, Integer> partitions) {
        final Map<String, List<String>> byTopic = new TreeMap<>();
        for (final String member : new TreeSet<>(subscriptions.keySet())) {
            for (final String topic : subscriptions.get(member)) {
                if (partitions.containsKey(topic)) {
                    byTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(member);
                }
            }
        }
        return byTopic;
    }

    private static void range(
        final Map<String, ? extends Collection<String>> subscriptions,
        final Map<String, Integer> partitions,
        final Map<String, Set<GroupPartition>> target) {
        for (final Map.Entry<String, List<String>> entry : subscribersByTopic(subscriptions, partitions).entrySet()) {
            final List<String> members = entry.getValue();
            final int count = partitions.get(entry.getKey());
            final int each = count / members.size();
            final int extra = count % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                final int take = each + (i < extra ? 1 : 0);
                for (int p = 0; p < take; p++) {
                    target.get(members.get(i)).add(new GroupPartition(entry.getKey(), next++));
                }
            }
        }
    }

    private static void roundRobin(
        final Map<String, ? extends Collection<String>> subscriptions,
        final Map<String, Integer> partitions,
        final Map<String, Set<GroupPartition>> target) {
        final List<String> members = new ArrayList<>(new TreeSet<>(subscriptions.keySet()));
        int next = 0;
        for (final Map.Entry<String, List<String>> entry : subscribersByTopic(subscriptions, partitions).entrySet()) {
            for (int p = 0; p < partitions.get(entry.getKey()); p++) {
                while (!subscriptions.get(members.get(next % members.size())).contains(entry.getKey())) {
                    next++;
                }
                target.get(members.get(next % members.size())).add(new GroupPartition(entry.getKey(), p));
                next++;
            }
        }
    }

    private static void sticky(
        final Map<String, ? extends Collection<String>> subscriptions,
        final Map<String, Integer> partitions,
        final Map<String, ? extends Collection<GroupPartition>> previous,
        final Map<String, Set<GroupPartition>> target) {
        final Map<String, List<String>> byTopic = subscribersByTopic(subscriptions, partitions);
        int total = 0;
        for (final String topic : byTopic.keySet()) {
            total += partitions.get(topic);
        }
        final int members = Math.max(1, subscriptions.size());
        final int floor = total / members;
        int ceilings = total % members;

        final Set<GroupPartition> taken = new TreeSet<>();
        final List<String> byPreviousSize = new ArrayList<>(new TreeSet<>(subscriptions.keySet()));
        byPreviousSize.sort((a, b) -> Integer.compare(size(previous.get(b)), size(previous.get(a))));
        for (final String member : byPreviousSize) {
            final Collection<GroupPartition> before = previous.get(member);
            if (null == before) {
                continue;
            }
            int quota = floor + (ceilings > 0 ? 1 : 0);
            int kept = 0;
            for (final GroupPartition tp : new TreeSet<>(before)) {
                if (kept == quota) {
                    break;
                }
                final Integer count = partitions.get(tp.topic);
                if (null != count && tp.partition < count && subscriptions.get(member).contains(tp.topic) &&
                    taken.add(tp)) {
                    target.get(member).add(tp);
                    kept++;
                }
            }
            if (kept > floor) {
                ceilings--;
            }
        }
        for (final Map.Entry<String, List<String>> entry : byTopic.entrySet()) {
            for (int p = 0; p < partitions.get(entry.getKey()); p++) {
                final GroupPartition tp = new GroupPartition(entry.getKey(), p);
                if (taken.contains(tp)) {
                    continue;
                }
                String fewest = null;
                for (final String member : entry.getValue()) {
                    if (null == fewest || target.get(member).size() < target.get(fewest).size()) {
                        fewest = member;
                    }
                }
                target.get(fewest).add(tp);
            }
        }
    }

    private static int size(final Collection<GroupPartition> partitions) {
        return null == partitions ? 0 : partitions.size();
    }
}

package io.sequent.broker;

import io.sequent.codec.client.Assignor;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The value of a group-state record of the {@link OffsetsLog}: a consumer group's membership as the coordinator
 * holds it (group epoch, assignor, and per member its ids, timeouts, epochs, subscription and the three
 * assignment sets), so that a broker that restarts, or a new leader once replication lands, rebuilds the
 * coordinator from the log and the members carry on with their member ids and epochs. The record's key is
 * {@code version (int16 = 2) | group length (int16) | group (UTF-8)}; a record without a value deletes the group.
 *
 * <p>Little-endian layout of the value (strings are {@code length (int16) | UTF-8 bytes}, sets of partitions are
 * {@code count (int32)} then per partition {@code topic (string) | partition (int32)}):
 *
 * <pre>
 *   0                   1                   2                   3
 *   +-------------------+-------------------+-------------------+
 *   | version (int16=1) | group epoch (int32)                   |
 *   +---------+---------+-------------------+-------------------+
 *   | assignor| member count (int16)        | members ...
 *   +---------+-----------------------------+
 *
 *   member:
 *   +---------------------------------------+---------------------------------------+
 *   | member epoch (int32)                  | answered member epoch (int32)         |
 *   +---------------------------------------+---------------------------------------+
 *   | session timeout ms (int32)            | rebalance timeout ms (int32)          |
 *   +---------------------------------------+---------------------------------------+
 *   | max poll interval ms (int32)          | member id, instance id, client id (strings)
 *   +-------------------+-------------------+
 *   | topic count int16 | topics (strings) ... | target set | assigned set | owned set
 *   +-------------------+
 * </pre>
 *
 * <p>Not recorded (soft state, rebuilt after a restart): when each member was last heard from and last polled
 * (a restored member gets a full session timeout from the first check), its session, since when a member has
 * been revoking, the fenced member ids, and the epoch answered before the last (a restored member is accepted at
 * its current or its last answered epoch). Encoding and decoding allocate (cold path); any thread.
 */
final class GroupStateRecord {
    static final short KEY_VERSION = 2;
    static final short VALUE_VERSION = 1;

    private GroupStateRecord() {
    }

    /** Encodes the group's key into {@code out}; returns its length. */
    static int encodeKey(final String groupId, final ExpandableArrayBuffer out) {
        out.putShort(0, KEY_VERSION, ByteOrder.LITTLE_ENDIAN);
        return Short.BYTES + putString(out, Short.BYTES, groupId);
    }

    /** Encodes the group's membership into {@code out}; returns its length. */
    static int encodeValue(final Group group, final ExpandableArrayBuffer out) {
        int at = 0;
        out.putShort(at, VALUE_VERSION, ByteOrder.LITTLE_ENDIAN);
        at += Short.BYTES;
        out.putInt(at, group.groupEpoch, ByteOrder.LITTLE_ENDIAN);
        at += Integer.BYTES;
        out.putByte(at, (byte) group.assignor.value());
        at += Byte.BYTES;
        out.putShort(at, (short) group.members.size(), ByteOrder.LITTLE_ENDIAN);
        at += Short.BYTES;
        for (final Group.Member member : group.members.values()) {
            out.putInt(at, member.epoch, ByteOrder.LITTLE_ENDIAN);
            out.putInt(at + 4, member.answeredEpoch, ByteOrder.LITTLE_ENDIAN);
            out.putInt(at + 8, member.sessionTimeoutMs, ByteOrder.LITTLE_ENDIAN);
            out.putInt(at + 12, member.rebalanceTimeoutMs, ByteOrder.LITTLE_ENDIAN);
            out.putInt(at + 16, member.maxPollIntervalMs, ByteOrder.LITTLE_ENDIAN);
            at += 20;
            at += putString(out, at, member.memberId);
            at += putString(out, at, member.instanceId);
            at += putString(out, at, member.clientId);
            out.putShort(at, (short) member.topics.size(), ByteOrder.LITTLE_ENDIAN);
            at += Short.BYTES;
            for (final String topic : member.topics) {
                at += putString(out, at, topic);
            }
            at = putSet(out, at, member.target);
            at = putSet(out, at, member.assigned);
            at = putSet(out, at, member.owned);
        }
        return at;
    }

    /**
     * Applies a decoded group-state value to {@code group}: its epoch, assignor and members replace what it had
     * (its committed offsets stay). Restored members count as just heard from at the coordinator's next check.
     *
     * @throws IllegalArgumentException (or an index error) when the value does not decode.
     */
    static void decodeInto(final DirectBuffer buffer, final int offset, final int length, final Group group) {
        int at = offset;
        final short version = buffer.getShort(at, ByteOrder.LITTLE_ENDIAN);
        if (version != VALUE_VERSION) {
            throw new IllegalArgumentException("group state version " + version);
        }
        at += Short.BYTES;
        final int groupEpoch = buffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
        at += Integer.BYTES;
        final Assignor assignor = Assignor.get((short) (buffer.getByte(at) & 0xFF));
        at += Byte.BYTES;
        final int count = buffer.getShort(at, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        at += Short.BYTES;
        final List<Group.Member> members = new ArrayList<>();
        final int[] cursor = new int[1];
        for (int i = 0; i < count; i++) {
            final int epoch = buffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
            final int answeredEpoch = buffer.getInt(at + 4, ByteOrder.LITTLE_ENDIAN);
            final int sessionTimeoutMs = buffer.getInt(at + 8, ByteOrder.LITTLE_ENDIAN);
            final int rebalanceTimeoutMs = buffer.getInt(at + 12, ByteOrder.LITTLE_ENDIAN);
            final int maxPollIntervalMs = buffer.getInt(at + 16, ByteOrder.LITTLE_ENDIAN);
            cursor[0] = at + 20;
            final String memberId = getString(buffer, cursor);
            final String instanceId = getString(buffer, cursor);
            final String clientId = getString(buffer, cursor);
            final int topicCount = buffer.getShort(cursor[0], ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            cursor[0] += Short.BYTES;
            final List<String> topics = new ArrayList<>();
            for (int t = 0; t < topicCount; t++) {
                topics.add(getString(buffer, cursor));
            }
            final Group.Member member = new Group.Member(memberId, clientId, instanceId);
            member.epoch = epoch;
            member.answeredEpoch = answeredEpoch;
            member.previousEpoch = answeredEpoch;
            member.sessionTimeoutMs = sessionTimeoutMs;
            member.rebalanceTimeoutMs = rebalanceTimeoutMs;
            member.maxPollIntervalMs = maxPollIntervalMs;
            member.topics = topics;
            member.target = getSet(buffer, cursor);
            member.assigned = getSet(buffer, cursor);
            member.owned = getSet(buffer, cursor);
            member.lastSeenNs = Group.RESTORED;
            member.lastPollNs = Group.RESTORED;
            member.sessionId = -1;
            members.add(member);
            at = cursor[0];
        }
        if (at != offset + length) {
            throw new IllegalArgumentException("group state of " + length + " bytes ends at " + (at - offset));
        }
        group.groupEpoch = groupEpoch;
        group.assignor = assignor == Assignor.NULL_VAL ? Assignor.STICKY : assignor;
        group.members.clear();
        for (final Group.Member member : members) {
            group.members.put(member.memberId, member);
        }
    }

    private static int putSet(final ExpandableArrayBuffer out, final int at, final Set<GroupPartition> set) {
        out.putInt(at, set.size(), ByteOrder.LITTLE_ENDIAN);
        int next = at + Integer.BYTES;
        for (final GroupPartition tp : set) {
            next += putString(out, next, tp.topic);
            out.putInt(next, tp.partition, ByteOrder.LITTLE_ENDIAN);
            next += Integer.BYTES;
        }
        return next;
    }

    private static Set<GroupPartition> getSet(final DirectBuffer buffer, final int[] cursor) {
        final int count = buffer.getInt(cursor[0], ByteOrder.LITTLE_ENDIAN);
        if (count < 0) {
            throw new IllegalArgumentException("negative partition count " + count);
        }
        cursor[0] += Integer.BYTES;
        final Set<GroupPartition> set = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            final String topic = getString(buffer, cursor);
            set.add(new GroupPartition(topic, buffer.getInt(cursor[0], ByteOrder.LITTLE_ENDIAN)));
            cursor[0] += Integer.BYTES;
        }
        return set;
    }

    static int putString(final ExpandableArrayBuffer buffer, final int at, final String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        buffer.putShort(at, (short) bytes.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(at + Short.BYTES, bytes);
        return Short.BYTES + bytes.length;
    }

    private static String getString(final DirectBuffer buffer, final int[] cursor) {
        final int length = buffer.getShort(cursor[0], ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final byte[] bytes = new byte[length];
        buffer.getBytes(cursor[0] + Short.BYTES, bytes);
        cursor[0] += Short.BYTES + length;
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

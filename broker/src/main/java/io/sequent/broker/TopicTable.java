package io.sequent.broker;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * An immutable name-to-topic table that request threads search with the topic name bytes of a frame,
 * without decoding or allocating: open addressing over a power-of-two array, hashed on the UTF-8 bytes.
 *
 * <p>The admin thread builds a new table for every change and publishes it through {@link TopicRegistry};
 * readers take the current table and never see it change.
 */
final class TopicTable {
    static final TopicTable EMPTY = new TopicTable(new Topic[0]);

    private final Topic[] topics;
    private final Topic[] slots;
    private final int mask;

    private TopicTable(final Topic[] topics) {
        this.topics = topics;
        int capacity = 8;
        while (capacity < topics.length * 2) {
            capacity <<= 1;
        }
        slots = new Topic[capacity];
        mask = capacity - 1;
        for (final Topic topic : topics) {
            final byte[] name = topic.nameBytes();
            int index = hash(name) & mask;
            while (null != slots[index]) {
                index = (index + 1) & mask;
            }
            slots[index] = topic;
        }
    }

    private static int hash(final byte[] bytes) {
        int h = 0;
        for (final byte b : bytes) {
            h = 31 * h + b;
        }
        return mix(h);
    }

    private static int hash(final DirectBuffer buffer, final int offset, final int length) {
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + buffer.getByte(offset + i);
        }
        return mix(h);
    }

    private static int mix(final int h) {
        return h ^ (h >>> 16);
    }

    /**
     * @param buffer holding a topic name in UTF-8.
     * @param offset of the name.
     * @param length of the name in bytes.
     * @return the topic, or null. No allocation.
     */
    Topic lookup(final DirectBuffer buffer, final int offset, final int length) {
        int index = hash(buffer, offset, length) & mask;
        Topic topic;
        while (null != (topic = slots[index])) {
            if (matches(topic.nameBytes(), buffer, offset, length)) {
                return topic;
            }
            index = (index + 1) & mask;
        }
        return null;
    }

    private static boolean matches(final byte[] name, final DirectBuffer buffer, final int offset, final int length) {
        if (name.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (name[i] != buffer.getByte(offset + i)) {
                return false;
            }
        }
        return true;
    }

    /** @return the topic named {@code name}, or null. */
    Topic get(final String name) {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int index = hash(bytes) & mask;
        Topic topic;
        while (null != (topic = slots[index])) {
            if (Arrays.equals(topic.nameBytes(), bytes)) {
                return topic;
            }
            index = (index + 1) & mask;
        }
        return null;
    }

    /** @return the topics sorted by name (the array is shared: do not modify). */
    Topic[] topics() {
        return topics;
    }

    int size() {
        return topics.length;
    }

    /** @return a table with {@code topic} added (or replacing the topic of the same name). */
    TopicTable with(final Topic topic) {
        final Topic[] next = new Topic[topics.length + 1];
        int n = 0;
        for (final Topic existing : topics) {
            if (!existing.name().equals(topic.name())) {
                next[n++] = existing;
            }
        }
        next[n++] = topic;
        final Topic[] result = Arrays.copyOf(next, n);
        Arrays.sort(result, Comparator.comparing(Topic::name));
        return new TopicTable(result);
    }

    /** @return a table without the topic named {@code name}. */
    TopicTable without(final String name) {
        final Topic[] next = new Topic[topics.length];
        int n = 0;
        for (final Topic existing : topics) {
            if (!existing.name().equals(name)) {
                next[n++] = existing;
            }
        }
        return new TopicTable(Arrays.copyOf(next, n));
    }
}

package io.sequent.codec;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The headers of one record being built: key/value byte pairs handed to
 * {@link BatchBuilder#tryAppend(long, DirectBuffer, int, int, DirectBuffer, int, int, RecordHeaders)}.
 *
 * <p>Bytes are copied in on {@link #add}, so the caller's buffers may be reused at once and the same
 * headers can be retried on a new batch when an append does not fit. Reusable: {@link #clear()} and
 * fill again; the internal storage grows to the largest header set seen and is then allocation-free.
 * Header keys are UTF-8 by convention; header values are never null (a null value is stored as empty).
 * Not thread-safe: one instance per producing thread, like the builder.
 */
public final class RecordHeaders {
    private static final int ENTRY_FIELDS = 4;

    private final ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(256);
    private int[] entries = new int[ENTRY_FIELDS * 8];
    private int count;
    private int bytesUsed;

    /**
     * Removes every header.
     *
     * @return this.
     */
    public RecordHeaders clear() {
        count = 0;
        bytesUsed = 0;
        return this;
    }

    /**
     * Adds a header, copying its bytes.
     *
     * @param key         buffer holding the key.
     * @param keyOffset   first byte of the key.
     * @param keyLength   length of the key.
     * @param value       buffer holding the value.
     * @param valueOffset first byte of the value.
     * @param valueLength length of the value.
     * @return this.
     * @throws IllegalStateException when the record already has the maximum of 65,534 headers.
     */
    public RecordHeaders add(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength) {
        final int index = reserve(keyLength, valueLength);
        bytes.putBytes(entries[index], key, keyOffset, keyLength);
        bytes.putBytes(entries[index + 2], value, valueOffset, valueLength);
        return this;
    }

    /**
     * Adds a header from arrays (allocation-free once the storage has grown).
     *
     * @param key   the key bytes.
     * @param value the value bytes; null is stored as empty.
     * @return this.
     */
    public RecordHeaders add(final byte[] key, final byte[] value) {
        final int valueLength = value == null ? 0 : value.length;
        final int index = reserve(key.length, valueLength);
        bytes.putBytes(entries[index], key);
        if (valueLength > 0) {
            bytes.putBytes(entries[index + 2], value);
        }
        return this;
    }

    /**
     * Adds a header with a string key, encoded as UTF-8 (allocates; a convenience off hot paths).
     *
     * @param key   the key.
     * @param value the value bytes; null is stored as empty.
     * @return this.
     */
    public RecordHeaders add(final String key, final byte[] value) {
        return add(key.getBytes(StandardCharsets.UTF_8), value);
    }

    /**
     * Number of headers.
     *
     * @return 0 to 65,534.
     */
    public int count() {
        return count;
    }

    /**
     * Bytes the headers group takes inside a record: its 4-byte group header and every entry.
     *
     * @return the encoded length.
     */
    public int encodedLength() {
        return RecordSet.GROUP_HEADER_LENGTH + count * 2 * RecordSet.LENGTH_PREFIX + bytesUsed;
    }

    MutableDirectBuffer bytes() {
        return bytes;
    }

    int keyOffset(final int i) {
        return entries[i * ENTRY_FIELDS];
    }

    int keyLength(final int i) {
        return entries[i * ENTRY_FIELDS + 1];
    }

    int valueOffset(final int i) {
        return entries[i * ENTRY_FIELDS + 2];
    }

    int valueLength(final int i) {
        return entries[i * ENTRY_FIELDS + 3];
    }

    private int reserve(final int keyLength, final int valueLength) {
        if (count == RecordSet.MAX_HEADERS) {
            throw new IllegalStateException("a record holds at most " + RecordSet.MAX_HEADERS + " headers");
        }
        if (keyLength < 0 || valueLength < 0) {
            throw new IllegalArgumentException("negative length: key=" + keyLength + " value=" + valueLength);
        }
        final int index = count * ENTRY_FIELDS;
        if (index + ENTRY_FIELDS > entries.length) {
            final int[] grown = new int[entries.length * 2];
            System.arraycopy(entries, 0, grown, 0, entries.length);
            entries = grown;
        }
        entries[index] = bytesUsed;
        entries[index + 1] = keyLength;
        entries[index + 2] = bytesUsed + keyLength;
        entries[index + 3] = valueLength;
        bytesUsed += keyLength + valueLength;
        count++;
        return index;
    }
}

package io.sequent.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/** A record as plain values, to compare what was built with what was read. */
final class TestRecord {
    final long timestamp;
    final byte[] key;
    final byte[] value;
    final List<byte[][]> headers;

    TestRecord(final long timestamp, final byte[] key, final byte[] value, final List<byte[][]> headers) {
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers;
    }

    static TestRecord of(final long timestamp, final String key, final String value) {
        return new TestRecord(timestamp, bytes(key), bytes(value), List.of());
    }

    TestRecord withHeader(final String headerKey, final String headerValue) {
        final List<byte[][]> more = new ArrayList<>(headers);
        more.add(new byte[][] {bytes(headerKey), bytes(headerValue)});
        return new TestRecord(timestamp, key, value, more);
    }

    static byte[] bytes(final String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Random records: null and empty keys and values, headers, timestamps around a base. */
    static List<TestRecord> random(final Random random, final int count, final int maxValueLength) {
        final List<TestRecord> records = new ArrayList<>();
        final long base = 1_700_000_000_000L + random.nextInt(1_000_000);
        for (int i = 0; i < count; i++) {
            final byte[] key = randomBytes(random, 24, 0.15);
            final byte[] value = randomBytes(random, maxValueLength, 0.1);
            final List<byte[][]> headers = new ArrayList<>();
            final int headerCount = random.nextInt(4) == 0 ? random.nextInt(4) : 0;
            for (int h = 0; h < headerCount; h++) {
                headers.add(new byte[][] {bytes("h" + h), randomBytes(random, 16, 0)});
            }
            records.add(new TestRecord(base + random.nextInt(2000) - 1000, key, value, headers));
        }
        return records;
    }

    static byte[] randomBytes(final Random random, final int maxLength, final double nullChance) {
        if (random.nextDouble() < nullChance) {
            return null;
        }
        final byte[] bytes = new byte[maxLength == 0 ? 0 : random.nextInt(maxLength + 1)];
        if (random.nextBoolean()) {
            random.nextBytes(bytes);
        } else {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) ('a' + (i % 7));
            }
        }
        return bytes;
    }

    /** The record the reader is positioned on. */
    static TestRecord read(final BatchReader reader) {
        final List<byte[][]> headers = new ArrayList<>();
        for (int h = 0; h < reader.headerCount(); h++) {
            final byte[] headerKey = new byte[reader.headerKeyLength(h)];
            reader.recordBuffer().getBytes(reader.headerKeyOffset(h), headerKey);
            headers.add(new byte[][] {headerKey, reader.headerValueBytes(h)});
        }
        return new TestRecord(reader.timestamp(), reader.keyBytes(), reader.valueBytes(), headers);
    }

    @Override
    public boolean equals(final Object o) {
        if (!(o instanceof TestRecord)) {
            return false;
        }
        final TestRecord that = (TestRecord) o;
        if (timestamp != that.timestamp || !Arrays.equals(key, that.key) || !Arrays.equals(value, that.value)
            || headers.size() != that.headers.size()) {
            return false;
        }
        for (int i = 0; i < headers.size(); i++) {
            if (!Arrays.equals(headers.get(i)[0], that.headers.get(i)[0])
                || !Arrays.equals(headers.get(i)[1], that.headers.get(i)[1])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, Arrays.hashCode(key), Arrays.hashCode(value), headers.size());
    }

    @Override
    public String toString() {
        return "TestRecord{ts=" + timestamp
            + ", key=" + (key == null ? "null" : key.length + "B")
            + ", value=" + (value == null ? "null" : value.length + "B")
            + ", headers=" + headers.size() + "}";
    }
}

package io.sequent.codec;

import java.util.Random;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Seeded structure-aware mutations of a valid frame: truncate, extend, flip bits, overwrite bytes,
 * cut or duplicate chunks, and set known length, count and block-length fields to 0, -1, their
 * maximum, off-by-one or random values. Every choice comes from the given {@link Random}, so a seed
 * replays a mutation exactly; {@link #description()} says what was done.
 */
final class Mutator {
    /** A field worth attacking: where it is and how many bytes it takes (1, 2, 4 or 8). */
    static final class Field {
        final int position;
        final int size;

        Field(final int position, final int size) {
            this.position = position;
            this.size = size;
        }
    }

    private final StringBuilder description = new StringBuilder();
    private Random random;

    String description() {
        return description.toString();
    }

    /**
     * Copies {@code src[0, length)} into {@code out}, mutates it there and returns the new length
     * (which may be 0 and is at most {@code length + 64}).
     */
    int mutate(
        final Random random,
        final DirectBuffer src,
        final int length,
        final MutableDirectBuffer out,
        final Field[] fields) {
        this.random = random;
        description.setLength(0);
        out.putBytes(0, src, 0, length);
        int n = length;
        final int operations = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        for (int op = 0; op < operations; op++) {
            final int kind = random.nextInt(10);
            switch (kind) {
                case 0:
                    n = n == 0 ? 0 : random.nextInt(n);
                    note("truncate to " + n);
                    break;
                case 1: {
                    final int extra = 1 + random.nextInt(32);
                    final boolean zeros = random.nextBoolean();
                    for (int i = 0; i < extra; i++) {
                        out.putByte(n + i, zeros ? 0 : (byte) random.nextInt(256));
                    }
                    n += extra;
                    note("extend by " + extra + (zeros ? " zeros" : " random"));
                    break;
                }
                case 2:
                case 3: {
                    final int flips = 1 + random.nextInt(4);
                    for (int i = 0; i < flips && n > 0; i++) {
                        final int at = random.nextInt(n);
                        final int bit = random.nextInt(8);
                        out.putByte(at, (byte) (out.getByte(at) ^ (1 << bit)));
                        note("flip " + at + ":" + bit);
                    }
                    break;
                }
                case 4:
                    if (n > 0) {
                        final int at = random.nextInt(n);
                        out.putByte(at, (byte) random.nextInt(256));
                        note("byte " + at);
                    }
                    break;
                case 5: {
                    final int size = 1 << random.nextInt(4);
                    if (n >= size) {
                        final int at = random.nextInt(n - size + 1);
                        put(out, at, size, interesting(size, n));
                    }
                    break;
                }
                case 6:
                case 7:
                case 8:
                    if (fields.length > 0) {
                        final Field field = fields[random.nextInt(fields.length)];
                        if (field.position + field.size <= n) {
                            put(out, field.position, field.size, interestingFor(out, field, n));
                        }
                    }
                    break;
                default:
                    n = chunk(out, n);
                    break;
            }
        }
        return n;
    }

    private int chunk(final MutableDirectBuffer out, final int n) {
        if (n < 2) {
            return n;
        }
        final int from = random.nextInt(n);
        final int size = 1 + random.nextInt(Math.min(32, n - from));
        if (random.nextBoolean()) {
            final byte[] bytes = new byte[n - from - size];
            out.getBytes(from + size, bytes);
            out.putBytes(from, bytes);
            note("cut " + size + "@" + from);
            return n - size;
        }
        final byte[] copy = new byte[size];
        out.getBytes(from, copy);
        final int to = random.nextInt(n);
        final byte[] tail = new byte[n - to];
        out.getBytes(to, tail);
        out.putBytes(to, copy);
        out.putBytes(to + size, tail);
        note("duplicate " + size + "@" + from + "->" + to);
        return n + size;
    }

    private long interestingFor(final DirectBuffer out, final Field field, final int frameLength) {
        final long current = get(out, field.position, field.size);
        switch (random.nextInt(6)) {
            case 0:
                return current + 1;
            case 1:
                return current - 1;
            case 2:
                return current + random.nextInt(64) - 32;
            default:
                return interesting(field.size, frameLength);
        }
    }

    private long interesting(final int size, final int frameLength) {
        switch (random.nextInt(10)) {
            case 0:
            case 1:
                return 0;
            case 2:
            case 3:
                return -1;
            case 4:
                return size == 8 ? Long.MAX_VALUE : (1L << (size * 8 - 1)) - 1;
            case 5:
                return size == 8 ? Long.MIN_VALUE : 1L << (size * 8 - 1);
            case 6:
                return 1;
            case 7:
                return frameLength + random.nextInt(3) - 1;
            case 8:
                return 1L << 30;
            default:
                return random.nextInt(256);
        }
    }

    private void put(final MutableDirectBuffer out, final int at, final int size, final long value) {
        switch (size) {
            case 1:
                out.putByte(at, (byte) value);
                break;
            case 2:
                out.putShort(at, (short) value, Batches.ORDER);
                break;
            case 4:
                out.putInt(at, (int) value, Batches.ORDER);
                break;
            default:
                out.putLong(at, value, Batches.ORDER);
                break;
        }
        note("set" + size + " " + at + "=" + value);
    }

    private static long get(final DirectBuffer out, final int at, final int size) {
        switch (size) {
            case 1:
                return out.getByte(at) & 0xFFL;
            case 2:
                return out.getShort(at, Batches.ORDER) & 0xFFFFL;
            case 4:
                return out.getInt(at, Batches.ORDER) & 0xFFFF_FFFFL;
            default:
                return out.getLong(at, Batches.ORDER);
        }
    }

    private void note(final String what) {
        if (description.length() > 0) {
            description.append(", ");
        }
        description.append(what);
    }

    /** A per-iteration seed from a run seed: replaying one iteration needs only this value. */
    static long iterationSeed(final long runSeed, final long iteration) {
        long z = runSeed + iteration * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

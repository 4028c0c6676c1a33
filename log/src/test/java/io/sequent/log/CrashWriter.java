package io.sequent.log;

import java.nio.file.Path;
import java.util.Random;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Child-JVM program for {@link CrashTest}: opens (recovering) the log in {@code args[0]} and appends generated
 * frames (payload seeded by {@code args[1]}) in a tight loop with flush policy NONE until it is killed, printing
 * {@code READY <nextOffset>} once open and {@code APPENDED <nextOffset>} every few frames.
 */
public final class CrashWriter {
    static final int SEGMENT_BYTES = 1024 * 1024;

    private CrashWriter() {
    }

    static LogConfig config() {
        return new LogConfig()
            .segmentBytes(SEGMENT_BYTES)
            .indexIntervalBytes(1024)
            .flushPolicy(FlushPolicy.NONE)
            .retentionMs(-1);
    }

    public static void main(final String[] args) {
        final Path dir = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        final Random random = new Random(seed ^ System.nanoTime());
        final UnsafeBuffer buffer = TestFrames.newBuffer(1 << 16);
        try (PartitionLog log = PartitionLog.open(dir, config(), SystemEpochClock.INSTANCE)) {
            System.out.println("READY " + log.nextOffset());
            System.out.flush();
            long appended = 0;
            while (true) {
                final long next = log.nextOffset();
                final TestFrames.Spec spec = new TestFrames.Spec(next, 1 + random.nextInt(4), 1, next, next,
                    random.nextInt(60_000));
                final int length = TestFrames.write(buffer, 0, spec, seed);
                final int result = log.append(buffer, 0, length);
                if (LogResult.OK != result) {
                    System.out.println("FAILED " + LogResult.name(result));
                    System.out.flush();
                    System.exit(2);
                }
                if (++appended % 10 == 0) {
                    System.out.println("APPENDED " + log.nextOffset());
                    System.out.flush();
                }
            }
        }
    }
}

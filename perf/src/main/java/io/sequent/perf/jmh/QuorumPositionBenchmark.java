package io.sequent.perf.jmh;

import io.sequent.sequencer.QuorumPosition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The leader's commit rule, {@link QuorumPosition#quorumPosition}, for groups of 3 and 5 members: the highest
 * position a majority has acknowledged.
 *
 * <p>Why: a leader recomputes it on every acknowledgement a follower sends (and on its own journal's progress),
 * so it sits on the acks=all path once per message; it must stay a few nanoseconds and allocation-free. Each
 * invocation takes the next of 4096 pre-generated position sets (a leader ahead, followers lagging by random
 * amounts, in random order), so neither the JIT nor the branch predictor sees a constant input. {@code baseline}
 * performs the same set selection and reads one position: subtract it for the cost of the rule alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QuorumPositionBenchmark {
    private static final int SETS = 4096;
    private static final int MASK = SETS - 1;

    /** Members of the replica group, leader included. */
    @Param({"3", "5"})
    public int memberCount;

    private long[][] positions;
    private long[] scratch;
    private int next;

    /** Draws the position sets. */
    @Setup(Level.Trial)
    public void setUp() {
        final SplittableRandom random = new SplittableRandom(7);
        positions = new long[SETS][];
        long leader = 1L << 30;
        for (int i = 0; i < SETS; i++) {
            leader += random.nextInt(16_384);
            final long[] set = new long[memberCount];
            for (int m = 0; m < memberCount; m++) {
                // one member is the leader itself; the followers trail by up to 64 KiB, sometimes caught up
                set[m] = m == 0 ? leader : leader - random.nextInt(4) * random.nextInt(16_384);
            }
            for (int m = memberCount - 1; m > 0; m--) {
                final int j = random.nextInt(m + 1);
                final long t = set[m];
                set[m] = set[j];
                set[j] = t;
            }
            positions[i] = set;
        }
        scratch = new long[memberCount];
    }

    /**
     * The quorum position of the next set.
     *
     * @return the position.
     */
    @Benchmark
    public long quorumPosition() {
        return QuorumPosition.quorumPosition(positions[next++ & MASK], memberCount, scratch);
    }

    /**
     * Only picks the next set and reads one position.
     *
     * @return the position.
     */
    @Benchmark
    public long baseline() {
        return positions[next++ & MASK][memberCount - 1];
    }
}

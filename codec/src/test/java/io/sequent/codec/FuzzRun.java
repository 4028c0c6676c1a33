package io.sequent.codec;

import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** The seeded loop both fuzz tests share: one Random per iteration, so any failure replays from its seed. */
final class FuzzRun {
    private FuzzRun() {
    }

    /**
     * Runs {@code once} for each iteration with a Random seeded from ({@code runSeed}, iteration), failing with
     * both seeds and the last mutation's description if anything is thrown.
     *
     * @return the elapsed milliseconds.
     */
    static long run(
        final String name,
        final long runSeed,
        final int iterations,
        final Consumer<Random> once,
        final Supplier<String> mutation) {
        final long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            final long seed = Mutator.iterationSeed(runSeed, i);
            try {
                once.accept(new Random(seed));
            } catch (final Throwable ex) {
                fail(name + " failed: runSeed=" + runSeed + " iteration=" + i + " iterationSeed=" + seed
                    + " mutation=[" + mutation.get() + "]: " + ex, ex);
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** " NAME=count" for every result code (counted at index -code) that occurred. */
    static String histogram(final long[] countsByNegatedCode, final IntFunction<String> codeName) {
        final StringBuilder histogram = new StringBuilder();
        for (int code = 0; code < countsByNegatedCode.length; code++) {
            if (countsByNegatedCode[code] > 0) {
                histogram.append(' ').append(codeName.apply(-code)).append('=').append(countsByNegatedCode[code]);
            }
        }
        return histogram.toString();
    }
}

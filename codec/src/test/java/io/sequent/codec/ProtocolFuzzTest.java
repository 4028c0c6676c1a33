package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of client and replication protocol frames (reliability tier D1). Every
 * mutated frame must get {@link FrameError#NONE} or a negative code from {@link ProtocolFrames#validate},
 * never an exception; and every frame that validates must decode completely with the generated
 * decoders (all fields, enums, groups and var data) without an exception, the decoder's own walk
 * ending exactly at the end of the frame. Frames sit in buffers of exactly their length, so any read
 * past the frame would throw.
 *
 * <p>Replay: {@code -Dsequent.fuzz.seed=N}; a failure names the run seed, iteration and mutation.
 */
class ProtocolFuzzTest {
    private final List<UnsafeBuffer> corpus = new ArrayList<>();
    private final List<Mutator.Field[]> corpusFields = new ArrayList<>();
    private final Mutator mutator = new Mutator();
    private final Decoders decoders = new Decoders();
    private final byte[] work = new byte[1 << 16];
    private final UnsafeBuffer workBuffer = new UnsafeBuffer(work);
    private final UnsafeBuffer view = new UnsafeBuffer(work);
    private final StringBuilder text = new StringBuilder();
    private final long[] results = new long[16];

    @Test
    void mutatedProtocolFrames() {
        run(Long.getLong("sequent.fuzz.seed", BatchFuzzTest.DEFAULT_SEED),
            Integer.getInteger("sequent.fuzz.frames", 600_000));
    }

    @Test
    @Tag("long")
    void manyMoreMutatedProtocolFrames() {
        run(Long.getLong("sequent.fuzz.seed", System.nanoTime()),
            Integer.getInteger("sequent.fuzz.long", 10_000_000));
    }

    private void run(final long runSeed, final int iterations) {
        buildCorpus(new Random(runSeed));
        final long ms = FuzzRun.run("protocol fuzz", runSeed, iterations, this::fuzzOnce, mutator::description);
        final String histogram = FuzzRun.histogram(results, FrameError::name);
        System.out.printf("ProtocolFuzzTest: %,d mutated frames from %d originals in %,d ms (seed %d):%s%n",
            iterations, corpus.size(), ms, runSeed, histogram);
        assertTrue(results[0] > 0 && results[0] < iterations, "mutations both pass and fail");
    }

    private void buildCorpus(final Random random) {
        for (final SampleFrames.Frame frame : SampleFrames.all()) {
            add(frame.buffer, frame.length);
        }
        final FrameGenerator generator = new FrameGenerator(random, 3, 10);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4096);
        for (final int schemaId : new int[] {ProtocolFrames.CLIENT_SCHEMA_ID, ProtocolFrames.REPLICATION_SCHEMA_ID}) {
            final FrameLayouts.Schema schema = ProtocolFrames.schema(schemaId);
            for (final FrameLayouts.Block message : schema.messages) {
                for (int version = 1; version <= schema.version; version++) {
                    for (int i = 0; i < 3; i++) {
                        add(out, generator.generate(schema, message, version, out, 0));
                    }
                }
            }
        }
    }

    private void add(final org.agrona.DirectBuffer buffer, final int length) {
        final UnsafeBuffer copy = SampleFrames.copy(buffer, length);
        assertEquals(FrameError.NONE, ProtocolFrames.validate(copy, 0, length));
        corpus.add(copy);
        corpusFields.add(FrameFields.ofFrame(copy, length));
    }

    private void fuzzOnce(final Random random) {
        final int index = random.nextInt(corpus.size());
        final UnsafeBuffer original = corpus.get(index);
        final int length;
        if (random.nextInt(50) == 0) {
            length = random.nextInt(256);
            for (int i = 0; i < length; i++) {
                work[i] = (byte) random.nextInt(256);
            }
        } else {
            length = mutator.mutate(random, original, original.capacity(), workBuffer, corpusFields.get(index));
        }
        view.wrap(work, 0, length);
        final int result = ProtocolFrames.validate(view, 0, length);
        assertTrue(result <= 0 && result >= FrameError.BAD_ENUM, "result " + result);
        results[-result]++;
        ProtocolFrames.correlationId(view, 0, length);
        ProtocolFrames.templateId(view, 0, length);
        if (result == FrameError.NONE) {
            text.setLength(0);
            assertEquals(length - ProtocolFrames.HEADER_LENGTH, decoders.decodeFully(view, 0, text));
        }
    }
}

package io.sequent.broker;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replication frame is not lost where a term ends: {@link ReplicaAgent#offer} offers again into the next term
 * when the publication answers ADMIN_ACTION (it padded and rotated the term), as the live stream rotates every
 * term-length bytes shipped.
 */
class ReplicationOfferTest {
    private static final int FRAME = 3_000;
    private static final int FRAMES = 200;

    @TempDir
    Path dir;

    @Test
    void framesOfferedAcrossTermRotationsAreAllPublishedWhereAPlainOfferLosesOneAtEachRotation() {
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()))) {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME]);
            assertEquals(0, lostAcrossRotations(aeron, frame, true, 1), "none lost with the retry");
            assertTrue(lostAcrossRotations(aeron, frame, false, 2) >= 5,
                "control: a plain offer refuses a frame at each of the ~9 term rotations");
        }
    }

    private static int lostAcrossRotations(
        final Aeron aeron, final UnsafeBuffer frame, final boolean retry, final int streamId) {
        // a 64 KiB term holds 21 frames of 3,000 bytes (plus headers): 200 frames cross about 9 term ends
        try (ExclusivePublication publication = aeron.addExclusivePublication("aeron:ipc?term-length=64k", streamId);
            Subscription subscription = aeron.addSubscription("aeron:ipc", streamId)) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!publication.isConnected()) {
                assertTrue(System.nanoTime() < deadline, "connected");
                Thread.onSpinWait();
            }
            final int[] received = new int[1];
            int lost = 0;
            final FragmentAssembler assembler =
                new FragmentAssembler((buffer, offset, length, header) -> received[0]++);
            for (int i = 0; i < FRAMES; i++) {
                frame.putInt(0, i);
                while (publication.availableWindow() < 2L * FRAME) {
                    // no back-pressure in this test: wait until the driver moved the publication's limit
                    subscription.poll(assembler, 10);
                    assertTrue(System.nanoTime() < deadline, "window");
                    Thread.onSpinWait();
                }
                final boolean offered = retry ? ReplicaAgent.offer(publication, frame, 0, FRAME) :
                    publication.offer(frame, 0, FRAME) > 0;
                if (!offered) {
                    lost++;
                }
                while (subscription.poll(assembler, 10) > 0) {
                    assertTrue(System.nanoTime() < deadline, "drained");
                }
            }
            assertEquals(FRAMES - lost, received[0], "every frame offered was received");
            assertTrue(publication.position() > 8 * 64 * 1024, "crossed 8 terms");
            return lost;
        }
    }
}

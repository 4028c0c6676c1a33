package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's quick start on the default settings: a topic of 3 partitions and three records take a few MB of the
 * data directory (they took 772 MB when every partition pre-allocated a 256 MiB segment).
 */
class DiskFootprintTest {
    @TempDir
    Path dataDir;

    @Test
    void quickStartDataDirectoryIsAFewMegabytes() throws IOException {
        final BrokerContext ctx = new BrokerContext().port(0).dataDir(dataDir)
            .aeronDir("/dev/shm/sequent-test-" + UUID.randomUUID());
        try (Broker broker = Broker.launch(ctx);
            TestClient client = new TestClient(broker)) {
            client.connect("footprint");
            assertEquals(ErrorCode.NONE, client.createTopic("demo", 3).code);
            assertEquals(0, client.produce("demo", 2, Acks.ALL, TestSupport.batch("hello")).baseOffset);
            assertEquals(0, client.produce("demo", 0, Acks.ALL, TestSupport.batch("world")).baseOffset);
            assertEquals(1, client.produce("demo", 2, Acks.ALL, TestSupport.batch("again")).baseOffset);
        }
        final long bytes = bytes(dataDir);
        System.out.printf("quick start data dir after three records (3 partitions, defaults): %,d bytes%n", bytes);
        assertTrue(bytes < 8L * 1024 * 1024, bytes + " bytes");
    }

    private static long bytes(final Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (final IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }).sum();
        }
    }
}

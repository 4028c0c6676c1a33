package io.sequent.systemtest;

import io.sequent.client.ClientConfig;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An idempotent {@code acks=all} producer as its own process, for {@link ClusterPartitionTest}: run inside one
 * member's network namespace, it writes to that member only, so that it stays on the member's side of a partition.
 * It prints one line per completed write: {@code OK <invokedWallMs> <partition> <offset>} or
 * {@code FAIL <invokedWallMs> <exception class>}, and {@code READY} after its first acknowledgement.
 *
 * <p>Arguments: {@code bootstrap responseHost topic clientId deliveryTimeoutMs}.
 */
public final class IsolatedProducerMain {
    private IsolatedProducerMain() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final ClientConfig client = new ClientConfig().bootstrap(args[0]).responseHost(args[1]).clientId(args[3])
            .connectTimeout(Duration.ofSeconds(20)).requestTimeout(Duration.ofSeconds(1));
        final int deliveryTimeoutMs = Integer.parseInt(args[4]);
        try (Producer producer = new Producer(new ProducerConfig(client).acks("all").enableIdempotence(true)
            .lingerMs(1).deliveryTimeoutMs(deliveryTimeoutMs))) {
            final boolean[] ready = {false};
            long n = 0;
            while (true) {
                final long invokedMs = System.currentTimeMillis();
                final byte[] value = ("i" + n++).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord(args[2], value, value), (metadata, error) -> {
                    synchronized (out) {
                        if (null == error) {
                            out.println("OK " + invokedMs + " " + metadata.partition() + " " + metadata.offset());
                            if (!ready[0]) {
                                ready[0] = true;
                                out.println("READY");
                            }
                        } else {
                            out.println("FAIL " + invokedMs + " " + error.getClass().getSimpleName());
                        }
                    }
                });
                Thread.sleep(5);
            }
        }
    }
}

package io.sequent.sql;

import java.nio.file.Path;
import java.util.UUID;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;

/** A real broker on an ephemeral 127.0.0.1 port with small, sparse segments, for the SQL tests. */
final class SqlBroker implements AutoCloseable {
    private final Broker broker;

    SqlBroker(final Path dataDir) {
        final BrokerContext ctx = new BrokerContext()
            .port(0)
            .dataDir(dataDir)
            .aeronDir("/dev/shm/sequent-sql-test-" + UUID.randomUUID())
            .idleStrategy("backoff")
            .driverIdleStrategy("backoff")
            .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
            .topicDefault("log.preallocate", "false");
        broker = Broker.launch(ctx);
    }

    /** The JDBC URL of this broker. */
    String url() {
        return SequentDriver.PREFIX + "bootstrap=" + broker.ingressEndpoint();
    }

    String endpoint() {
        return broker.ingressEndpoint();
    }

    @Override
    public void close() {
        broker.close();
    }
}

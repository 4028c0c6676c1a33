package io.sequent.cli;

import io.sequent.client.ClientConfig;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Options every client command takes. */
final class ClientOptions {
    @Option(names = "--broker", paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:9090",
        description = "Broker(s) to connect to (default: ${DEFAULT-VALUE}).")
    String broker;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS", defaultValue = "10000",
        description = "Give up reaching the broker after this long (default: ${DEFAULT-VALUE}).")
    long connectTimeoutMs;

    ClientConfig clientConfig(final String clientId) {
        return new ClientConfig()
            .bootstrap(broker)
            .clientId(clientId)
            .connectTimeout(Duration.ofMillis(connectTimeoutMs));
    }
}

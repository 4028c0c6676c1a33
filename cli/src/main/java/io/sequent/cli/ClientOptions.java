package io.sequent.cli;

import io.sequent.client.ClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Options every client command takes, and how they combine with client properties (as Kafka's console
 * tools combine them): the command's defaults, then the {@code --command-config} file, then the
 * {@code --producer-property} / {@code --consumer-property} pairs, then the options given on the command
 * line, each overriding the ones before.
 */
final class ClientOptions {
    @Option(names = "--broker", paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:9090",
        description = "Broker(s) to connect to (default: ${DEFAULT-VALUE}); overrides bootstrap.servers.")
    String broker;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS", defaultValue = "10000",
        description = "Give up reaching the broker after this long (default: ${DEFAULT-VALUE}).")
    long connectTimeoutMs;

    @Option(names = "--command-config", paramLabel = "FILE",
        description = "Properties file of client settings (docs/client.md), e.g. bootstrap.servers, "
            + "request.timeout.ms, and the producer's or consumer's own keys.")
    Path commandConfig;

    /**
     * The client properties of a command.
     *
     * @param spec      the command (to tell options given from defaults).
     * @param clientId  the client id unless the properties name one.
     * @param defaults  the command's own defaults, overridden by the file.
     * @param pairs     {@code --producer-property} / {@code --consumer-property} pairs, over the file.
     * @return the merged properties, before the command's explicitly given options are laid over them.
     */
    Properties properties(
        final CommandSpec spec, final String clientId, final Map<String, String> defaults,
        final Map<String, String> pairs) {
        final Properties properties = new Properties();
        properties.setProperty(ClientConfig.BOOTSTRAP_SERVERS, broker);
        properties.setProperty(ClientConfig.CLIENT_ID, clientId);
        properties.setProperty(ClientConfig.CONNECT_TIMEOUT_MS, Long.toString(connectTimeoutMs));
        properties.putAll(defaults);
        if (commandConfig != null) {
            try (InputStream in = Files.newInputStream(commandConfig)) {
                properties.load(in);
            } catch (final NoSuchFileException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "cannot read --command-config " + commandConfig + ": no such file");
            } catch (final IOException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "cannot read --command-config " + commandConfig + ": " + ex.getMessage());
            }
        }
        properties.putAll(pairs);
        if (given(spec, "--broker")) {
            properties.setProperty(ClientConfig.BOOTSTRAP_SERVERS, broker);
        }
        if (given(spec, "--connect-timeout-ms")) {
            properties.setProperty(ClientConfig.CONNECT_TIMEOUT_MS, Long.toString(connectTimeoutMs));
        }
        return properties;
    }

    /** The connection settings of an admin command: defaults, then the file, then the options given. */
    ClientConfig clientConfig(final CommandSpec spec, final String clientId) {
        return ClientConfig.fromProperties(properties(spec, clientId, Map.of(), Map.of()));
    }

    /**
     * @param spec   the command.
     * @param option an option name.
     * @return whether the option was given on the command line (not only defaulted).
     */
    static boolean given(final CommandSpec spec, final String option) {
        final CommandLine.ParseResult result = spec.commandLine().getParseResult();
        return result != null && result.hasMatchedOption(option);
    }
}

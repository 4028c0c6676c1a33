package io.sequent.cli;

import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code sequent produce TOPIC}: sends each line of standard input as a record and exits 0 only once
 * every record is acknowledged at the requested level.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Send each line of standard input as a record (the key before --key-separator, when given).")
final class ProduceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = "--key-separator", paramLabel = "SEP",
        description = "Split each line at the first SEP: key before, value after. Every line must contain it.")
    String keySeparator;

    @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "all",
        description = "Acknowledgement level (default: ${DEFAULT-VALUE}).")
    String acks;

    @Option(names = "--linger-ms", paramLabel = "MS", defaultValue = "5",
        description = "How long to wait to fill a batch (default: ${DEFAULT-VALUE}).")
    long lingerMs;

    @Option(names = "--compression", paramLabel = "none|lz4|zstd", defaultValue = "none",
        description = "Batch compression (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--value-format", paramLabel = "text|base64|hex", defaultValue = "text",
        description = "How each value is written on its line (default: ${DEFAULT-VALUE}); base64 and hex carry "
            + "binary values.")
    BytesFormat valueFormat;

    @Option(names = "--key-format", paramLabel = "text|base64|hex", defaultValue = "text",
        description = "How each key is written before the separator (default: ${DEFAULT-VALUE}).")
    BytesFormat keyFormat;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE",
        description = "A producer setting (docs/client.md), e.g. batch.size=65536; overrides --command-config.")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Override
    public void run() {
        if (!acks.equals("0") && !acks.equals("1") && !acks.equals("all")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--acks must be 0, 1 or all, not '" +
                acks + "'");
        }
        if (keySeparator != null && keySeparator.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        final Properties properties = client.properties(spec, "sequent-produce", Map.of(
            ProducerConfig.ACKS, acks,
            ProducerConfig.LINGER_MS, Long.toString(lingerMs),
            ProducerConfig.COMPRESSION_TYPE, compression), producerProperties);
        if (ClientOptions.given(spec, "--acks")) {
            properties.setProperty(ProducerConfig.ACKS, acks);
        }
        if (ClientOptions.given(spec, "--linger-ms")) {
            properties.setProperty(ProducerConfig.LINGER_MS, Long.toString(lingerMs));
        }
        if (ClientOptions.given(spec, "--compression")) {
            properties.setProperty(ProducerConfig.COMPRESSION_TYPE, compression);
        }
        if (!properties.containsKey(ProducerConfig.ENABLE_IDEMPOTENCE)) {
            final String effectiveAcks = properties.getProperty(ProducerConfig.ACKS).trim();
            properties.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE,
                Boolean.toString("all".equals(effectiveAcks) || "-1".equals(effectiveAcks)));
        }
        final ProducerConfig config = ProducerConfig.fromProperties(properties);
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final AtomicLong failedLine = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        try (Producer producer = new Producer(config);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            long lineNumber = 0;
            while ((line = in.readLine()) != null && failure.get() == null) {
                lineNumber++;
                String keyText = null;
                String valueText = line;
                if (keySeparator != null) {
                    final int at = line.indexOf(keySeparator);
                    if (at < 0) {
                        producer.flush();
                        throw new IllegalArgumentException("line " + lineNumber + " has no key separator '" +
                            keySeparator + "'; " + sent.get() + " earlier records were sent");
                    }
                    keyText = line.substring(0, at);
                    valueText = line.substring(at + keySeparator.length());
                }
                final byte[] key;
                final byte[] value;
                try {
                    key = keyText == null ? null : keyFormat.decode(keyText);
                    value = valueFormat.decode(valueText);
                } catch (final IllegalArgumentException ex) {
                    producer.flush();
                    throw new IllegalArgumentException("line " + lineNumber + " is not valid " +
                        (keyText != null && keyFormat != BytesFormat.TEXT ? "--key-format/" : "") + "--value-format " +
                        "input: " + ex.getMessage() + "; " + sent.get() + " earlier records were sent", ex);
                }
                final long number = lineNumber;
                producer.send(new ProducerRecord(topic, key, value),
                    (metadata, exception) -> {
                        if (exception != null && failure.compareAndSet(null, exception)) {
                            failedLine.set(number);
                        }
                    });
                sent.incrementAndGet();
            }
            producer.flush();
        } catch (final IOException ex) {
            throw new IllegalStateException("reading standard input: " + ex.getMessage(), ex);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("not every record was acknowledged: " +
                (failedLine.get() > 0 ? "line " + failedLine.get() + ": " : "") +
                SequentCommand.describe(failure.get()), failure.get());
        }
    }
}

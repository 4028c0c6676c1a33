package io.sequent.cli;

import io.sequent.broker.Broker;
import io.sequent.broker.BrokerContext;
import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicPartition;
import io.sequent.codec.client.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Prometheus endpoint of an in-process broker, read by Prometheus's own text-format parser (the Python client
 * library's {@code prometheus_client.parser}, Debian package {@code python3-prometheus-client}, installed by
 * {@code bin/install-test-packages}): the counters, the produce -&gt; ack latency, the consumer lag (equal to what
 * {@code sequent group describe} prints) and the disk bytes per partition; and the JMX MBean over the counters.
 */
class MetricsEndpointTest {
    /** Prints one line per sample: name, labels as k=v joined by ',', value; tab-separated; families first. */
    private static final String PARSER = String.join("\n",
        "import sys",
        "from prometheus_client.parser import text_string_to_metric_families",
        "for family in text_string_to_metric_families(sys.stdin.read()):",
        "    print('family\\t%s\\t%s' % (family.name, family.type))",
        "    for s in family.samples:",
        "        labels = ','.join('%s=%s' % (k, v) for k, v in sorted(s.labels.items()))",
        "        print('sample\\t%s\\t%s\\t%r' % (s.name, labels, s.value))");

    @TempDir
    Path dataDir;

    /** The parsed exposition: family types and sample values by "name{labels}". */
    record Exposition(Map<String, String> types, Map<String, Double> samples) {
        double value(final String key) {
            final Double value = samples.get(key);
            assertNotNull(value, "no sample " + key + " in " + samples.keySet());
            return value;
        }
    }

    static Exposition parse(final String text) throws IOException, InterruptedException {
        // Debian's interpreter, whose dist-packages hold python3-prometheus-client (a python3 earlier on the PATH,
        // pyenv's say, does not see them)
        final String interpreter = java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3"
            : "python3";
        final Process python = new ProcessBuilder(interpreter, "-c", PARSER).start();
        try (OutputStream in = python.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        final String out = read(python.getInputStream());
        final String err = read(python.getErrorStream());
        assertTrue(python.waitFor(60, TimeUnit.SECONDS));
        if (python.exitValue() != 0) {
            fail("the Prometheus parser refused the exposition (is python3-prometheus-client installed? "
                + "bin/install-test-packages): " + err + "\n" + text);
        }
        final Map<String, String> types = new HashMap<>();
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : out.split("\n")) {
            final String[] parts = line.split("\t", -1);
            if (parts[0].equals("family")) {
                types.put(parts[1], parts[2]);
            } else if (parts[0].equals("sample")) {
                samples.put(parts[1] + "{" + parts[2] + "}", Double.parseDouble(parts[3].replace("nan", "NaN")));
            }
        }
        return new Exposition(types, samples);
    }

    private static String read(final InputStream stream) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        stream.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static String scrape(final int port) throws IOException, InterruptedException {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
            response.headers().toString());
        return response.body();
    }

    private static ClientConfig client(final Broker broker, final String id) {
        return new ClientConfig().bootstrap(broker.ingressEndpoint()).aeronDirectory(broker.aeronDirectoryName())
            .clientId(id);
    }

    @Test
    void theExpositionParsesAndCarriesCountersLatencyLagAndDiskBytes() throws Exception {
        try (Broker broker = Broker.launch(new BrokerContext()
            .port(0)
            .metricsPort(0)
            .dataDir(dataDir)
            .aeronDir("/dev/shm/sequent-metrics-test-" + UUID.randomUUID())
            .idleStrategy("backoff")
            .driverIdleStrategy("backoff")
            .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
            .topicDefault("log.preallocate", "false"));
            Admin admin = Admin.create(client(broker, "admin"))) {
            assertTrue(broker.metricsPort() > 0);
            admin.createTopic("m", 2, Map.of());
            try (Producer producer = new Producer(new ProducerConfig(client(broker, "p")).lingerMs(0))) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord("m", i % 2, null, null, ("v" + i).getBytes(), null)).get();
                }
            }
            final List<String> seen = new ArrayList<>();
            try (Consumer c = new Consumer(new ConsumerConfig(client(broker, "c")).groupId("lagging")
                .autoOffsetReset("earliest").enableAutoCommit(false).fetchMaxWaitMs(50))) {
                c.assign(List.of(new TopicPartition("m", 0), new TopicPartition("m", 1)));
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.size() < 50 && System.nanoTime() - deadline < 0) {
                    c.poll(Duration.ofMillis(50)).forEach(r -> seen.add(new String(r.value())));
                }
                assertEquals(50, seen.size());
                c.commitSync(Map.of(new TopicPartition("m", 0), new OffsetAndMetadata(10),
                    new TopicPartition("m", 1), new OffsetAndMetadata(25)));
                try {
                    c.seek(new TopicPartition("m", 0), 1_000);
                    c.poll(Duration.ofMillis(500));
                } catch (final RuntimeException expected) {
                    // an offset out of range: answered OFFSET_OUT_OF_RANGE, counted by code
                }
            }
            Thread.sleep(300);

            final Exposition metrics = parse(scrape(broker.metricsPort()));
            assertEquals("counter", metrics.types().get("sequent_broker_produce_requests"));
            assertEquals(50, metrics.value("sequent_broker_produce_requests_total{}"));
            assertTrue(metrics.value("sequent_broker_bytes_in_total{}") > 50 * 68, "50 batches of at least 68 bytes");
            assertTrue(metrics.value("sequent_broker_bytes_out_total{}") > 0);
            assertTrue(metrics.value("sequent_broker_records_out_total{}") >= 50, "every record fetched");
            assertTrue(metrics.value("sequent_sequencer_records_appended_total{}") >= 50);
            assertEquals("gauge", metrics.types().get("sequent_broker_journal_position"));
            assertTrue(metrics.value("sequent_broker_journal_position{}") > 0);
            assertTrue(metrics.value("sequent_broker_errors_answered_total{code=OFFSET_OUT_OF_RANGE}") >= 1,
                "the out-of-range fetch, counted by code");
            assertEquals(broker.counters().errorsAnswered(ErrorCode.OFFSET_OUT_OF_RANGE),
                metrics.value("sequent_broker_errors_answered_total{code=OFFSET_OUT_OF_RANGE}"));

            assertEquals("summary", metrics.types().get("sequent_produce_ack_latency_seconds"));
            assertEquals(50, metrics.value("sequent_produce_ack_latency_seconds_count{}"), "one per acks=all send");
            final double p50 = metrics.value("sequent_produce_ack_latency_seconds{quantile=0.5}");
            final double p999 = metrics.value("sequent_produce_ack_latency_seconds{quantile=0.999}");
            assertTrue(p50 > 0 && p50 <= p999, "p50 " + p50 + " p99.9 " + p999);

            assertEquals(15, metrics.value("sequent_consumer_lag{group=lagging,partition=0,topic=m}"));
            assertEquals(0, metrics.value("sequent_consumer_lag{group=lagging,partition=1,topic=m}"));
            final Run describe = Run.of("group", "describe", "lagging", "--broker", broker.ingressEndpoint());
            assertEquals(0, describe.exitCode, describe.err);
            for (final String line : describe.out.split("\n")) {
                if (line.startsWith("lagging\tm\t")) {
                    final String[] cols = line.split("\t");
                    assertEquals(Double.parseDouble(cols[5]), metrics.value("sequent_consumer_lag{group=lagging,"
                        + "partition=" + cols[2] + ",topic=m}"), "describe and /metrics agree: " + line);
                }
            }
            assertTrue(metrics.value("sequent_partition_disk_bytes{partition=0,topic=m}") > 0);

            final Object mbean = ManagementFactory.getPlatformMBeanServer()
                .getAttribute(broker.countersMBean(), "sequent_broker_produce_requests");
            assertEquals(50L, mbean, "the MBean reads the same counters");
        }
    }
}

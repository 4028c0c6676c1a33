package io.sequent.systemtest;

import io.sequent.client.Admin;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.OffsetAndMetadata;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A broker process started with {@code --metrics-port}: its {@code /metrics} is read over HTTP by Prometheus's own
 * text-format parser ({@link MetricsParser}) and carries the produce requests, the acks=all latency and the
 * consumer lag that {@code sequent group describe} prints; {@code sequent stat} reads the same counters from the
 * running broker's counters file. Skipped, with the reason, where the parser is not installed.
 */
class MetricsProcessTest {
    private static final String TOPIC = "m";
    private static final int RECORDS = 30;

    @TempDir
    Path dir;

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static ClientConfig client(final Cli.BrokerProcess broker, final String id) {
        return new ClientConfig().bootstrap(broker.broker()).clientId(id).connectTimeout(Duration.ofSeconds(20));
    }

    @Test
    void aBrokerProcessServesParsableMetricsAndStatReadsItsCounters() throws Exception {
        assumeTrue(MetricsParser.available(), MetricsParser.MISSING);
        final Path data = dir.resolve("data");
        final int metricsPort = freeTcpPort();
        try (Cli.BrokerProcess broker = new Cli.BrokerProcess(data, Cli.freeUdpPort(), List.of(), "--metrics-port",
            Integer.toString(metricsPort));
            Admin admin = Admin.create(client(broker, "admin"))) {
            admin.createTopic(TOPIC, 3, Map.of());
            try (Producer producer = new Producer(new ProducerConfig(client(broker, "p")).lingerMs(0))) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord(TOPIC, i % 3, null, null,
                        ("v" + i).getBytes(StandardCharsets.UTF_8), null)).get();
                }
            }
            // 10 records per partition; committed 4, 10 and 7: lags 6, 0 and 3
            final Map<TopicPartition, OffsetAndMetadata> commits = Map.of(
                new TopicPartition(TOPIC, 0), new OffsetAndMetadata(4),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(10),
                new TopicPartition(TOPIC, 2), new OffsetAndMetadata(7));
            try (Consumer consumer = new Consumer(new ConsumerConfig(client(broker, "c")).groupId("lagging")
                .enableAutoCommit(false))) {
                consumer.assign(List.copyOf(commits.keySet()));
                consumer.commitSync(commits);
            }

            final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            final String body = response.body();
            assertEquals(Map.of("", (double) RECORDS),
                MetricsParser.samples(body, "sequent_broker_produce_requests_total"), "one request per send");
            assertEquals(Map.of("", (double) RECORDS),
                MetricsParser.samples(body, "sequent_produce_ack_latency_seconds_count"), "one per acks=all send");
            final Map<String, Double> lag = MetricsParser.samples(body, "sequent_consumer_lag");
            assertEquals(Map.of("group=lagging,partition=0,topic=m", 6.0, "group=lagging,partition=1,topic=m", 0.0,
                "group=lagging,partition=2,topic=m", 3.0), lag);

            final Cli.Result describe = Cli.run(null, 60, "group", "describe", "lagging", "--broker", broker.broker());
            assertEquals(0, describe.exitCode(), describe.stderr());
            final Map<String, Double> described = new HashMap<>();
            for (final String line : describe.lines()) {
                final String[] cols = line.split("\t");
                if (cols[0].equals("lagging")) {
                    described.put("group=lagging,partition=" + cols[2] + ",topic=" + cols[1],
                        Double.parseDouble(cols[5]));
                }
            }
            assertEquals(lag, described, "group describe and /metrics agree: " + describe.stdout());

            final Cli.Result stat = Cli.run(null, 60, "stat", "--data-dir", data.toString());
            assertEquals(0, stat.exitCode(), stat.stderr());
            assertTrue(stat.stdout().startsWith("broker pid " + broker.process.pid() + ","), stat.stdout());
            assertEquals(RECORDS, counter(stat.stdout(), "sequent broker 0: produce requests"), stat.stdout());
            assertEquals(MetricsParser.samples(body, "sequent_broker_journal_position").get(""),
                (double) counter(stat.stdout(), "sequent broker 0: journal position"), "the same counters file");

            // live: two prints half a second apart, each counter with its change per second (none produced since)
            final Cli.Result live = Cli.run(null, 60, "stat", "--data-dir", data.toString(), "--interval", "0.5",
                "--count", "2");
            assertEquals(0, live.exitCode(), live.stderr());
            final List<String> rows = live.lines().stream()
                .filter(l -> l.endsWith("  sequent broker 0: produce requests")).toList();
            assertEquals(2, rows.size(), live.stdout());
            for (final String row : rows) {
                assertEquals(List.of(String.format("%,d", RECORDS), "0.0"),
                    List.of(row.trim().split(" +")).subList(0, 2), row);
            }
        }
    }

    /** The value of the counter labelled {@code label} in {@code sequent stat}'s output. */
    private static long counter(final String stat, final String label) {
        for (final String line : stat.split("\n")) {
            final String trimmed = line.trim();
            if (trimmed.endsWith("  " + label)) {
                return Long.parseLong(trimmed.substring(0, trimmed.indexOf(' ')).replace(",", ""));
            }
        }
        throw new AssertionError("no counter '" + label + "' in:\n" + stat);
    }
}

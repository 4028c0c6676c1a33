package io.sequent.broker;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The broker's metrics as Prometheus snapshots, built at each scrape on the metrics thread from what other threads
 * publish; nothing here runs on a hot path, and the hot paths only increment counters:
 *
 * <ul>
 *   <li>every counter of the counters file ({@link BrokerCounters}, {@code SequencerCounters}): counters as
 *   {@code sequent_broker_<label>_total} and {@code sequent_sequencer_<label>_total}, the three positions as
 *   gauges, the answered errors as {@code sequent_broker_errors_answered_total{code=...}};</li>
 *   <li>the produce -&gt; ack latency of acks=all requests ({@link ProduceLatency}) as a summary in seconds with
 *   the 0.5, 0.9, 0.99 and 0.999 quantiles, and its maximum as a gauge;</li>
 *   <li>the consumer lag per group and partition: the high watermark less the group's committed offset (what
 *   {@code sequent group describe} shows), from the coordinator's published view of the committed offsets;</li>
 *   <li>the bytes on disk per partition (its directory's files), read at the scrape.</li>
 * </ul>
 *
 * <p>Thread: the metrics thread (the HTTP server's, or a JMX caller's); it reads counters, volatile snapshots and
 * the file system only.
 */
final class BrokerMetrics implements MultiCollector {
    private static final double NS_PER_SECOND = 1e9;
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    private final CountersReader counters;
    private final ProduceLatency latency;
    private final TopicRegistry registry;
    private final GroupRequests groups;

    BrokerMetrics(
        final CountersReader counters,
        final ProduceLatency latency,
        final TopicRegistry registry,
        final GroupRequests groups) {
        this.counters = counters;
        this.latency = latency;
        this.registry = registry;
        this.groups = groups;
    }

    /** One counter of the counters file, named for Prometheus. */
    record Counter(String name, String help, boolean gauge, String code, long value) {
    }

    /**
     * The counters of the counters file with their Prometheus names: {@code sequent broker 0: frames received}
     * becomes {@code sequent_broker_frames_received}, {@code sequencer: records appended} becomes
     * {@code sequent_sequencer_records_appended}, an answered error the code label of
     * {@code sequent_broker_errors_answered}.
     */
    static List<Counter> counters(final CountersReader reader) {
        final List<Counter> out = new ArrayList<>();
        reader.forEach((id, typeId, key, label) -> {
            final int colon = label.indexOf(": ");
            if (colon < 0) {
                return;
            }
            final String scope = label.startsWith("sequencer") ? "sequent_sequencer_" : "sequent_broker_";
            final String what = label.substring(colon + 2);
            final long value = reader.getCounterValue(id);
            if (what.startsWith(BrokerCounters.ERRORS_ANSWERED)) {
                out.add(new Counter("sequent_broker_errors_answered", "errors answered to clients, by code", false,
                    what.substring(BrokerCounters.ERRORS_ANSWERED.length()), value));
                return;
            }
            final String name = scope + what.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
            out.add(new Counter(name, label, what.endsWith("position"), null, value));
        });
        return out;
    }

    @Override
    public MetricSnapshots collect() {
        final List<MetricSnapshot> snapshots = new ArrayList<>();
        final Map<String, CounterSnapshot.Builder> byName = new LinkedHashMap<>();
        for (final Counter counter : counters(counters)) {
            if (counter.gauge()) {
                snapshots.add(GaugeSnapshot.builder().name(counter.name()).help(counter.help())
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(counter.value()).build())
                    .build());
                continue;
            }
            final CounterSnapshot.Builder builder = byName.computeIfAbsent(counter.name(),
                name -> CounterSnapshot.builder().name(name).help(counter.help()));
            final CounterSnapshot.CounterDataPointSnapshot.Builder point =
                CounterSnapshot.CounterDataPointSnapshot.builder().value(counter.value());
            if (null != counter.code()) {
                point.labels(Labels.of("code", counter.code()));
            }
            builder.dataPoint(point.build());
        }
        for (final CounterSnapshot.Builder builder : byName.values()) {
            snapshots.add(builder.build());
        }
        snapshots.add(latencySummary());
        snapshots.add(consumerLag());
        snapshots.add(diskBytes());
        return new MetricSnapshots(snapshots);
    }

    private MetricSnapshot latencySummary() {
        final Histogram histogram = latency.snapshot();
        final List<Quantile> quantiles = new ArrayList<>();
        for (final double q : QUANTILES) {
            final double seconds = histogram.getTotalCount() == 0 ? Double.NaN :
                histogram.getValueAtPercentile(q * 100) / NS_PER_SECOND;
            quantiles.add(new Quantile(q, seconds));
        }
        final double sum = histogram.getTotalCount() == 0 ? 0 :
            histogram.getMean() * histogram.getTotalCount() / NS_PER_SECOND;
        return SummarySnapshot.builder()
            .name("sequent_produce_ack_latency_seconds")
            .help("produce request received -> answered, acks=all, since the broker started (HdrHistogram)")
            .unit(Unit.SECONDS)
            .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder()
                .quantiles(Quantiles.of(quantiles))
                .count(histogram.getTotalCount())
                .sum(sum)
                .build())
            .build();
    }

    /** Per group and partition with a committed offset: the high watermark less the committed offset. */
    Map<String, Map<GroupPartition, Long>> lag() {
        final Map<String, Map<GroupPartition, Long>> lag = new LinkedHashMap<>();
        final TopicTable table = registry.table();
        for (final Map.Entry<String, Map<GroupPartition, Long>> group : groups.committedView().entrySet()) {
            final Map<GroupPartition, Long> rows = new LinkedHashMap<>();
            for (final Map.Entry<GroupPartition, Long> committed : group.getValue().entrySet()) {
                final GroupPartition tp = committed.getKey();
                final Topic topic = table.get(tp.topic);
                if (null == topic || topic.isDeleted() || tp.partition >= topic.partitionCount()) {
                    continue;
                }
                final long end = topic.partition(tp.partition).highWatermark();
                rows.put(tp, Math.max(0, end - committed.getValue()));
            }
            if (!rows.isEmpty()) {
                lag.put(group.getKey(), rows);
            }
        }
        return lag;
    }

    private MetricSnapshot consumerLag() {
        final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name("sequent_consumer_lag")
            .help("records between a group's committed offset and the partition's high watermark");
        for (final Map.Entry<String, Map<GroupPartition, Long>> group : lag().entrySet()) {
            for (final Map.Entry<GroupPartition, Long> row : group.getValue().entrySet()) {
                builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("group", group.getKey(), "topic", row.getKey().topic, "partition",
                        Integer.toString(row.getKey().partition)))
                    .value(row.getValue())
                    .build());
            }
        }
        return builder.build();
    }

    private MetricSnapshot diskBytes() {
        final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name("sequent_partition_disk_bytes")
            .help("bytes of a partition's files on disk (segments and indexes, pre-allocated space included)")
            .unit(Unit.BYTES);
        for (final Topic topic : registry.table().topics()) {
            if (topic.isDeleted()) {
                continue;
            }
            for (int p = 0; p < topic.partitionCount(); p++) {
                final TopicPartition partition = topic.partition(p);
                if (null == partition) {
                    continue;
                }
                builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("topic", topic.name(), "partition", Integer.toString(p)))
                    .value(directoryBytes(partition.log().directory()))
                    .build());
            }
        }
        return builder.build();
    }

    static long directoryBytes(final Path dir) {
        long bytes = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (final Path file : files) {
                try {
                    if (Files.isRegularFile(file)) {
                        bytes += Files.size(file);
                    }
                } catch (final IOException gone) {
                    // a segment deleted by retention while listing: no longer on disk
                }
            }
        } catch (final IOException ex) {
            if (Files.exists(dir)) {
                throw new UncheckedIOException(ex);
            }
        }
        return bytes;
    }
}

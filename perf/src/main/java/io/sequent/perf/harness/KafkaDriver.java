package io.sequent.perf.harness;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka through the official {@code kafka-clients}, against any bootstrap. The settings that
 * differ from Kafka's defaults are the workload's own ({@code acks}, {@code linger.ms}, idempotence
 * with {@code acks=all} only), so both systems run the same producer configuration. {@code flush
 * batch} sets the topic's {@code flush.messages=1}: Kafka then forces each append to disk before
 * answering, as Sequent's {@code flush.policy=batch} does. Producer settings given with {@code --kafka-producer}
 * (e.g. Kafka's tuned {@code batch.size=262144}, {@code linger.ms=10}) go over the workload's, and the run's
 * description names them.
 */
public final class KafkaDriver implements Driver {
    private static final long ADMIN_TIMEOUT_S = 30;

    private final String bootstrap;
    private final Map<String, String> producerOverrides;
    private final AdminClient admin;

    /**
     * @param bootstrap         Kafka's {@code bootstrap.servers}.
     * @param producerOverrides producer settings over the workload's; each must be a Kafka producer setting.
     * @throws IllegalArgumentException when a key is not a Kafka producer setting.
     */
    public KafkaDriver(final String bootstrap, final Map<String, String> producerOverrides) {
        validate(producerOverrides);
        this.bootstrap = bootstrap;
        this.producerOverrides = new TreeMap<>(producerOverrides);
        final Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "perf-admin");
        this.admin = AdminClient.create(properties);
    }

    @Override
    public String system() {
        return "kafka";
    }

    @Override
    public String description() {
        return "Apache Kafka at " + bootstrap + " (kafka-clients " + clientVersion() + ")" +
            (producerOverrides.isEmpty() ? "" : ", producer " + producerOverrides);
    }

    /**
     * Checks that every key is one of Kafka's producer settings, so a typo fails the run instead of being ignored.
     *
     * @param producerOverrides the settings.
     * @throws IllegalArgumentException naming the first unknown key.
     */
    public static void validate(final Map<String, String> producerOverrides) {
        for (final String key : producerOverrides.keySet()) {
            if (!ProducerConfig.configNames().contains(key)) {
                throw new IllegalArgumentException("--kafka-producer " + key + ": not a Kafka producer setting");
            }
        }
    }

    /** The kafka-clients version, from the version file in its jar. */
    static String clientVersion() {
        try (InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            final Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (final IOException ex) {
            return "unknown";
        }
    }

    @Override
    public void createTopic(final String topic, final Workload workload) throws Exception {
        final Map<String, String> configs = new HashMap<>();
        if ("batch".equals(workload.flush())) {
            configs.put("flush.messages", "1");
        }
        admin.createTopics(List.of(new NewTopic(topic, workload.partitions(), (short) 1).configs(configs)))
            .all().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Override
    public Sender producer(final String topic, final Workload workload) {
        final Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "perf-producer");
        properties.put(ProducerConfig.ACKS_CONFIG, workload.acks());
        properties.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(workload.lingerMs()));
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString("all".equals(workload.acks())));
        properties.putAll(producerOverrides);
        final KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        return new Sender() {
            @Override
            public void send(final byte[] value, final Completion completion) {
                producer.send(new ProducerRecord<>(topic, value),
                    (metadata, exception) -> completion.complete(exception));
            }

            @Override
            public void flush() {
                producer.flush();
            }

            @Override
            public void close() {
                producer.close();
            }
        };
    }

    @Override
    public Receiver consumer(final String topic, final Workload workload) {
        final Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "perf-consumer");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final List<TopicPartition> partitions = new ArrayList<>();
        for (int i = 0; i < workload.partitions(); i++) {
            partitions.add(new TopicPartition(topic, i));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        for (final TopicPartition partition : partitions) {
            consumer.position(partition, Duration.ofSeconds(ADMIN_TIMEOUT_S));
        }
        return new Receiver() {
            @Override
            public int poll(final ValueSink sink, final long timeoutMs) {
                int count = 0;
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(timeoutMs))) {
                    sink.accept(record.value());
                    count++;
                }
                return count;
            }

            @Override
            public void close() {
                consumer.close();
            }
        };
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(ADMIN_TIMEOUT_S));
    }
}

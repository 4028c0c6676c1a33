package io.sequent.perf.harness;

import io.sequent.client.Admin;
import io.sequent.client.Callback;
import io.sequent.client.ClientConfig;
import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;
import io.sequent.client.ConsumerRecord;
import io.sequent.client.Producer;
import io.sequent.client.ProducerConfig;
import io.sequent.client.ProducerRecord;
import io.sequent.client.RecordMetadata;
import io.sequent.client.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Sequent through its Java client. */
public final class SequentDriver implements Driver {
    private final String system;
    private final ClientConfig client;
    private final String description;
    private final Admin admin;

    /**
     * @param client      the client settings (bootstrap, Aeron directory, idle strategy).
     * @param description what runs, for reports.
     */
    public SequentDriver(final ClientConfig client, final String description) {
        this("sequent", client, description);
    }

    /**
     * @param system      the system's name in reports ({@code sequent-3} for a replica group of three).
     * @param client      the client settings (bootstrap, Aeron directory, idle strategy).
     * @param description what runs, for reports.
     */
    public SequentDriver(final String system, final ClientConfig client, final String description) {
        this.system = system;
        this.client = client;
        this.description = description;
        this.admin = Admin.create(client.copy().clientId("perf-admin"));
    }

    @Override
    public String system() {
        return system;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void createTopic(final String topic, final Workload workload) {
        admin.createTopic(topic, workload.partitions(), Map.of("flush.policy", workload.flush()));
    }

    @Override
    public Sender producer(final String topic, final Workload workload) {
        final Producer producer = new Producer(new ProducerConfig(client.copy().clientId("perf-producer"))
            .acks(workload.acks())
            .lingerMs(workload.lingerMs())
            .enableIdempotence("all".equals(workload.acks())));
        final boolean callerDriven = client.threadingMode() == ClientConfig.ThreadingMode.CALLER;
        return new Sender() {
            @Override
            public void send(final byte[] value, final Completion completion) {
                producer.send(new ProducerRecord(topic, value), new Acknowledgement(completion));
            }

            @Override
            public void awaitUntil(final NanoClock clock, final long deadlineNs) {
                if (!callerDriven) {
                    clock.sleepUntil(deadlineNs);
                    return;
                }
                // The client's I/O and its media driver run on this thread: run them until the next send is due,
                // so acknowledgements are read as they arrive (the backstop would take up to 10 ms).
                while (clock.nanoTime() - deadlineNs < 0) {
                    if (producer.poll() == 0) {
                        Thread.yield();
                    }
                }
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
        final Consumer consumer = new Consumer(new ConsumerConfig(client.copy().clientId("perf-consumer")));
        final List<TopicPartition> partitions = new ArrayList<>();
        for (int i = 0; i < workload.partitions(); i++) {
            partitions.add(new TopicPartition(topic, i));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return new Receiver() {
            @Override
            public int poll(final ValueSink sink, final long timeoutMs) {
                int count = 0;
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(timeoutMs))) {
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
        admin.close();
    }

    /**
     * Hands a record's completion to the harness. It overrides the five-argument {@code onCompletion}, so the
     * producer completes the record without a {@link RecordMetadata}: the only objects a send makes are the
     * harness's own (value, completion, record) and this one, which takes the place of a capturing lambda.
     */
    static final class Acknowledgement implements Callback {
        private final Completion completion;

        Acknowledgement(final Completion completion) {
            this.completion = completion;
        }

        @Override
        public void onCompletion(final String topic, final int partition, final long offset, final long timestamp,
            final Exception exception) {
            completion.complete(exception);
        }

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception) {
            completion.complete(exception);
        }
    }
}

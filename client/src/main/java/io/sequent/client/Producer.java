package io.sequent.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.client.ErrorCode;

/**
 * Sends records to a Sequent broker, as Kafka's {@code KafkaProducer} does: {@link #send} returns at
 * once (with a future, or calling a callback later); records are batched per partition
 * ({@code batch.size}, {@code linger.ms}), sent by the producer's I/O thread, retried on transient
 * errors and, by default, written exactly once per send thanks to idempotence. Thread-safe: any
 * number of threads may send.
 *
 * <pre>{@code
 * try (Producer producer = new Producer(new ProducerConfig(new ClientConfig().bootstrap("127.0.0.1:9090")))) {
 *     producer.send(new ProducerRecord("orders", key, value), (metadata, error) -> { ... });
 * }
 * }</pre>
 *
 * <p>Threading: {@code send} does the per-record work on the calling thread: it checks the record's
 * size, chooses the partition (Kafka's murmur2 of the key, or a sticky partition per batch for
 * records without key) and encodes the record straight into the partition's open batch (see
 * {@link RecordAccumulator}), taking room in {@code buffer.memory} per batch, not per record
 * (blocking up to {@code max.block.ms} when it is full). The I/O thread only seals, compresses,
 * stamps and sends whole batches, retries them, and completes each batch with one event that runs
 * its records' callbacks. {@link #send(ProducerRecord, Callback)} allocates nothing per record in
 * steady state (with a {@link Callback} that overrides its five-argument form); a record whose
 * topic's metadata is not yet known goes to the I/O thread, which appends it once the metadata
 * arrives.
 */
public final class Producer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Producer.class);
    private static final int QUEUE_CAPACITY = 1 << 14;

    private final ProducerConfig config;
    private final ClientIo io;
    private final ProducerSender sender;
    private final MemoryLimiter memory;
    private final ManyToOneConcurrentArrayQueue<WaitingRecord> records =
        new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final RecordAppender appender;
    private volatile boolean closed;

    /**
     * Starts the producer: its media driver (unless {@code aeron.dir} names one), its I/O thread and
     * its session with the broker.
     *
     * @param config the producer's settings; copied.
     * @throws InvalidConfigException     when the settings do not go together.
     * @throws BrokerUnreachableException when no broker answered within {@code connect.timeout.ms}.
     */
    public Producer(final ProducerConfig config) {
        this.config = Objects.requireNonNull(config, "config").copy();
        this.config.effectiveIdempotence();
        this.config.effectiveDeliveryTimeoutMs();
        memory = new MemoryLimiter(this.config.bufferMemory());
        final ProducerSender[] created = new ProducerSender[1];
        io = ClientIo.start(this.config.client(), "producer", clientIo -> {
            created[0] = new ProducerSender(this.config, clientIo.connection(), records, memory);
            return created[0];
        });
        sender = created[0];
        if (io.callerDriven()) {
            memory.whileWaiting(io::step);
        }
        appender = new RecordAppender(this.config, sender, records, memory);
    }

    /**
     * Sends a record.
     *
     * @param record the record.
     * @return completes with the record's partition and offset, or with its failure.
     * @see #send(ProducerRecord, Callback)
     */
    public CompletableFuture<RecordMetadata> send(final ProducerRecord record) {
        final RecordFuture future = new RecordFuture();
        send(record, future);
        return future;
    }

    /**
     * Sends a record; returns at once unless {@code buffer.memory} is full.
     *
     * <p>Failures are reported through the callback, never thrown: a record larger than
     * {@code max.request.size} fails at once (on this thread) with {@link RecordTooLargeException};
     * no room in {@code buffer.memory} within {@code max.block.ms} gives
     * {@link BufferExhaustedException}; a topic the broker does not know gives
     * {@link UnknownTopicException}; a broker error that retries do not cure within
     * {@code delivery.timeout.ms} gives the broker's {@link SequentException}.
     *
     * <p>In steady state (the topic's metadata known, batches recycled) this allocates nothing: the
     * record is encoded into its partition's open batch and the callback is kept in the batch's
     * pooled array.
     *
     * @param record   the record.
     * @param callback called once on completion (on the I/O thread), or null.
     * @throws IllegalStateException after {@link #close()}.
     */
    public void send(final ProducerRecord record, final Callback callback) {
        Objects.requireNonNull(record, "record");
        if (closed) {
            throw new IllegalStateException("cannot send after the producer has been closed");
        }
        appender.send(record, callback);
        io.step();
    }

    /**
     * In {@code client.threading.mode=caller}, runs the producer's I/O once on the calling thread:
     * sends the batches that are due, reads acknowledgements and completes their records (running
     * their callbacks on this thread). An application that waits between sends calls it to have
     * acknowledgements as they arrive instead of at its next send. Does nothing in the default
     * {@code dedicated} mode, where the I/O thread does all of that.
     *
     * @return how much work was done, 0 when none (or in dedicated mode).
     */
    public int poll() {
        return io.step();
    }

    /**
     * Sends every record accepted so far without waiting for {@code linger.ms}, and waits until each
     * has completed (successfully or not); bounded by {@code delivery.timeout.ms}.
     *
     * @throws RequestTimeoutException if the records did not complete in that time.
     */
    public void flush() {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        io.execute(() -> sender.flush(done));
        io.await(done, config.effectiveDeliveryTimeoutMs() + config.client().requestTimeout().toMillis());
    }

    /**
     * The partitions of a topic, from the broker's metadata.
     *
     * @param topic the topic.
     * @return its partitions.
     * @throws UnknownTopicException when the topic does not exist.
     */
    public List<PartitionInfo> partitionsFor(final String topic) {
        Objects.requireNonNull(topic, "topic");
        final ClusterMetadata metadata = io.call(new ClusterMetadata.MetadataCall(
            List.of(topic), TimeUnit.MILLISECONDS.toNanos(Math.max(1, config.maxBlockMs()))));
        final ClusterMetadata.Topic t = metadata.topics().get(topic);
        if (t == null || t.errorCode() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            throw new UnknownTopicException("topic " + topic + " does not exist");
        }
        if (t.errorCode() != ErrorCode.NONE) {
            throw SequentException.of(t.errorCode(), "metadata of topic " + topic + ": " + t.errorCode());
        }
        return ClusterMetadata.partitionInfos(t);
    }

    /**
     * Flushes, then closes: waits (without limit beyond {@code delivery.timeout.ms}) for every record.
     */
    @Override
    public void close() {
        close(Duration.ofMillis(Long.MAX_VALUE / 4));
    }

    /**
     * Closes after waiting up to {@code timeout} for records sent so far; those still incomplete
     * then fail. {@link Duration#ZERO} fails them at once.
     *
     * @param timeout how long to wait for outstanding records.
     */
    public void close(final Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        appender.close();
        try {
            if (!timeout.isZero() && !timeout.isNegative() && !io.isClosed()) {
                final CompletableFuture<Void> done = new CompletableFuture<>();
                io.execute(() -> sender.flush(done));
                final long waitMs = Math.min(timeout.toMillis(),
                    config.effectiveDeliveryTimeoutMs() + config.client().requestTimeout().toMillis());
                try {
                    io.awaitDone(done, waitMs);
                    done.get(waitMs, TimeUnit.MILLISECONDS);
                } catch (final TimeoutException | RequestTimeoutException ex) {
                    LOG.warn("producer {}: records still outstanding after {} ms; failing them", io.clientId(), waitMs);
                } catch (final ExecutionException ex) {
                    LOG.warn("producer {}: flush on close failed", io.clientId(), ex);
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            io.close();
        }
    }

    /**
     * The settings this producer runs with.
     *
     * @return a copy of the config.
     */
    public ProducerConfig config() {
        return config.copy();
    }

    /**
     * @return the client id used with the broker.
     */
    public String clientId() {
        return io.clientId();
    }

    /**
     * @return the I/O side, for tests in this package.
     */
    ClientIo io() {
        return io;
    }

    /**
     * @return bytes of {@code buffer.memory} held by batches and records not yet completed, for tests.
     */
    long bufferedBytes() {
        return memory.used();
    }


}

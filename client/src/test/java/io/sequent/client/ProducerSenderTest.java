package io.sequent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sequent.codec.BatchError;
import io.sequent.codec.Batches;
import io.sequent.codec.client.ErrorCode;

/**
 * The producer's I/O-thread logic driven step by step with a scripted clock and a scripted
 * connection: sequence numbers, retries, ordering, epoch bumps, timeouts.
 */
class ProducerSenderTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long PRODUCER_ID = 42;

    private final ScriptedSender connection = new ScriptedSender();
    private final ManyToOneConcurrentArrayQueue<WaitingRecord> records = new ManyToOneConcurrentArrayQueue<>(1024);
    private final ExpandableArrayBuffer response = new ExpandableArrayBuffer(256);
    private MemoryLimiter memory;
    private ProducerSender sender;
    private RecordAppender appender;
    private long now = 1_000 * MS;

    @AfterEach
    void tearDown() {
        if (sender != null) {
            sender.onClose(now);
        }
    }

    private static ProducerConfig config() {
        return new ProducerConfig(new ClientConfig().requestTimeout(Duration.ofSeconds(1)))
            .lingerMs(0)
            .retryBackoffMs(100)
            .deliveryTimeoutMs(5_000);
    }

    private void create(final ProducerConfig config) {
        memory = new MemoryLimiter(config.bufferMemory());
        sender = new ProducerSender(config, connection, records, memory, () -> now);
        appender = new RecordAppender(config, sender, records, memory);
    }

    private void start(final ProducerConfig config, final int partitions) {
        create(config);
        sender.doWork(now);
        if (sender.isIdempotent()) {
            final List<PendingRequest> init = connection.sentNamed("InitProducerIdRequest");
            assertEquals(1, init.size());
            answerInit(init.get(0), (short) 0);
        }
        final CompletableFuture<RecordMetadata> first = send(0, "warm-up");
        step(0);
        final List<PendingRequest> metadata = connection.sentNamed("TopicMetadataRequest");
        assertEquals(1, metadata.size());
        metadata.get(0).onResponse(response, 0, Responses.metadata(response, "t", partitions), now);
        step(0);
        final ProducerBatch warmUp = lastBatch();
        respond(warmUp, 0, ErrorCode.NONE);
        assertTrue(first.isDone());
        connection.sent.clear();
    }

    private void answerInit(final PendingRequest request, final short epoch) {
        request.onResponse(response, 0, Responses.initProducerId(response, PRODUCER_ID, epoch), now);
    }

    private CompletableFuture<RecordMetadata> send(final int partition, final String value) {
        final ProducerRecord record = new ProducerRecord(
            "t", partition, 1_700_000_000_000L, null, value.getBytes(StandardCharsets.UTF_8), null);
        final RecordFuture future = new RecordFuture();
        appender.send(record, future);
        return future;
    }

    private void step(final long millis) {
        now += millis * MS;
        sender.doWork(now);
    }

    private ProducerBatch lastBatch() {
        final List<ProducerBatch> batches = connection.sentOf(ProducerBatch.class);
        return batches.get(batches.size() - 1);
    }

    private void respond(final ProducerBatch batch, final long baseOffset, final ErrorCode code) {
        batch.onResponse(response, 0, Responses.produce(response, baseOffset, code), now);
    }

    private static int sequence(final ProducerBatch batch) {
        assertEquals(BatchError.NONE, Batches.validate(batch.buffer, batch.frameOffset, batch.frameLength),
            "the stamped frame must still pass its CRC");
        return Batches.baseSequence(batch.buffer, batch.frameOffset);
    }

    private static short epoch(final ProducerBatch batch) {
        return Batches.producerEpoch(batch.buffer, batch.frameOffset);
    }

    private static SequentException failure(final CompletableFuture<RecordMetadata> future) {
        final ExecutionException ex = org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> future.get(1, TimeUnit.SECONDS));
        return assertInstanceOf(SequentException.class, ex.getCause());
    }

    @Test
    void stampsProducerIdAndPerPartitionSequences() throws Exception {
        start(config(), 2);
        send(0, "a");
        send(0, "b");
        send(1, "c");
        step(0);
        final List<ProducerBatch> sent = connection.sentOf(ProducerBatch.class);
        assertEquals(2, sent.size());
        final ProducerBatch p0 = sent.get(0).queue.partition == 0 ? sent.get(0) : sent.get(1);
        final ProducerBatch p1 = p0 == sent.get(0) ? sent.get(1) : sent.get(0);
        assertEquals(PRODUCER_ID, Batches.producerId(p0.buffer, p0.frameOffset));
        assertEquals(1, sequence(p0), "partition 0 already carried the warm-up record");
        assertEquals(2, p0.count);
        assertEquals(0, sequence(p1));
        respond(p0, 10, ErrorCode.NONE);
        send(0, "d");
        step(0);
        assertEquals(3, sequence(lastBatch()));
    }

    @Test
    void retriesKeepTheirSequenceAndOrder() throws Exception {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> first = send(0, "first");
        step(0);
        final ProducerBatch b1 = lastBatch();
        final CompletableFuture<RecordMetadata> second = send(0, "second");
        step(0);
        final ProducerBatch b2 = lastBatch();
        assertEquals(1, sequence(b1));
        assertEquals(2, sequence(b2));

        respond(b1, -1, ErrorCode.BACK_PRESSURED);
        respond(b2, -1, ErrorCode.OUT_OF_ORDER_SEQUENCE);
        step(50);
        assertEquals(2, connection.sentOf(ProducerBatch.class).size(), "retries wait for retry.backoff.ms");
        step(50);
        assertEquals(3, connection.sentOf(ProducerBatch.class).size(), "the first batch goes alone");
        assertTrue(lastBatch() == b1);
        assertEquals(1, sequence(b1), "a resend keeps its sequence");
        step(200);
        assertEquals(3, connection.sentOf(ProducerBatch.class).size(), "the second waits for the first");
        respond(b1, 7, ErrorCode.NONE);
        assertEquals(7, first.get().offset());
        step(0);
        assertTrue(lastBatch() == b2);
        assertEquals(2, sequence(b2));
        respond(b2, 8, ErrorCode.NONE);
        assertEquals(8, second.get().offset());
        assertEquals(0, connection.sentNamed("InitProducerIdRequest").size(), "no epoch bump was needed");
        assertEquals(0, memory.used());
    }

    @Test
    void aResendAnsweredAsDuplicateIsASuccess() throws Exception {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        final ProducerBatch batch = lastBatch();
        batch.onFailure(new RequestTimeoutException("no answer"), now);
        step(100);
        assertTrue(lastBatch() == batch);
        assertEquals(2, connection.sentOf(ProducerBatch.class).size());
        respond(batch, 41, ErrorCode.DUPLICATE_SEQUENCE);
        assertEquals(41, future.get().offset());
    }

    @Test
    void aSequenceHoleBumpsTheEpochAndRestampsFromZero() throws Exception {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> doomed = send(0, "doomed");
        step(0);
        final ProducerBatch b1 = lastBatch();
        final CompletableFuture<RecordMetadata> next = send(0, "next");
        step(0);
        final ProducerBatch b2 = lastBatch();
        respond(b1, -1, ErrorCode.CORRUPT_MESSAGE);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, failure(doomed).errorCode());
        respond(b2, -1, ErrorCode.OUT_OF_ORDER_SEQUENCE);
        step(100);
        final List<PendingRequest> init = connection.sentNamed("InitProducerIdRequest");
        assertEquals(1, init.size(), "the epoch bump waits for nothing in flight, then goes out");
        assertEquals(2, connection.sentOf(ProducerBatch.class).size(), "nothing is sent during the bump");
        answerInit(init.get(0), (short) 1);
        step(0);
        assertTrue(lastBatch() == b2);
        assertEquals(1, epoch(b2));
        assertEquals(0, sequence(b2), "a new epoch starts at sequence 0");
        respond(b2, 3, ErrorCode.NONE);
        assertEquals(3, next.get().offset());
    }

    @Test
    void anUnknownProducerIsReFencedAndTheBatchResent() throws Exception {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        final ProducerBatch batch = lastBatch();
        respond(batch, -1, ErrorCode.UNKNOWN_PRODUCER_ID);
        step(100);
        answerInit(connection.sentNamed("InitProducerIdRequest").get(0), (short) 1);
        step(0);
        assertEquals(0, sequence(lastBatch()));
        assertEquals(1, epoch(lastBatch()));
        respond(lastBatch(), 5, ErrorCode.NONE);
        assertEquals(5, future.get().offset());
    }

    /**
     * The failover of the kill -9 system test: two batches in flight to a leader that dies after they reached the
     * members (the new leader holds both under epoch 0, sequences 1 and 2, uncommitted), then the first resend meets
     * an answer that bumps the epoch. Resent under epoch 1 from sequence 0, no broker could tell them from the
     * copies it holds: each would be stored twice and acknowledged at the second copy. They fail instead, saying
     * why; the batch queued behind them that was never sent goes out under the new epoch and succeeds.
     */
    @ParameterizedTest(name = "bump after {0}")
    @EnumSource(value = ErrorCode.class, names = {"UNKNOWN_PRODUCER_ID", "OUT_OF_ORDER_SEQUENCE",
        "INVALID_PRODUCER_EPOCH"})
    void anEpochBumpNeverResendsABatchThatMayAlreadyBeStored(final ErrorCode trigger) throws Exception {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> first = send(0, "a");
        step(0);
        final ProducerBatch b1 = lastBatch();
        final CompletableFuture<RecordMetadata> second = send(0, "b");
        step(0);
        final ProducerBatch b2 = lastBatch();
        assertEquals(1, sequence(b1));
        assertEquals(2, sequence(b2));
        b1.onFailure(new BrokerUnreachableException("connection to the broker lost: leader killed"), now);
        b2.onFailure(new BrokerUnreachableException("connection to the broker lost: leader killed"), now);
        final CompletableFuture<RecordMetadata> queued = send(0, "c");
        step(100);
        assertEquals(3, connection.sentOf(ProducerBatch.class).size(), "the first resend goes alone");
        assertTrue(lastBatch() == b1);
        assertEquals(0, epoch(b1));
        assertEquals(1, sequence(b1), "the resend keeps its stamp");
        respond(b1, -1, trigger);
        step(100);
        final List<PendingRequest> init = connection.sentNamed("InitProducerIdRequest");
        assertEquals(1, init.size(), "the epoch is bumped");
        answerInit(init.get(0), (short) 1);
        step(0);

        final ProducerBatch b3 = lastBatch();
        assertFalse(b3 == b1 || b3 == b2, "a batch that may be stored was resent under epoch " + epoch(b3) +
            " at sequence " + sequence(b3) + ": it would be stored twice");
        assertEquals(4, connection.sentOf(ProducerBatch.class).size(), "only the batch never sent goes out");
        for (final CompletableFuture<RecordMetadata> unknown : List.of(first, second)) {
            final SequentException failure = failure(unknown);
            assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, failure.errorCode());
            assertTrue(failure.getMessage().contains("outcome unknown"), failure.getMessage());
        }
        assertEquals(1, epoch(b3));
        assertEquals(0, sequence(b3));
        respond(b3, 3, ErrorCode.NONE);
        assertEquals(3, queued.get().offset());
        assertEquals(0, memory.used());
    }

    /** A batch every attempt of which was refused is known not to be stored: a bump stamps it again, it is not lost. */
    @Test
    void aBatchOnlyEverRefusedIsStampedAgainByTheBump() throws Exception {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> first = send(0, "a");
        step(0);
        final ProducerBatch b1 = lastBatch();
        respond(b1, -1, ErrorCode.BACK_PRESSURED);
        step(100);
        assertTrue(lastBatch() == b1);
        respond(b1, -1, ErrorCode.UNKNOWN_PRODUCER_ID);
        step(100);
        answerInit(connection.sentNamed("InitProducerIdRequest").get(0), (short) 1);
        step(0);
        assertTrue(lastBatch() == b1, "resent");
        assertEquals(1, epoch(b1));
        assertEquals(0, sequence(b1));
        respond(b1, 9, ErrorCode.NONE);
        assertEquals(9, first.get().offset());
    }

    @Test
    void retriesStopAfterDeliveryTimeout() {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        respond(lastBatch(), -1, ErrorCode.BACK_PRESSURED);
        for (int i = 0; i < 60 && !future.isDone(); i++) {
            step(100);
            if (connection.sentOf(ProducerBatch.class).size() > i + 1) {
                respond(lastBatch(), -1, ErrorCode.BACK_PRESSURED);
            }
        }
        final SequentException failure = failure(future);
        assertInstanceOf(RequestTimeoutException.class, failure);
        assertTrue(failure.getMessage().contains("BACK_PRESSURED"), failure.getMessage());
        assertEquals(ErrorCode.BACK_PRESSURED, ((SequentException) failure.getCause()).errorCode(), "the last error");
        assertTrue(now - 1_000 * MS >= 5_000 * MS, "not before delivery.timeout.ms");
    }

    @Test
    void aQueuedBatchExpiresWhenItCannotBeSent() {
        start(config(), 1);
        connection.connected = false;
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        step(4_999);
        assertFalse(future.isDone());
        step(10);
        assertInstanceOf(RequestTimeoutException.class, failure(future));
        assertEquals(0, memory.used());
    }

    @Test
    void retriesAreBounded() {
        start(config().retries(2), 1);
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertEquals(attempt, connection.sentOf(ProducerBatch.class).size());
            respond(lastBatch(), -1, ErrorCode.STORAGE_ERROR);
            step(100);
        }
        assertEquals(ErrorCode.STORAGE_ERROR, failure(future).errorCode());
    }

    @Test
    void aStorageErrorIsLoggedAtOnceOncePerEpisodeAndFailsAsStorageException() {
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        final CompletableFuture<RecordMetadata> stored;
        final CompletableFuture<RecordMetadata> failed;
        final String afterFirst;
        try {
            start(config().retries(3), 1);
            stored = send(0, "x");
            step(0);
            respond(lastBatch(), -1, ErrorCode.STORAGE_ERROR);
            afterFirst = captured.toString(StandardCharsets.UTF_8);
            for (int attempt = 2; attempt <= 3; attempt++) {
                step(100);
                respond(lastBatch(), -1, ErrorCode.STORAGE_ERROR);
            }
            step(100);
            respond(lastBatch(), 7, ErrorCode.NONE);
            failed = send(0, "y");
            step(0);
            respond(lastBatch(), -1, ErrorCode.STORAGE_ERROR);
            for (int attempt = 2; attempt <= 4; attempt++) {
                step(100);
                respond(lastBatch(), -1, ErrorCode.STORAGE_ERROR);
            }
        } finally {
            System.setErr(oldErr);
        }
        final String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(afterFirst.contains("could not store the batch (STORAGE_ERROR"), "at the first answer: " + log);
        assertEquals(2, log.split("could not store the batch", -1).length - 1, "once per episode: " + log);
        assertEquals(7, stored.getNow(null).offset());
        assertInstanceOf(StorageException.class, failure(failed));
    }

    @Test
    void nonRetriableErrorsFailAtOnce() {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        respond(lastBatch(), -1, ErrorCode.RECORD_TOO_LARGE);
        assertInstanceOf(RecordTooLargeException.class, failure(future));
    }

    @Test
    void atMostMaxInFlightPerPartition() {
        start(config().maxInFlightRequestsPerPartition(2), 2);
        for (int i = 0; i < 4; i++) {
            send(0, "p0-" + i);
            step(0);
        }
        send(1, "p1");
        step(0);
        final List<ProducerBatch> sent = connection.sentOf(ProducerBatch.class);
        assertEquals(3, sent.size(), "two for partition 0, one for partition 1");
        respond(sent.get(0), 1, ErrorCode.NONE);
        step(0);
        assertEquals(4, connection.sentOf(ProducerBatch.class).size());
    }

    @Test
    void notLeaderAsksForTheLeaderAndRetries() throws Exception {
        start(config(), 1);
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        final ProducerBatch first = lastBatch();
        final int stamped = sequence(first);
        first.onResponse(response, 0, Responses.produce(response, -1, ErrorCode.NOT_LEADER, 2), now);
        assertEquals(1, connection.notLeader);
        assertEquals(2, connection.lastLeaderHint, "the answer's leader hint reaches the connection");
        step(100);
        assertEquals(first, lastBatch(), "the same batch is resent");
        assertEquals(stamped, sequence(lastBatch()), "with the sequence it had");
        respond(lastBatch(), 9, ErrorCode.NONE);
        assertEquals(9, future.get().offset());
    }

    @Test
    void transportPushBackKeepsTheBatchReady() throws Exception {
        start(config(), 1);
        connection.pushBack = true;
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        step(1);
        assertEquals(0, connection.sentOf(ProducerBatch.class).size());
        connection.pushBack = false;
        step(1);
        assertEquals(1, lastBatch().attempts);
        respond(lastBatch(), 2, ErrorCode.NONE);
        assertEquals(2, future.get().offset());
    }

    @Test
    void withoutIdempotenceNoProducerIdIsStamped() throws Exception {
        start(config().acks("1"), 1);
        assertFalse(sender.isIdempotent());
        send(0, "x");
        step(0);
        final ProducerBatch batch = lastBatch();
        assertEquals(Batches.NO_PRODUCER_ID, Batches.producerId(batch.buffer, batch.frameOffset));
        assertEquals(Batches.NO_SEQUENCE, Batches.baseSequence(batch.buffer, batch.frameOffset));
    }

    @Test
    void acksZeroCompletesWhenSent() throws Exception {
        create(config().acks("0"));
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        connection.sentNamed("TopicMetadataRequest").get(0)
            .onResponse(response, 0, Responses.metadata(response, "t", 1),
            now);
        step(0);
        assertEquals(-1, future.get(1, TimeUnit.SECONDS).offset());
        assertFalse(lastBatch().expectsResponse());
        assertEquals(0, memory.used());
    }

    @Test
    void recordsForAnUnknownTopicFail() {
        create(config().acks("1"));
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        connection.sentNamed("TopicMetadataRequest").get(0)
            .onResponse(response, 0, Responses.metadata(response, "t", 0),
            now);
        assertInstanceOf(UnknownTopicException.class, failure(future));
    }

    @Test
    void aPartitionOutOfRangeFails() {
        start(config(), 2);
        final CompletableFuture<RecordMetadata> future = send(5, "x");
        step(0);
        assertInstanceOf(UnknownTopicException.class, failure(future));
    }

    @Test
    void aProducerIdRequestFailingOnCloseIsNotFatal() {
        create(config());
        step(0);
        final PendingRequest init = connection.sentNamed("InitProducerIdRequest").get(0);
        sender.onClose(now);
        init.onFailure(new SequentException(ErrorCode.NULL_VAL, "client is closed"), now);
        assertEquals(null, sender.fatalError());
        sender = null;
    }

    @Test
    void aRefusedProducerIdFailsEveryRecord() {
        create(config());
        final CompletableFuture<RecordMetadata> waiting = send(0, "x");
        step(0);
        connection.sentNamed("InitProducerIdRequest").get(0)
            .onFailure(SequentException.of(ErrorCode.UNSUPPORTED_VERSION, "no"), now);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, sender.fatalError().errorCode());
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, failure(waiting).errorCode());
        final CompletableFuture<RecordMetadata> later = send(0, "y");
        step(0);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, failure(later).errorCode());
    }

    @Test
    void recordsWaitingForMetadataExpireAfterMaxBlock() {
        create(config().acks("1").maxBlockMs(300));
        final CompletableFuture<RecordMetadata> future = send(0, "x");
        step(0);
        step(299);
        assertFalse(future.isDone());
        step(10);
        assertInstanceOf(RequestTimeoutException.class, failure(future));
    }
}

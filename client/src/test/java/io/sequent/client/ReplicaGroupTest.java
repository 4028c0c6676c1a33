package io.sequent.client;

import static io.sequent.client.TestSupport.bytes;
import static io.sequent.client.TestSupport.pollUntil;
import static io.sequent.client.TestSupport.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sequent.codec.client.CreateTopicsRequestDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.FetchRequestDecoder;
import io.sequent.codec.client.ProduceRequestDecoder;

/**
 * Clients against a replica group played by several {@link FakeBroker}s: bootstrap over any member,
 * redirects to the leader, failover with in-flight retries, no leader at all, admin redirects, and
 * reads from a follower or the leader across a failover.
 */
class ReplicaGroupTest {
    private final FakeBroker.Group group = new FakeBroker.Group();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        for (final FakeBroker member : group.members) {
            member.close();
        }
    }

    private FakeBroker member(final int id) {
        return new FakeBroker(id, group);
    }

    private static ClientConfig client(final String bootstrap) {
        return new ClientConfig()
            .bootstrap(bootstrap)
            .connectTimeout(Duration.ofSeconds(5))
            .requestTimeout(Duration.ofSeconds(5))
            .reconnectBackoff(Duration.ofMillis(20))
            .reconnectBackoffMax(Duration.ofMillis(200));
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private <T extends AutoCloseable> T closeLater(final T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private static String values(final List<FakeBroker.StoredBatch> batches) {
        final StringBuilder text = new StringBuilder();
        final io.sequent.codec.BatchReader reader = new io.sequent.codec.BatchReader();
        for (final FakeBroker.StoredBatch batch : batches) {
            final org.agrona.concurrent.UnsafeBuffer frame = new org.agrona.concurrent.UnsafeBuffer(batch.frame());
            reader.wrap(frame, 0, batch.frame().length);
            while (reader.next()) {
                final byte[] value = new byte[reader.valueLength()];
                reader.valueBuffer().getBytes(reader.valueOffset(), value);
                text.append(text.length() == 0 ? "" : ",").append(string(value));
            }
        }
        reader.close();
        return text.toString();
    }

    // ------------------------------------------------------------------ (a) bootstrap

    @Test
    void aBootstrapListWithADeadFirstMemberConnectsToTheNext() throws Exception {
        final FakeBroker dead = member(1);
        final FakeBroker leader = member(2);
        group.leader(2);
        final String bootstrap = group.bootstrap();
        dead.close();
        group.members.remove(dead);
        final long start = System.nanoTime();
        try (Admin admin = Admin.create(client(bootstrap))) {
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMs < 5_000, "a dead member costs no connect timeout: " + elapsedMs + " ms");
            admin.createTopic("reached", 1, Map.of());
        }
        assertTrue(leader.hasTopic("reached"));
    }

    @Test
    void noMemberAnsweringNamesEveryMember() throws Exception {
        final int first = freeUdpPort();
        final int second = freeUdpPort();
        final ClientConfig config = client("127.0.0.1:" + first + ", 127.0.0.1:" + second)
            .connectTimeout(Duration.ofMillis(500));
        final BrokerUnreachableException ex =
            assertThrows(BrokerUnreachableException.class, () -> Admin.create(config));
        assertTrue(ex.getMessage().contains("127.0.0.1:" + first + " not reachable"), ex.getMessage());
        assertTrue(ex.getMessage().contains("127.0.0.1:" + second + " not reachable"), ex.getMessage());
        assertTrue(ex.isRetriable());
    }

    @Test
    void aFollowerNamedFirstHandsTheProducerToTheLeader() throws Exception {
        final FakeBroker follower = member(1);
        final FakeBroker leader = member(2);
        group.leader(2);
        follower.createTopic("t", 1);
        leader.createTopic("t", 1);
        try (Producer producer = new Producer(new ProducerConfig(client(follower.bootstrap())).lingerMs(0))) {
            assertEquals(0, producer.send(new ProducerRecord("t", bytes("v"))).get(10, TimeUnit.SECONDS).offset());
            assertEquals(2, producer.io().connection().brokerId(), "the session is with the leader");
        }
        assertEquals(1, leader.endOffset("t", 0));
        assertEquals(0, follower.received(ProduceRequestDecoder.TEMPLATE_ID), "nothing was sent to the follower");
    }

    // ------------------------------------------------------------------ (b) NOT_LEADER with a hint

    @Test
    void notLeaderWithAHintSendsTheProducerThereAndEachRecordArrivesOnce() throws Exception {
        final FakeBroker first = member(1);
        final FakeBroker second = member(2);
        group.leader(1);
        first.createTopic("t", 1);
        second.createTopic("t", 1);
        second.startAt("t", 0, 40); // the new leader's log has its own offsets
        final Producer producer = closeLater(new Producer(new ProducerConfig(client(group.bootstrap()))
            .lingerMs(0).retryBackoffMs(10)));
        assertEquals(0, producer.send(new ProducerRecord("t", bytes("r0"))).get(10, TimeUnit.SECONDS).offset());
        TestSupport.await(() -> producer.io().connection().memberCount() == 2, "the client to learn both members");
        second.copyProducersFrom(first); // r0 was committed: member 2 knows the producer as replication left it

        group.leader(2); // member 1 now answers NOT_LEADER(leaderId=2)
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        final AtomicInteger callbacks = new AtomicInteger();
        for (int i = 1; i <= 20; i++) {
            final RecordFuture future = new RecordFuture();
            futures.add(future);
            producer.send(new ProducerRecord("t", bytes("r" + i)), (m, e) -> {
                callbacks.incrementAndGet();
                future.onCompletion(m, e);
            });
        }
        producer.flush();
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(40 + i, futures.get(i).get(10, TimeUnit.SECONDS).offset(), "the offset member 2 gave");
        }
        assertEquals(20, callbacks.get(), "one callback per record");
        assertEquals("r1,r2,r3,r4,r5,r6,r7,r8,r9,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20",
            values(second.batches("t", 0)), "every record once, in order, on the leader");
        assertEquals("r0", values(first.batches("t", 0)), "nothing more on the old leader");
        assertTrue(first.produceEvents().stream().anyMatch(e -> e.answer() == ErrorCode.NOT_LEADER));
        assertEquals(2, producer.io().connection().brokerId());
    }

    // ------------------------------------------------------------------ (c2) a silent leader: liveness

    @Test
    void aLeaderThatFallsSilentIsLeftWithinTheLivenessTimeoutAndNotFollowedBackWhileSurvivorsStillNameIt()
        throws Exception {
        final FakeBroker first = member(1);
        final FakeBroker second = member(2);
        group.leader(1);
        first.createTopic("t", 1);
        second.createTopic("t", 1);
        second.startAt("t", 0, 40);
        // a request timeout far beyond the waits below: only the liveness rule can move the session in time
        final Producer producer = closeLater(new Producer(new ProducerConfig(client(group.bootstrap())
            .requestTimeout(Duration.ofSeconds(60)).reconnectBackoffMax(Duration.ofSeconds(2))
            .livenessTimeout(Duration.ofMillis(200))).lingerMs(0).retryBackoffMs(10).deliveryTimeoutMs(120_000)));
        assertEquals(0, producer.send(new ProducerRecord("t", bytes("r0"))).get(10, TimeUnit.SECONDS).offset());
        TestSupport.await(() -> producer.io().connection().memberCount() == 2, "the client to learn both members");
        second.copyProducersFrom(first); // r0 was committed: member 2 knows the producer as replication left it
        final ClientConnection connection = producer.io().connection();

        // member 1 hangs: its media driver stays up, so its publication stays connected and its image available,
        // and member 2, whose election timer has not fired, still names it as the leader in its epoch
        first.freeze(true);
        final long frozenAt = System.nanoTime();
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            futures.add(producer.send(new ProducerRecord("t", bytes("r" + i))));
        }
        TestSupport.await(() -> connection.silentLosses() == 1,
            "the silent leader given up within liveness.timeout.ms (request timeout 60 s)");
        final long lostAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
        assertTrue(lostAfterMs < 30_000, "given up after " + lostAfterMs + " ms, long before the request timeout");
        TestSupport.await(() -> connection.brokerId() == 2 && connection.state() == ClientConnection.State.CONNECTED,
            "a session with the survivor");
        Thread.sleep(300); // leader checks go on: member 2 keeps naming member 1 in the epoch it was lost in
        assertEquals(2, connection.brokerId(), "not sent back to the member it just gave up on");
        assertEquals(-1, connection.leaderId(), "the lost leader, named in its old epoch, counts as no leader");
        assertFalse(connection.isConnected(), "no produce goes to a member that is not the leader");
        assertFalse(futures.get(0).isDone(), "nothing acknowledged without a leader");

        group.leader(2); // member 2 wins the election
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(40 + i, futures.get(i).get(10, TimeUnit.SECONDS).offset(), "the offset member 2 gave");
        }
        assertTrue(connection.isConnected());
        assertEquals("r1,r2,r3,r4,r5,r6,r7,r8,r9,r10", values(second.batches("t", 0)), "each record once, in order");
        assertTrue(second.produceEvents().stream().noneMatch(e -> e.answer() == ErrorCode.NOT_LEADER),
            "no batch was sent to member 2 before it led: " + second.produceEvents());
        assertEquals(1, connection.silentLosses());
        assertTrue(second.metadataTopicCounts().contains(0), "the session's own checks name no topic: "
            + second.metadataTopicCounts());
        assertFalse(second.metadataTopicCounts().contains(-1), "no request for every topic: "
            + second.metadataTopicCounts());
    }

    @Test
    void aLiveLeaderThatHoldsOneAnswerAnswersTheProbeAndKeepsTheSession() throws Exception {
        final FakeBroker first = member(1);
        final FakeBroker second = member(2);
        group.leader(1);
        first.createTopic("t", 1);
        second.createTopic("t", 1);
        final Producer producer = closeLater(new Producer(new ProducerConfig(client(group.bootstrap())
            .requestTimeout(Duration.ofMillis(1_500)).livenessTimeout(Duration.ofMillis(200)))
            .lingerMs(0).retryBackoffMs(10).enableIdempotence(true)));
        assertEquals(0, producer.send(new ProducerRecord("t", bytes("r0"))).get(10, TimeUnit.SECONDS).offset());
        final ClientConnection connection = producer.io().connection();
        final long session = connection.sessionId();
        final int probesBefore = first.received(io.sequent.codec.client.MetadataRequestDecoder.TEMPLATE_ID);

        first.swallowNext(ProduceRequestDecoder.TEMPLATE_ID, 1); // stored, never answered: a slow request
        assertEquals(1, producer.send(new ProducerRecord("t", bytes("r1"))).get(10, TimeUnit.SECONDS).offset(),
            "stored once, the retry after the request timeout answered as a duplicate");
        assertEquals(0, connection.silentLosses(), "the member answered the probes: its silence was one request's");
        assertEquals(session, connection.sessionId(), "the session was kept");
        assertEquals(1, connection.brokerId());
        assertTrue(first.received(io.sequent.codec.client.MetadataRequestDecoder.TEMPLATE_ID) > probesBefore,
            "probed while the answer was held");
        assertEquals("r0,r1", values(first.batches("t", 0)));
        assertEquals(0, second.received(ProduceRequestDecoder.TEMPLATE_ID));
    }

    @Test
    void aConsumerWhoseOnlyWaitingRequestIsALongPollIsNotProbed() throws Exception {
        final FakeBroker leader = member(1);
        group.leader(1);
        leader.createTopic("idle", 1);
        final Consumer consumer = closeLater(new Consumer(new ConsumerConfig(client(leader.bootstrap())
            .livenessTimeout(Duration.ofMillis(100))).fetchMaxWaitMs(1_000).autoOffsetReset("earliest")));
        consumer.assign(List.of(new TopicPartition("idle", 0)));
        assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty());
        final ClientConnection connection = consumer.io().connection();
        final long session = connection.sessionId();
        final int metadataBefore = leader.received(io.sequent.codec.client.MetadataRequestDecoder.TEMPLATE_ID);
        final int fetchesBefore = leader.received(FetchRequestDecoder.TEMPLATE_ID);
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
        while (System.nanoTime() - end < 0) {
            assertTrue(consumer.poll(Duration.ofMillis(100)).isEmpty());
        }
        assertTrue(leader.received(FetchRequestDecoder.TEMPLATE_ID) > fetchesBefore, "the consumer long-polled");
        // the broker holds each fetch for 1 s, ten liveness timeouts: probes would come every 50 ms of silence
        assertTrue(leader.received(io.sequent.codec.client.MetadataRequestDecoder.TEMPLATE_ID) - metadataBefore <= 1,
            "no probes while only long-polls wait: "
                + (leader.received(io.sequent.codec.client.MetadataRequestDecoder.TEMPLATE_ID) - metadataBefore));
        assertEquals(0, connection.silentLosses());
        assertEquals(session, connection.sessionId(), "the session was kept");
    }

    @Test
    void aBatchStoredByALeaderThatSteppedDownIsADuplicateOnTheNewLeader() throws Exception {
        final FakeBroker first = member(1);
        final FakeBroker second = member(2);
        group.leader(1);
        first.createTopic("t", 1);
        second.createTopic("t", 1);
        final Producer producer = closeLater(new Producer(new ProducerConfig(client(group.bootstrap()))
            .lingerMs(0).batchSize(0).retryBackoffMs(10)));
        assertEquals(0, producer.send(new ProducerRecord("t", bytes("s0"))).get(10, TimeUnit.SECONDS).offset());
        TestSupport.await(() -> producer.io().connection().memberCount() == 2, "the client to learn both members");
        first.stepDownAfterStoring(second); // s1 is stored and replicated, but answered NOT_LEADER(2)
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            futures.add(producer.send(new ProducerRecord("t", bytes("s" + i))));
        }
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(1 + i, futures.get(i).get(10, TimeUnit.SECONDS).offset(), "record s" + (1 + i));
        }
        final FakeBroker.ProduceEvent refused = first.produceEvents().get(1);
        assertEquals(1, refused.baseSequence());
        assertEquals(ErrorCode.NOT_LEADER, refused.answer(), "stored, yet answered NOT_LEADER: outcome unknown");
        final FakeBroker.ProduceEvent retried = second.produceEvents().get(0);
        assertEquals(1, retried.baseSequence(), "resent with its sequence");
        assertEquals(1, retried.baseOffset(), "found in the log: the original offset");
        assertEquals("s0,s1,s2,s3,s4,s5,s6,s7,s8", values(second.batches("t", 0)), "each record once");
    }

    // ------------------------------------------------------------------ (c) leader lost mid-stream

    @ParameterizedTest(name = "duplicate answered with DUPLICATE_SEQUENCE: {0}")
    @ValueSource(booleans = {false, true})
    void aLostLeaderIsFoundAgainThroughMetadataAndInFlightBatchesKeepTheirSequences(final boolean duplicateCode)
        throws Exception {
        final FakeBroker first = member(1);
        final FakeBroker second = member(2);
        final FakeBroker third = member(3);
        group.leader(1);
        for (final FakeBroker member : group.members) {
            member.createTopic("t", 1);
        }
        second.answerDuplicatesWithCode(duplicateCode);
        final Producer producer = closeLater(new Producer(new ProducerConfig(client(group.bootstrap()))
            .lingerMs(0).batchSize(0).retryBackoffMs(10)));
        assertEquals(0, producer.send(new ProducerRecord("t", bytes("v0"))).get(10, TimeUnit.SECONDS).offset());
        TestSupport.await(() -> producer.io().connection().memberCount() == 3, "the client to learn the members");

        // member 1 stores the next batches but its answers never leave: they are in flight when it dies
        first.swallowNext(ProduceRequestDecoder.TEMPLATE_ID, 1_000);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            futures.add(producer.send(new ProducerRecord("t", bytes("v" + i))));
        }
        TestSupport.await(() -> first.received(ProduceRequestDecoder.TEMPLATE_ID) >= 6, "5 batches in flight");
        final List<Integer> sentToFirst = new ArrayList<>();
        for (final FakeBroker.ProduceEvent event : first.produceEvents()) {
            sentToFirst.add(event.baseSequence());
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5), sentToFirst, "one acknowledged, five unanswered");
        second.copyFrom(first); // replication had caught up with the unanswered batches
        third.copyFrom(first);
        group.leader(-1); // an election is running: nobody knows a leader
        first.close();
        group.members.remove(first);
        final ClientConnection connection = producer.io().connection();
        TestSupport.await(() -> connection.state() == ClientConnection.State.CONNECTED && connection.brokerId() != 1
            && connection.leaderId() == -1, "the producer to meet a member that knows no leader");
        assertFalse(connection.isConnected(), "with a member that knows no leader, the producer holds its batches");
        Thread.sleep(100); // leader checks go on; batches wait
        assertFalse(refusedWithoutHint(second) || refusedWithoutHint(third),
            "no batch went to a member that is not the leader");
        group.leader(2);

        for (int i = 0; i < futures.size(); i++) {
            assertEquals(1 + i, futures.get(i).get(20, TimeUnit.SECONDS).offset(), "record v" + (i + 1));
        }
        final List<Integer> sentToSecond = new ArrayList<>();
        for (final FakeBroker.ProduceEvent event : second.produceEvents()) {
            if (event.answer() != ErrorCode.NOT_LEADER) {
                sentToSecond.add(event.baseSequence());
            }
        }
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), sentToSecond,
            "the in-flight batches again with their original sequences, then the rest");
        for (final FakeBroker.ProduceEvent event : second.produceEvents()) {
            if (event.baseSequence() <= 5 && event.answer() != ErrorCode.NOT_LEADER) {
                assertEquals(duplicateCode ? ErrorCode.DUPLICATE_SEQUENCE : ErrorCode.NONE, event.answer());
                assertEquals(event.baseSequence(), event.baseOffset(), "the duplicate's original offset");
            }
        }
        assertEquals("v0,v1,v2,v3,v4,v5,v6,v7,v8,v9,v10,v11,v12", values(second.batches("t", 0)),
            "every record exactly once in the new leader's log");
        TestSupport.await(() -> producer.bufferedBytes() == 0, "buffer memory released");
    }

    private static boolean refusedWithoutHint(final FakeBroker member) {
        return member.produceEvents().stream().anyMatch(e -> e.answer() == ErrorCode.NOT_LEADER);
    }

    // ------------------------------------------------------------------ (d) no leader anywhere

    @Test
    void withNoLeaderAnywhereRecordsFailAfterTheDeliveryTimeoutAndMemoryIsReleased() throws Exception {
        final FakeBroker first = member(1);
        final FakeBroker second = member(2);
        group.leader(1);
        first.createTopic("t", 2);
        second.createTopic("t", 2);
        final Producer producer = closeLater(new Producer(new ProducerConfig(client(group.bootstrap())
            .requestTimeout(Duration.ofMillis(500))).lingerMs(0).retryBackoffMs(20).deliveryTimeoutMs(1_500)));
        assertEquals(0, producer.send(new ProducerRecord("t", 0, null, null, bytes("ok"), null))
            .get(10, TimeUnit.SECONDS).offset());
        group.leader(-1);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        final AtomicInteger failures = new AtomicInteger();
        final long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            final RecordFuture future = new RecordFuture();
            futures.add(future);
            producer.send(new ProducerRecord("t", bytes("lost" + i)), (m, e) -> {
                failures.addAndGet(e == null ? 0 : 1);
                future.onCompletion(m, e);
            });
        }
        for (final CompletableFuture<RecordMetadata> future : futures) {
            final ExecutionException ex =
                assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
            final RequestTimeoutException timeout = assertInstanceOf(RequestTimeoutException.class, ex.getCause());
            assertTrue(timeout.isRetriable());
            assertTrue(timeout.getMessage().contains("NOT_LEADER"), timeout.getMessage());
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs >= 1_400, "not before delivery.timeout.ms: " + elapsedMs + " ms");
        assertEquals(10, failures.get(), "each callback once, with the failure");
        TestSupport.await(() -> producer.bufferedBytes() == 0, "buffer memory released");
        assertEquals(1, first.endOffset("t", 0) + first.endOffset("t", 1) + second.endOffset("t", 0)
            + second.endOffset("t", 1), "nothing written without a leader");
        final long closeStart = System.nanoTime();
        producer.close();
        assertTrue(System.nanoTime() - closeStart < TimeUnit.SECONDS.toNanos(5), "close does not hang");
    }

    @Test
    void withEveryMemberGoneRecordsFailAfterTheDeliveryTimeout() throws Exception {
        final FakeBroker first = member(1);
        group.leader(1);
        first.createTopic("t", 1);
        final Producer producer = closeLater(new Producer(new ProducerConfig(client(group.bootstrap())
            .requestTimeout(Duration.ofMillis(500))).lingerMs(0).retryBackoffMs(20).deliveryTimeoutMs(1_500)));
        assertEquals(0, producer.send(new ProducerRecord("t", bytes("ok"))).get(10, TimeUnit.SECONDS).offset());
        first.close();
        group.members.remove(first);
        final CompletableFuture<RecordMetadata> future = producer.send(new ProducerRecord("t", bytes("lost")));
        final ExecutionException ex = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(RequestTimeoutException.class, ex.getCause());
        assertTrue(((SequentException) ex.getCause()).isRetriable());
        TestSupport.await(() -> producer.bufferedBytes() == 0, "buffer memory released");
    }

    // ------------------------------------------------------------------ (e) admin redirected

    @Test
    void anAdminCallRefusedByAFormerLeaderIsRetriedOnTheLeader() throws Exception {
        final FakeBroker first = member(1);
        final FakeBroker second = member(2);
        group.leader(1);
        final Admin admin = closeLater(Admin.create(client(first.bootstrap())));
        admin.listTopics();
        group.leader(2);
        admin.createTopic("redirected", 3, Map.of());
        assertTrue(second.hasTopic("redirected"));
        assertFalse(first.hasTopic("redirected"));
        assertEquals(1, first.received(CreateTopicsRequestDecoder.TEMPLATE_ID), "refused once by member 1");
        assertEquals(1, second.received(CreateTopicsRequestDecoder.TEMPLATE_ID), "created once by member 2");
        admin.deleteTopic("redirected");
        assertFalse(second.hasTopic("redirected"));
    }

    @Test
    void anAdminCallFailsWithNotLeaderWhenNoLeaderAppearsWithinItsTimeout() throws Exception {
        member(1);
        member(2);
        group.leader(1);
        final Admin admin = closeLater(Admin.create(client(group.bootstrap()).requestTimeout(Duration.ofMillis(800))));
        group.leader(-1);
        final long start = System.nanoTime();
        final SequentException ex = assertThrows(SequentException.class, () -> admin.createTopic("x", 1, Map.of()));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(ErrorCode.NOT_LEADER, ex.errorCode(), ex.getMessage());
        assertTrue(ex.isRetriable());
        assertTrue(elapsedMs < 3_000, "within the call's timeout: " + elapsedMs + " ms");
    }

    // ------------------------------------------------------------------ (f) reads from a follower or the leader

    private static ConsumerConfig consumer(final String bootstrap, final String readFrom) {
        return new ConsumerConfig(client(bootstrap)).clientReadFrom(readFrom).fetchMaxWaitMs(50)
            .retryBackoffMs(20).autoOffsetReset("none");
    }

    private static void fill(final FakeBroker leader, final int from, final int to) throws Exception {
        try (Producer producer = new Producer(new ProducerConfig(client(leader.bootstrap())).lingerMs(0)
            .batchSize(0))) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord("t", 0, null, null, bytes("m" + i), null));
            }
            producer.flush();
        }
    }

    private static String read(final List<ConsumerRecord> records) {
        final StringBuilder text = new StringBuilder();
        for (final ConsumerRecord record : records) {
            text.append(text.length() == 0 ? "" : ",").append(record.offset()).append('=')
                .append(string(record.value()));
        }
        return text.toString();
    }

    private static String expected(final int from, final int to) {
        final StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append(text.length() == 0 ? "" : ",").append(i).append("=m").append(i);
        }
        return text.toString();
    }

    @Test
    void aFollowerReaderFetchesFromTheFollowerAndFallsBackToALiveMember() throws Exception {
        final FakeBroker follower = member(2);
        final FakeBroker leader = member(1);
        group.leader(1);
        leader.createTopic("t", 1);
        fill(leader, 0, 10);
        follower.copyFrom(leader);
        final Consumer consumer = closeLater(new Consumer(consumer(group.bootstrap(), "follower").maxPollRecords(4)));
        final TopicPartition tp = new TopicPartition("t", 0);
        consumer.assign(List.of(tp));
        consumer.seek(tp, 0);
        assertEquals(expected(0, 10), read(pollUntil(consumer, 10)));
        assertEquals(0, leader.received(FetchRequestDecoder.TEMPLATE_ID), "no fetch reached the leader");
        assertTrue(follower.received(FetchRequestDecoder.TEMPLATE_ID) > 0);

        follower.close();
        group.members.remove(follower);
        fill(leader, 10, 15);
        assertEquals(expected(10, 15), read(pollUntil(consumer, 5)), "neither skipped nor read twice");
        assertTrue(leader.received(FetchRequestDecoder.TEMPLATE_ID) > 0, "fell back to the live member");
    }

    @Test
    void aLeaderReaderFollowsTheLeaderAndWaitsForALaggingNewLeaderInsteadOfResetting() throws Exception {
        final FakeBroker follower = member(2);
        final FakeBroker leader = member(1);
        group.leader(1);
        leader.createTopic("t", 1);
        fill(leader, 0, 10);
        follower.copyFrom(leader);
        follower.keepBatches("t", 0, 6); // the follower has committed only offsets 0 to 5 so far
        final Consumer consumer = closeLater(new Consumer(consumer(group.bootstrap(), "leader")));
        final TopicPartition tp = new TopicPartition("t", 0);
        consumer.assign(List.of(tp));
        consumer.seek(tp, 0);
        assertEquals(expected(0, 10), read(pollUntil(consumer, 10)));
        assertTrue(leader.received(FetchRequestDecoder.TEMPLATE_ID) > 0);
        assertEquals(0, follower.received(FetchRequestDecoder.TEMPLATE_ID), "no fetch reached the follower");

        group.leader(2);
        leader.close();
        group.members.remove(leader);
        final int before = follower.received(FetchRequestDecoder.TEMPLATE_ID);
        final List<ConsumerRecord> during = new ArrayList<>();
        final long deadline = System.nanoTime() + TestSupport.WAIT.toNanos();
        while (follower.received(FetchRequestDecoder.TEMPLATE_ID) < before + 3 && System.nanoTime() < deadline) {
            for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(50))) {
                during.add(record);
            }
        }
        assertEquals(List.of(), during, "nothing while the new leader is behind the position");
        assertEquals(10, consumer.position(tp), "position 10 kept although the new leader's end is 6");
        follower.copyFrom(leader); // the new leader learns the commit up to 10
        fill(follower, 10, 13);
        assertEquals(expected(10, 13), read(pollUntil(consumer, 3)), "neither skipped nor read twice");
    }
}

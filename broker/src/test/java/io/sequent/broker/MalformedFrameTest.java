package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataRequestEncoder;
import io.sequent.codec.client.ProduceRequestEncoder;
import io.sequent.codec.client.ProduceResponseEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames that fail to decode, from a raw Aeron publisher: each gets an ErrorResponse when the broker can tell
 * where to send it, and neither the broker nor another client notices.
 */
class MalformedFrameTest {
    @TempDir
    static Path dataDir;

    private static Broker broker;
    private static TestClient attacker;
    private static TestClient bystander;

    @BeforeAll
    static void launch() {
        broker = Broker.launch(TestSupport.context(dataDir));
        attacker = new TestClient(broker);
        attacker.connect("attacker");
        bystander = new TestClient(broker);
        bystander.connect("bystander");
        assertEquals(ErrorCode.NONE, bystander.createTopic("safe", 1).code);
    }

    @AfterAll
    static void close() {
        if (null != attacker) {
            attacker.close();
        }
        if (null != bystander) {
            assertEquals(0, bystander.invalidResponses, "every response passed ProtocolFrames.validate");
            bystander.close();
        }
        if (null != broker) {
            broker.close();
        }
    }

    /** A well-formed MetadataRequest in the attacker's buffer; returns its length. */
    private static int metadataFrame(final long correlationId, final long sessionId) {
        final MetadataRequestEncoder encoder = new MetadataRequestEncoder();
        encoder.wrapAndApplyHeader(attacker.buffer(), 0, attacker.headerEncoder())
            .correlationId(correlationId)
            .sessionId(sessionId)
            .topicsCount(0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private static TestClient.ErrorReply errorFor(final long correlationId) {
        return TestClient.errorReply(attacker.await(correlationId, 5_000));
    }

    @Test
    void truncatedFrameIsAnsweredCorruptOnTheSenderSession() {
        attacker.sendRaw(new UnsafeBuffer(new byte[]{1, 2, 3, 4, 5}), 0, 5);
        final TestClient.ErrorReply reply = TestClient.errorReply(attacker.awaitUncorrelated(5_000));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, reply.code);
        assertEquals(-1, reply.correlationId);

        final long correlationId = attacker.nextCorrelationId();
        final int length = metadataFrame(correlationId, attacker.sessionId());
        attacker.sendRaw(attacker.buffer(), 0, length - 3);
        final TestClient.ErrorReply cut = errorFor(correlationId);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, cut.code);
        assertTrue(cut.message.contains("BAD_GROUP") || cut.message.contains("BAD_BLOCK_LENGTH"), cut.message);
    }

    @Test
    void garbageIsAnsweredOrDroppedNeverFatal() {
        final Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            final byte[] garbage = new byte[8 + random.nextInt(200)];
            random.nextBytes(garbage);
            attacker.sendRaw(new UnsafeBuffer(garbage), 0, garbage.length);
        }
        assertStillServing();
        final long invalid = broker.counters().invalidFrames.get();
        assertTrue(invalid >= 50, "every garbage frame was counted invalid: " + invalid);
        attacker.clearUncorrelated();
    }

    @Test
    void wrongSchemaIdIsInvalidRequest() {
        final int length = metadataFrame(attacker.nextCorrelationId(), attacker.sessionId());
        attacker.buffer().putShort(4, (short) 999, ByteOrder.LITTLE_ENDIAN);
        attacker.send(length);
        final TestClient.ErrorReply reply = TestClient.errorReply(attacker.awaitUncorrelated(5_000));
        assertEquals(ErrorCode.INVALID_REQUEST, reply.code);
    }

    @Test
    void hugeVarLengthIsCorruptMessage() {
        final long correlationId = attacker.nextCorrelationId();
        final UnsafeBuffer batch = TestSupport.batch("v");
        final ProduceRequestEncoder encoder = new ProduceRequestEncoder();
        encoder.wrapAndApplyHeader(attacker.buffer(), 0, attacker.headerEncoder())
            .correlationId(correlationId)
            .sessionId(attacker.sessionId())
            .partition(0)
            .timeoutMs(0)
            .acks(Acks.LEADER)
            .topic("safe")
            .putBatch(batch, 0, batch.capacity());
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        final int topicLengthAt = MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.BLOCK_LENGTH;
        attacker.buffer().putInt(topicLengthAt, 0x7FFF_FFF0, ByteOrder.LITTLE_ENDIAN);
        attacker.send(length);
        final TestClient.ErrorReply reply = errorFor(correlationId);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, reply.code);
        assertEquals(ProduceRequestEncoder.TEMPLATE_ID, reply.requestTemplateId);
        assertTrue(reply.message.contains("BAD_VAR_DATA"), reply.message);
    }

    @Test
    void unknownTemplateIsInvalidRequest() {
        final long correlationId = attacker.nextCorrelationId();
        final int length = metadataFrame(correlationId, attacker.sessionId());
        attacker.buffer().putShort(2, (short) 999, ByteOrder.LITTLE_ENDIAN);
        attacker.send(length);
        final TestClient.ErrorReply reply = errorFor(correlationId);
        assertEquals(ErrorCode.INVALID_REQUEST, reply.code);
        assertEquals(999, reply.requestTemplateId);
    }

    @Test
    void newerVersionIsUnsupportedVersion() {
        final long correlationId = attacker.nextCorrelationId();
        final int length = metadataFrame(correlationId, attacker.sessionId());
        attacker.buffer().putShort(6, (short) (MetadataRequestEncoder.SCHEMA_VERSION + 1), ByteOrder.LITTLE_ENDIAN);
        attacker.send(length);
        final TestClient.ErrorReply reply = errorFor(correlationId);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, reply.code);
    }

    @Test
    void unknownSessionIsAnsweredOverTheSameImage() {
        final long correlationId = attacker.nextCorrelationId();
        attacker.send(metadataFrame(correlationId, 12_345));
        final TestClient.ErrorReply reply = errorFor(correlationId);
        assertEquals(ErrorCode.UNKNOWN_SESSION, reply.code);
        assertTrue(broker.counters().unknownSessions.get() >= 1);
    }

    @Test
    void aResponseSentAsARequestIsInvalidRequest() {
        final long correlationId = attacker.nextCorrelationId();
        final ProduceResponseEncoder encoder = new ProduceResponseEncoder();
        encoder.wrapAndApplyHeader(attacker.buffer(), 0, attacker.headerEncoder())
            .correlationId(correlationId)
            .baseOffset(0)
            .logAppendTime(-1)
            .partition(0)
            .leaderId(0)
            .errorCode(ErrorCode.NONE)
            .logStartOffset(0);
        attacker.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        assertEquals(ErrorCode.INVALID_REQUEST, errorFor(correlationId).code);
    }

    @Test
    void framesFromAClientWithoutASessionAreDroppedAndCounted() {
        try (TestClient stranger = new TestClient(broker)) {
            final long dropped = broker.counters().framesDropped.get();
            final MetadataRequestEncoder encoder = new MetadataRequestEncoder();
            final long correlationId = stranger.nextCorrelationId();
            encoder.wrapAndApplyHeader(stranger.buffer(), 0, stranger.headerEncoder())
                .correlationId(correlationId)
                .sessionId(attacker.sessionId() + 1)
                .topicsCount(0);
            stranger.send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
            stranger.sendRaw(new UnsafeBuffer(new byte[3]), 0, 3);
            final long deadline = System.currentTimeMillis() + 5_000;
            while (broker.counters().framesDropped.get() < dropped + 2 && System.currentTimeMillis() < deadline) {
                TestClient.sleep(5);
            }
            assertTrue(broker.counters().framesDropped.get() >= dropped + 2, "counted as dropped");
            assertNull(stranger.pollFor(correlationId, 100), "nowhere to answer");
        }
        assertStillServing();
    }

    /** The attacker's own session and another client both still produce and fetch. */
    private static void assertStillServing() {
        for (final TestClient client : List.of(attacker, bystander)) {
            final TestClient.ProduceResult produced =
                client.produce("safe", 0, Acks.ALL, TestSupport.batch("still-" + client.sessionId()));
            assertEquals(ErrorCode.NONE, produced.code);
            final TestClient.FetchResult fetched = client.fetch("safe", 0, produced.baseOffset, 0, 1 << 20);
            final List<TestSupport.Record> records =
                TestSupport.records(fetched.partition(0).records, fetched.partition(0).highWatermark);
            assertEquals("still-" + client.sessionId(), records.get(0).value);
        }
    }
}

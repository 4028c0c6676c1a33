package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.FetchRequestDecoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.codec.client.MetadataRequestEncoder;
import io.sequent.codec.client.ProduceRequestDecoder;
import io.sequent.codec.client.ProduceRequestEncoder;

class ProtocolFramesTest {
    private final Decoders decoders = new Decoders();

    @Test
    void framesWrittenByTheGeneratedEncodersValidateAndDecode() {
        for (final SampleFrames.Frame frame : SampleFrames.all()) {
            assertEquals(FrameError.NONE, ProtocolFrames.validate(frame.buffer, 0, frame.length), frame.name);
            final StringBuilder text = new StringBuilder();
            assertEquals(frame.length - ProtocolFrames.HEADER_LENGTH, decoders.decodeFully(frame.buffer, 0, text));
            assertTrue(text.length() > 0);
        }
    }

    @Test
    void produceRequestCarriesAValidBatch() {
        final SampleFrames.Frame produce = SampleFrames.all().stream()
            .filter(f -> f.name.equals("ProduceRequest")).findFirst().orElseThrow();
        assertEquals(FrameError.NONE, ProtocolFrames.validate(produce.buffer, 0, produce.length));
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(produce.buffer, 0);
        final ProduceRequestDecoder decoder = new ProduceRequestDecoder().wrapAndApplyHeader(produce.buffer, 0, header);
        assertEquals(2L, decoder.correlationId());
        assertEquals(77L, decoder.sessionId());
        assertEquals(Acks.ALL, decoder.acks());
        assertEquals("orders", decoder.topic());
        final int batchLength = decoder.batchLength();
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        decoder.wrapBatch(view);
        assertEquals(batchLength, view.capacity());
        assertEquals(BatchError.NONE, Batches.validate(view, 0, view.capacity()));
        assertEquals(2, Batches.recordCount(view, 0));
    }

    @Test
    void randomWellFormedFramesOfEveryMessageAndVersion() {
        final Random random = new Random(17);
        final FrameGenerator generator = new FrameGenerator(random, 3, 12);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1 << 16);
        int frames = 0;
        for (final int schemaId : new int[] {ProtocolFrames.CLIENT_SCHEMA_ID, ProtocolFrames.REPLICATION_SCHEMA_ID}) {
            final FrameLayouts.Schema schema = ProtocolFrames.schema(schemaId);
            for (final FrameLayouts.Block message : schema.messages) {
                for (int version = 1; version <= schema.version; version++) {
                    for (int i = 0; i < 20; i++) {
                        final int offset = random.nextInt(16);
                        final int length = generator.generate(schema, message, version, out, offset);
                        final int result = ProtocolFrames.validate(out, offset, length);
                        assertEquals(FrameError.NONE, result, message.name + " v" + version + ": "
                            + FrameError.name(result));
                        assertEquals(length - ProtocolFrames.HEADER_LENGTH,
                            decoders.decodeFully(out, offset, new StringBuilder()), message.name + " v" + version);
                        frames++;
                    }
                }
            }
        }
        assertTrue(frames > 1000);
    }

    @Test
    void headerChecks() {
        final SampleFrames.Frame frame = SampleFrames.all().get(1);
        final UnsafeBuffer b = frame.buffer;
        final int n = frame.length;
        assertEquals(FrameError.OUT_OF_BOUNDS, ProtocolFrames.validate(null, 0, 0));
        assertEquals(FrameError.OUT_OF_BOUNDS, ProtocolFrames.validate(b, -1, n));
        assertEquals(FrameError.OUT_OF_BOUNDS, ProtocolFrames.validate(b, 0, n + 1));
        assertEquals(FrameError.OUT_OF_BOUNDS, ProtocolFrames.validate(b, 1, n));
        assertEquals(FrameError.OUT_OF_BOUNDS, ProtocolFrames.validate(b, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(FrameError.TOO_SHORT, ProtocolFrames.validate(b, 0, 7));
        assertEquals(FrameError.UNKNOWN_SCHEMA, withShort(frame, 4, 102));
        assertEquals(FrameError.UNKNOWN_SCHEMA, withShort(frame, 4, 0));
        assertEquals(FrameError.UNSUPPORTED_VERSION, withShort(frame, 6, 0));
        assertEquals(FrameError.UNSUPPORTED_VERSION,
            withShort(frame, 6, ProtocolFrames.schemaVersion(ProtocolFrames.CLIENT_SCHEMA_ID) + 1));
        assertEquals(FrameError.UNSUPPORTED_VERSION, withShort(frame, 6, 0xFFFF));
        assertEquals(FrameError.UNKNOWN_TEMPLATE, withShort(frame, 2, 0));
        assertEquals(FrameError.UNKNOWN_TEMPLATE, withShort(frame, 2, 999));
        assertEquals(FrameError.UNKNOWN_TEMPLATE, withShort(frame, 2, 0xFFFF));
        assertEquals(FrameError.BAD_BLOCK_LENGTH, withShort(frame, 0, 0));
        assertEquals(FrameError.BAD_BLOCK_LENGTH, withShort(frame, 0, ProduceRequestEncoder.BLOCK_LENGTH - 1));
        assertEquals(FrameError.BAD_BLOCK_LENGTH, withShort(frame, 0, 0xFFFF));
        assertEquals(FrameError.BAD_VAR_DATA, ProtocolFrames.validate(b, 0, n - 1), "batch bytes cut");
        final UnsafeBuffer longer = new UnsafeBuffer(new byte[n + 1]);
        longer.putBytes(0, b, 0, n);
        assertEquals(FrameError.LENGTH_MISMATCH, ProtocolFrames.validate(longer, 0, n + 1));
    }

    @Test
    void groupVarDataAndEnumChecks() {
        final SampleFrames.Frame fetch = frame("FetchRequest");
        final int groupHeader = ProtocolFrames.HEADER_LENGTH + FetchRequestDecoder.BLOCK_LENGTH;
        assertEquals(2, fetch.buffer.getShort(groupHeader + 2));
        assertEquals(FrameError.BAD_GROUP, withShort(fetch, groupHeader + 2, 0xFFFF), "count above maxValue");
        assertEquals(FrameError.BAD_BLOCK_LENGTH, withShort(fetch, groupHeader + 2, 1000), "entries past the frame");
        assertEquals(FrameError.BAD_BLOCK_LENGTH, withShort(fetch, groupHeader, 4), "entry block too short");
        assertEquals(FrameError.BAD_BLOCK_LENGTH, withShort(fetch, groupHeader, 0xFFFF), "entry block too long");
        assertTrue(withShort(fetch, groupHeader + 2, 1) < 0, "fewer entries misaligns the rest");
        assertEquals(FrameError.BAD_GROUP,
            ProtocolFrames.validate(fetch.buffer, 0, groupHeader + 3), "group header cut");

        final int topicLength = groupHeader + 4 + 2 * 16;
        assertEquals(6, fetch.buffer.getInt(topicLength));
        assertEquals(FrameError.BAD_VAR_DATA, withInt(fetch, topicLength, -1));
        assertEquals(FrameError.BAD_VAR_DATA, withInt(fetch, topicLength, Integer.MAX_VALUE));
        assertEquals(FrameError.BAD_VAR_DATA, withInt(fetch, topicLength, (1 << 30) + 1));
        assertEquals(FrameError.BAD_VAR_DATA, withInt(fetch, topicLength, 1000));
        assertEquals(FrameError.BAD_VAR_DATA,
            ProtocolFrames.validate(fetch.buffer, 0, topicLength + 3), "length prefix cut");
        assertTrue(withInt(fetch, topicLength, 0) < 0);

        final int isolation = ProtocolFrames.HEADER_LENGTH + FetchRequestDecoder.isolationEncodingOffset();
        assertEquals(FrameError.BAD_ENUM, withByte(fetch, isolation, 2));
        assertEquals(FrameError.BAD_ENUM, withByte(fetch, isolation, 0xFF), "the null value is not accepted");
        assertEquals(FrameError.NONE, withByte(fetch, isolation, 0));

        final SampleFrames.Frame produce = frame("ProduceRequest");
        final int acks = ProtocolFrames.HEADER_LENGTH + ProduceRequestDecoder.acksEncodingOffset();
        assertEquals(FrameError.BAD_ENUM, withByte(produce, acks, 3));
        assertEquals(FrameError.NONE, withByte(produce, acks, 0));
    }

    @Test
    void enumInsideNestedGroupIsChecked() {
        final SampleFrames.Frame metadata = frame("MetadataResponse");
        final Random random = new Random(3);
        int badEnums = 0;
        for (int position = ProtocolFrames.HEADER_LENGTH; position < metadata.length; position++) {
            final int result = withByte(metadata, position, 200 + random.nextInt(50));
            assertTrue(result <= 0);
            badEnums += result == FrameError.BAD_ENUM ? 1 : 0;
        }
        assertTrue(badEnums >= 1 + 2 + 3, "top-level, topic and partition error codes: " + badEnums);
    }

    @Test
    void correlationIdOfAFrameThatFailsValidation() {
        final SampleFrames.Frame produce = frame("ProduceRequest");
        final UnsafeBuffer broken = SampleFrames.copy(produce.buffer, produce.length);
        broken.putInt(broken.capacity() - 10, -1);
        assertEquals(2L, ProtocolFrames.correlationId(broken, 0, produce.length));
        assertEquals(30, ProtocolFrames.templateId(broken, 0, produce.length));
        assertEquals(ProtocolFrames.NO_CORRELATION_ID, ProtocolFrames.correlationId(broken, 0, 15));
        assertEquals(0, ProtocolFrames.templateId(broken, 0, 7));
        broken.putShort(0, (short) 4);
        assertEquals(ProtocolFrames.NO_CORRELATION_ID, ProtocolFrames.correlationId(broken, 0, produce.length));
        final SampleFrames.Frame vote = frame("RequestVote");
        assertEquals(ProtocolFrames.NO_CORRELATION_ID, ProtocolFrames.correlationId(vote.buffer, 0, vote.length));
    }

    @Test
    void errorCodesForTheBroker() {
        assertEquals(ErrorCode.NONE, ProtocolFrames.errorCodeFor(FrameError.NONE));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, ProtocolFrames.errorCodeFor(FrameError.UNSUPPORTED_VERSION));
        assertEquals(ErrorCode.INVALID_REQUEST, ProtocolFrames.errorCodeFor(FrameError.UNKNOWN_TEMPLATE));
        assertEquals(ErrorCode.INVALID_REQUEST, ProtocolFrames.errorCodeFor(FrameError.UNKNOWN_SCHEMA));
        for (final int code : List.of(FrameError.TOO_SHORT, FrameError.BAD_GROUP, FrameError.BAD_VAR_DATA,
            FrameError.BAD_ENUM, FrameError.BAD_BLOCK_LENGTH, FrameError.LENGTH_MISMATCH, FrameError.OUT_OF_BOUNDS)) {
            assertEquals(ErrorCode.CORRUPT_MESSAGE, ProtocolFrames.errorCodeFor(code));
        }
        assertEquals("BAD_ENUM", FrameError.name(FrameError.BAD_ENUM));
        assertEquals("UNKNOWN(-42)", FrameError.name(-42));
    }

    @Test
    void framesInDirectBuffersAtAnOffset() {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16));
        int position = 3;
        for (final SampleFrames.Frame frame : SampleFrames.all()) {
            direct.putBytes(position, frame.buffer, 0, frame.length);
            assertEquals(FrameError.NONE, ProtocolFrames.validate(direct, position, frame.length), frame.name);
            position += frame.length + 5;
        }
    }

    @Test
    void largestGroupCountsAreWalkedInLinearTime() {
        final int entries = 65534;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8 + 16 + 4 + entries * 4]);
        final MetadataRequestEncoder encoder = new MetadataRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1L).sessionId(2L);
        final MetadataRequestEncoder.TopicsEncoder topics = encoder.topicsCount(entries);
        for (int i = 0; i < entries; i++) {
            topics.next().name("");
        }
        final int length = 8 + encoder.encodedLength();
        assertEquals(buffer.capacity(), length);
        final long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertEquals(FrameError.NONE, ProtocolFrames.validate(buffer, 0, length));
            assertEquals(FrameError.BAD_VAR_DATA, ProtocolFrames.validate(buffer, 0, length - 1));
            assertEquals(FrameError.BAD_VAR_DATA, ProtocolFrames.validate(buffer, 0, 8 + 16 + 4 + 1000));
        }
        final long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5_000, "200 walks of 65,534 entries took " + millis + " ms");
    }

    static SampleFrames.Frame frame(final String name) {
        return SampleFrames.all().stream().filter(f -> f.name.equals(name)).findFirst().orElseThrow();
    }

    private static int withByte(final SampleFrames.Frame frame, final int index, final int value) {
        final UnsafeBuffer copy = SampleFrames.copy(frame.buffer, frame.length);
        copy.putByte(index, (byte) value);
        return ProtocolFrames.validate(copy, 0, frame.length);
    }

    private static int withShort(final SampleFrames.Frame frame, final int index, final int value) {
        final UnsafeBuffer copy = SampleFrames.copy(frame.buffer, frame.length);
        copy.putShort(index, (short) value);
        return ProtocolFrames.validate(copy, 0, frame.length);
    }

    private static int withInt(final SampleFrames.Frame frame, final int index, final int value) {
        final UnsafeBuffer copy = SampleFrames.copy(frame.buffer, frame.length);
        copy.putInt(index, value);
        return ProtocolFrames.validate(copy, 0, frame.length);
    }
}

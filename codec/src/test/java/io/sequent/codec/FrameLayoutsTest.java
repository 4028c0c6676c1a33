package io.sequent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The layouts {@link ProtocolFrames} checks against are read from the schema XML at run time; here
 * they are compared, field by field, with the constants in the code SBE generated from the same XML.
 */
class FrameLayoutsTest {
    private static final List<FrameLayouts.Schema> SCHEMAS = List.of(
        ProtocolFrames.schema(ProtocolFrames.CLIENT_SCHEMA_ID),
        ProtocolFrames.schema(ProtocolFrames.REPLICATION_SCHEMA_ID));

    @Test
    void schemasAreLoaded() {
        final FrameLayouts.Schema client = SCHEMAS.get(0);
        assertEquals(100, client.id);
        assertEquals(4, client.version);
        assertEquals("io.sequent.codec.client", client.packageName);
        assertEquals(44, client.messages.size(), "20 request/response pairs, ErrorResponse, DisconnectRequest, "
            + "MemberJoinRequest and MemberHeartbeatRequest (answered by JoinGroupResponse and HeartbeatResponse)");
        final FrameLayouts.Schema replication = SCHEMAS.get(1);
        assertEquals(101, replication.id);
        assertEquals(1, replication.version);
        assertEquals(12, replication.messages.size());
        assertEquals(4, ProtocolFrames.schemaVersion(100));
        assertEquals(1, ProtocolFrames.schemaVersion(101));
        assertEquals(-1, ProtocolFrames.schemaVersion(102));
    }

    @Test
    void everyMessageMatchesItsGeneratedDecoder() throws Exception {
        int checked = 0;
        for (final FrameLayouts.Schema schema : SCHEMAS) {
            final Set<Integer> ids = new HashSet<>();
            for (final FrameLayouts.Block message : schema.messages) {
                assertTrue(ids.add(message.id), "unique template id " + message.id);
                final Class<?> decoder = Decoders.decoderClass(schema, message);
                assertEquals(message.id, decoder.getField("TEMPLATE_ID").getInt(null), message.name);
                assertEquals(schema.id, decoder.getField("SCHEMA_ID").getInt(null), message.name);
                assertEquals(schema.version, decoder.getField("SCHEMA_VERSION").getInt(null), message.name);
                assertEquals(message.blockLength, decoder.getField("BLOCK_LENGTH").getInt(null), message.name);
                checked += checkBlock(schema, decoder, message);
            }
        }
        assertTrue(checked > 100, "items checked: " + checked);
    }

    @Test
    void versionOneBlockOfProduceResponseEndsWhereLogStartOffsetBegins() {
        final FrameLayouts.Block produceResponse = ProtocolFrames.schema(ProtocolFrames.CLIENT_SCHEMA_ID)
            .message(io.sequent.codec.client.ProduceResponseDecoder.TEMPLATE_ID);
        assertEquals(io.sequent.codec.client.ProduceResponseDecoder.logStartOffsetEncodingOffset(),
            produceResponse.minBlockLength[1]);
        assertEquals(io.sequent.codec.client.ProduceResponseDecoder.BLOCK_LENGTH, produceResponse.minBlockLength[2]);
    }

    @Test
    void clientMessagesFollowTheCorrelationAndSessionConventions() throws Exception {
        final FrameLayouts.Schema client = SCHEMAS.get(0);
        final List<String> requests = new ArrayList<>();
        for (final FrameLayouts.Block message : client.messages) {
            final Class<?> decoder = Decoders.decoderClass(client, message);
            assertEquals(ProtocolFrames.CORRELATION_ID_OFFSET,
                decoder.getMethod("correlationIdEncodingOffset").invoke(null), message.name);
            assertEquals(8, decoder.getMethod("correlationIdEncodingLength").invoke(null), message.name);
            if (message.name.endsWith("Request")) {
                requests.add(message.name);
                if (!message.name.equals("ConnectRequest")) {
                    assertEquals(ProtocolFrames.SESSION_ID_OFFSET,
                        decoder.getMethod("sessionIdEncodingOffset").invoke(null), message.name);
                }
            } else {
                assertTrue(message.name.endsWith("Response"), message.name);
            }
        }
        assertTrue(requests.containsAll(List.of(
            "ConnectRequest", "MetadataRequest", "CreateTopicsRequest", "DeleteTopicsRequest",
            "DescribeConfigsRequest", "AlterConfigsRequest", "InitProducerIdRequest", "ProduceRequest",
            "FetchRequest", "ListOffsetsRequest", "JoinGroupRequest", "HeartbeatRequest", "LeaveGroupRequest",
            "OffsetCommitRequest", "OffsetFetchRequest", "DescribeGroupsRequest", "ListGroupsRequest",
            "MemberJoinRequest", "MemberHeartbeatRequest", "DeleteGroupsRequest")),
            requests.toString());
        final java.util.Map<String, String> sharedResponses = java.util.Map.of(
            "MemberJoinRequest", "JoinGroupResponse", "MemberHeartbeatRequest", "HeartbeatResponse");
        for (final String request : requests) {
            if (!request.equals("DisconnectRequest")) {
                final String response = sharedResponses.getOrDefault(request, request.replace("Request", "Response"));
                assertNotNull(client.messages.stream().filter(m -> m.name.equals(response)).findFirst().orElse(null),
                    "response for " + request);
            }
        }
    }

    private static int checkBlock(
        final FrameLayouts.Schema schema, final Class<?> codec, final FrameLayouts.Block block) throws Exception {
        int checked = 1;
        assertEquals(block.blockLength, block.minBlockLength[schema.version], block.name);
        for (final FrameLayouts.EnumField field : block.enums) {
            assertEquals(field.offset, invoke(codec, field.name + "EncodingOffset"), block.name + "." + field.name);
            assertEquals(field.size, invoke(codec, field.name + "EncodingLength"), block.name + "." + field.name);
            assertEquals(field.sinceVersion, invoke(codec, field.name + "SinceVersion"), block.name + "." + field.name);
            checked++;
        }
        for (final FrameLayouts.Block group : block.groups) {
            final Class<?> groupCodec = nested(codec, Character.toUpperCase(group.name.charAt(0))
                + group.name.substring(1) + "Decoder");
            assertEquals(group.headerSize, invoke(groupCodec, "sbeHeaderSize"), group.name);
            assertEquals(group.blockLength, invoke(groupCodec, "sbeBlockLength"), group.name);
            assertEquals(65534, group.maxCount, group.name);
            checked += checkBlock(schema, groupCodec, group);
        }
        for (final FrameLayouts.VarData data : block.varData) {
            assertEquals(data.headerSize, invoke(codec, data.name + "HeaderLength"), block.name + "." + data.name);
            assertEquals(data.sinceVersion, invoke(codec, data.name + "SinceVersion"), block.name + "." + data.name);
            assertEquals(1L << 30, data.maxLength, data.name);
            checked++;
        }
        return checked;
    }

    private static Class<?> nested(final Class<?> outer, final String simpleName) {
        for (final Class<?> inner : outer.getDeclaredClasses()) {
            if (inner.getSimpleName().equals(simpleName)) {
                return inner;
            }
        }
        throw new AssertionError(outer.getSimpleName() + " has no " + simpleName);
    }

    private static int invoke(final Class<?> type, final String method) throws Exception {
        final Method m = type.getMethod(method);
        return ((Number) m.invoke(null)).intValue();
    }
}

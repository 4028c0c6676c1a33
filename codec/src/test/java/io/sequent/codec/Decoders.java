package io.sequent.codec;

import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;

/** One generated decoder per message of both protocol schemas, found by reflection from the layouts. */
final class Decoders {
    private final Map<Integer, MessageDecoderFlyweight> decoders = new HashMap<>();

    Decoders() {
        for (final int schemaId : new int[] {ProtocolFrames.CLIENT_SCHEMA_ID, ProtocolFrames.REPLICATION_SCHEMA_ID}) {
            final FrameLayouts.Schema schema = ProtocolFrames.schema(schemaId);
            for (final FrameLayouts.Block message : schema.messages) {
                decoders.put(key(schemaId, message.id), newDecoder(schema, message));
            }
        }
    }

    static Class<?> decoderClass(final FrameLayouts.Schema schema, final FrameLayouts.Block message) {
        try {
            return Class.forName(schema.packageName + "." + message.name + "Decoder");
        } catch (final ClassNotFoundException ex) {
            throw new AssertionError("no generated decoder for " + message.name, ex);
        }
    }

    private static MessageDecoderFlyweight newDecoder(
        final FrameLayouts.Schema schema, final FrameLayouts.Block message) {
        try {
            return (MessageDecoderFlyweight) decoderClass(schema, message).getConstructor().newInstance();
        } catch (final ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }

    /**
     * Decodes a frame that passed {@link ProtocolFrames#validate} with the generated decoder: every
     * field, group entry and var data, and the length the decoder walks.
     *
     * @return the decoder's view of the message length after the header.
     */
    int decodeFully(final DirectBuffer buffer, final int offset, final StringBuilder text) {
        final int blockLength = buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int templateId = buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int version = buffer.getShort(offset + 6, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final MessageDecoderFlyweight decoder = decoders.get(key(schemaId, templateId));
        decoder.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH, blockLength, version);
        final int decodedLength = decoder.sbeDecodedLength();
        decoder.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH, blockLength, version);
        decoder.appendTo(text);
        return decodedLength;
    }

    private static int key(final int schemaId, final int templateId) {
        return schemaId << 16 | templateId;
    }
}

package io.sequent.codec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.agrona.DirectBuffer;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The structure of every message of an SBE schema, read from the same XML file the decoders are
 * generated from (packaged with this module under {@code /sbe/}), so the frame checker of
 * {@link ProtocolFrames} can never disagree with the generated code about a layout.
 *
 * <p>For each message and repeating group it keeps what a bounds walk needs: the smallest block
 * length each schema version allows, the enum fields (so that no generated {@code get()} can meet an
 * unknown value), the nested groups with their dimension encoding, and the var-data fields with
 * their length encoding, each with its {@code sinceVersion}. Built once at class initialisation;
 * immutable afterwards and safe to share between threads.
 *
 * <p>Supported schema features are those this project's schemas use: primitive, simple, enum, set
 * and composite types, explicit field offsets and block lengths, nested groups and var data. A
 * schema using anything else fails loudly at start-up rather than being checked loosely.
 */
final class FrameLayouts {
    private FrameLayouts() {
    }

    /** One schema: id, version and message layouts by template id. */
    static final class Schema {
        final int id;
        final int version;
        final String packageName;
        private final Block[] byTemplateId;
        final List<Block> messages;

        Schema(final int id, final int version, final String packageName, final List<Block> messages) {
            this.id = id;
            this.version = version;
            this.packageName = packageName;
            this.messages = List.copyOf(messages);
            int maxId = 0;
            for (final Block message : messages) {
                maxId = Math.max(maxId, message.id);
            }
            byTemplateId = new Block[maxId + 1];
            for (final Block message : messages) {
                if (byTemplateId[message.id] != null) {
                    throw new IllegalStateException("duplicate template id " + message.id);
                }
                byTemplateId[message.id] = message;
            }
        }

        Block message(final int templateId) {
            return templateId >= 0 && templateId < byTemplateId.length ? byTemplateId[templateId] : null;
        }
    }

    /** A message or one entry of a repeating group. */
    static final class Block {
        final String name;
        final int id;
        final int sinceVersion;
        final int blockLength;
        final int[] minBlockLength;
        final EnumField[] enums;
        final Block[] groups;
        final VarData[] varData;
        final int headerSize;
        final int blockLengthOffset;
        final int blockLengthSize;
        final int countOffset;
        final int countSize;
        final int maxCount;

        Block(
            final String name,
            final int id,
            final int sinceVersion,
            final int blockLength,
            final int[] minBlockLength,
            final EnumField[] enums,
            final Block[] groups,
            final VarData[] varData,
            final Composite dimension) {
            this.name = name;
            this.id = id;
            this.sinceVersion = sinceVersion;
            this.blockLength = blockLength;
            this.minBlockLength = minBlockLength;
            this.enums = enums;
            this.groups = groups;
            this.varData = varData;
            if (dimension != null) {
                final Member blockLengthMember = dimension.member("blockLength");
                final Member countMember = dimension.member("numInGroup");
                headerSize = dimension.size;
                blockLengthOffset = blockLengthMember.offset;
                blockLengthSize = blockLengthMember.size;
                countOffset = countMember.offset;
                countSize = countMember.size;
                maxCount = (int) Math.min(Integer.MAX_VALUE, countMember.maxValue);
            } else {
                headerSize = 0;
                blockLengthOffset = 0;
                blockLengthSize = 0;
                countOffset = 0;
                countSize = 0;
                maxCount = 0;
            }
        }
    }

    /** An enum field of a block, with the values its generated {@code get()} accepts. */
    static final class EnumField {
        final String name;
        final int offset;
        final int size;
        final int sinceVersion;
        private final boolean[] valid;

        EnumField(final String name, final int offset, final int size, final int sinceVersion, final boolean[] valid) {
            if (size != 1 && size != 2) {
                throw new IllegalStateException("enum field " + name + ": only 1- and 2-byte encodings are supported");
            }
            this.name = name;
            this.offset = offset;
            this.size = size;
            this.sinceVersion = sinceVersion;
            this.valid = valid;
        }

        boolean isValid(final DirectBuffer buffer, final int blockStart) {
            final int value = size == 1
                ? buffer.getByte(blockStart + offset) & 0xFF
                : buffer.getShort(blockStart + offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            return accepts(value);
        }

        boolean accepts(final int value) {
            return value >= 0 && value < valid.length && valid[value];
        }

        /** The accepted values, in ascending order (allocates; for tools and tests). */
        int[] validValues() {
            int n = 0;
            for (final boolean v : valid) {
                n += v ? 1 : 0;
            }
            final int[] values = new int[n];
            for (int value = 0, i = 0; value < valid.length; value++) {
                if (valid[value]) {
                    values[i++] = value;
                }
            }
            return values;
        }
    }

    /** A var-data field: length prefix encoding and limit. */
    static final class VarData {
        final String name;
        final int id;
        final int sinceVersion;
        final int lengthOffset;
        final int lengthSize;
        final int headerSize;
        final long maxLength;

        VarData(final String name, final int id, final int sinceVersion, final Composite encoding) {
            this.name = name;
            this.id = id;
            this.sinceVersion = sinceVersion;
            final Member length = encoding.member("length");
            final Member data = encoding.member("varData");
            lengthOffset = length.offset;
            lengthSize = length.size;
            headerSize = data.offset;
            maxLength = length.maxValue;
        }
    }

    /** A member of a composite type. */
    static final class Member {
        final String name;
        final int offset;
        final int size;
        final long maxValue;

        Member(final String name, final int offset, final int size, final long maxValue) {
            this.name = name;
            this.offset = offset;
            this.size = size;
            this.maxValue = maxValue;
        }
    }

    /** A composite type. */
    static final class Composite {
        final int size;
        final List<Member> members;

        Composite(final int size, final List<Member> members) {
            this.size = size;
            this.members = members;
        }

        Member member(final String name) {
            for (final Member member : members) {
                if (member.name.equals(name)) {
                    return member;
                }
            }
            throw new IllegalStateException("composite lacks member " + name);
        }
    }

    /**
     * Reads a schema from the class path.
     *
     * @param resource absolute resource name, e.g. {@code /sbe/client-schema.xml}.
     * @return the schema's layouts.
     */
    static Schema load(final String resource) {
        try (InputStream in = FrameLayouts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema not on the class path: " + resource);
            }
            final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            final DocumentBuilder builder = factory.newDocumentBuilder();
            final Document document = builder.parse(in);
            return new Parser(document.getDocumentElement()).schema();
        } catch (final IOException | javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException ex) {
            throw new IllegalStateException("cannot read schema " + resource, ex);
        }
    }

    /** Turns one schema document into layouts. */
    private static final class Parser {
        private final Element root;
        private final int schemaVersion;
        private final Map<String, Element> types = new HashMap<>();

        Parser(final Element root) {
            this.root = root;
            schemaVersion = intAttribute(root, "version", 0);
            for (final Element typesElement : children(root, "types")) {
                for (final Element type : children(typesElement, null)) {
                    types.put(type.getAttribute("name"), type);
                }
            }
        }

        Schema schema() {
            final List<Block> messages = new ArrayList<>();
            for (final Element message : children(root, "message")) {
                messages.add(block(message, null));
            }
            return new Schema(intAttribute(root, "id", 0), schemaVersion, root.getAttribute("package"), messages);
        }

        private Block block(final Element element, final Composite dimension) {
            final List<EnumField> enums = new ArrayList<>();
            final List<Block> groups = new ArrayList<>();
            final List<VarData> varData = new ArrayList<>();
            final int[] minBlockLength = new int[schemaVersion + 1];
            int position = 0;
            int fieldsEnd = 0;
            for (final Element child : children(element, null)) {
                final String kind = child.getLocalName();
                final int sinceVersion = intAttribute(child, "sinceVersion", 0);
                if ("field".equals(kind)) {
                    if (!groups.isEmpty() || !varData.isEmpty()) {
                        throw new IllegalStateException("field after a group or var data in " + name(element));
                    }
                    final String typeName = child.getAttribute("type");
                    final int size = "constant".equals(child.getAttribute("presence")) ? 0 : sizeOf(typeName);
                    final int offset = child.hasAttribute("offset") ? intAttribute(child, "offset", 0) : position;
                    position = offset + size;
                    fieldsEnd = Math.max(fieldsEnd, position);
                    for (int v = sinceVersion; v <= schemaVersion; v++) {
                        minBlockLength[v] = Math.max(minBlockLength[v], offset + size);
                    }
                    final Element type = types.get(typeName);
                    if (type != null && "enum".equals(type.getLocalName()) && size > 0) {
                        enums.add(new EnumField(
                            child.getAttribute("name"), offset, size, sinceVersion, validValues(type)));
                    }
                } else if ("group".equals(kind)) {
                    if (!varData.isEmpty()) {
                        throw new IllegalStateException("group after var data in " + name(element));
                    }
                    final String dimensionType = child.hasAttribute("dimensionType")
                        ? child.getAttribute("dimensionType") : "groupSizeEncoding";
                    groups.add(block(child, composite(dimensionType)));
                } else if ("data".equals(kind)) {
                    varData.add(new VarData(
                        child.getAttribute("name"), intAttribute(child, "id", 0), sinceVersion,
                        composite(child.getAttribute("type"))));
                } else {
                    throw new IllegalStateException("unsupported element <" + kind + "> in " + name(element));
                }
            }
            for (int v = 1; v <= schemaVersion; v++) {
                minBlockLength[v] = Math.max(minBlockLength[v], minBlockLength[v - 1]);
            }
            final int blockLength = element.hasAttribute("blockLength")
                ? intAttribute(element, "blockLength", 0) : fieldsEnd;
            if (dimension != null && fieldsEnd == 0 && groups.isEmpty() && varData.isEmpty()) {
                throw new IllegalStateException("empty group entries cannot be bounded: " + name(element));
            }
            return new Block(
                name(element),
                intAttribute(element, "id", 0),
                intAttribute(element, "sinceVersion", 0),
                blockLength,
                minBlockLength,
                enums.toArray(new EnumField[0]),
                groups.toArray(new Block[0]),
                varData.toArray(new VarData[0]),
                dimension);
        }

        private boolean[] validValues(final Element enumType) {
            final List<Integer> values = new ArrayList<>();
            int max = 0;
            final boolean isChar = "char".equals(enumType.getAttribute("encodingType"));
            for (final Element validValue : children(enumType, "validValue")) {
                final String text = validValue.getTextContent().trim();
                final int value = isChar ? text.charAt(0) : Integer.parseInt(text);
                values.add(value);
                max = Math.max(max, value);
            }
            final boolean[] valid = new boolean[max + 1];
            for (final int value : values) {
                valid[value] = true;
            }
            return valid;
        }

        private Composite composite(final String typeName) {
            final Element type = types.get(typeName);
            if (type == null || !"composite".equals(type.getLocalName())) {
                throw new IllegalStateException("not a composite type: " + typeName);
            }
            final List<Member> members = new ArrayList<>();
            int position = 0;
            int size = 0;
            for (final Element member : children(type, null)) {
                final int memberSize = memberSize(member);
                final int offset = member.hasAttribute("offset") ? intAttribute(member, "offset", 0) : position;
                position = offset + memberSize;
                size = Math.max(size, position);
                final String primitive = member.getAttribute("primitiveType");
                final long maxValue = member.hasAttribute("maxValue")
                    ? Long.parseLong(member.getAttribute("maxValue")) : defaultMaxValue(primitive);
                members.add(new Member(member.getAttribute("name"), offset, memberSize, maxValue));
            }
            return new Composite(size, members);
        }

        private int memberSize(final Element member) {
            final String kind = member.getLocalName();
            if ("type".equals(kind)) {
                return simpleTypeSize(member);
            }
            if ("ref".equals(kind)) {
                return sizeOf(member.getAttribute("type"));
            }
            if ("enum".equals(kind) || "set".equals(kind)) {
                return sizeOf(member.getAttribute("encodingType"));
            }
            if ("composite".equals(kind)) {
                throw new IllegalStateException("nested composite definitions are not supported");
            }
            throw new IllegalStateException("unsupported composite member <" + kind + ">");
        }

        private int sizeOf(final String typeName) {
            final int primitive = primitiveSize(typeName);
            if (primitive > 0) {
                return primitive;
            }
            final Element type = types.get(typeName);
            if (type == null) {
                throw new IllegalStateException("unknown type " + typeName);
            }
            switch (type.getLocalName()) {
                case "type":
                    return simpleTypeSize(type);
                case "enum":
                case "set":
                    return sizeOf(type.getAttribute("encodingType"));
                case "composite":
                    return composite(typeName).size;
                default:
                    throw new IllegalStateException("unsupported type <" + type.getLocalName() + ">");
            }
        }

        private static int simpleTypeSize(final Element type) {
            if ("constant".equals(type.getAttribute("presence"))) {
                return 0;
            }
            final int size = primitiveSize(type.getAttribute("primitiveType"));
            if (size <= 0) {
                throw new IllegalStateException("unknown primitive " + type.getAttribute("primitiveType"));
            }
            return size * intAttribute(type, "length", 1);
        }

        private static int primitiveSize(final String primitive) {
            switch (primitive) {
                case "char":
                case "int8":
                case "uint8":
                    return 1;
                case "int16":
                case "uint16":
                    return 2;
                case "int32":
                case "uint32":
                case "float":
                    return 4;
                case "int64":
                case "uint64":
                case "double":
                    return 8;
                default:
                    return 0;
            }
        }

        private static long defaultMaxValue(final String primitive) {
            switch (primitive) {
                case "uint8":
                    return 254;
                case "uint16":
                    return 65534;
                case "uint32":
                    return 0xFFFF_FFFEL;
                default:
                    return Long.MAX_VALUE;
            }
        }

        private static String name(final Element element) {
            return element.getAttribute("name");
        }

        private static int intAttribute(final Element element, final String name, final int defaultValue) {
            return element.hasAttribute(name) ? Integer.parseInt(element.getAttribute(name).trim()) : defaultValue;
        }

        private static List<Element> children(final Element parent, final String localName) {
            final List<Element> result = new ArrayList<>();
            for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node.getNodeType() == Node.ELEMENT_NODE
                    && (localName == null || localName.equals(node.getLocalName()))) {
                    result.add((Element) node);
                }
            }
            return result;
        }
    }
}

package chj.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.StringWriter;
import java.util.Map;

/**
 * JSON documents as Jackson trees ({@link JsonNode}), read and written with the streaming parser
 * and generator only. databind's {@code ObjectMapper} builds its serializer and type machinery by
 * reflection when first made: about 100 ms of every ch-image command's start-up went there, for
 * documents that only ever need a tree. The output is the same as {@code ObjectMapper}'s (compact,
 * keys in insertion order), so digests of documents we write do not change.
 *
 * <p>Every document is read strictly: a key twice in one object, or anything after the document, is
 * an error (two parsers must never see two different documents in the same bytes).
 */
public final class JsonTree {
    private JsonTree() {}

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** The document in {@code json}; {@link MissingNode} if it is empty (or only white space). */
    public static JsonNode read(byte[] json) throws JsonProcessingException {
        return read(() -> FACTORY.createParser(json));
    }

    public static JsonNode read(String json) throws JsonProcessingException {
        return read(() -> FACTORY.createParser(json));
    }

    private interface ParserSource {
        JsonParser open() throws IOException;
    }

    private static JsonNode read(ParserSource source) throws JsonProcessingException {
        try (JsonParser p = source.open()) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            if (p.nextToken() == null) return MissingNode.getInstance();
            JsonNode tree = value(p);
            if (p.nextToken() != null) throw new JsonParseException(p, "trailing content after the document: " + p.currentToken());
            return tree;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading JSON from memory", e);
        }
    }

    private static JsonNode value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    p.nextToken();
                    o.set(key, value(p));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) a.add(value(p));
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new JsonParseException(p, "unexpected token: " + p.currentToken());
        };
    }

    /** {@code node} as compact UTF-8 JSON. */
    public static byte[] bytes(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(() -> FACTORY.createGenerator(out), node);
        return out.toByteArray();
    }

    /**
     * {@code node} as compact JSON text. Like ObjectMapper's {@code writeValueAsString}, characters
     * outside the BMP stay as they are here; {@link #bytes} escapes them, as {@code writeValueAsBytes} does.
     */
    public static String string(JsonNode node) {
        StringWriter out = new StringWriter(256);
        write(() -> FACTORY.createGenerator(out), node);
        return out.toString();
    }

    private interface GeneratorTarget {
        JsonGenerator open() throws IOException;
    }

    private static void write(GeneratorTarget target, JsonNode node) {
        try (JsonGenerator g = target.open()) {
            write(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory", e);
        }
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : n) write(g, e);
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case DOUBLE -> g.writeNumber(n.doubleValue());
                    case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
                }
            }
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL -> g.writeNull();
            case BINARY, POJO, MISSING -> throw new IllegalArgumentException("not a JSON value: " + n.getNodeType());
        }
    }
}

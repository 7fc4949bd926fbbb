package chj.oci;

import chj.json.JsonTree;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading OCI JSON from untrusted bytes: typed accessors that say which field of which document is
 * wrong. JSON {@code null} counts as absent (config.md: optional fields may be null).
 */
final class Json {

    private Json() {}

    static ObjectNode parseObject(byte[] body, String what) throws OciException {
        JsonNode tree;
        try {
            tree = JsonTree.read(body);   // duplicate keys refused: two parsers must never see two documents in one digest
        } catch (JsonProcessingException e) {
            throw new OciException(what + ": invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new OciException(what + ": unreadable: " + e.getMessage(), null, e);
        }
        if (tree == null || tree.isMissingNode()) throw new OciException(what + ": empty document");
        if (!(tree instanceof ObjectNode o)) throw new OciException(what + ": expected a JSON object, got " + kind(tree));
        return o;
    }

    static byte[] bytes(JsonNode node) {
        return JsonTree.bytes(node);
    }

    static boolean present(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        return n != null && !n.isNull();
    }

    static String string(JsonNode parent, String field, String where) throws OciException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new OciException(where + "." + field + ": expected a string, got " + kind(n));
        return n.textValue();
    }

    static String requiredString(JsonNode parent, String field, String where) throws OciException {
        String s = string(parent, field, where);
        if (s == null) throw new OciException(where + ": missing " + field);
        return s;
    }

    static ObjectNode object(JsonNode parent, String field, String where) throws OciException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!(n instanceof ObjectNode o)) throw new OciException(where + "." + field + ": expected an object, got " + kind(n));
        return o;
    }

    static ArrayNode array(JsonNode parent, String field, String where) throws OciException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!(n instanceof ArrayNode a)) throw new OciException(where + "." + field + ": expected an array, got " + kind(n));
        return a;
    }

    /** A string array, or null when absent. */
    static List<String> strings(JsonNode parent, String field, String where) throws OciException {
        ArrayNode a = array(parent, field, where);
        if (a == null) return null;
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode e = a.get(i);
            if (!e.isTextual()) throw new OciException(where + "." + field + "[" + i + "]: expected a string, got " + kind(e));
            out.add(e.textValue());
        }
        return Collections.unmodifiableList(out);
    }

    /** A string→string map (annotations, labels); empty when absent. */
    static Map<String, String> stringMap(JsonNode parent, String field, String where) throws OciException {
        ObjectNode o = object(parent, field, where);
        if (o == null) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : o.properties()) {
            if (!e.getValue().isTextual())
                throw new OciException(where + "." + field + "." + e.getKey() + ": expected a string, got " + kind(e.getValue()));
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    /** The keys of an object whose values do not matter (Volumes, ExposedPorts); null when absent. */
    static List<String> keys(JsonNode parent, String field, String where) throws OciException {
        ObjectNode o = object(parent, field, where);
        if (o == null) return null;
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return Collections.unmodifiableList(out);
    }

    static Digest digest(JsonNode parent, String field, String where) throws OciException {
        String s = requiredString(parent, field, where);
        try {
            return Digest.parse(s);
        } catch (IllegalArgumentException e) {
            throw new OciException(where + "." + field + ": " + e.getMessage());
        }
    }

    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase();
        };
    }
}

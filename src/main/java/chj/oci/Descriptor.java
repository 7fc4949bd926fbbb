package chj.oci;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A content descriptor (descriptor.md). {@code platform} and {@code artifactType} are null when
 * absent; {@code annotations} and {@code urls} are empty when absent.
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform,
                         Map<String, String> annotations, List<String> urls, String artifactType) {

    /** The annotation BuildKit puts on attestation (provenance, SBOM) entries of an index. */
    public static final String REFERENCE_TYPE = "vnd.docker.reference.type";

    public Descriptor {
        if (mediaType == null) throw new IllegalArgumentException("descriptor without media type");
        if (digest == null) throw new IllegalArgumentException("descriptor without digest");
        if (size < 0) throw new IllegalArgumentException("descriptor with negative size: " + size);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, null, Map.of(), List.of(), null);
    }

    public Descriptor withPlatform(Platform p) {
        return new Descriptor(mediaType, digest, size, p, annotations, urls, artifactType);
    }

    public Descriptor withAnnotations(Map<String, String> a) {
        return new Descriptor(mediaType, digest, size, platform, a, urls, artifactType);
    }

    /** An index entry that describes an attestation, not a runnable image. */
    public boolean isAttestation() {
        if ("attestation-manifest".equals(annotations.get(REFERENCE_TYPE))) return true;
        return platform != null && platform.os().equals("unknown") && platform.architecture().equals("unknown");
    }

    static Descriptor fromJson(JsonNode node, String where) throws OciException {
        if (!(node instanceof ObjectNode)) throw new OciException(where + ": expected an object, got " + Json.kind(node));
        String mediaType = Json.requiredString(node, "mediaType", where);
        Digest digest = Json.digest(node, "digest", where);
        JsonNode sizeNode = node.get("size");
        if (sizeNode == null || sizeNode.isNull()) throw new OciException(where + ": missing size");
        if (!sizeNode.canConvertToExactIntegral() || !sizeNode.canConvertToLong() || sizeNode.asLong() < 0)
            throw new OciException(where + ".size: expected a non-negative integer, got " + sizeNode);
        ObjectNode p = Json.object(node, "platform", where);
        Platform platform = p == null ? null : Platform.fromJson(p, where + ".platform");
        return new Descriptor(mediaType, digest, sizeNode.asLong(), platform,
                Json.stringMap(node, "annotations", where), Json.strings(node, "urls", where),
                Json.string(node, "artifactType", where));
    }

    ObjectNode toJson() {
        ObjectNode o = JsonTree.object();
        o.put("mediaType", mediaType);
        if (artifactType != null) o.put("artifactType", artifactType);
        o.put("digest", digest.toString());
        o.put("size", size);
        if (!urls.isEmpty()) {
            var a = o.putArray("urls");
            urls.forEach(a::add);
        }
        if (!annotations.isEmpty()) {
            var a = o.putObject("annotations");
            annotations.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> a.put(e.getKey(), e.getValue()));
        }
        if (platform != null) o.set("platform", platform.toJson());
        return o;
    }
}

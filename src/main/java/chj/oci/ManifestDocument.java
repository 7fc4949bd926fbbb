package chj.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a registry serves at {@code /v2/<name>/manifests/<ref>}: an index (manifest list) or a single
 * image manifest. The kind is read from the body, never from Content-Type, since registries and
 * proxies mislabel it. The bytes are kept as served: every digest is over them.
 */
public sealed interface ManifestDocument permits ImageIndex, ImageManifest {

    /** The document's bytes exactly as parsed. */
    byte[] raw();

    /** SHA-256 of {@link #raw()}: the digest a registry names this document by. */
    Digest digest();

    /** The {@code mediaType} field of the body, or the OCI type its shape implies when the field is absent. */
    String mediaType();

    /**
     * Parses a manifest or an index from its bytes.
     *
     * @throws OciException for bad JSON, a registry error document, schema 1, or a body that is neither
     */
    static ManifestDocument parse(byte[] body) throws OciException {
        ObjectNode root = Json.parseObject(body, "manifest");
        String mediaType = Json.string(root, "mediaType", "manifest");
        JsonNode version = root.get("schemaVersion");
        if (root.has("fsLayers") || (version != null && version.isInt() && version.intValue() == 1) || MediaType.isSchema1(mediaType))
            throw new OciException("schema 1 manifest not supported",
                    "this image was pushed with a Docker older than 1.10 (2016); re-push it with a current tool");
        if (root.get("errors") instanceof ArrayNode errors && !root.has("manifests") && !root.has("layers"))
            throw new OciException("manifest: registry sent an error document: " + describeErrors(errors));
        if (version != null && !version.isNull() && !(version.isInt() && version.intValue() == 2))
            throw new OciException("manifest: unsupported schemaVersion: " + version);

        boolean index = root.has("manifests");
        boolean image = root.has("layers") || root.has("config");
        if (index && image) {
            if (MediaType.isIndex(mediaType)) image = false;
            else if (MediaType.isImageManifest(mediaType)) index = false;
            else throw new OciException("manifest: has both 'manifests' and 'layers'; cannot tell index from image manifest");
        }
        if (index) return ImageIndex.fromJson(body, root, mediaType);
        if (image) return ImageManifest.fromJson(body, root, mediaType);
        throw new OciException("manifest: neither an index ('manifests') nor an image manifest ('layers')"
                + (mediaType == null ? "" : "; mediaType " + mediaType));
    }

    private static String describeErrors(ArrayNode errors) {
        if (errors.isEmpty()) return "(empty)";
        JsonNode first = errors.get(0);
        String code = first.path("code").asText("?");
        String message = first.path("message").asText("");
        return message.isEmpty() ? code : code + ": " + message;
    }
}

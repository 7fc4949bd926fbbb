package chj.oci;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An OCI image manifest or Docker image manifest v2.2: one config blob and the layers, base first. */
public final class ImageManifest implements ManifestDocument {

    private final byte[] raw;
    private final Digest digest;
    private final String mediaType;
    private final Descriptor config;
    private final List<Descriptor> layers;
    private final Map<String, String> annotations;
    private final Descriptor subject;
    private final String artifactType;

    private ImageManifest(byte[] raw, String mediaType, Descriptor config, List<Descriptor> layers,
                          Map<String, String> annotations, Descriptor subject, String artifactType) {
        this.raw = raw.clone();
        this.digest = Digest.sha256(this.raw);
        this.mediaType = mediaType;
        this.config = config;
        this.layers = List.copyOf(layers);
        this.annotations = annotations;
        this.subject = subject;
        this.artifactType = artifactType;
    }

    static ImageManifest fromJson(byte[] raw, ObjectNode root, String mediaType) throws OciException {
        ObjectNode configNode = Json.object(root, "config", "manifest");
        if (configNode == null) throw new OciException("manifest: missing config");
        Descriptor config = Descriptor.fromJson(configNode, "manifest.config");
        ArrayNode layerNodes = Json.array(root, "layers", "manifest");
        if (layerNodes == null) throw new OciException("manifest: missing layers");
        List<Descriptor> layers = new ArrayList<>(layerNodes.size());
        for (int i = 0; i < layerNodes.size(); i++)
            layers.add(Descriptor.fromJson(layerNodes.get(i), "manifest.layers[" + i + "]"));
        ObjectNode subjectNode = Json.object(root, "subject", "manifest");
        Descriptor subject = subjectNode == null ? null : Descriptor.fromJson(subjectNode, "manifest.subject");
        return new ImageManifest(raw, mediaType != null ? mediaType : MediaType.OCI_MANIFEST, config, layers,
                Json.stringMap(root, "annotations", "manifest"), subject, Json.string(root, "artifactType", "manifest"));
    }

    /**
     * A new OCI image manifest, serialised once; push uploads exactly {@link #raw()}. Use media types
     * of one family (OCI config and OCI layers) so that every registry accepts it.
     */
    public static ImageManifest create(Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
        return create(MediaType.OCI_MANIFEST, config, layers, annotations);
    }

    /**
     * A new manifest of type {@code mediaType}: {@link MediaType#OCI_MANIFEST}, or
     * {@link MediaType#DOCKER_MANIFEST} (Docker image manifest v2.2, for registries that predate OCI;
     * give it Docker config and layer types, and no annotations, which that format lacks).
     */
    public static ImageManifest create(String mediaType, Descriptor config, List<Descriptor> layers,
                                       Map<String, String> annotations) {
        if (!mediaType.equals(MediaType.OCI_MANIFEST) && !mediaType.equals(MediaType.DOCKER_MANIFEST))
            throw new IllegalArgumentException("not an image manifest type: " + mediaType);
        if (mediaType.equals(MediaType.DOCKER_MANIFEST) && annotations != null && !annotations.isEmpty())
            throw new IllegalArgumentException("Docker image manifests have no annotations");
        ObjectNode o = JsonTree.object();
        o.put("schemaVersion", 2);
        o.put("mediaType", mediaType);
        o.set("config", config.toJson());
        ArrayNode a = o.putArray("layers");
        layers.forEach(d -> a.add(d.toJson()));
        if (annotations != null && !annotations.isEmpty()) {
            ObjectNode ann = o.putObject("annotations");
            annotations.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> ann.put(e.getKey(), e.getValue()));
        }
        return new ImageManifest(Json.bytes(o), mediaType, config, layers,
                annotations == null ? Map.of() : Map.copyOf(annotations), null, null);
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    @Override
    public Digest digest() {
        return digest;
    }

    @Override
    public String mediaType() {
        return mediaType;
    }

    public Descriptor config() {
        return config;
    }

    /** Layers in order, base first. */
    public List<Descriptor> layers() {
        return layers;
    }

    public Map<String, String> annotations() {
        return annotations;
    }

    /** The v1.1 {@code subject} (for referrers), or null. */
    public Descriptor subject() {
        return subject;
    }

    /** The v1.1 {@code artifactType}, or null. */
    public String artifactType() {
        return artifactType;
    }

    /** True when the config is not an image config (an artifact such as a signature or SBOM). */
    public boolean isArtifact() {
        String t = MediaType.essence(config.mediaType());
        return !(t.equals(MediaType.OCI_CONFIG) || t.equals(MediaType.DOCKER_CONFIG));
    }

    @Override
    public String toString() {
        return "manifest " + digest + " (" + layers.size() + " layers)";
    }
}

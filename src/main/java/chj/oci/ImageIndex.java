package chj.oci;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An OCI image index or Docker manifest list. Entries may themselves be indexes (nested). */
public final class ImageIndex implements ManifestDocument {

    private final byte[] raw;
    private final Digest digest;
    private final String mediaType;
    private final List<Descriptor> manifests;
    private final Map<String, String> annotations;

    private ImageIndex(byte[] raw, String mediaType, List<Descriptor> manifests, Map<String, String> annotations) {
        this.raw = raw.clone();
        this.digest = Digest.sha256(this.raw);
        this.mediaType = mediaType;
        this.manifests = List.copyOf(manifests);
        this.annotations = annotations;
    }

    static ImageIndex fromJson(byte[] raw, ObjectNode root, String mediaType) throws OciException {
        ArrayNode entries = Json.array(root, "manifests", "index");
        if (entries == null) throw new OciException("index: missing manifests");
        List<Descriptor> manifests = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++)
            manifests.add(Descriptor.fromJson(entries.get(i), "index.manifests[" + i + "]"));
        return new ImageIndex(raw, mediaType != null ? mediaType : MediaType.OCI_INDEX, manifests,
                Json.stringMap(root, "annotations", "index"));
    }

    /** A new OCI index listing {@code manifests}, serialised once; its bytes are what gets pushed. */
    public static ImageIndex create(List<Descriptor> manifests, Map<String, String> annotations) {
        ObjectNode o = JsonTree.object();
        o.put("schemaVersion", 2);
        o.put("mediaType", MediaType.OCI_INDEX);
        ArrayNode a = o.putArray("manifests");
        manifests.forEach(d -> a.add(d.toJson()));
        if (annotations != null && !annotations.isEmpty()) {
            ObjectNode ann = o.putObject("annotations");
            annotations.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> ann.put(e.getKey(), e.getValue()));
        }
        return new ImageIndex(Json.bytes(o), MediaType.OCI_INDEX, manifests,
                annotations == null ? Map.of() : Map.copyOf(annotations));
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

    public List<Descriptor> manifests() {
        return manifests;
    }

    public Map<String, String> annotations() {
        return annotations;
    }

    @Override
    public String toString() {
        return "index " + digest + " (" + manifests.size() + " entries)";
    }
}

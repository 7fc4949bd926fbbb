package chj.oci;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image config blob (config.md; Docker's container config is the same shape). Parsed configs keep
 * their bytes, which are the image ID's input, and their whole JSON tree, so fields chj does not
 * know survive a rebuild through {@link #toBuilder()} ({@link ImageConfigBuilder}).
 *
 * <p>Accessors return null for absent fields (JSON null counts as absent), except lists and maps of
 * many values, which are empty. {@link #entrypoint()} and {@link #cmd()} keep absent (null) apart
 * from empty, since an empty ENTRYPOINT resets an inherited one.
 */
public final class ImageConfig {

    /** One {@code history} entry; {@code emptyLayer} entries have no layer in {@code rootfs.diff_ids}. */
    public record History(String created, String createdBy, String comment, boolean emptyLayer, String author) {

        public static History of(String created, String createdBy, boolean emptyLayer) {
            return new History(created, createdBy, null, emptyLayer, null);
        }

        ObjectNode toJson() {
            ObjectNode o = JsonTree.object();
            if (created != null) o.put("created", created);
            if (author != null) o.put("author", author);
            if (createdBy != null) o.put("created_by", createdBy);
            if (comment != null) o.put("comment", comment);
            if (emptyLayer) o.put("empty_layer", true);
            return o;
        }
    }

    private final byte[] raw;
    private final Digest digest;
    private final ObjectNode root;
    private final String architecture, os, variant, created, author;
    private final List<String> env, entrypoint, cmd, shell, volumes, exposedPorts;
    private final String workingDir, user, stopSignal;
    private final Map<String, String> labels;
    private final List<Digest> diffIds;
    private final List<History> history;

    /** Reads every field chj uses up front, so that a bad type fails the parse, not a later run. */
    ImageConfig(byte[] raw, ObjectNode root) throws OciException {
        this.raw = raw;
        this.digest = Digest.sha256(raw);
        this.root = root;
        this.architecture = Json.string(root, "architecture", "config");
        this.os = Json.string(root, "os", "config");
        this.variant = Json.string(root, "variant", "config");
        this.created = Json.string(root, "created", "config");
        this.author = Json.string(root, "author", "config");
        ObjectNode c = Json.object(root, "config", "config");
        if (c == null) c = JsonTree.object();
        String where = "config.config";
        List<String> e = Json.strings(c, "Env", where);
        this.env = e == null ? List.of() : e;
        this.entrypoint = Json.strings(c, "Entrypoint", where);
        this.cmd = Json.strings(c, "Cmd", where);
        this.shell = Json.strings(c, "Shell", where);
        List<String> v = Json.keys(c, "Volumes", where);
        this.volumes = v == null ? List.of() : v;
        List<String> p = Json.keys(c, "ExposedPorts", where);
        this.exposedPorts = p == null ? List.of() : p;
        this.workingDir = Json.string(c, "WorkingDir", where);
        this.user = Json.string(c, "User", where);
        this.stopSignal = Json.string(c, "StopSignal", where);
        this.labels = Json.stringMap(c, "Labels", where);
        this.diffIds = readDiffIds(root);
        this.history = readHistory(root);
    }

    /**
     * Parses a config blob, checking the types of the fields chj uses.
     *
     * @throws OciException naming the field at fault
     */
    public static ImageConfig parse(byte[] blob) throws OciException {
        byte[] copy = blob.clone();
        return new ImageConfig(copy, Json.parseObject(copy, "config"));
    }

    /** A builder for a new config: the given platform, no layers, no history. */
    public static ImageConfigBuilder builder(Platform platform) {
        ObjectNode root = JsonTree.object();
        root.put("architecture", platform.architecture());
        root.put("os", platform.os());
        if (platform.variant() != null) root.put("variant", platform.variant());
        root.putObject("config");
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids");
        root.putArray("history");
        return new ImageConfigBuilder(root);
    }

    /** A builder that starts from this config, unknown fields included. */
    public ImageConfigBuilder toBuilder() {
        return new ImageConfigBuilder(root.deepCopy());
    }

    private static List<Digest> readDiffIds(ObjectNode root) throws OciException {
        ObjectNode rootfs = Json.object(root, "rootfs", "config");
        if (rootfs == null) return List.of();
        String type = Json.string(rootfs, "type", "config.rootfs");
        if (type != null && !type.equals("layers"))
            throw new OciException("config.rootfs.type: expected \"layers\", got \"" + type + "\"");
        List<String> ids = Json.strings(rootfs, "diff_ids", "config.rootfs");
        if (ids == null) return List.of();
        List<Digest> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            try {
                out.add(Digest.parse(ids.get(i)));
            } catch (IllegalArgumentException e) {
                throw new OciException("config.rootfs.diff_ids[" + i + "]: " + e.getMessage());
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static List<History> readHistory(ObjectNode root) throws OciException {
        ArrayNode a = Json.array(root, "history", "config");
        if (a == null) return List.of();
        List<History> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            String where = "config.history[" + i + "]";
            JsonNode h = a.get(i);
            if (!h.isObject()) throw new OciException(where + ": expected an object, got " + Json.kind(h));
            JsonNode empty = h.get("empty_layer");
            if (empty != null && !empty.isNull() && !empty.isBoolean())
                throw new OciException(where + ".empty_layer: expected a boolean, got " + Json.kind(empty));
            out.add(new History(Json.string(h, "created", where), Json.string(h, "created_by", where),
                    Json.string(h, "comment", where), empty != null && empty.asBoolean(), Json.string(h, "author", where)));
        }
        return Collections.unmodifiableList(out);
    }

    /** The config's bytes: parsed configs give exactly the bytes parsed, built ones their serialisation. */
    public byte[] toJson() {
        return raw.clone();
    }

    /** SHA-256 of {@link #toJson()}: the config descriptor's digest and the image ID. */
    public Digest digest() {
        return digest;
    }

    /** Size of {@link #toJson()} in bytes, for the config descriptor. */
    public long size() {
        return raw.length;
    }

    public String architecture() {
        return architecture;
    }

    public String os() {
        return os;
    }

    public String variant() {
        return variant;
    }

    public String created() {
        return created;
    }

    public String author() {
        return author;
    }

    /** {@code VAR=VALUE} entries in order; empty when absent. */
    public List<String> env() {
        return env;
    }

    /**
     * {@link #env()} as a map; a later entry for a name replaces an earlier one, and entries without
     * {@code =} (not {@code VAR=VALUE}, so meaningless) are left out.
     */
    public Map<String, String> envMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : env) {
            int eq = line.indexOf('=');
            if (eq > 0) out.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return Collections.unmodifiableMap(out);
    }

    /** ENTRYPOINT, or null when absent. */
    public List<String> entrypoint() {
        return entrypoint;
    }

    /** CMD, or null when absent. */
    public List<String> cmd() {
        return cmd;
    }

    /** SHELL, or null when absent. */
    public List<String> shell() {
        return shell;
    }

    public String workingDir() {
        return workingDir;
    }

    public String user() {
        return user;
    }

    public String stopSignal() {
        return stopSignal;
    }

    /** Labels; empty when absent. */
    public Map<String, String> labels() {
        return labels;
    }

    /** Volume paths (the keys of {@code Volumes}); empty when absent. */
    public List<String> volumes() {
        return volumes;
    }

    /** Ports as {@code port/proto} (the keys of {@code ExposedPorts}); empty when absent. */
    public List<String> exposedPorts() {
        return exposedPorts;
    }

    /** {@code rootfs.diff_ids}: the uncompressed layer digests, base first. */
    public List<Digest> diffIds() {
        return diffIds;
    }

    public List<History> history() {
        return history;
    }

    /** The whole document as a tree (a copy), for what has no accessor (e.g. Charliecloud's metadata). */
    public ObjectNode tree() {
        return root.deepCopy();
    }
}

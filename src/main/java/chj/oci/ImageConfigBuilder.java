package chj.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Changes a copy of a config's tree; {@link #build()} serialises it once. */
public final class ImageConfigBuilder {

    private final ObjectNode root;

    ImageConfigBuilder(ObjectNode root) {
        this.root = root;
    }

    private ObjectNode config() {
        if (!(root.get("config") instanceof ObjectNode c)) return root.putObject("config");
        return c;
    }

    private ObjectNode rootfs() {
        ObjectNode r = root.get("rootfs") instanceof ObjectNode o ? o : root.putObject("rootfs");
        r.put("type", "layers");
        if (!(r.get("diff_ids") instanceof ArrayNode)) r.putArray("diff_ids");
        return r;
    }

    private ImageConfigBuilder putString(ObjectNode target, String field, String value) {
        if (value == null) target.remove(field);
        else target.put(field, value);
        return this;
    }

    private ImageConfigBuilder putStrings(String field, List<String> values) {
        if (values == null) {
            config().remove(field);
        } else {
            ArrayNode a = config().putArray(field);
            values.forEach(a::add);
        }
        return this;
    }

    private ImageConfigBuilder addKey(String field, String key) {
        ObjectNode o = config().get(field) instanceof ObjectNode x ? x : config().putObject(field);
        o.putObject(key);
        return this;
    }

    public ImageConfigBuilder architecture(String v) {
        return putString(root, "architecture", v);
    }

    public ImageConfigBuilder os(String v) {
        return putString(root, "os", v);
    }

    public ImageConfigBuilder variant(String v) {
        return putString(root, "variant", v);
    }

    /** RFC 3339 time, e.g. {@code 2024-01-01T00:00:00Z}. */
    public ImageConfigBuilder created(String v) {
        return putString(root, "created", v);
    }

    public ImageConfigBuilder author(String v) {
        return putString(root, "author", v);
    }

    /** Replaces all of Env. */
    public ImageConfigBuilder env(List<String> lines) {
        return putStrings("Env", lines);
    }

    /** Sets one variable, replacing an earlier entry for the same name in place. */
    public ImageConfigBuilder env(String name, String value) {
        ArrayNode a = config().get("Env") instanceof ArrayNode x ? x : config().putArray("Env");
        String line = name + "=" + value;
        for (int i = 0; i < a.size(); i++) {
            String old = a.get(i).asText();
            if (old.startsWith(name + "=")) {
                a.set(i, line);
                return this;
            }
        }
        a.add(line);
        return this;
    }

    /** ENTRYPOINT; null removes it. */
    public ImageConfigBuilder entrypoint(List<String> argv) {
        return putStrings("Entrypoint", argv);
    }

    /** CMD; null removes it. */
    public ImageConfigBuilder cmd(List<String> argv) {
        return putStrings("Cmd", argv);
    }

    public ImageConfigBuilder shell(List<String> argv) {
        return putStrings("Shell", argv);
    }

    public ImageConfigBuilder workingDir(String dir) {
        return putString(config(), "WorkingDir", dir);
    }

    public ImageConfigBuilder user(String user) {
        return putString(config(), "User", user);
    }

    public ImageConfigBuilder stopSignal(String signal) {
        return putString(config(), "StopSignal", signal);
    }

    public ImageConfigBuilder label(String key, String value) {
        ObjectNode o = config().get("Labels") instanceof ObjectNode x ? x : config().putObject("Labels");
        o.put(key, value);
        return this;
    }

    public ImageConfigBuilder volume(String path) {
        return addKey("Volumes", path);
    }

    /** {@code port[/tcp|/udp]}. */
    public ImageConfigBuilder exposedPort(String port) {
        return addKey("ExposedPorts", port);
    }

    /**
     * Sets a field of {@code config} that has no method of its own (e.g. {@code Healthcheck},
     * {@code OnBuild}), or replaces one wholesale (e.g. {@code Labels}); null removes it.
     */
    public ImageConfigBuilder configField(String field, JsonNode value) {
        if (value == null || value.isNull()) config().remove(field);
        else config().set(field, value.deepCopy());
        return this;
    }

    /** Appends a layer's DiffID to {@code rootfs.diff_ids}; add its history entry with {@link #history}. */
    public ImageConfigBuilder addLayer(Digest diffId) {
        ((ArrayNode) rootfs().get("diff_ids")).add(diffId.toString());
        return this;
    }

    /** Replaces {@code rootfs.diff_ids}: the layers' DiffIDs, base first. */
    public ImageConfigBuilder diffIds(List<Digest> diffIds) {
        ArrayNode a = rootfs().putArray("diff_ids");
        diffIds.forEach(d -> a.add(d.toString()));
        return this;
    }

    /** Replaces the whole history. */
    public ImageConfigBuilder history(List<ImageConfig.History> entries) {
        ArrayNode a = root.putArray("history");
        entries.forEach(e -> a.add(e.toJson()));
        return this;
    }

    public ImageConfigBuilder history(ImageConfig.History entry) {
        ArrayNode a = root.get("history") instanceof ArrayNode x ? x : root.putArray("history");
        a.add(entry.toJson());
        return this;
    }

    /**
     * Serialises the config. Fails if a field was given an unusable value (e.g. an Env line that is not
     * a string in a config this builder started from).
     */
    public ImageConfig build() throws OciException {
        rootfs();
        return new ImageConfig(Json.bytes(root), root.deepCopy());
    }
}

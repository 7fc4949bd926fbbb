package chj.store;

import chj.oci.ImageConfig;
import chj.oci.OciException;
import chj.oci.Platform;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image's {@code ch/} directory: Charliecloud's {@code metadata.json} and {@code environment},
 * byte for byte as Charliecloud writes them from a pulled config (so its tools and users' scripts
 * read chj images), plus {@code config.json}, the config blob itself, which keeps what Charliecloud
 * drops (ENTRYPOINT, CMD, USER).
 */
public final class Metadata {

    public static final String DIR = "ch";
    public static final String METADATA_JSON = "metadata.json";
    public static final String ENVIRONMENT = "environment";
    public static final String CONFIG_JSON = "config.json";

    /** ARGs Charliecloud gives every image and saves with it. */
    static final Map<String, String> ARG_DEFAULTS = Map.of(
            "FAKEROOTDONTTRYCHOWN", "1",
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "TAR_OPTIONS", "--no-same-owner");

    private Metadata() {}

    /**
     * {@code ch/metadata.json} for an image with {@code config} (null: none, as for an image
     * without one), on a host whose architecture is the default.
     */
    public static String metadataJson(ImageConfig config, Platform host) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode m = f.objectNode();
        m.put("arch", host.architecture()); // no variant, as Charliecloud
        ObjectNode arg = m.putObject("arg");
        new TreeMap<>(ARG_DEFAULTS).forEach(arg::put);
        m.put("cwd", "/");
        ObjectNode env = m.putObject("env");
        m.putArray("history");
        m.putObject("labels");
        m.putArray("shell").add("/bin/sh").add("-c");
        var volumes = m.putArray("volumes");
        if (config != null) {
            ObjectNode tree = config.tree();
            JsonNode c = tree.path("config");
            copyIfSet(m, "arch", tree.get("architecture"));
            copyIfSet(m, "cwd", c.get("WorkingDir"));
            config.envMap().forEach(env::put);
            JsonNode history = tree.get("history");
            if (history != null && history.isArray()) m.set("history", history);
            copyIfSet(m, "labels", c.get("Labels"));
            copyIfSet(m, "shell", c.get("Shell"));
            config.volumes().forEach(volumes::add);
        }
        return PythonJson.dumps(m) + "\n";
    }

    /** Charliecloud's rule: a value that is present, not null and not "" replaces the default. */
    private static void copyIfSet(ObjectNode m, String key, JsonNode value) {
        if (value == null || value.isNull() || (value.isTextual() && value.textValue().isEmpty())) return;
        m.set(key, value);
    }

    /** {@code ch/environment}: {@code NAME=VALUE} lines sorted by name, as Charliecloud writes it. */
    public static String environment(ImageConfig config) {
        Map<String, String> env = config == null ? Map.of() : config.envMap();
        StringBuilder b = new StringBuilder();
        new TreeMap<>(env).forEach((k, v) -> {
            if (!b.isEmpty()) b.append('\n');
            b.append(k).append('=').append(v);
        });
        return b.append('\n').toString();
    }

    /**
     * Writes {@code ch/metadata.json}, {@code ch/environment} and (when there is a config)
     * {@code ch/config.json} into {@code imageDir}, each by rename. Volume directories are not made
     * here: their paths come from the image and belong to the code that writes safely into it.
     */
    public static void write(Path imageDir, ImageConfig config, Platform host) throws StoreException {
        Path ch = imageDir.resolve(DIR);
        try {
            Files.createDirectories(ch);
            replace(ch.resolve(METADATA_JSON), metadataJson(config, host).getBytes(StandardCharsets.UTF_8));
            replace(ch.resolve(ENVIRONMENT), environment(config).getBytes(StandardCharsets.UTF_8));
            if (config != null) replace(ch.resolve(CONFIG_JSON), config.toJson());
        } catch (IOException e) {
            throw StoreException.io("can't write image metadata", ch, e);
        }
    }

    /** The config saved in an image's {@code ch/config.json}, or null when it has none. */
    public static ImageConfig readConfig(Path imageDir) throws StoreException {
        Path p = imageDir.resolve(DIR).resolve(CONFIG_JSON);
        try {
            return ImageConfig.parse(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw StoreException.io("can't read image config", p, e);
        } catch (OciException e) {
            throw new StoreException(p + ": " + e.getMessage(), e.hint(), e);
        }
    }

    private static void replace(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp." + ProcessHandle.current().pid());
        Files.write(tmp, content);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }
}

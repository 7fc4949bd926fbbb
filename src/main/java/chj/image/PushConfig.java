package chj.image;

import chj.json.JsonTree;
import chj.oci.Digest;
import chj.oci.ImageConfig;
import chj.oci.ImageConfigBuilder;
import chj.oci.OciException;
import chj.oci.Platform;
import chj.store.Metadata;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The config a push publishes: the image's own (Env, Cmd, Entrypoint, WorkingDir, User, Labels,
 * platform with variant, history and whatever else it holds), with {@code rootfs.diff_ids} set to
 * the pushed layers and a history whose non-empty entries match them one to one, which Quay and
 * Artifactory insist on. Times honour SOURCE_DATE_EPOCH, so the same tree gives the same config.
 */
final class PushConfig {


    /** A layer written by this push and the history line that says what it is. */
    record FreshLayer(Digest diffId, String createdBy) {}

    private PushConfig() {}

    /**
     * The config an image directory carries: {@code ch/config.json}; else, for a directory from
     * Charliecloud, what its {@code ch/metadata.json} keeps (architecture, Env, WorkingDir, Labels,
     * Volumes, history); else a new one for the host's platform.
     */
    static ImageConfig of(Path root) throws ImageException {
        try {
            ImageConfig saved = Metadata.readConfig(root);
            if (saved != null) return saved;
            return fromCharliecloudMetadata(root.resolve(Metadata.DIR).resolve(Metadata.METADATA_JSON));
        } catch (chj.store.StoreException e) {
            throw new ImageException(e.getMessage(), e.hint(), e);
        } catch (OciException e) {
            throw new ImageException("image " + root + ": " + e.getMessage(), e.hint(), e);
        }
    }

    private static ImageConfig fromCharliecloudMetadata(Path file) throws ImageException, OciException {
        JsonNode m;
        try {
            m = JsonTree.read(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return ImageConfig.builder(Platform.host()).build();
        } catch (IOException e) {
            throw new ImageException("can't read " + file + ": " + e.getMessage(), null, e);
        }
        if (m == null || !m.isObject()) throw new ImageException(file + ": not a JSON object");
        String arch = m.path("arch").asText("");
        Platform platform = arch.isEmpty() || arch.equals(Platform.host().architecture()) ? Platform.host()
                : Platform.linux(arch, null);
        ImageConfigBuilder b = ImageConfig.builder(platform);
        m.path("env").properties().forEach(e -> b.env(e.getKey(), e.getValue().asText()));
        String cwd = m.path("cwd").asText("");
        if (!cwd.isEmpty()) b.workingDir(cwd);
        m.path("labels").properties().forEach(e -> b.label(e.getKey(), e.getValue().asText()));
        for (JsonNode v : m.path("volumes")) b.volume(v.asText());
        for (JsonNode h : m.path("history"))
            if (h.isObject())
                b.history(new ImageConfig.History(text(h, "created"), text(h, "created_by"), text(h, "comment"),
                        h.path("empty_layer").asBoolean(false), text(h, "author")));
        return b.build();
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    /**
     * {@code base} with the layers of a push: the first {@code reused} of its own layers, kept as
     * they are, then {@code fresh}. {@code created} is the time of the new layers and the config
     * (SOURCE_DATE_EPOCH when set); with {@code clamp} set, no time in the config is later.
     */
    static ImageConfig compose(ImageConfig base, int reused, List<FreshLayer> fresh, Instant created, Instant clamp)
            throws OciException {
        if (reused > base.diffIds().size())
            throw new IllegalArgumentException("reusing " + reused + " of " + base.diffIds().size() + " layers");
        List<Digest> diffIds = new ArrayList<>(base.diffIds().subList(0, reused));
        fresh.forEach(f -> diffIds.add(f.diffId()));
        String when = created.toString();

        List<ImageConfig.History> history = new ArrayList<>();
        boolean describesFresh = reused == 0 && base.diffIds().isEmpty() && nonEmpty(base.history()) == fresh.size();
        if (describesFresh) {
            // an imported tree: its history already tells what the layer is
            history.addAll(base.history());
        } else if (reused > 0 && reused == base.diffIds().size() && nonEmpty(base.history()) == reused) {
            history.addAll(base.history());
        } else {
            // the old entries no longer match the layers one to one: keep them as notes, then say what each layer is
            for (ImageConfig.History h : base.history())
                history.add(new ImageConfig.History(h.created(), h.createdBy(), h.comment(), true, h.author()));
            for (int i = 0; i < reused; i++)
                history.add(ImageConfig.History.of(when, "layer " + (i + 1) + " of the image as pulled", false));
        }
        if (!describesFresh)
            for (FreshLayer f : fresh) history.add(ImageConfig.History.of(when, f.createdBy(), false));
        if (clamp != null) history.replaceAll(h -> clamped(h, clamp));

        ImageConfigBuilder b = base.toBuilder().diffIds(diffIds).history(history).created(when);
        if (base.architecture() == null) b.architecture(Platform.host().architecture()).variant(Platform.host().variant());
        if (base.os() == null) b.os("linux");
        return b.build();
    }

    static int nonEmpty(List<ImageConfig.History> history) {
        return (int) history.stream().filter(h -> !h.emptyLayer()).count();
    }

    /** The entry with a {@code created} no later than {@code clamp}; times that don't parse stay as they are. */
    private static ImageConfig.History clamped(ImageConfig.History h, Instant clamp) {
        if (h.created() == null) return h;
        try {
            if (!OffsetDateTime.parse(h.created()).toInstant().isAfter(clamp)) return h;
        } catch (DateTimeParseException e) {
            return h;
        }
        return new ImageConfig.History(clamp.toString(), h.createdBy(), h.comment(), h.emptyLayer(), h.author());
    }
}

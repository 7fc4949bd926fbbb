package chj.testing;

import chj.oci.Digest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds and pushes whole images for pull tests: layers from {@link TarBuilder}s, each compressed its
 * own way, a config whose {@code rootfs.diff_ids} are computed from the tars, and an OCI manifest; and
 * multi-architecture indexes of such images.
 */
public final class TestImages {

    public enum Layering { GZIP, ZSTD, NONE }

    /** One layer: its tar and how it is compressed in the registry. */
    public record Layer(TarBuilder tar, Layering compression) {
        byte[] blob() {
            return switch (compression) {
                case GZIP -> tar.gzip();
                case ZSTD -> tar.zstd();
                case NONE -> tar.bytes();
            };
        }

        String mediaType() {
            return switch (compression) {
                case GZIP -> TestRegistry.OCI_LAYER_GZIP;
                case ZSTD -> TestRegistry.OCI_LAYER_ZSTD;
                case NONE -> TestRegistry.OCI_LAYER_TAR;
            };
        }
    }

    public static Layer gzip(TarBuilder t) {
        return new Layer(t, Layering.GZIP);
    }

    public static Layer zstd(TarBuilder t) {
        return new Layer(t, Layering.ZSTD);
    }

    public static Layer plain(TarBuilder t) {
        return new Layer(t, Layering.NONE);
    }

    /** What was pushed. */
    public record Image(Digest manifest, byte[] manifestBytes, Digest config, long configSize, List<Digest> diffIds) {}

    private TestImages() {}

    /** Pushes an image for linux/{@code arch}[/{@code variant}] with the given Env, tagged {@code tag} (null: untagged). */
    public static Image push(TestRegistry reg, String repo, String tag, String arch, String variant, List<String> env,
                             List<Layer> layers) {
        List<Map<String, Object>> descriptors = new ArrayList<>();
        List<Object> diffIds = new ArrayList<>();
        List<Digest> diffDigests = new ArrayList<>();
        List<Object> history = new ArrayList<>();
        for (Layer l : layers) {
            byte[] blob = l.blob();
            Digest d = reg.putBlob(repo, blob);
            descriptors.add(TestRegistry.descriptor(l.mediaType(), d, blob.length));
            Digest diff = Digest.sha256(l.tar().bytes());
            diffDigests.add(diff);
            diffIds.add(diff.toString());
            history.add(Map.of("created_by", "test layer " + history.size()));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", arch);
        if (variant != null) config.put("variant", variant);
        config.put("os", "linux");
        config.put("config", Map.of("Env", env, "Cmd", List.of("/bin/sh"), "WorkingDir", "/"));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        config.put("history", history);
        byte[] configBytes = TestRegistry.json(config);
        Digest configDigest = reg.putBlob(repo, configBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", TestRegistry.OCI_MANIFEST);
        manifest.put("config", TestRegistry.descriptor(TestRegistry.OCI_CONFIG, configDigest, configBytes.length));
        manifest.put("layers", descriptors);
        byte[] bytes = TestRegistry.json(manifest);
        Digest m = reg.putManifest(repo, tag == null ? Digest.sha256(bytes).toString() : tag, TestRegistry.OCI_MANIFEST, bytes);
        return new Image(m, bytes, configDigest, configBytes.length, diffDigests);
    }

    /** An entry of an index: an image and its platform. */
    public record Entry(Image image, String os, String arch, String variant) {}

    /** Pushes an OCI index of already pushed images under {@code tag}. */
    public static Digest pushIndex(TestRegistry reg, String repo, String tag, List<Entry> entries) {
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> d = TestRegistry.descriptor(TestRegistry.OCI_MANIFEST, e.image().manifest(),
                    e.image().manifestBytes().length);
            Map<String, Object> platform = new LinkedHashMap<>();
            platform.put("architecture", e.arch());
            platform.put("os", e.os());
            if (e.variant() != null) platform.put("variant", e.variant());
            d.put("platform", platform);
            if (e.os().equals("unknown"))
                d.put("annotations", Map.of("vnd.docker.reference.type", "attestation-manifest"));
            manifests.add(d);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", TestRegistry.OCI_INDEX);
        index.put("manifests", manifests);
        return reg.putManifest(repo, tag, TestRegistry.OCI_INDEX, TestRegistry.json(index));
    }
}

package chj.convert;

import chj.json.JsonTree;
import chj.layer.Compression;
import chj.layer.LayerBlob;
import chj.layer.LayerChanges;
import chj.layer.LayerException;
import chj.layer.LayerWriter;
import chj.oci.Descriptor;
import chj.oci.Digest;
import chj.oci.ImageConfig;
import chj.oci.ImageIndex;
import chj.oci.ImageManifest;
import chj.oci.MediaType;
import chj.oci.OciException;
import chj.oci.Platform;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An OCI image layout (image-layout.md), a directory or, for a name ending in {@code .tar}, a tar
 * archive of one, as {@code skopeo}'s {@code oci:} and {@code oci-archive:} and {@code umoci} read
 * them. The one image in it is tagged ({@code org.opencontainers.image.ref.name}) with the tag of
 * {@code PATH:TAG}, else the input's tag, else {@code latest}. A store image that was pulled and
 * not changed since keeps its registry layers, copied as they are; any other image becomes one
 * gzip layer of its tree without {@code ch/} (its config carries the environment instead).
 */
final class OciSink extends Sink {

    private static final String LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";

    private final Path out;
    private final String tag;
    private final boolean archive;

    OciSink(OciPath out, String defaultTag, Job job) throws ConvertException {
        super(job);
        this.out = out.path();
        this.tag = out.tag() != null ? out.tag() : defaultTag != null ? defaultTag : "latest";
        this.archive = this.out.getFileName().toString().endsWith(".tar");
        if (archive) {
            TarSink.checkFileOutput(this.out, job);
            return;
        }
        Path parent = this.out.toAbsolutePath().normalize().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new ConvertException("not a directory: " + parent);
        if (Files.exists(this.out, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(this.out, LinkOption.NOFOLLOW_LINKS)) throw new ConvertException("exists but not a directory: " + this.out);
            boolean empty;
            try {
                empty = FileTrees.list(this.out).isEmpty();
            } catch (IOException e) {
                throw new ConvertException("can't read " + this.out + ": " + e.getMessage());
            }
            if (!empty && !Files.isRegularFile(this.out.resolve(OciLayout.LAYOUT_FILE)))
                throw new ConvertException("exists but does not appear to be an OCI image layout: " + this.out);
            if (!empty && job.noClobber()) throw new ConvertException("exists, not deleting per --no-clobber: " + this.out);
        }
    }

    @Override
    void write(Tree tree) throws ConvertException {
        try (PendingOutput pending = PendingOutput.beside(out, job.log())) {
            if (!archive) {
                layout(tree, pending.path());
            } else {
                Path dir = job.scratch().newDirectory("oci-layout");
                try {
                    layout(tree, dir);
                    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(pending.path()), 1 << 20)) {
                        new LayerWriter(job.log()::warning).clampMtimes(Instant.EPOCH).writeTree(dir, file);
                    } catch (IOException e) {
                        throw new ConvertException("can't write " + pending.path() + ": " + e.getMessage(), null, e);
                    } catch (LayerException e) {
                        throw new ConvertException(e.getMessage(), null, e);
                    }
                } finally {
                    job.scratch().release(dir);
                }
            }
            pending.commit();
        }
    }

    /** Writes the layout into {@code dir}. */
    private void layout(Tree tree, Path dir) throws ConvertException {
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            PulledLayers pulled = tree.pulledLayers();
            boolean reuse = pulled != null && pulled.unchanged();
            if (pulled != null && !reuse) job.log().verbose("image changed since it was pulled: writing one new layer");
            Descriptor manifest = reuse ? copyPulled(pulled, dir) : flattened(tree, dir);
            ImageIndex index = ImageIndex.create(List.of(manifest.withAnnotations(Map.of(OciLayout.REF_NAME, tag))), null);
            Files.write(dir.resolve(OciLayout.INDEX), index.raw());
            Files.writeString(dir.resolve(OciLayout.LAYOUT_FILE), LAYOUT, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConvertException("can't write OCI layout " + dir + ": " + e.getMessage(), null, e);
        }
    }

    /** One gzip layer of the whole tree and a config that lists it. */
    private Descriptor flattened(Tree tree, Path dir) throws ConvertException, IOException {
        job.log().info("packing ...");
        Path tmp = dir.resolve("blobs/sha256/.layer.tmp");
        Set<String> exclude = new HashSet<>(tree.exclude());
        exclude.add("ch");
        LayerBlob layer;
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            layer = new LayerWriter(job.log()::warning).exclude(exclude).clampMtimes(job.epoch()).xattrs(job.xattrs())
                    .writeBlob(tree.root(), LayerChanges.wholeTree(), Compression.GZIP,
                            Runtime.getRuntime().availableProcessors(), file);
        } catch (LayerException e) {
            throw new ConvertException(e.getMessage(), null, e);
        }
        Files.move(tmp, blobPath(dir, layer.digest()), StandardCopyOption.ATOMIC_MOVE);
        ImageConfig config = configFor(tree.config(), layer.diffId());
        putBlob(dir, config.toJson());
        ImageManifest manifest = ImageManifest.create(Descriptor.of(MediaType.OCI_CONFIG, config.digest(), config.size()),
                List.of(Descriptor.of(layer.mediaType(), layer.digest(), layer.size())), null);
        putBlob(dir, manifest.raw());
        return describe(manifest, config);
    }

    /** The tree's config, or a new one for this host, with one layer and one history entry. */
    private ImageConfig configFor(ImageConfig base, Digest diffId) throws ConvertException {
        try {
            ObjectNode t = base != null ? base.tree() : ImageConfig.builder(Platform.host()).build().tree();
            String created = t.path("created").isTextual() ? t.get("created").asText()
                    : (job.epoch() != null ? job.epoch() : Instant.now()).toString();
            t.put("created", created);
            ObjectNode rootfs = t.putObject("rootfs");
            rootfs.put("type", "layers");
            rootfs.putArray("diff_ids").add(diffId.toString());
            ObjectNode h = t.putArray("history").addObject();
            h.put("created", created);
            h.put("created_by", "ch-convert");
            h.put("comment", "flattened");
            return ImageConfig.parse(JsonTree.bytes(t));
        } catch (OciException e) {
            throw new ConvertException("can't make the image config: " + e.getMessage(), null, e);
        }
    }

    /** The layers as pulled, copied; the manifest too, rewritten with OCI media types if it was Docker's. */
    private Descriptor copyPulled(PulledLayers pulled, Path dir) throws ConvertException, IOException {
        job.log().info("copying pulled layers ...");
        ImageManifest m = pulled.manifest();
        byte[] configBytes = pulled.config();
        putBlob(dir, configBytes);
        List<Descriptor> layers = new ArrayList<>();
        boolean oci = MediaType.essence(m.mediaType()).equals(MediaType.OCI_MANIFEST)
                && MediaType.essence(m.config().mediaType()).equals(MediaType.OCI_CONFIG);
        for (Descriptor d : m.layers()) {
            Path target = blobPath(dir, d.digest());
            if (!Files.exists(target)) Files.copy(pulled.blob(d), target);
            String type = ociLayerType(d.mediaType());
            oci &= type.equals(d.mediaType());
            layers.add(new Descriptor(type, d.digest(), d.size(), null, d.annotations(), d.urls(), null));
        }
        ImageConfig config;
        try {
            config = ImageConfig.parse(configBytes);
        } catch (OciException e) {
            throw new ConvertException("pulled config " + m.config().digest() + ": " + e.getMessage());
        }
        ImageManifest manifest = oci ? m : ImageManifest.create(Descriptor.of(MediaType.OCI_CONFIG, m.config().digest(),
                m.config().size()), layers, m.annotations());
        putBlob(dir, manifest.raw());
        return describe(manifest, config);
    }

    private static String ociLayerType(String type) {
        return switch (MediaType.essence(type)) {
            case MediaType.DOCKER_LAYER_TAR_GZIP -> MediaType.OCI_LAYER_TAR_GZIP;
            case MediaType.DOCKER_LAYER_TAR -> MediaType.OCI_LAYER_TAR;
            case MediaType.DOCKER_FOREIGN_LAYER_TAR_GZIP -> MediaType.OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP;
            default -> type;
        };
    }

    /** The index entry of a manifest: its type, digest, size and (from its config) platform. */
    private static Descriptor describe(ImageManifest manifest, ImageConfig config) {
        Descriptor d = Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.raw().length);
        if (config.architecture() == null) return d;
        return d.withPlatform(new Platform(config.os() != null ? config.os() : "linux", config.architecture(), config.variant(),
                null, List.of()));
    }

    private static Path blobPath(Path dir, Digest d) {
        return dir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }

    private static void putBlob(Path dir, byte[] bytes) throws IOException {
        Path p = blobPath(dir, Digest.sha256(bytes));
        if (!Files.exists(p)) Files.write(p, bytes);
    }
}

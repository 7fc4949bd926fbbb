package chj.image;

import chj.Log;
import chj.layer.Compression;
import chj.layer.LayerException;
import chj.oci.Descriptor;
import chj.oci.Digest;
import chj.oci.ImageConfig;
import chj.oci.ImageManifest;
import chj.oci.MediaType;
import chj.oci.OciException;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.registry.RegistryException;
import chj.registry.UploadResult;
import chj.store.ImageLock;
import chj.store.StagingDir;
import chj.store.Storage;
import chj.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ch-image push}: an image of the store, or a directory, to a registry. The registry is
 * asked first (so refused credentials show before any slow work); then the layers: a pulled image
 * whose tree is unchanged sends its pulled blobs as they are, new layers are written as
 * reproducible tars and compressed on all cores into the store's staging space (see
 * {@link PushPlan}). Each blob goes up as soon as it is ready, several at once, skipped when the
 * repository has it and mounted when another repository of the registry does; then the config,
 * and the manifest last, so the tag never names an incomplete image.
 */
public final class Pusher {

    /**
     * What the user asked for.
     *
     * @param compression     of new layers
     * @param format          the manifest family; null for the pulled image's own when its layers are
     *                        reused (an unchanged image keeps its digest), else OCI
     * @param flatten         one layer of the whole tree, even for a pulled image
     * @param parallelUploads blobs sent at once
     * @param sourceDateEpoch SOURCE_DATE_EPOCH: the time of new layers and configs, and the latest
     *                        mtime in new layers; null for now and no clamping
     */
    public record Options(Compression compression, ManifestFormat format, boolean flatten, int parallelUploads,
                          Instant sourceDateEpoch) {
        public Options {
            if (parallelUploads < 1) throw new IllegalArgumentException("parallelUploads < 1");
            if (compression == null) throw new IllegalArgumentException("no compression given");
        }

        public static Options defaults() {
            return new Options(Compression.GZIP, null, false, 4, null);
        }
    }

    /** What a push did: the manifest pushed, its layers, and how each blob (layers, then config) got there. */
    public record Result(Reference destination, Digest manifestDigest, int layers, int reusedLayers,
                         Map<UploadResult.Method, Integer> uploads) {}

    private final Storage store;
    private final RegistryClient registry;
    private final Log log;
    private final TransferProgress progress;

    public Pusher(Storage store, RegistryClient registry, Log log, TransferProgress progress) {
        this.store = store;
        this.registry = registry;
        this.log = log;
        this.progress = progress;
    }

    /**
     * Pushes the store's image {@code name}, or the directory {@code imageDir} when not null, to
     * {@code dest} ({@code name} if null).
     */
    public Result push(Reference name, Path imageDir, Reference dest, Options options)
            throws ImageException, RegistryException, StoreException, LayerException, OciException {
        Reference target = dest == null ? name : dest;
        log.info("pushing image:    " + (imageDir != null ? imageDir : name));
        log.info("destination:      " + target);
        if (options.format() == ManifestFormat.DOCKER && options.compression() == Compression.ZSTD)
            throw new ImageException("a Docker image manifest can't hold zstd layers", "use --format=oci, or --compress=gzip");
        registry.ping(target);

        if (imageDir != null) {
            Path root = imageDir.toAbsolutePath().normalize();
            if (!Files.isDirectory(root)) throw new ImageException("can't push: not a directory: " + imageDir);
            return push(root, name, target, options);
        }
        try (ImageLock lock = store.lockImage(name.storeName())) {
            Path root = store.imageDir(name);
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS))
                throw new ImageException("no image in the store named " + name, "see ch-image list; or push a directory with --image");
            return push(root, name, target, options);
        }
    }

    private Result push(Path root, Reference name, Reference target, Options options)
            throws ImageException, RegistryException, StoreException, LayerException, OciException {
        PushPlan plan = PushPlan.of(root, options.flatten(), store.blobs(), log);
        ManifestFormat format = options.format() != null ? options.format()
                : plan.pulled() != null ? ManifestFormat.of(plan.pulled().mediaType()) : ManifestFormat.OCI;
        List<String> mountFrom = plan.mountSources(name, target);
        if (!mountFrom.isEmpty()) log.verbose("may mount blobs from: " + String.join(", ", mountFrom));
        List<Descriptor> reused = new ArrayList<>();
        for (Descriptor d : plan.reused()) reused.add(withType(d, format.layerType(d.mediaType())));
        Instant now = options.sourceDateEpoch() != null ? options.sourceDateEpoch() : Instant.now();
        int total = reused.size() + plan.fresh().size();

        Map<UploadResult.Method, Integer> methods = new EnumMap<>(UploadResult.Method.class);
        // closed in reverse: compression and uploads stop before the staging directory goes
        try (StagingDir staging = store.newStagingDir("push");
             Async.Pool uploadPool = new Async.Pool(options.parallelUploads(), "chj-upload")) {
            // pulled blobs go up while new layers are still being written
            Map<Digest, CompletableFuture<UploadResult>> uploads = new HashMap<>();
            for (int i = 0; i < reused.size(); i++) {
                Descriptor d = reused.get(i);
                String what = "layer " + (i + 1) + "/" + total + " " + d.digest().shortHex();
                if (MediaType.isNondistributable(d.mediaType())) {
                    log.info(what + ": not distributable, not uploaded");
                    continue;
                }
                uploads.computeIfAbsent(d.digest(), k -> Async.supply(() ->
                        upload(target, what, d.digest(), d.size(), store.blobs().path(d.digest()), mountFrom), uploadPool.executor));
            }
            List<CompletableFuture<FreshUpload>> fresh = new ArrayList<>();
            try (LayerCompressor compressor = new LayerCompressor(root, options.compression(), options.sourceDateEpoch(),
                    plan.fresh().size(), log)) {
                for (int i = 0; i < plan.fresh().size(); i++) {
                    String what = "layer " + (reused.size() + i + 1) + "/" + total;
                    fresh.add(compressor.submit(plan.fresh().get(i).changes(), staging.dir().resolve("layer-" + i), what)
                            .thenApplyAsync(w -> Async.call(() -> {
                                var uploaded = upload(target, what + " " + w.blob().digest().shortHex(), w.blob().digest(),
                                        w.blob().size(), w.file(), List.of());
                                var d = Descriptor.of(format.layerType(w.blob().mediaType()), w.blob().digest(), w.blob().size());
                                return new FreshUpload(d, w.blob().diffId(), uploaded);
                            }), uploadPool.executor));
                }
                for (CompletableFuture<UploadResult> u : uploads.values()) count(methods, Async.await(u));
                List<Descriptor> layers = new ArrayList<>(reused);
                List<PushConfig.FreshLayer> freshLayers = new ArrayList<>();
                for (int i = 0; i < fresh.size(); i++) {
                    FreshUpload f = Async.await(fresh.get(i));
                    count(methods, f.upload());
                    layers.add(f.descriptor());
                    freshLayers.add(new PushConfig.FreshLayer(f.diffId(), plan.fresh().get(i).createdBy()));
                }

                ImageConfig config = plan.asPulled() ? plan.config()
                        : PushConfig.compose(plan.config(), reused.size(), freshLayers, now, options.sourceDateEpoch());
                Path configFile = staging.dir().resolve("config.json");
                Files.write(configFile, config.toJson());
                count(methods, upload(target, "config " + config.digest().shortHex(), config.digest(), config.size(),
                        configFile, plan.asPulled() ? mountFrom : List.of()));

                ImageManifest manifest = plan.asPulled() && format == ManifestFormat.of(plan.pulled().mediaType())
                        ? plan.pulled()
                        : ImageManifest.create(format.manifestType(), Descriptor.of(format.configType(), config.digest(), config.size()),
                                layers, null);
                Digest pushed = pushManifest(target, manifest);
                log.info("pushed:           " + target.withTag(null) + "@" + pushed);
                log.info("done");
                return new Result(target, pushed, layers.size(), reused.size(), methods);
            } catch (IOException e) {
                throw new ImageException("can't write to " + staging.dir() + ": " + e.getMessage(), null, e);
            }
        }
    }

    private Digest pushManifest(Reference target, ImageManifest manifest) throws RegistryException, ImageException {
        String tag = null;
        if (target.digest() != null) {
            if (!target.digest().equals(manifest.digest()))
                throw new ImageException("destination " + target + " names a digest, but the image's manifest is " + manifest.digest(),
                        "push to a tag instead");
        } else {
            tag = target.tag() == null ? "latest" : target.tag();
        }
        log.verbose("manifest " + manifest.digest() + " (" + manifest.mediaType() + ")");
        return registry.pushManifest(target, tag, manifest.mediaType(), manifest.raw());
    }

    /** Sends one blob, with progress and one line on how it got there. */
    private UploadResult upload(Reference target, String what, Digest digest, long size, Path file, List<String> mountFrom)
            throws RegistryException {
        progress.started(what, size);
        long[] last = {0};
        UploadResult r;
        try {
            r = registry.pushBlob(target, digest, size, file, mountFrom, sent -> {
                progress.advanced(what, sent - last[0]);
                last[0] = sent;
            });
        } finally {
            progress.finished(what);
        }
        log.info(what + ": " + switch (r.method()) {
            case EXISTED -> "already in the repository";
            case MOUNTED -> "mounted from " + r.mountedFrom();
            default -> "uploaded (" + mib(size) + " MiB)";
        });
        return r;
    }

    /** A layer written by this push, once uploaded. */
    private record FreshUpload(Descriptor descriptor, Digest diffId, UploadResult upload) {}

    private static void count(Map<UploadResult.Method, Integer> counts, UploadResult r) {
        counts.merge(r.method(), 1, Integer::sum);
    }

    private static Descriptor withType(Descriptor d, String mediaType) {
        if (mediaType.equals(d.mediaType())) return d;
        return new Descriptor(mediaType, d.digest(), d.size(), d.platform(), d.annotations(), d.urls(), d.artifactType());
    }

    static String mib(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }
}

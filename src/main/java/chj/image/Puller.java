package chj.image;

import chj.Causes;
import chj.Log;
import chj.layer.LayerException;
import chj.layer.LayerUnpacker;
import chj.oci.Descriptor;
import chj.oci.Digest;
import chj.oci.ImageConfig;
import chj.oci.ImageIndex;
import chj.oci.ImageManifest;
import chj.oci.ManifestDocument;
import chj.oci.MediaType;
import chj.oci.OciException;
import chj.oci.Platform;
import chj.oci.PlatformSelector;
import chj.oci.Reference;
import chj.registry.DownloadListener;
import chj.registry.FetchedManifest;
import chj.registry.RegistryClient;
import chj.registry.RegistryException;
import chj.store.BlobLock;
import chj.store.ImageLock;
import chj.store.StagingDir;
import chj.store.Storage;
import chj.store.StoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ch-image pull}: manifest (index → platform → image manifest), config, then layers.
 * Layers download in parallel into the store's verified blob cache while the unpacker applies them
 * in order, each one following its download as it is written (unpacking overlaps the transfer);
 * each layer is read once, through decompression and its DiffID hash, straight into the image
 * tree. The tree is built in a staging directory and published by rename under the image's lock:
 * a failed or killed pull leaves the store as it was.
 */
public final class Puller {

    /** What the user asked for. {@code arch}: host, yolo, or ARCH[/VARIANT]. */
    public record Options(String arch, boolean alwaysDownload, int parallelDownloads) {
        public Options {
            if (parallelDownloads < 1) throw new IllegalArgumentException("parallelDownloads < 1");
        }

        public static Options defaults() {
            return new Options(PlatformSelector.HOST, false, 4);
        }
    }

    /** What a pull did. */
    public record Result(String name, Digest manifestDigest, int layers, boolean upToDate, String architecture) {}

    private final Storage store;
    private final RegistryClient registry;
    private final Log log;
    private final TransferProgress progress;

    public Puller(Storage store, RegistryClient registry, Log log, TransferProgress progress) {
        this.store = store;
        this.registry = registry;
        this.log = log;
        this.progress = progress;
    }

    /** Pulls {@code source} into the store under {@code dest}'s name ({@code source}'s if null). */
    public Result pull(Reference source, Reference dest, Options options)
            throws ImageException, RegistryException, StoreException, LayerException, OciException {
        Reference name = dest == null ? source : dest;
        log.info("pulling image:    " + source);
        if (dest != null) log.info("destination:      " + dest);

        Resolved image = resolve(source, options.arch());
        ImageManifest manifest = image.manifest();
        if (manifest.isArtifact())
            throw new ImageException("not a container image: " + source + " (artifact type " + manifest.artifactType() + ")");
        log.verbose("manifest:         " + manifest.digest());

        // One pull per name at a time; a second pull of the same image waits, then finds it current.
        try (ImageLock lock = store.lockImage(name.storeName())) {
            if (!options.alwaysDownload() && isCurrent(name, manifest.digest())) {
                log.info("image is up to date: " + name);
                return new Result(name.toString(), manifest.digest(), manifest.layers().size(), true, image.architecture());
            }
            ImageConfig config = ImageConfig.parse(blobBytes(source, manifest.config(), options, "config"));
            checkArchitecture(source, config, image, options.arch());
            for (Descriptor d : manifest.layers()) MediaType.checkLayer(d.mediaType());
            List<Descriptor> layers = distinctLayers(manifest.layers());
            List<Digest> diffIds = config.diffIds();
            if (diffIds.size() != manifest.layers().size())
                throw new ImageException("image " + source + ": config lists " + diffIds.size() + " diff_ids but the manifest "
                        + manifest.layers().size() + " layers");

            try (StagingDir staging = store.newStagingDir("pull")) {
                unpackAll(source, manifest.layers(), layers, diffIds, staging.dir(), options);
                ImageTree.initialize(staging.dir(), config, log);
                ImageTree.writeRecord(staging.dir(), manifest.raw(), config);
                ImageTree.writeSnapshot(staging.dir(), manifest.digest(), source.registryAuthority() + "/" + source.repository());
                store.publishImage(lock, staging.dir());
            }
            log.info("done");
            return new Result(name.toString(), manifest.digest(), manifest.layers().size(), false, image.architecture());
        }
    }

    /** The image manifest for the requested architecture, and which architecture that is. */
    private record Resolved(ImageManifest manifest, String architecture, Platform requested) {}

    private Resolved resolve(Reference ref, String arch) throws RegistryException, OciException, ImageException {
        FetchedManifest fetched = registry.manifest(ref);
        ManifestDocument doc = ManifestDocument.parse(fetched.bytes());
        PlatformSelector selector = PlatformSelector.forHost();
        Platform requested = null;
        for (int depth = 0; doc instanceof ImageIndex index; depth++) {
            if (depth > 4) throw new ImageException("image " + ref + ": image indexes nested too deep");
            PlatformSelector.Selection s = selector.select(index, arch);
            s.warnings().forEach(log::warning);
            requested = s.requested();
            Descriptor chosen = s.descriptor();
            log.verbose("index " + index.digest() + ": chose " + chosen.platform() + " " + chosen.digest());
            doc = ManifestDocument.parse(registry.manifest(ref, chosen.digest().toString(), List.of()).bytes());
            if (chosen.platform() != null && !(doc instanceof ImageIndex))
                return new Resolved((ImageManifest) doc, chosen.platform().toString(), requested);
        }
        return new Resolved((ImageManifest) doc, null, requested);
    }

    /**
     * An image without an index says nothing about its architecture until its config is read. As
     * Charliecloud: the host's architecture gets a warning when they differ; an explicit other one is
     * an error, since the user would get something else than asked.
     */
    private void checkArchitecture(Reference ref, ImageConfig config, Resolved image, String arch) throws ImageException {
        if (image.architecture() != null || arch.equals(PlatformSelector.YOLO)) return;
        String have = config.architecture() + (config.variant() == null ? "" : "/" + config.variant());
        Platform want = arch.equals(PlatformSelector.HOST) ? Platform.host() : Platform.parse(arch);
        if (config.architecture() == null || config.architecture().equals(want.architecture())) return;
        if (arch.equals(PlatformSelector.HOST))
            log.warning("image is architecture-unaware and its config says " + have + ", not the host's " + want);
        else
            throw new ImageException("image " + ref + " has no index and is " + have + ", not " + want, "--arch=yolo takes it as it is");
    }

    private boolean isCurrent(Reference name, Digest manifestDigest) {
        Path saved = ImageTree.manifestFile(store.imageDir(name));
        try {
            return Files.isRegularFile(saved) && Digest.sha256(Files.readAllBytes(saved)).equals(manifestDigest);
        } catch (IOException e) {
            return false;
        }
    }

    /** Layers in order with repeats dropped (Charliecloud #1568): applying a layer twice changes nothing. */
    private List<Descriptor> distinctLayers(List<Descriptor> layers) {
        Set<Digest> seen = new HashSet<>();
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : layers) {
            if (seen.add(d.digest())) out.add(d);
            else log.warning("layer " + d.digest().shortHex() + " repeats an earlier layer; ignored");
        }
        return out;
    }

    /**
     * Downloads the layers in parallel and applies them in order, each as soon as its download
     * starts: the unpacker follows the part file (a {@link BlobFollower}) rather than waiting for
     * the verified blob. Cached blobs are read from the cache.
     */
    private void unpackAll(Reference ref, List<Descriptor> allLayers, List<Descriptor> layers, List<Digest> diffIds, Path root,
                           Options options) throws ImageException, RegistryException, StoreException, LayerException {
        int threads = Math.min(options.parallelDownloads(), Math.max(1, layers.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "chj-download");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Path>> blobs = new ArrayList<>();
            List<BlobFollower> followers = new ArrayList<>();
            for (Descriptor d : layers) {
                if (!options.alwaysDownload() && store.blobs().contains(d.digest())) {
                    log.debug("layer " + d.digest().shortHex() + ": using cached blob");
                    followers.add(null);
                    blobs.add(CompletableFuture.completedFuture(store.blobs().path(d.digest())));
                    continue;
                }
                BlobFollower follower = new BlobFollower(d.digest(), store.blobs().partPath(d.digest()),
                        progressListener("layer " + d.digest().shortHex()));
                followers.add(follower);
                blobs.add(pool.submit(() -> {
                    try {
                        Path blob = blob(ref, d, options, "layer", follower);
                        follower.finished(blob);
                        return blob;
                    } catch (Throwable t) {
                        follower.failed(t);
                        throw t;
                    }
                }));
            }
            LayerUnpacker unpacker = new LayerUnpacker(root, log::warning);
            for (int i = 0; i < layers.size(); i++) {
                Descriptor d = layers.get(i);
                Digest expected = diffIds.get(allLayers.indexOf(d));
                log.verbose("layer " + (i + 1) + "/" + layers.size() + ": unpacking " + d.digest().shortHex());
                Digest actual = applyLayer(unpacker, d, followers.get(i), blobs.get(i));
                await(blobs.get(i)); // ended reading means verified; this also rethrows a failed download
                if (!actual.equals(expected))
                    throw new ImageException("layer " + d.digest() + ": DiffID (sha256 of the uncompressed tar) is " + actual
                            + " but the config says " + expected);
            }
            unpacker.finish();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Unpacks one layer, from its download as it goes or from the cache, returning the DiffID of
     * what it read. A read that failed because the download failed reports the download's error.
     */
    private static Digest applyLayer(LayerUnpacker unpacker, Descriptor d, BlobFollower follower, Future<Path> blob)
            throws LayerException, ImageException, RegistryException, StoreException {
        try (InputStream raw = follower != null ? follower
                : new BufferedInputStream(Files.newInputStream(await(blob)), 1 << 18)) {
            return unpacker.applyBlob(raw);
        } catch (IOException e) {
            if (Causes.causedBy(e, BlobFollower.DownloadFailed.class)) await(blob);
            throw new ImageException("layer " + d.digest() + ": can't decompress: " + e.getMessage(), null, e);
        } catch (LayerException e) {
            if (Causes.causedBy(e, BlobFollower.DownloadFailed.class)) await(blob);
            throw e;
        }
    }

    private static Path await(Future<Path> f) throws ImageException, RegistryException, StoreException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RegistryException r -> throw r;
                case StoreException s -> throw s;
                case ImageException i -> throw i;
                case RuntimeException r -> throw r;
                case Error r -> throw r;
                default -> throw new ImageException(e.getCause().getMessage(), null, e.getCause());
            }
        }
    }

    private byte[] blobBytes(Reference ref, Descriptor d, Options options, String what)
            throws RegistryException, StoreException {
        blob(ref, d, options, what, progressListener(what + " " + d.digest().shortHex()));
        return store.blobs().readSmall(d.digest());
    }

    /** Feeds a download's progress to the progress display under {@code id}. */
    private DownloadListener progressListener(String id) {
        AtomicLong last = new AtomicLong();
        return total -> progress.advanced(id, total - last.getAndSet(total));
    }

    /**
     * The verified blob in the cache, downloading it if needed. The blob lock makes concurrent pulls
     * of images sharing a layer download it once; the part file lets a killed pull resume.
     */
    private Path blob(Reference ref, Descriptor d, Options options, String what, DownloadListener listener)
            throws RegistryException, StoreException {
        var blobs = store.blobs();
        Path cached = blobs.path(d.digest());
        if (!options.alwaysDownload() && blobs.contains(d.digest())) {
            log.debug(what + " " + d.digest().shortHex() + ": using cached blob");
            return cached;
        }
        try (BlobLock lock = store.lockBlob(d.digest())) {
            if (!options.alwaysDownload() && blobs.contains(d.digest())) return cached;   // another process got it
            Path part = blobs.partPath(d.digest());
            String id = what + " " + d.digest().shortHex();
            progress.started(id, d.size());
            try {
                registry.fetchBlob(ref, d.digest(), d.size(), part, listener);
            } finally {
                progress.finished(id);
            }
            blobs.commit(d.digest(), part);
            return cached;
        }
    }
}

package chj.image;

import chj.Log;
import chj.layer.LayerChanges;
import chj.oci.Descriptor;
import chj.oci.ImageConfig;
import chj.oci.ImageManifest;
import chj.oci.ManifestDocument;
import chj.oci.OciException;
import chj.oci.Reference;
import chj.store.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a push sends for one image directory. A pulled image whose tree is unchanged since the pull
 * (its {@link TreeSnapshot} says so) is sent as pulled: the same layer blobs from the store's cache,
 * the same config, and so the same digests. A changed one gets one layer more, of the changes. An
 * image without reusable layers (imported, a plain directory, or {@code --flatten}) is one layer of
 * the whole tree.
 *
 * @param config  the image's config (for {@link #asPulled}, exactly the pulled bytes)
 * @param pulled  the manifest the image was pulled with, when its layers are reused; else null
 * @param reused  layers of {@code pulled} sent as they are, base first
 * @param fresh   layers to write from the tree, on top of {@code reused}
 * @param source  the reference the image was pulled from, or null
 */
record PushPlan(ImageConfig config, ImageManifest pulled, List<Descriptor> reused, List<Fresh> fresh, Reference source) {

    /** A layer written from the tree by this push, and the history line that says what it is. */
    record Fresh(LayerChanges changes, String createdBy) {}

    /** True when the image goes out exactly as it was pulled. */
    boolean asPulled() {
        return pulled != null && fresh.isEmpty();
    }

    /**
     * Decides what to push of the image at {@code root}.
     *
     * @param flatten one layer of the whole tree, whatever the image has
     */
    static PushPlan of(Path root, boolean flatten, BlobStore blobs, Log log) throws ImageException {
        ImageConfig config = PushConfig.of(root);
        Fresh whole = new Fresh(LayerChanges.wholeTree(), flatten ? "ch-image push --flatten" : "ch-image push: the image as one layer");
        if (flatten) return new PushPlan(config, null, List.of(), List.of(whole), null);

        ImageManifest pulled = pulledManifest(root, log);
        if (pulled == null) {
            log.verbose("no pulled layers to reuse: pushing the image as one layer");
            return new PushPlan(config, null, List.of(), List.of(whole), null);
        }
        TreeSnapshot snapshot;
        try {
            snapshot = TreeSnapshot.read(root);
        } catch (IOException e) {
            log.warning("can't read the record of the tree as pulled (" + e.getMessage() + "); pushing the image as one layer");
            return new PushPlan(config, null, List.of(), List.of(whole), null);
        }
        if (snapshot == null || !snapshot.manifest().equals(pulled.digest())) {
            log.warning("no record of this image's tree as pulled (pulled by an older chj?); pushing it as one layer");
            return new PushPlan(config, null, List.of(), List.of(whole), null);
        }
        String unusable = unusable(pulled, config, blobs);
        if (unusable != null) {
            log.warning(unusable + "; pushing the image as one layer");
            return new PushPlan(config, null, List.of(), List.of(whole), null);
        }
        Reference source = null;
        try {
            if (!snapshot.source().isEmpty()) source = Reference.parse(snapshot.source());
        } catch (IllegalArgumentException ignored) {
            // only a hint for mounting; push without it
        }

        TreeSnapshot.Changes changes;
        try {
            changes = snapshot.compare(root);
        } catch (IOException e) {
            throw new ImageException("can't compare " + root + " with its state as pulled: " + e.getMessage(), null, e);
        } catch (IllegalArgumentException e) {
            throw new ImageException("can't push " + root + ": " + e.getMessage(), null, e);
        }
        if (changes.none()) {
            log.verbose("tree unchanged since the pull: pushing its " + pulled.layers().size() + " layers as pulled");
            return new PushPlan(config, pulled, pulled.layers(), List.of(), source);
        }
        log.info("changed since pull: " + changes + "; pushing them as one more layer");
        return new PushPlan(config, pulled, pulled.layers(), List.of(new Fresh(changes.layer(),
                "ch-image push: changes since pull (" + changes + ")")), source);
    }

    /** The manifest saved by the pull that made the image, or null when there is none (or it is not usable). */
    private static ImageManifest pulledManifest(Path root, Log log) {
        Path f = ImageTree.manifestFile(root);
        try {
            if (ManifestDocument.parse(Files.readAllBytes(f)) instanceof ImageManifest m) return m;
            log.warning(f + " is not an image manifest; ignored");
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | OciException e) {
            log.warning("can't read " + f + ": " + e.getMessage() + "; ignored");
        }
        return null;
    }

    /** Why the pulled layers can't be sent as they are, or null when they can. */
    private static String unusable(ImageManifest pulled, ImageConfig config, BlobStore blobs) {
        if (!config.digest().equals(pulled.config().digest()))
            return "the image's config is not the one it was pulled with";
        if (config.diffIds().size() != pulled.layers().size())
            return "the image's config and manifest disagree on the number of layers";
        for (Descriptor d : pulled.layers())
            if (!blobs.contains(d.digest()))
                return "layer " + d.digest().shortHex() + " of the pulled image is no longer in the blob cache";
        return null;
    }

    /**
     * Repositories of the destination's registry that likely hold the pulled blobs already, for a
     * cross-repository mount: where the image was pulled from, and the repository its name says.
     */
    List<String> mountSources(Reference name, Reference dest) {
        Set<String> out = new LinkedHashSet<>();
        List<Reference> candidates = new ArrayList<>();
        if (source != null) candidates.add(source);
        if (name != null) candidates.add(name);
        for (Reference r : candidates) {
            try {
                if (r.registryAuthority().equals(dest.registryAuthority()) && !r.repository().equals(dest.repository()))
                    out.add(r.repository());
            } catch (IllegalArgumentException ignored) {
                // a name that is no registry reference (bad CH_REGY_DEFAULT_PORT): nothing to mount from
            }
        }
        return List.copyOf(out);
    }
}

package chj.convert;

import chj.image.ImageTree;
import chj.image.TreeSnapshot;
import chj.oci.Descriptor;
import chj.oci.ImageManifest;
import chj.oci.ManifestDocument;
import chj.oci.OciException;
import chj.store.Storage;
import chj.store.StoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The registry layers a pulled image in the store came from ({@code ch/manifest.json}, blobs in
 * the store's cache), which an OCI output can copy as they are instead of writing and compressing
 * one new layer. Only while the tree is unchanged since the pull, as its {@link TreeSnapshot} tells.
 */
final class PulledLayers {

    private final Storage store;
    private final Path imageDir;
    private final ImageManifest manifest;

    private PulledLayers(Storage store, Path imageDir, ImageManifest manifest) {
        this.store = store;
        this.imageDir = imageDir;
        this.manifest = manifest;
    }

    /** The pulled layers of the store image at {@code imageDir}, or null when it was not pulled or its blobs are gone. */
    static PulledLayers find(Storage store, Path imageDir) {
        Path saved = ImageTree.manifestFile(imageDir);
        if (!Files.isRegularFile(saved)) return null;
        try {
            if (!(ManifestDocument.parse(Files.readAllBytes(saved)) instanceof ImageManifest m)) return null;
            if (!store.blobs().contains(m.config().digest())) return null;
            for (Descriptor d : m.layers()) if (!store.blobs().contains(d.digest())) return null;
            return new PulledLayers(store, imageDir, m);
        } catch (IOException | OciException e) {
            return null;
        }
    }

    ImageManifest manifest() {
        return manifest;
    }

    /** The config blob as pulled, verified. */
    byte[] config() throws ConvertException {
        try {
            return store.blobs().readSmall(manifest.config().digest());
        } catch (StoreException e) {
            throw new ConvertException(e.getMessage(), e.hint(), e);
        }
    }

    /** A cached layer blob (verified when it was stored). */
    Path blob(Descriptor layer) {
        return store.blobs().path(layer.digest());
    }

    /**
     * Whether the tree is still exactly what the pulled layers made: the pull's tree snapshot (the
     * same record push relies on) belongs to this manifest and nothing differs from it.
     */
    boolean unchanged() {
        try {
            TreeSnapshot snapshot = TreeSnapshot.read(imageDir);
            return snapshot != null && snapshot.manifest().equals(manifest.digest()) && snapshot.compare(imageDir).none();
        } catch (IOException e) {
            return false;
        }
    }
}

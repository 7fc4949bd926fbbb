package chj.convert;

import chj.image.ImageTree;
import chj.oci.Descriptor;
import chj.oci.ImageManifest;
import chj.oci.ManifestDocument;
import chj.oci.OciException;
import chj.store.Storage;
import chj.store.StoreException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * The registry layers a pulled image in the store came from ({@code ch/manifest.json}, blobs in
 * the store's cache), which an OCI output can copy as they are instead of writing and compressing
 * one new layer. Only while the tree is unchanged since the pull: no file, directory or link in it
 * may have changed (its ctime, which no unprivileged user can set back) after the manifest was
 * saved, which the pull does last.
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

    /** Whether nothing in the image changed since the pull saved its manifest. */
    boolean unchanged() {
        Path saved = ImageTree.manifestFile(imageDir);
        try {
            FileTime recorded = Files.getLastModifiedTime(saved);
            boolean[] changed = {false};
            Files.walkFileTree(imageDir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    // the image directory itself changes when it is published (a rename)
                    if (!dir.equals(imageDir) && newer(dir)) return stop();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    return newer(file) ? stop() : FileVisitResult.CONTINUE;
                }

                private boolean newer(Path p) throws IOException {
                    FileTime ctime = (FileTime) Files.getAttribute(p, "unix:ctime", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    return ctime.compareTo(recorded) > 0;
                }

                private FileVisitResult stop() {
                    changed[0] = true;
                    return FileVisitResult.TERMINATE;
                }
            });
            return !changed[0];
        } catch (IOException e) {
            return false;
        }
    }
}

package chj.build;

import chj.image.TreeSnapshot;
import chj.layer.LayerException;
import chj.layer.LayerWriter;
import chj.oci.Digest;
import chj.store.BlobStore;
import chj.store.StoreException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Turns what one instruction changed in a tree into a layer: a snapshot of the tree before
 * (type, mode, size, mtime, ctime, inode per path: ctime cannot be set back, so no change hides),
 * a comparison after, and the changeset written as a reproducible uncompressed tar with whiteouts
 * into the blob cache, named by its DiffID.
 */
final class LayerRecorder {

    /** A layer in the blob cache. */
    record Layer(Digest diffId, long size) {}

    private static final Digest NO_MANIFEST = Digest.sha256(new byte[0]);

    private final BlobStore blobs;
    private final Consumer<String> warnings;
    private TreeSnapshot before;

    LayerRecorder(BlobStore blobs, Consumer<String> warnings) {
        this.blobs = blobs;
        this.warnings = warnings;
    }

    /** Notes the tree's state before a step; a no-op when the last {@link #after} left it current. */
    void before(Path root) throws BuildException {
        if (before != null) return;
        try {
            TreeSnapshot.record(root, NO_MANIFEST, "");
            before = TreeSnapshot.read(root);
        } catch (IOException e) {
            throw new BuildException("can't snapshot " + root + ": " + e.getMessage(), null, e);
        }
    }

    /** Forget the snapshot (the tree was changed some other way). */
    void invalidate() {
        before = null;
    }

    /** The layer of what changed since {@link #before}, or null when nothing did. */
    Layer after(Path root) throws BuildException, StoreException {
        if (before == null) throw new IllegalStateException("after() without before()");
        TreeSnapshot.Changes changes;
        try {
            changes = before.compare(root);
        } catch (IOException e) {
            throw new BuildException("can't compare " + root + ": " + e.getMessage(), null, e);
        }
        before = null;
        if (changes.none()) return null;
        Path tmp = blobs.newTempFile();
        try {
            LayerWriter.Written w;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                w = new LayerWriter(warnings).write(root, changes.layer(), out);
            }
            blobs.commit(w.diffId(), tmp);
            return new Layer(w.diffId(), w.size());
        } catch (IOException | LayerException e) {
            throw new BuildException("can't write layer: " + e.getMessage(), null, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a temp file left is removed by the store's cleaning
            }
        }
    }
}

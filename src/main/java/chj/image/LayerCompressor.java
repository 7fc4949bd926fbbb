package chj.image;

import chj.Log;
import chj.layer.Compression;
import chj.layer.LayerBlob;
import chj.layer.LayerChanges;
import chj.layer.LayerWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the new layers of a push from an image tree into files, as reproducible tars compressed on
 * all cores, computing blob digest and DiffID on the way. Several layers are written at once, each
 * on its share of the cores; compression output does not depend on the number of threads, so
 * neither do the digests.
 */
final class LayerCompressor implements AutoCloseable {

    /** A layer blob written to {@code file}. */
    record Written(LayerBlob blob, Path file) {}

    private final Path root;
    private final Compression compression;
    private final Instant clamp;
    private final Log log;
    private final int threadsPerLayer;
    private final Async.Pool pool;

    /** @param layers how many layers will be submitted (for sharing the cores among them) */
    LayerCompressor(Path root, Compression compression, Instant clamp, int layers, Log log) {
        this.root = root;
        this.compression = compression;
        this.clamp = clamp;
        this.log = log;
        int cores = Runtime.getRuntime().availableProcessors();
        int atOnce = Math.max(1, Math.min(layers, cores));
        this.threadsPerLayer = Math.max(1, cores / atOnce);
        this.pool = new Async.Pool(atOnce, "chj-layer");
    }

    /** Writes one layer's changes (the whole tree: {@link LayerChanges#wholeTree()}) into {@code file}. */
    CompletableFuture<Written> submit(LayerChanges changes, Path file, String what) {
        return Async.supply(() -> {
            log.info(what + ": writing (" + compression.name().toLowerCase(java.util.Locale.ROOT) + ")");
            LayerWriter writer = new LayerWriter(m -> log.warning(what + ": " + m))
                    .exclude(List.of(chj.store.Metadata.DIR))
                    .clampMtimes(clamp);
            LayerBlob blob;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                blob = writer.writeBlob(root, changes, compression, threadsPerLayer, out);
            } catch (IOException e) {
                throw new ImageException("can't write layer file " + file + ": " + e.getMessage(), null, e);
            }
            log.verbose(what + ": " + blob.tar().entries() + " entries, " + Pusher.mib(blob.tar().size()) + " MiB tar, "
                    + Pusher.mib(blob.size()) + " MiB " + compression.name().toLowerCase(java.util.Locale.ROOT));
            return new Written(blob, file);
        }, pool.executor);
    }

    @Override
    public void close() {
        pool.close();
    }
}

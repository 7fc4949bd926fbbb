package chj.cli;

import chj.Log;
import chj.args.ArgException;
import chj.args.ArgSpec;
import chj.image.ManifestFormat;
import chj.image.Pusher;
import chj.image.TransferProgress;
import chj.layer.Compression;
import chj.layer.LayerWriter;
import chj.layer.ParallelGzipOutputStream;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.store.Storage;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

final class PushCommand implements Subcommand {

    /** --compress ALG[:LEVEL]: gzip (level 1 to 9, default 6), zstd, none. */
    record CompressOption(Compression compression, int gzipLevel) {
        static CompressOption parse(String text) throws ArgException {
            String[] parts = text.split(":", 2);
            Compression c = switch (parts[0]) {
                case "gzip" -> Compression.GZIP;
                case "zstd" -> Compression.ZSTD;
                case "none" -> Compression.NONE;
                default -> throw new ArgException("--compress: expected gzip[:LEVEL], zstd or none, not '" + text + "'");
            };
            int level = ParallelGzipOutputStream.DEFAULT_LEVEL;
            if (parts.length == 2) {
                if (c != Compression.GZIP || !parts[1].matches("[1-9]"))
                    throw new ArgException("--compress: a level is 1 to 9 and only for gzip: '" + text + "'");
                level = Integer.parseInt(parts[1]);
            }
            return new CompressOption(c, level);
        }
    }

    /** The spellings of --format. */
    private static ManifestFormat format(String text) throws ArgException {
        return switch (text) {
            case "oci" -> ManifestFormat.OCI;
            case "docker" -> ManifestFormat.DOCKER;
            default -> throw new ArgException("--format: expected oci or docker, not '" + text + "'");
        };
    }

    private Path imageDir;
    private boolean flatten;
    private CompressOption compress = new CompressOption(Compression.GZIP, ParallelGzipOutputStream.DEFAULT_LEVEL);
    private ManifestFormat format;
    private int parallel = 4;
    private String image;
    private String dest;

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image push", "Copy an image from the store (or a directory) to a remote registry.")
                .value("--compress", "ALG",
                        "compression of new layers: gzip (default; gzip:1 fastest … gzip:9 smallest, 6 by default), zstd, none",
                        v -> compress = CompressOption.parse(v))
                .flag("--flatten", "push the whole tree as one layer, even for a pulled image", () -> flatten = true)
                .value("--format", "FMT", "manifest format: oci or docker (Docker image manifest v2.2, for old registries); "
                        + "default: a pulled image's own, else oci", v -> format = format(v))
                .value("--image", "DIR", "push the image directory DIR instead of IMAGE_REF from the store", v -> imageDir = Path.of(v))
                .value("--parallel", "N", "blobs uploaded at once (default: 4)", v -> parallel = ArgSpec.integer("--parallel", v, 1))
                .operand("IMAGE_REF", "image in the store to push (with --image: its name)", v -> image = v)
                .optionalOperand("DEST_REF", "where to push it (default: IMAGE_REF)", v -> dest = v);
    }

    @Override
    public void run(Context ctx) throws Exception {
        Reference name = Reference.parse(image, ctx.env);
        Reference target = dest == null ? null : Reference.parse(dest, ctx.env);
        var options = new Pusher.Options(compress.compression(), compress.gzipLevel(), format, flatten, parallel,
                LayerWriter.sourceDateEpoch(ctx.env));
        // the client's TLS set-up takes a good part of a second: it happens while push reads the image
        CompletableFuture<RegistryClient> registry = CompletableFuture.supplyAsync(() -> ctx.registry(true));
        try (Storage store = ctx.openStorage();
             ProgressBar bar = ProgressBar.forTerminal(ctx.log, "uploading")) {
            Log log = bar == null ? ctx.log : bar.around(ctx.log);
            new Pusher(store, registry, log, bar == null ? TransferProgress.NONE : bar).push(name, imageDir, target, options);
        } finally {
            registry.thenAccept(RegistryClient::close);
        }
    }
}

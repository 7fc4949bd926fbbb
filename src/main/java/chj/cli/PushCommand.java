package chj.cli;

import chj.Log;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "push", description = "Copy an image from the store (or a directory) to a remote registry.")
final class PushCommand implements Callable<Integer> {

    /** --compress ALG[:LEVEL]: gzip (level 1 to 9, default 6), zstd, none. */
    record CompressOption(Compression compression, int gzipLevel) {
        static CompressOption parse(String text) {
            String[] parts = text.split(":", 2);
            Compression c = switch (parts[0]) {
                case "gzip" -> Compression.GZIP;
                case "zstd" -> Compression.ZSTD;
                case "none" -> Compression.NONE;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "expected gzip[:LEVEL], zstd or none, not '" + text + "'");
            };
            int level = ParallelGzipOutputStream.DEFAULT_LEVEL;
            if (parts.length == 2) {
                if (c != Compression.GZIP || !parts[1].matches("[1-9]"))
                    throw new picocli.CommandLine.TypeConversionException("a level is 1 to 9 and only for gzip: '" + text + "'");
                level = Integer.parseInt(parts[1]);
            }
            return new CompressOption(c, level);
        }
    }

    /** The spellings of --format. */
    enum FormatOption {
        oci(ManifestFormat.OCI), docker(ManifestFormat.DOCKER);

        final ManifestFormat format;

        FormatOption(ManifestFormat f) {
            format = f;
        }
    }

    @ParentCommand
    ImageMain top;

    @Option(names = "--image", paramLabel = "DIR", description = "push the image directory DIR instead of IMAGE_REF from the store")
    Path imageDir;

    @Option(names = "--flatten", description = "push the whole tree as one layer, even for a pulled image")
    boolean flatten;

    @Option(names = "--compress", paramLabel = "ALG", converter = CompressConverter.class,
            description = "compression of new layers: gzip (default; gzip:1 fastest … gzip:9 smallest, 6 by default), zstd, none")
    CompressOption compress = CompressOption.parse("gzip");

    static final class CompressConverter implements picocli.CommandLine.ITypeConverter<CompressOption> {
        @Override
        public CompressOption convert(String value) {
            return CompressOption.parse(value);
        }
    }

    @Option(names = "--format", paramLabel = "FMT",
            description = "manifest format: oci or docker (Docker image manifest v2.2, for old registries); "
                    + "default: a pulled image's own, else oci")
    FormatOption format;

    @Option(names = "--parallel", paramLabel = "N", description = "blobs uploaded at once (default: ${DEFAULT-VALUE})")
    int parallel = 4;

    @Parameters(index = "0", paramLabel = "IMAGE_REF", description = "image in the store to push (with --image: its name)")
    String image;

    @Parameters(index = "1", paramLabel = "DEST_REF", arity = "0..1", description = "where to push it (default: IMAGE_REF)")
    String dest;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
        if (parallel < 1) throw new IllegalArgumentException("--parallel must be at least 1: " + parallel);
        Reference name = Reference.parse(image, ctx.env);
        Reference target = dest == null ? null : Reference.parse(dest, ctx.env);
        var options = new Pusher.Options(compress.compression(), compress.gzipLevel(), format == null ? null : format.format, flatten, parallel,
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
        return 0;
    }
}

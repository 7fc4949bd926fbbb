package chj.cli;

import chj.Log;
import chj.image.ManifestFormat;
import chj.image.Pusher;
import chj.image.TransferProgress;
import chj.layer.Compression;
import chj.layer.LayerWriter;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.store.Storage;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "push", description = "Copy an image from the store (or a directory) to a remote registry.")
final class PushCommand implements Callable<Integer> {

    /** The spellings of --compress. */
    enum CompressOption {
        gzip(Compression.GZIP), zstd(Compression.ZSTD), none(Compression.NONE);

        final Compression compression;

        CompressOption(Compression c) {
            compression = c;
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

    @Option(names = "--compress", paramLabel = "ALG", description = "compression of new layers: gzip (default), zstd, none")
    CompressOption compress = CompressOption.gzip;

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
        var options = new Pusher.Options(compress.compression, format == null ? null : format.format, flatten, parallel,
                LayerWriter.sourceDateEpoch(ctx.env));
        try (Storage store = ctx.openStorage();
             RegistryClient registry = ctx.registry(true);
             ProgressBar bar = ProgressBar.forTerminal(ctx.log, "uploading")) {
            Log log = bar == null ? ctx.log : bar.around(ctx.log);
            new Pusher(store, registry, log, bar == null ? TransferProgress.NONE : bar).push(name, imageDir, target, options);
        }
        return 0;
    }
}

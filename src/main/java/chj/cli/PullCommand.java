package chj.cli;

import chj.image.Puller;
import chj.image.TransferProgress;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.store.Storage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "pull", description = "Copy an image from a remote registry to the store.")
final class PullCommand implements Callable<Integer> {

    @ParentCommand
    ImageMain top;

    @Option(names = "--parallel", paramLabel = "N", description = "layers downloaded at once (default: ${DEFAULT-VALUE})")
    int parallel = 4;

    @Parameters(index = "0", paramLabel = "IMAGE_REF", description = "image to pull, e.g. alpine:3.19 or host:5000/path/name:tag")
    String source;

    @Parameters(index = "1", paramLabel = "DEST_REF", arity = "0..1", description = "name in the store (default: IMAGE_REF)")
    String dest;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
        Reference src = Reference.parse(source, ctx.env);
        Reference dst = dest == null ? null : Reference.parse(dest, ctx.env);
        try (Storage store = ctx.openStorage();
             RegistryClient registry = ctx.registry();
             ProgressBar bar = ProgressBar.forTerminal(ctx.log)) {
            new Puller(store, registry, ctx.log, bar == null ? TransferProgress.NONE : bar)
                    .pull(src, dst, new Puller.Options(ctx.arch(), ctx.alwaysDownload(), parallel));
        }
        return 0;
    }
}

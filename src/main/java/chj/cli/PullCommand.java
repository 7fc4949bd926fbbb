package chj.cli;

import chj.args.ArgSpec;
import chj.image.Puller;
import chj.image.TransferProgress;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.store.Storage;

final class PullCommand implements Subcommand {

    private int parallel = 4;
    private String source;
    private String dest;

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image pull", "Copy an image from a remote registry to the store.")
                .value("--parallel", "N", "layers downloaded at once (default: 4)", v -> parallel = ArgSpec.integer("--parallel", v, 1))
                .operand("IMAGE_REF", "image to pull, e.g. alpine:3.19 or host:5000/path/name:tag", v -> source = v)
                .optionalOperand("DEST_REF", "name in the store (default: IMAGE_REF)", v -> dest = v);
    }

    @Override
    public void run(Context ctx) throws Exception {
        Reference src = Reference.parse(source, ctx.env);
        Reference dst = dest == null ? null : Reference.parse(dest, ctx.env);
        try (Storage store = ctx.openStorage();
             RegistryClient registry = ctx.registry();
             ProgressBar bar = ProgressBar.forTerminal(ctx.log)) {
            new Puller(store, registry, ctx.log, bar == null ? TransferProgress.NONE : bar)
                    .pull(src, dst, new Puller.Options(ctx.arch(), ctx.alwaysDownload(), parallel));
        }
    }
}

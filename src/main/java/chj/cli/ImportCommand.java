package chj.cli;

import chj.args.ArgSpec;
import chj.image.Importer;
import chj.oci.Reference;
import chj.store.Storage;
import java.nio.file.Path;

final class ImportCommand implements Subcommand {

    private Path path;
    private String name;

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image import", "Copy an image directory or tarball into the store.")
                .operand("PATH", "directory or tarball (.tar, .tar.gz, .tgz, .tar.zst)", v -> path = Path.of(v))
                .operand("IMAGE_REF", "name in the store", v -> name = v);
    }

    @Override
    public void run(Context ctx) throws Exception {
        Reference ref = Reference.parse(name, ctx.env);
        try (Storage store = ctx.openStorage()) {
            new Importer(store, ctx.log).importImage(path, ref);
        }
    }
}

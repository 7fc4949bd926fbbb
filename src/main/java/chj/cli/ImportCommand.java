package chj.cli;

import chj.image.Importer;
import chj.oci.Reference;
import chj.store.Storage;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "import", description = "Copy an image directory or tarball into the store.")
final class ImportCommand implements Callable<Integer> {

    @ParentCommand
    ImageMain top;

    @Parameters(index = "0", paramLabel = "PATH", description = "directory or tarball (.tar, .tar.gz, .tgz, .tar.zst)")
    Path path;

    @Parameters(index = "1", paramLabel = "IMAGE_REF", description = "name in the store")
    String name;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
        Reference ref = Reference.parse(name, ctx.env);
        try (Storage store = ctx.openStorage()) {
            new Importer(store, ctx.log).importImage(path, ref);
        }
        return 0;
    }
}

package chj.cli;

import chj.image.RemoteDetails;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.store.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "list", description = "List images in the store, or details of one image (local and remote).")
final class ListCommand implements Callable<Integer> {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @ParentCommand
    ImageMain top;

    @Option(names = {"-l", "--long"}, description = "also print when each image was last changed")
    boolean longFormat;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE_REF", description = "print details of this image")
    String ref;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
        try (Storage store = ctx.openStorage()) {
            if (ref == null) {
                for (String name : store.imageNames()) {
                    if (!longFormat) {
                        System.out.println(name);
                        continue;
                    }
                    Path meta = store.imageDir(Reference.toStoreName(name)).resolve("ch/metadata.json");
                    String when = Files.exists(meta) ? WHEN.format(Files.getLastModifiedTime(meta).toInstant()) : "?";
                    System.out.printf("%-40s %s%n", name, when);
                }
                return 0;
            }
            Reference r = Reference.parse(ref, ctx.env);
            try (RegistryClient registry = ctx.registry()) {
                new RemoteDetails(store, registry).print(r, System.out);
            }
        }
        return 0;
    }
}

package chj.cli;

import chj.args.ArgSpec;
import chj.image.RemoteDetails;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.store.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

final class ListCommand implements Subcommand {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private boolean longFormat;
    private String ref;

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image list", "List images in the store, or details of one image (local and remote).")
                .flag("-l, --long", "also print when each image was last changed", () -> longFormat = true)
                .optionalOperand("IMAGE_REF", "print details of this image", v -> ref = v);
    }

    @Override
    public void run(Context ctx) throws Exception {
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
                return;
            }
            Reference r = Reference.parse(ref, ctx.env);
            try (RegistryClient registry = ctx.registry()) {
                new RemoteDetails(store, registry).print(r, System.out);
            }
        }
    }
}

package chj.cli;

import chj.args.ArgSpec;
import chj.oci.Reference;
import chj.store.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

final class DeleteCommand implements Subcommand {

    private final List<String> globs = new ArrayList<>();

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image delete", "Delete images from the store.")
                .operands("IMAGE_GLOB", "image names; shell globs match several (quote them)", globs::add);
    }

    @Override
    public void run(Context ctx) throws Exception {
        try (Storage store = ctx.openStorage()) {
            List<String> names = store.imageNames();
            List<String> missing = new ArrayList<>();
            for (String glob : globs) {
                Pattern p = Glob.toRegex(Reference.fromStoreName(glob));
                List<String> hits = names.stream().filter(n -> p.matcher(n).matches()).toList();
                if (hits.isEmpty()) missing.add(glob);
                for (String n : hits) {
                    if (store.deleteImage(Reference.toStoreName(n))) ctx.log.info("deleted image: " + n);
                }
            }
            if (!missing.isEmpty())
                throw new IllegalArgumentException("no matching image, can't delete: " + String.join(" ", missing));
        }
    }
}

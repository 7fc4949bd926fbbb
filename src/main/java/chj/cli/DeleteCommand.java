package chj.cli;

import chj.oci.Reference;
import chj.store.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "delete", description = "Delete images from the store.")
final class DeleteCommand implements Callable<Integer> {

    @ParentCommand
    ImageMain top;

    @Parameters(arity = "1..*", paramLabel = "IMAGE_GLOB", description = "image names; shell globs match several (quote them)")
    List<String> globs;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
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
        return 0;
    }
}

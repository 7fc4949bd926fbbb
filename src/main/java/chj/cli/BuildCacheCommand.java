package chj.cli;

import chj.build.CacheMaintenance;
import chj.store.Storage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "build-cache", description = "Print information about the build cache, or change it.")
final class BuildCacheCommand implements Callable<Integer> {

    @ParentCommand
    ImageMain top;

    @Option(names = "--reset", description = "empty the build cache")
    boolean reset;

    @Option(names = "--gc", description = "remove states and layers no image in the store needs")
    boolean gc;

    @Option(names = "--tree", description = "print the states as a tree")
    boolean tree;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
        try (Storage store = ctx.openStorage()) {
            CacheMaintenance m = new CacheMaintenance(store);
            if (reset) ctx.log.info("build cache reset: " + m.reset() + " states removed");
            if (gc) {
                CacheMaintenance.Collected c = m.gc();
                ctx.log.info("build cache gc: " + c.states() + " states and " + c.layers() + " layers removed ("
                        + mib(c.bytes()) + " MiB)");
            }
            if (tree) {
                m.tree().forEach(System.out::println);
                return 0;
            }
            CacheMaintenance.Summary s = m.summary();
            System.out.println("named images:     " + s.images().size());
            System.out.println("states:           " + s.states());
            System.out.println("layers:           " + s.layers());
            System.out.println("layer size (MiB): " + mib(s.layerBytes()));
        }
        return 0;
    }

    private static String mib(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }
}

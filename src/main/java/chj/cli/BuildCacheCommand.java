package chj.cli;

import chj.args.ArgSpec;
import chj.build.CacheMaintenance;
import chj.store.Storage;

final class BuildCacheCommand implements Subcommand {

    private boolean reset;
    private boolean gc;
    private boolean tree;

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image build-cache", "Print information about the build cache, or change it.")
                .flag("--gc", "remove states and layers no image in the store needs", () -> gc = true)
                .flag("--reset", "empty the build cache", () -> reset = true)
                .flag("--tree", "print the states as a tree", () -> tree = true);
    }

    @Override
    public void run(Context ctx) throws Exception {
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
                return;
            }
            CacheMaintenance.Summary s = m.summary();
            System.out.println("named images:     " + s.images().size());
            System.out.println("states:           " + s.states());
            System.out.println("layers:           " + s.layers());
            System.out.println("layer size (MiB): " + mib(s.layerBytes()));
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }
}

package chj.cli;

import chj.args.ArgSpec;
import chj.store.Storage;

final class ResetCommand implements Subcommand {

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image reset", "Delete everything in the store and start over.");
    }

    @Override
    public void run(Context ctx) throws Exception {
        var root = ctx.storageRoot();
        Storage.reset(root);
        ctx.log.info("deleted storage directory: " + root);
    }
}

package chj.cli;

import chj.store.Storage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "reset", description = "Delete everything in the store and start over.")
final class ResetCommand implements Callable<Integer> {

    @ParentCommand
    ImageMain top;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
        var root = ctx.storageRoot();
        Storage.reset(root);
        ctx.log.info("deleted storage directory: " + root);
        return 0;
    }
}

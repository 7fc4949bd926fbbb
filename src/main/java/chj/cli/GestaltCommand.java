package chj.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "gestalt", description = "Query the environment: storage-path prints the storage directory.")
final class GestaltCommand implements Callable<Integer> {

    @ParentCommand
    ImageMain top;

    @Parameters(index = "0", paramLabel = "SELECTOR", description = "storage-path")
    String selector;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
        switch (selector) {
            case "storage-path" -> System.out.println(ctx.storageRoot());
            default -> throw new IllegalArgumentException("unknown gestalt selector: " + selector + " (known: storage-path)");
        }
        return 0;
    }
}

package chj.cli;

import chj.args.ArgSpec;

final class GestaltCommand implements Subcommand {

    private String selector;

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image gestalt", "Query the environment: storage-path prints the storage directory.")
                .operand("SELECTOR", "storage-path", v -> selector = v);
    }

    @Override
    public void run(Context ctx) throws Exception {
        switch (selector) {
            case "storage-path" -> System.out.println(ctx.storageRoot());
            default -> throw new IllegalArgumentException("unknown gestalt selector: " + selector + " (known: storage-path)");
        }
    }
}

package chj.cli;

import chj.Version;
import chj.image.ImageException;
import chj.layer.LayerException;
import chj.oci.OciException;
import chj.registry.RegistryException;
import chj.store.StoreException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ch-image}: the image store. Exit status 0 on success, 1 on any error (Charliecloud's). */
@Command(name = "ch-image", mixinStandardHelpOptions = true, versionProvider = ImageMain.VersionProvider.class,
        description = "Build and manage images; talk to registries.")
public final class ImageMain implements Runnable {

    /**
     * The subcommands, in the order help lists them. picocli builds each one's model by reflection,
     * interpreted, from classes the JDK's AOT cache can't keep (picocli is compiled for Java 5):
     * only the subcommand being run is registered, which saves tens of milliseconds per command.
     */
    private static final List<String> SUBCOMMANDS = List.of("build", "build-cache", "pull", "push", "list", "delete",
            "import", "reset", "gestalt", "help");

    // A switch, not a static map of constructor references: JDK 25's AOT cache dump crashes on the
    // latter (archiveHeapWriter "Metadata ... should have been archived").
    private static Object newSubcommand(String name) {
        return switch (name) {
            case "build" -> new BuildCommand();
            case "build-cache" -> new BuildCacheCommand();
            case "pull" -> new PullCommand();
            case "push" -> new PushCommand();
            case "list" -> new ListCommand();
            case "delete" -> new DeleteCommand();
            case "import" -> new ImportCommand();
            case "reset" -> new ResetCommand();
            case "gestalt" -> new GestaltCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Global options that take a value (the next argument, unless attached). */
    private static final Set<String> VALUED_GLOBALS = Set.of("-s", "--storage", "-a", "--arch");

    /** The subcommand {@code args} name, or null (none, or one that isn't ours: picocli says so). */
    static String subcommandOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) return null;
            if (VALUED_GLOBALS.contains(a)) {
                i++;
                continue;
            }
            if (a.startsWith("-")) continue;
            return SUBCOMMANDS.contains(a) && !a.equals("help") ? a : null;
        }
        return null;
    }

    @Mixin
    GlobalOptions global;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "no subcommand specified");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String[] args) {
        CommandLine cl = new CommandLine(new ImageMain());
        String only = subcommandOf(args);
        for (String name : SUBCOMMANDS)
            if (only == null || only.equals(name)) cl.addSubcommand(name, newSubcommand(name));
        if (args.length == 0) {
            cl.usage(System.err);
            return 1;
        }
        cl.setExecutionExceptionHandler(ImageMain::failure);
        cl.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("ch-image: error: " + e.getMessage());
            err.println("ch-image: hint: see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help");
            return 1;
        });
        return cl.execute(args);
    }

    /** One line per error, a hint where we have one; a stack trace only with -vv. */
    private static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        ImageMain top = cl.getCommandSpec().root().userObject() instanceof ImageMain m ? m : null;
        int verbosity = top == null || top.global == null ? 0 : top.global.verbosity();
        ConsoleLog log = new ConsoleLog("ch-image", verbosity, System.err);
        String hint = switch (e) {
            case ImageException x -> x.hint();
            case RegistryException x -> x.hint();
            case StoreException x -> x.hint();
            case OciException x -> x.hint();
            case chj.build.BuildException x -> x.hint();
            default -> null;
        };
        boolean expected = e instanceof ImageException || e instanceof RegistryException || e instanceof StoreException
                || e instanceof OciException || e instanceof LayerException || e instanceof chj.build.BuildException || e instanceof IllegalArgumentException;
        log.error(e.getMessage() == null ? e.toString() : e.getMessage());
        if (hint != null) log.hint(hint);
        if (!expected || verbosity >= 2) e.printStackTrace(System.err);
        return 1;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Version.VERSION};
        }
    }
}

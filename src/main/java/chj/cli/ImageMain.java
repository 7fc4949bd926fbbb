package chj.cli;

import chj.Version;
import chj.image.ImageException;
import chj.layer.LayerException;
import chj.oci.OciException;
import chj.registry.RegistryException;
import chj.store.StoreException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ch-image}: the image store. Exit status 0 on success, 1 on any error (Charliecloud's). */
@Command(name = "ch-image", mixinStandardHelpOptions = true, versionProvider = ImageMain.VersionProvider.class,
        description = "Build and manage images; talk to registries.",
        subcommands = {BuildCommand.class, BuildCacheCommand.class, PullCommand.class, PushCommand.class, ListCommand.class, DeleteCommand.class, ImportCommand.class,
                ResetCommand.class, GestaltCommand.class, CommandLine.HelpCommand.class})
public final class ImageMain implements Runnable {

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

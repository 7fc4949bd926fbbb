package chj.cli;

import chj.Version;
import chj.args.ArgException;
import chj.args.ArgParser;
import chj.args.ArgSpec;
import chj.image.ImageException;
import chj.layer.LayerException;
import chj.oci.OciException;
import chj.registry.RegistryException;
import chj.store.StoreException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code ch-image}: the image store. Exit status 0 on success, 1 on any error (Charliecloud's). */
public final class ImageMain {
    private ImageMain() {}

    private static final String SUMMARY = "Build and manage images; talk to registries.";

    /** The subcommands, in the order help lists them. */
    private static final List<String> SUBCOMMANDS = List.of("build", "build-cache", "pull", "push", "list", "delete",
            "import", "reset", "gestalt");

    // A switch, not a static map of constructor references: JDK 25's AOT cache dump crashes on the
    // latter (archiveHeapWriter "Metadata ... should have been archived").
    private static Subcommand newSubcommand(String name) {
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
            default -> null;
        };
    }

    public static void main(String[] args) {
        int status = execute(args);
        exit(status);
    }

    /**
     * Ends the JVM with {@code status} once the command is done. {@code System.exit} first looks up
     * the System.Logger for its exit event, which starts the JDK's logging back end (a service scan
     * of the class path): 15 ms of every command. ch-image registers no shutdown hooks, so after
     * flushing the output it halts. (Ctrl-C and kill still run the JDK's own hooks.)
     */
    static void exit(int status) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /** Runs ch-image with {@code args}; returns its exit status. */
    static int execute(String[] args) {
        GlobalOptions global = new GlobalOptions();
        ArgSpec top = global.spec("ch-image", SUMMARY);
        String helpFor = "ch-image";
        try {
            List<String> operands = new ArrayList<>();
            int at = ArgParser.parse(args, 0, List.of(top), operands, true);
            if (at >= args.length) {
                if (global.version) {
                    System.out.println(Version.VERSION);
                    return 0;
                }
                PrintStream to = global.help ? System.out : System.err;
                to.print(topHelp(top));
                return global.help ? 0 : 1;
            }
            String name = args[at];
            if (name.equals("help")) return help(args, at + 1, top);
            Subcommand sub = newSubcommand(name);
            if (sub == null) throw new ArgException("unknown subcommand: " + name + " (known: " + String.join(", ", SUBCOMMANDS) + ")");
            helpFor = "ch-image " + name;
            ArgSpec spec = sub.spec();
            ArgParser.parse(args, at + 1, List.of(spec, top), operands, false);
            if (global.help) {
                System.out.print(spec.help("Global options", top));
                return 0;
            }
            if (global.version) {
                System.out.println(Version.VERSION);
                return 0;
            }
            spec.bindOperands(operands);
            sub.run(new Context(global));
            return 0;
        } catch (ArgException e) {
            System.err.println("ch-image: error: " + e.getMessage());
            System.err.println("ch-image: hint: see: " + helpFor + " --help");
            return 1;
        } catch (Exception e) {
            return failure(e, global.verbosity());
        }
    }

    /** {@code ch-image help [SUBCOMMAND]}. */
    private static int help(String[] args, int from, ArgSpec top) throws ArgException {
        if (from >= args.length) {
            System.out.print(topHelp(top));
            return 0;
        }
        Subcommand sub = newSubcommand(args[from]);
        if (sub == null) throw new ArgException("unknown subcommand: " + args[from]);
        if (from + 1 < args.length) throw new ArgException("unexpected argument: " + args[from + 1]);
        System.out.print(sub.spec().help("Global options", top));
        return 0;
    }

    private static String topHelp(ArgSpec top) {
        StringBuilder s = new StringBuilder("Usage: ch-image [OPTION...] SUBCOMMAND [OPTION...] [ARG...]\n\n")
                .append(SUMMARY).append("\n\nSubcommands:\n");
        for (String name : SUBCOMMANDS) {
            s.append("  ").append(name).append(" ".repeat(14 - name.length())).append(newSubcommand(name).spec().summary()).append('\n');
        }
        s.append("  help          print the help of a subcommand: ch-image help SUBCOMMAND\n\n");
        String options = top.help("", null);
        s.append(options, options.indexOf("Options:"), options.length());
        return s.toString();
    }

    /** One line per error, a hint where we have one; a stack trace only with -vv, or for the unexpected. */
    private static int failure(Exception e, int verbosity) {
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
                || e instanceof OciException || e instanceof LayerException || e instanceof chj.build.BuildException
                || e instanceof IllegalArgumentException;
        log.error(e.getMessage() == null ? e.toString() : e.getMessage());
        if (hint != null) log.hint(hint);
        if (!expected || verbosity >= 2) e.printStackTrace(System.err);
        return 1;
    }
}

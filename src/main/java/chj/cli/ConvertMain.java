package chj.cli;

import chj.convert.ConvertException;
import chj.convert.Converter;
import chj.convert.Format;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ch-convert}: convert an image between formats. Exit status 0 on success, 1 on any error (Charliecloud's). */
@Command(name = "ch-convert", mixinStandardHelpOptions = true, versionProvider = ImageMain.VersionProvider.class,
        description = {"Convert an image from one format to another.",
                "Formats: ch-image, dir, tar (.tar, .tar.gz, .tgz, .tar.zst), squash, oci (directory or .tar, PATH[:TAG]),"
                        + " docker, podman. Formats not given are inferred from IN and OUT."})
public final class ConvertMain implements Callable<Integer> {

    @Option(names = {"-i", "--in-fmt"}, paramLabel = "FMT", description = "input format")
    String inFormat;

    @Option(names = {"-o", "--out-fmt"}, paramLabel = "FMT", description = "output format")
    String outFormat;

    @Option(names = {"-n", "--dry-run"}, description = "don't convert; just say what would be done")
    boolean dryRun;

    @Option(names = "--no-clobber", description = "error if OUT already exists, rather than replacing it")
    boolean noClobber;

    @Option(names = {"-s", "--storage"}, paramLabel = "DIR", description = "ch-image storage directory")
    String storage;

    @Option(names = "--tmp", paramLabel = "DIR", description = "directory for temporary files (default: $TMPDIR, else /var/tmp)")
    String tmp;

    @Option(names = "--xattrs", negatable = true, description = "keep extended attributes (user.* only); default: $CH_XATTRS set")
    Boolean xattrs;

    private int verbose;
    private int quiet;

    @Option(names = {"-v", "--verbose"}, description = "print extra chatter (repeatable)")
    void verbose(boolean[] v) {
        verbose = v.length;
    }

    @Option(names = {"-q", "--quiet"}, description = "print less output (repeatable)")
    void quiet(boolean[] q) {
        quiet = q.length;
    }

    @Parameters(index = "0", paramLabel = "IN", description = "input image")
    String in;

    @Parameters(index = "1", paramLabel = "OUT", description = "output image")
    String out;

    int verbosity() {
        return Math.min(3, verbose) - Math.min(3, quiet);
    }

    @Override
    public Integer call() throws ConvertException {
        Map<String, String> env = System.getenv();
        ConsoleLog log = new ConsoleLog("ch-convert", verbosity(), System.err);
        String user = env.getOrDefault("USER", System.getProperty("user.name"));
        String fromEnv = env.get("CH_XATTRS");
        boolean keepXattrs = xattrs != null ? xattrs : fromEnv != null && !fromEnv.isEmpty() && !fromEnv.equals("0");
        Converter converter = new Converter(new Converter.Options(storage, tmp, noClobber, dryRun, keepXattrs, verbosity()),
                env, user, log);
        converter.convert(in, inFormat == null ? null : Format.parse(inFormat), out, outFormat == null ? null : Format.parse(outFormat));
        return 0;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs ch-convert with {@code args}; returns its exit status. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new ConvertMain());
        cl.setExecutionExceptionHandler(ConvertMain::failure);
        cl.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("ch-convert: error: " + e.getMessage());
            err.println("ch-convert: hint: see: ch-convert --help");
            return 1;
        });
        return cl.execute(args);
    }

    /** One line per error, a hint where there is one; a stack trace only for the unexpected or with -vv. */
    private static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        ConvertMain m = cl.getCommand() instanceof ConvertMain c ? c : null;
        int verbosity = m == null ? 0 : m.verbosity();
        ConsoleLog log = new ConsoleLog("ch-convert", verbosity, System.err);
        log.error(e.getMessage() == null ? e.toString() : e.getMessage());
        if (e instanceof ConvertException c && c.hint() != null) log.hint(c.hint());
        if (!(e instanceof ConvertException) || verbosity >= 2) e.printStackTrace(System.err);
        return 1;
    }

}

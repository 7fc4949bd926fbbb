package chj.cli;

import chj.convert.ConvertException;
import chj.convert.Converter;
import chj.convert.Format;
import chj.Version;
import chj.args.ArgException;
import chj.args.ArgParser;
import chj.args.ArgSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code ch-convert}: convert an image between formats. Exit status 0 on success, 1 on any error (Charliecloud's). */
public final class ConvertMain {

    private static final String SUMMARY = """
            Convert an image from one format to another.
            Formats: ch-image, dir, tar (.tar, .tar.gz, .tgz, .tar.zst), squash, oci (directory or .tar, PATH[:TAG]),
            docker, podman. Formats not given are inferred from IN and OUT.""";

    private String inFormat;
    private String outFormat;
    private boolean dryRun;
    private boolean noClobber;
    private String storage;
    private String tmp;
    private Boolean xattrs;
    private boolean help;
    private boolean version;
    private int verbose;
    private int quiet;
    private String in;
    private String out;

    private ArgSpec spec() {
        return new ArgSpec("ch-convert", SUMMARY)
                .flag("-h, --help", "print this help and exit", () -> help = true)
                .value("-i, --in-fmt", "FMT", "input format", v -> inFormat = v)
                .flag("-n, --dry-run", "don't convert; just say what would be done", () -> dryRun = true)
                .flag("--no-clobber", "error if OUT already exists, rather than replacing it", () -> noClobber = true)
                .flag("--no-xattrs", "drop extended attributes", () -> xattrs = false)
                .value("-o, --out-fmt", "FMT", "output format", v -> outFormat = v)
                .flag("-q, --quiet", "print less output (repeatable)", () -> quiet++)
                .value("-s, --storage", "DIR", "ch-image storage directory", v -> storage = v)
                .value("--tmp", "DIR", "directory for temporary files (default: $TMPDIR, else /var/tmp)", v -> tmp = v)
                .flag("-v, --verbose", "print extra chatter (repeatable)", () -> verbose++)
                .flag("-V, --version", "print version and exit", () -> version = true)
                .flag("--xattrs", "keep extended attributes (user.* only); default: $CH_XATTRS set", () -> xattrs = true)
                .operand("IN", "input image", v -> in = v)
                .operand("OUT", "output image", v -> out = v);
    }

    int verbosity() {
        return Math.min(3, verbose) - Math.min(3, quiet);
    }

    private void convert() throws ConvertException {
        Map<String, String> env = System.getenv();
        ConsoleLog log = new ConsoleLog("ch-convert", verbosity(), System.err);
        String user = env.getOrDefault("USER", System.getProperty("user.name"));
        String fromEnv = env.get("CH_XATTRS");
        boolean keepXattrs = xattrs != null ? xattrs : fromEnv != null && !fromEnv.isEmpty() && !fromEnv.equals("0");
        Converter converter = new Converter(new Converter.Options(storage, tmp, noClobber, dryRun, keepXattrs, verbosity()),
                env, user, log);
        converter.convert(in, inFormat == null ? null : Format.parse(inFormat), out, outFormat == null ? null : Format.parse(outFormat));
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs ch-convert with {@code args}; returns its exit status. */
    public static int execute(String... args) {
        ConvertMain m = new ConvertMain();
        ArgSpec spec = m.spec();
        try {
            List<String> operands = new ArrayList<>();
            ArgParser.parse(args, 0, List.of(spec), operands, false);
            if (m.help) {
                System.out.print(spec.help(null, null));
                return 0;
            }
            if (m.version) {
                System.out.println(Version.VERSION);
                return 0;
            }
            spec.bindOperands(operands);
            m.convert();
            return 0;
        } catch (ArgException e) {
            System.err.println("ch-convert: error: " + e.getMessage());
            System.err.println("ch-convert: hint: see: ch-convert --help");
            return 1;
        } catch (Exception e) {
            return failure(e, m.verbosity());
        }
    }

    /** One line per error, a hint where there is one; a stack trace only for the unexpected or with -vv. */
    private static int failure(Exception e, int verbosity) {
        ConsoleLog log = new ConsoleLog("ch-convert", verbosity, System.err);
        log.error(e.getMessage() == null ? e.toString() : e.getMessage());
        if (e instanceof ConvertException c && c.hint() != null) log.hint(c.hint());
        if (!(e instanceof ConvertException) || verbosity >= 2) e.printStackTrace(System.err);
        return 1;
    }
}

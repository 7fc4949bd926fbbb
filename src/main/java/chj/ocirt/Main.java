package chj.ocirt;

import chj.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * ch-run-oci's Java half: the operations that need more than a few lines of sh. bin/ch-run-oci
 * does {@code state}, {@code start}, {@code kill} and {@code delete} itself (Buildah polls
 * {@code state} ten times a second; a JVM start costs ~40 ms of CPU, a sh one ~1 ms) and calls
 * this for {@code create}, {@code features} and {@code --version}, with the global options it
 * has already resolved: {@code --root=DIR [--log=FILE] [--log-format=text|json] [--debug] COMMAND ...}.
 *
 * <p>System properties from the launcher: {@code chj.home}, the install (bin/ch-run and
 * bin/ch-run-oci below it).
 */
public final class Main {
    /** runc's spec version range: what config.json versions create accepts. */
    static final String SPEC_VERSION = "1.2.0";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Global options, as the launcher hands them on. */
    record Globals(Path root, String log, RuntimeLog.Format format, boolean debug) {}

    static int run(String[] args) {
        RuntimeLog log = RuntimeLog.stderr(false);
        try {
            int i = 0;
            Path root = null;
            String logFile = null;
            RuntimeLog.Format format = RuntimeLog.Format.TEXT;
            boolean debug = false;
            for (; i < args.length && args[i].startsWith("--"); i++) {
                String a = args[i];
                if (a.startsWith("--root=")) root = Path.of(a.substring(7)).toAbsolutePath();
                else if (a.startsWith("--log=")) logFile = a.substring(6);
                else if (a.equals("--log-format=json")) format = RuntimeLog.Format.JSON;
                else if (a.equals("--log-format=text")) format = RuntimeLog.Format.TEXT;
                else if (a.equals("--debug")) debug = true;
                else if (a.equals("--version")) break;
                else throw new OciRuntimeException("unknown global option: " + a);
            }
            if (i >= args.length) throw new OciRuntimeException("no command given", "see: ch-run-oci --help");
            log = RuntimeLog.open(logFile, format, debug);
            Globals g = new Globals(root, logFile, format, debug);
            List<String> rest = List.of(args).subList(i + 1, args.length);
            return switch (args[i]) {
                case "create" -> create(g, rest, Path.of(System.getProperty("chj.home", ".")), log);
                case "features" -> {
                    System.out.println(Features.json());
                    yield 0;
                }
                case "--version" -> {
                    System.out.println("ch-run-oci version " + Version.VERSION + "\nspec: " + SPEC_VERSION);
                    yield 0;
                }
                default -> throw new OciRuntimeException("unknown command: " + args[i], "see: ch-run-oci --help");
            };
        } catch (OciRuntimeException e) {
            log.error(e.getMessage(), e.hint());
            return 1;
        }
    }

    /**
     * {@code create [--bundle DIR] [--pid-file FILE] [--console-socket S] [--no-pivot] [--no-new-keyring] ID};
     * {@code home} is the install, with bin/ch-run and bin/ch-run-oci.
     */
    static int create(Globals g, List<String> args, Path home, RuntimeLog log) throws OciRuntimeException {
        Path bundle = Path.of("").toAbsolutePath();
        Path pidFile = null;
        String id = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.startsWith("--") ? a.substring(2) : a.startsWith("-") && a.length() > 1 ? a.substring(1) : null;
            if (name == null) {
                if (id != null) throw new OciRuntimeException("create: more than one container id: " + id + ", " + a);
                id = a;
                continue;
            }
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            switch (name) {
                case "bundle", "b", "pid-file", "console-socket", "preserve-fds" -> {
                    if (value == null) {
                        if (++i >= args.size()) throw new OciRuntimeException("create: --" + name + " needs a value");
                        value = args.get(i);
                    }
                    switch (name) {
                        case "bundle", "b" -> bundle = Path.of(value).toAbsolutePath().normalize();
                        case "pid-file" -> pidFile = Path.of(value).toAbsolutePath();
                        case "console-socket" -> throw new OciRuntimeException(
                                "create: --console-socket: ch-run-oci cannot give a container a terminal",
                                "run buildah with stdin not a terminal, e.g. < /dev/null");
                        default -> {
                            if (!value.equals("0"))
                                throw new OciRuntimeException("create: --preserve-fds " + value + ": not supported");
                        }
                    }
                }
                case "no-pivot" -> log.debug("create --no-pivot ignored: ch-run always pivots");
                case "no-new-keyring" -> log.debug("create --no-new-keyring: ch-run makes no keyring anyway");
                default -> throw new OciRuntimeException("create: unknown option: " + a);
            }
        }
        if (id == null) throw new OciRuntimeException("create: container id missing");
        if (g.root() == null) throw new OciRuntimeException("create: no state root (the launcher passes --root)");
        byte[] json;
        try {
            json = Files.readAllBytes(bundle.resolve("config.json"));
        } catch (IOException e) {
            throw new OciRuntimeException("can't read " + bundle.resolve("config.json") + ": " + e.getMessage());
        }
        BundleConfig config = BundleConfig.parse(json);
        Path ctr = StateDir.of(g.root(), id);
        LaunchPlan plan = LaunchPlan.of(config, bundle, home.resolve("bin/ch-run").toString(),
                ctr.resolve(StateDir.ENV), g.debug(), log);

        StateDir dir = StateDir.claim(g.root(), id);
        Process holder = null;
        try {
            dir.writeHead(config.ociVersion(), bundle, Instant.now().toString(), config.annotations());
            dir.writeEnv(plan.env());
            dir.writeArgv(plan.argv(), plan.umask());
            MountPoints.ensure(plan.rootfs(), plan.mountPoints(), log);
            holder = Holder.start(dir, plan.privateNetwork(), home.resolve("bin/ch-run-oci"));
            long pid = holder.pid();
            dir.writeHolder(pid, Holder.startTime(pid));
            if (pidFile != null) StateDir.writeAtomically(pidFile, Long.toString(pid));
            log.debug("created " + id + ": pid " + pid + ", " + String.join(" ", plan.argv()));
            return 0;
        } catch (OciRuntimeException | RuntimeException e) {
            if (holder != null) holder.destroyForcibly();
            dir.remove();
            throw e;
        }
    }
}

package chj.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ch-run command line other parts of chj start (ch-image build's RUN, ch-run-oci), for a
 * ProcessBuilder. ch-run must be started through its launcher, bin/ch-run: the namespaces are
 * made by unshare(1) before the JVM starts, so there is no in-process entry.
 *
 * <pre>
 *   List&lt;String&gt; argv = RunCommand.of(RunCommand.launcher(), "debian:12")
 *           .storage(storageDir).rootEmulation().writable()
 *           .setEnv("PATH=/usr/sbin:/usr/bin:/sbin:/bin").cd("/")
 *           .command("/bin/sh", "-c", "apt-get -o APT::Sandbox::User=root install -y hello");
 * </pre>
 */
public final class RunCommand {
    private final String launcher;
    private final String image;
    private final List<String> options = new ArrayList<>();

    private RunCommand(String launcher, String image) {
        this.launcher = launcher;
        this.image = image;
    }

    /** image: a name in the storage directory, a directory, or a SquashFS file. */
    public static RunCommand of(Path launcher, String image) {
        return new RunCommand(launcher.toString(), image);
    }

    /**
     * bin/ch-run of this installation: -Dchj.home (the launchers can set it from CHJ_HOME), else
     * $CHJ_HOME, else next to the jar this class came from (INSTALL/target/chj.jar).
     */
    public static Path launcher() {
        String home = System.getProperty("chj.home");
        if (home == null || home.isEmpty()) home = System.getenv("CHJ_HOME");
        if (home != null && !home.isEmpty()) return Path.of(home, "bin", "ch-run");
        try {
            Path jar = Path.of(RunCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().resolve("bin").resolve("ch-run");
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("can't find bin/ch-run (set CHJ_HOME)", e);
        }
    }

    /** -s DIR. */
    public RunCommand storage(Path dir) { return add("--storage=" + dir); }

    /**
     * Root emulation as for builds: uid 0 and the seccomp filter (--seccomp), the image's own
     * /etc/passwd and /etc/group (--no-passwd), and --unsafe so that an image in the store may be
     * written. apt needs "-o APT::Sandbox::User=root" in the command.
     */
    public RunCommand rootEmulation() { return add("--seccomp").add("--no-passwd").add("--unsafe"); }

    /** -w: write to the image itself. */
    public RunCommand writable() { return add("--write"); }

    /** --set-env=NAME=VALUE. */
    public RunCommand setEnv(String assignment) {
        if (assignment.indexOf('=') <= 0) throw new IllegalArgumentException("not NAME=VALUE: " + assignment);
        return add("--set-env=" + assignment);
    }

    /** --set-env without argument: the image's /ch/environment. */
    public RunCommand imageEnv() { return add("--set-env"); }

    /** --unset-env=GLOB. */
    public RunCommand unsetEnv(String glob) { return add("--unset-env=" + glob); }

    /** -c DIR. */
    public RunCommand cd(String dir) { return add("--cd=" + dir); }

    /** -b SRC:DST. */
    public RunCommand bind(String src, String dst) { return add("--bind=" + src + ":" + dst); }

    /** Any other ch-run option, e.g. "-t". */
    public RunCommand option(String option) { return add(option); }

    private RunCommand add(String option) {
        options.add(option);
        return this;
    }

    /** The full argv: launcher, options, image, "--", command. */
    public List<String> command(String... cmd) {
        if (cmd.length == 0) throw new IllegalArgumentException("no command");
        List<String> argv = new ArrayList<>();
        argv.add(launcher);
        argv.addAll(options);
        argv.add(image);
        argv.add("--");
        argv.addAll(List.of(cmd));
        return argv;
    }
}

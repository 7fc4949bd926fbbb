package chj.build;

import chj.build.dockerfile.StageBuild;
import chj.build.dockerfile.Step;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs a RUN instruction's command in an image tree through {@code bin/ch-run}: as uid 0 of a
 * user namespace, writable ({@code -w --unsafe}: the tree is a staging directory of the store),
 * with exactly the step's environment ({@code --unset-env='*'} then each variable, unexpanded), its
 * working directory, the user's binds, and {@code --seccomp} in the default force mode.
 *
 * <p>Charliecloud's apt fix for seccomp mode: apt drops privileges to {@code _apt} for downloads,
 * which fails in a namespace with one uid; on Debian-family images the build writes
 * {@code /etc/apt/apt.conf.d/no-sandbox} ({@code APT::Sandbox::User "root";}), which is what
 * Charliecloud's {@code -o APT::Sandbox::User=root} rewrite does, and counts the RUNs that use apt.
 */
final class Runner {

    static final String NO_SANDBOX = "/etc/apt/apt.conf.d/no-sandbox";
    private static final Pattern USES_APT = Pattern.compile("(^|[\\s;&|(/])(apt|apt-get)(\\s|$)");
    /** Where a RUN here-document script is put for the run; {@code ch/} never reaches a layer. */
    private static final String SCRIPT_DIR = "/ch/run-scripts";

    private final Path launcher;
    private final ForceMode force;
    private final List<String> binds;

    Runner(Path launcher, ForceMode force, List<String> binds) {
        this.launcher = launcher;
        this.force = force;
        this.binds = List.copyOf(binds);
    }

    /** bin/ch-run next to the jar this class came from (INSTALL/target/chj.jar), or from CHJ_HOME. */
    static Path defaultLauncher() {
        String home = System.getenv("CHJ_HOME");
        if (home != null && !home.isEmpty()) return Path.of(home, "bin", "ch-run");
        try {
            Path jar = Path.of(Runner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().resolve("bin").resolve("ch-run");
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("can't find bin/ch-run (set CHJ_HOME)", e);
        }
    }

    /**
     * Prepares a Debian-family tree for apt under seccomp; true if this RUN is one Charliecloud's
     * rewrite would have modified.
     */
    boolean prepareApt(Path root, Step.Run step) throws IOException {
        if (force != ForceMode.SECCOMP) return false;
        if (!Files.isRegularFile(root.resolve("etc/debian_version"))) return false;
        Path confDir = root.resolve("etc/apt/apt.conf.d");
        if (Files.isDirectory(confDir) && !Files.isSymbolicLink(confDir)) {
            Path f = root.resolve(NO_SANDBOX.substring(1));
            if (!Files.exists(f)) Files.writeString(f, "APT::Sandbox::User \"root\";\n");
        }
        return USES_APT.matcher(String.join(" ", step.argv())).find();
    }

    /**
     * The container for RUNs in {@code root}, kept for the next one; null where none can be had
     * (then each RUN starts ch-run on its own, as before).
     */
    private RunSession session;
    private boolean sessionsWork = !"0".equals(System.getenv("CHJ_RUN_SESSION"));

    /** The options of every RUN's ch-run: root emulation, uid 0, writable tree, the user's binds. */
    private List<String> containerOptions() {
        List<String> o = new ArrayList<>();
        if (force == ForceMode.SECCOMP) o.add("--seccomp");
        o.add("--uid=0");
        o.add("--gid=0");
        o.addAll(List.of("-w", "--unsafe", "--no-passwd"));
        for (String b : binds) o.add("--bind=" + b);
        return o;
    }

    /** What one RUN asks for: exactly its environment, its directory, then {@code --} and its command. */
    private static List<String> request(Step.Run step, List<String> argv) {
        List<String> r = new ArrayList<>(List.of("--env-no-expand", "--unset-env=*"));
        for (Map.Entry<String, String> e : step.environment().entrySet())
            r.add("--set-env=" + e.getKey() + "=" + e.getValue());
        if (!step.environment().containsKey("PATH")) r.add("--set-env=PATH=" + StageBuild.DEFAULT_PATH);
        r.add("--cd=" + (step.workingDir() == null || step.workingDir().isEmpty() ? "/" : step.workingDir()));
        r.add("--");
        r.addAll(argv);
        return r;
    }

    /**
     * Starts the container for RUNs in {@code root} unless it is running: its JVM starts while the
     * caller is still filling the tree (the container is built on the first RUN).
     */
    void prepare(Path root) {
        if (session != null && !session.root().equals(root)) closeSession();
        if (session != null || !sessionsWork) return;
        try {
            session = RunSession.start(launcher, containerOptions(), root);
        } catch (IOException e) {
            sessionsWork = false;   // no socket here: one ch-run per RUN
        }
    }

    /** Ends the session of the current tree (before the tree goes away). */
    void closeSession() {
        if (session != null) session.close();
        session = null;
    }

    /** Runs the step; returns its exit status. */
    int run(Path root, Step.Run step) throws BuildException {
        List<String> argv = new ArrayList<>(step.argv());
        Path scriptFile = null;
        try {
            if (step.script() != null) {
                String inImage = SCRIPT_DIR + "/" + step.script().name();
                scriptFile = root.resolve(inImage.substring(1));
                Files.createDirectories(scriptFile.getParent());
                Files.writeString(scriptFile, step.script().content(), StandardCharsets.UTF_8);
                scriptFile.toFile().setExecutable(true, false);
                argv.replaceAll(a -> a.equals(step.script().path()) ? inImage : a);
            }
            List<String> request = request(step, argv);
            prepare(root);
            if (session != null) {
                try {
                    return session.run(request);
                } catch (IOException e) {
                    closeSession();
                    throw new BuildException("RUN: " + e.getMessage(), null, e);
                }
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(launcher.toString());
            cmd.addAll(containerOptions());
            int dashes = request.indexOf("--");
            cmd.addAll(request.subList(0, dashes));
            cmd.add(root.toString());
            cmd.addAll(request.subList(dashes, request.size()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                p.destroy();
                Thread.currentThread().interrupt();
                throw new BuildException("interrupted");
            }
        } catch (IOException e) {
            throw new BuildException("can't run " + launcher + ": " + e.getMessage(), null, e);
        } finally {
            if (scriptFile != null) {
                try {
                    Files.deleteIfExists(scriptFile);
                } catch (IOException ignored) {
                    // ch/ is rewritten when the image is published
                }
            }
        }
    }
}

package chj.ocirt;

import chj.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How ch-run runs a bundle: the ch-run command line, the environment, the umask, whether the
 * container gets its own network namespace, and which mount points the image lacks. Made from
 * {@link BundleConfig} at {@code create} (later edits to config.json have no effect, as the spec
 * says). What an unprivileged runtime cannot honour is left out with one debug line each; what
 * would make the container misbehave silently (a terminal, hooks) is refused.
 *
 * <p>The mapping, and why:
 * <ul>
 *   <li>uid 0 → {@code --seccomp}: root emulation, as Buildah's RUN steps expect; other uids →
 *       {@code --uid/--gid} (one mapped id, no emulation).</li>
 *   <li>{@code process.env} is the whole environment: {@code --unset-env=*}, then {@code --set-env0}
 *       of a NUL-separated file (values may hold newlines) with {@code --env-no-expand}; each value
 *       is wrapped in single quotes, which ch-run strips, so a value that is itself quoted survives.
 *       HOME, when missing, comes from the image's /etc/passwd as runc does.</li>
 *   <li>{@code root.readonly} false → {@code -w}; the image's own /etc/passwd and /etc/group
 *       ({@code --no-passwd}), as a build needs; a private /tmp ({@code -t}) rather than the host's.</li>
 *   <li>bind mounts → {@code -b SRC:DST}; /proc, /sys, /dev and their sub-mounts are the host's,
 *       which ch-run binds anyway.</li>
 * </ul>
 */
record LaunchPlan(List<String> argv, List<String> env, Integer umask, boolean privateNetwork, Path rootfs,
                  List<MountPoint> mountPoints) {

    /** A path the image must have for a mount (created as runc does, see {@link MountPoints}). */
    record MountPoint(String path, boolean directory) {}

    /** Directories ch-run mounts on in every container. */
    private static final List<String> CH_RUN_MOUNT_POINTS = List.of("/dev", "/proc", "/sys", "/tmp");

    /**
     * @param chRun   the ch-run launcher to run
     * @param envFile where the environment file will be (inside the container's state directory)
     * @param verbose whether ch-run should say what it does (the runtime's --debug)
     */
    static LaunchPlan of(BundleConfig c, Path bundle, String chRun, Path envFile, boolean verbose, Log log) throws OciRuntimeException {
        if (!c.ociVersion().startsWith("1."))
            throw new OciRuntimeException("config.json: ociVersion " + c.ociVersion() + " not supported (1.x is)");
        BundleConfig.Process p = c.process();
        if (p == null) throw new OciRuntimeException("config.json: no process to run");
        if (p.terminal())
            throw new OciRuntimeException("config.json: process.terminal: ch-run-oci cannot give a container a terminal",
                    "run buildah with stdin not a terminal, e.g. < /dev/null");
        if (p.args().isEmpty()) throw new OciRuntimeException("config.json: process.args is empty");
        for (String a : p.args())
            if (a.indexOf('\0') >= 0) throw new OciRuntimeException("config.json: process.args: an argument holds a NUL byte");
        if (p.cwd() == null || !p.cwd().startsWith("/"))
            throw new OciRuntimeException("config.json: process.cwd: not an absolute path: " + p.cwd());
        if (c.hooks())
            throw new OciRuntimeException("config.json: hooks: ch-run-oci does not run hooks",
                    "hooks set up what the container needs (e.g. GPUs); use ch-fromhost instead");
        if (c.root() == null) throw new OciRuntimeException("config.json: root missing");
        Path rootfs = bundle.resolve(c.root().path()).normalize();
        if (!Files.isDirectory(rootfs))
            throw new OciRuntimeException("config.json: root.path: not a directory: " + rootfs);
        boolean readonly = c.root().readonly();

        List<String> argv = new ArrayList<>(List.of(chRun, "--no-passwd"));
        if (!readonly) argv.add("-w");
        BundleConfig.User u = p.user();
        if (u.uid() == 0) {
            argv.add("--seccomp");
            if (u.gid() != 0) argv.add("--gid=" + u.gid());
        } else {
            argv.add("--uid=" + u.uid());
            argv.add("--gid=" + u.gid());
        }
        for (long g : u.additionalGids())
            if (g != u.gid())
                log.debug("process.user.additionalGids " + g + " ignored: an unprivileged process has only its own group");
        argv.add("--cd=" + p.cwd());

        List<MountPoint> mountPoints = new ArrayList<>();
        for (int i = 0; i < c.mounts().size(); i++) {
            BundleConfig.Mount m = c.mounts().get(i);
            String dst = m.destination().startsWith("/") ? m.destination() : "/" + m.destination();
            String what = "mounts[" + i + "] (" + (m.type() == null ? "bind" : m.type()) + " at " + dst + ")";
            if (under(dst, "/proc") || under(dst, "/sys") || under(dst, "/dev")) {
                log.debug(what + " ignored: ch-run binds the host's /dev, /proc and /sys");
            } else if (m.isBind()) {
                if (m.source() == null) throw new OciRuntimeException("config.json: " + what + ": no source");
                Path src = bundle.resolve(m.source()).normalize();
                if (!Files.exists(src)) throw new OciRuntimeException("config.json: " + what + ": source not found: " + src);
                if (src.toString().contains(":") || dst.contains(":")) {
                    log.warning(what + " ignored: ch-run's --bind cannot name a path with ':'");
                    continue;
                }
                if (m.options().contains("ro"))
                    log.warning(what + " is read-only in config.json but bound read-write: ch-run binds read-write only");
                argv.add("--bind=" + src + ":" + dst);
                mountPoints.add(new MountPoint(dst, Files.isDirectory(src)));
            } else if ("tmpfs".equals(m.type()) && dst.equals("/tmp")) {
                log.debug(what + ": ch-run's --private-tmp");
            } else {
                log.warning(what + " ignored: ch-run-oci makes bind mounts only");
            }
        }
        argv.add("--private-tmp");
        for (String d : CH_RUN_MOUNT_POINTS.reversed()) mountPoints.addFirst(new MountPoint(d, true));
        if (readonly) mountPoints.clear();

        argv.add("--unset-env=*");
        argv.add("--env-no-expand");
        argv.add("--set-env0=" + envFile);
        if (verbose) argv.add("--verbose");
        argv.add(rootfs.toString());
        argv.add("--");
        argv.addAll(p.args());

        List<String> env = environment(p, rootfs, log);
        boolean privateNet = namespaces(c, log);
        ignored(c, p, log);
        return new LaunchPlan(List.copyOf(argv), env, u.umask(), privateNet, rootfs, List.copyOf(mountPoints));
    }

    /** ch-run --set-env0 records: NAME='VALUE' (ch-run strips one pair of quotes), HOME added if missing. */
    private static List<String> environment(BundleConfig.Process p, Path rootfs, Log log) {
        List<String> env = new ArrayList<>();
        boolean home = false;
        for (String kv : p.env()) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || kv.indexOf('\0') >= 0) {
                log.warning("process.env entry ignored: not NAME=VALUE without NUL bytes: " + kv.replace('\0', '@'));
                continue;
            }
            if (kv.startsWith("HOME=")) home = true;
            env.add(kv.substring(0, eq + 1) + "'" + kv.substring(eq + 1) + "'");
        }
        if (!home) env.add("HOME='" + homeOf(p.user().uid(), rootfs) + "'");
        return List.copyOf(env);
    }

    /** The user's home directory from the image's /etc/passwd (no symlinks followed), else "/". */
    static String homeOf(long uid, Path rootfs) {
        Path etc = rootfs.resolve("etc");
        Path passwd = etc.resolve("passwd");
        if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(passwd, LinkOption.NOFOLLOW_LINKS))
            return "/";
        try {
            for (String line : Files.readAllLines(passwd, StandardCharsets.ISO_8859_1)) {
                String[] f = line.split(":", -1);
                if (f.length >= 7 && f[2].equals(Long.toString(uid)) && f[5].startsWith("/")) return f[5];
            }
        } catch (IOException e) {
            // unreadable: the default is as good as runc's
        }
        return "/";
    }

    /** Whether the container gets its own network namespace; notes the namespaces left out. */
    private static boolean namespaces(BundleConfig c, Log log) {
        boolean net = false;
        for (BundleConfig.Namespace ns : c.linux().namespaces()) {
            String what = "linux.namespaces " + ns.type() + (ns.path() == null ? "" : " at " + ns.path());
            switch (ns.type()) {
                case "user", "mount" -> {
                    if (ns.path() != null) log.debug(what + " ignored: ch-run always makes new user and mount namespaces");
                }
                case "network" -> {
                    if (ns.path() != null) log.debug(what + " ignored: joining a namespace needs privileges; the host's network is used");
                    else net = true;
                }
                default -> log.debug(what + " ignored: an unprivileged container shares the host's " + ns.type() + " namespace");
            }
        }
        if (c.linux().uidMappings() || c.linux().gidMappings())
            log.debug("linux.uidMappings/gidMappings ignored: ch-run maps the invoking user only (to root for --seccomp)");
        return net;
    }

    private static final Map<String, String> REASONS = Map.ofEntries(
            Map.entry("process.capabilities", "ch-run drops all capabilities; root emulation fakes what needs them"),
            Map.entry("process.noNewPrivileges", "ch-run always sets no_new_privs"),
            Map.entry("process.apparmorProfile", "no security labels without privileges"),
            Map.entry("process.selinuxLabel", "no security labels without privileges"),
            Map.entry("process.oomScoreAdj", "an unprivileged process may only raise it; left as is"),
            Map.entry("process.consoleSize", "there is no terminal"),
            Map.entry("hostname", "the container shares the host's UTS namespace"),
            Map.entry("domainname", "the container shares the host's UTS namespace"),
            Map.entry("linux.resources", "chj creates no cgroups"),
            Map.entry("linux.cgroupsPath", "chj creates no cgroups"),
            Map.entry("linux.devices", "the host's /dev is bound"),
            Map.entry("linux.sysctl", "sysctls need privileges"),
            Map.entry("linux.seccomp", "ch-run installs its own root-emulation filter for uid 0, none otherwise"),
            Map.entry("linux.maskedPaths", "the host's /proc and /sys are bound as they are"),
            Map.entry("linux.readonlyPaths", "the host's /proc and /sys are bound as they are"),
            Map.entry("linux.rootfsPropagation", "ch-run's mounts are private"),
            Map.entry("linux.mountLabel", "no security labels without privileges"),
            Map.entry("linux.intelRdt", "needs privileges"),
            Map.entry("linux.personality", "not supported"));

    private static void ignored(BundleConfig c, BundleConfig.Process p, Log log) {
        for (String rl : p.rlimits())
            log.debug("process.rlimits " + rl + " ignored: the caller's limits stay (RLIMIT_NPROC counts all the user's processes)");
        List<String> fields = new ArrayList<>(c.ignored());
        if (c.hostname() != null) fields.add("hostname");
        fields.addAll(p.ignored());
        fields.addAll(c.linux().ignored());
        for (String f : fields) log.debug(f + " ignored: " + REASONS.getOrDefault(f, "not supported by ch-run-oci"));
        if (!c.annotations().isEmpty()) log.debug("annotations ignored: none changes what ch-run does");
    }

    private static boolean under(String path, String dir) {
        return path.equals(dir) || path.startsWith(dir + "/");
    }
}
